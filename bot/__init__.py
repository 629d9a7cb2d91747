"""The edges of Verbatim: the command line (`verbatim`), the terminal chat and the Telegram bot."""
