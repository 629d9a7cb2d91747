"""The edges of Verbatim: the command line, the terminal chat and (later) the Telegram bot."""
