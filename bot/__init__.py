"""The edges of Verbatim: the command line (`verbatim`), the terminal chat and the Telegram bot.

    cli.py        `verbatim`: index, ask, summary, chat, run
    app.py        the Telegram Application: handlers wired to updates, polling or webhook
    commands.py   the command table (data: menus, /help and the app read it)
    config.py     environment and flags → settings, with every default
    i18n.py       the bot's words in the reader's language; catalogs.py keeps the catalogs current
    logs.py       logging without the token
    handlers/     what the bot does with each update
    messages/     what it says (Telegram HTML that fits) and how it is sent
    state/        what it keeps: the state dir, the stats, the per-person limit, the worker lanes
    terminal/     `verbatim chat` and the terminal's plain text

Imports go one way: app and cli → handlers → messages → state, and every package may use the top-level
commands, config, i18n and logs, which use none of them.
"""
