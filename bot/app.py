"""The Telegram Application: handlers wired to updates, command menus per scope, polling or webhook.

Filters matter here: `filters.TEXT` alone also matches edited messages and channel posts, so every
text handler names the update types it wants; a `CommandHandler` given `filters=` loses its default,
so those keep `UpdateType.MESSAGES` explicitly.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.admin import Admins
from bot.config import BotSettings
from bot.handlers import Readers, error_handler
from bot.limits import TelegramLimiter, UserLimiter
from bot.posts import Posts
from bot.stats import Stats
from retrieval.errors import UsageError, VerbatimError
from retrieval.service import Service

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

READER_COMMANDS = [BotCommand("help", "how to ask, with examples"), BotCommand("sources", "what is indexed"),
                   BotCommand("summary", "a summary in quotes: /summary [doc] [topic]")]
GROUP_COMMANDS = [BotCommand("ask", "ask about the transcripts: /ask question"), *READER_COMMANDS]
ADMIN_COMMANDS = [*READER_COMMANDS, BotCommand("reindex", "rebuild the index (answers continue)"),
                  BotCommand("remove", "remove a transcript: /remove doc"),
                  BotCommand("stats", "questions, abstentions, feedback, busiest chats"),
                  BotCommand("post_summary", "post a summary to the channel: /post_summary [doc] [topic]")]


def build_application(service: Service, stats: Stats, settings: BotSettings) -> Application:  # type: ignore[type-arg]
    builder = (ApplicationBuilder().token(settings.token)
               .rate_limiter(TelegramLimiter(max_retries=3))
               .concurrent_updates(settings.concurrent_updates)
               .post_init(_post_init(settings)))
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_file_url:
        builder = builder.base_file_url(settings.api_file_url)
    app = builder.build()
    readers = Readers(service, stats, settings,
                      UserLimiter(settings.user_questions_per_minute, settings.user_burst))
    admins = Admins(readers)
    posts = Posts(readers)
    add_handlers(app, readers, admins, posts)
    if settings.digest_time is not None:
        if app.job_queue is None:
            raise UsageError("VERBATIM_DIGEST_TIME needs python-telegram-bot's job queue; reinstall with make install")
        app.job_queue.run_daily(posts.digest, time=settings.digest_time, name="digest")
    return app


def add_handlers(app: Application, readers: Readers, admins: Admins, posts: Posts) -> None:  # type: ignore[type-arg]
    messages = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    app.add_handler(CommandHandler("start", readers.start, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("help", readers.help, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("sources", readers.sources, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("ask", readers.ask_command, filters=messages))
    app.add_handler(CommandHandler("reindex", admins.reindex, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("remove", admins.remove, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("stats", admins.stats, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("summary", posts.summary, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CommandHandler("post_summary", posts.post_summary, filters=filters.UpdateType.MESSAGE))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private & filters.Document.ALL, admins.upload))
    app.add_handler(MessageHandler(messages & private & filters.TEXT & ~filters.COMMAND, readers.private_text))
    app.add_handler(MessageHandler(messages & groups & filters.TEXT & ~filters.COMMAND, readers.group_text))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private & filters.COMMAND, readers.unknown_command))
    app.add_handler(CallbackQueryHandler(readers.button))
    app.add_error_handler(error_handler)


def _post_init(settings: BotSettings):  # type: ignore[no-untyped-def]
    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await set_commands(app, settings)
        log.info("bot @%s is ready", app.bot.username)
    return post_init


async def set_commands(app: Application, settings: BotSettings) -> None:  # type: ignore[type-arg]
    """Menus per scope; an admin who never opened a chat with the bot cannot get one, and that is fine."""
    await app.bot.set_my_commands(READER_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await app.bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    for admin in sorted(settings.admin_ids):
        try:
            await app.bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(admin))
        except TelegramError as err:
            log.warning("no admin menu for user %s (%s); they must start a chat with the bot first", admin, err)


def preflight(settings: BotSettings, attempts: int = 4) -> str:
    """Check the token and the Bot API before the models load: a wrong token fails in a second with one
    line, and a Bot API server still starting gets a few seconds. Returns the bot's username."""
    async def check() -> str:
        bot = Bot(settings.token, base_url=settings.api_base_url or "https://api.telegram.org/bot",
                  base_file_url=settings.api_file_url or "https://api.telegram.org/file/bot")
        delay = 1.0
        for attempt in range(1, attempts + 1):
            try:
                async with bot:
                    return bot.username
            except InvalidToken as err:
                raise UsageError("Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather") from err
            except NetworkError as err:
                if attempt == attempts:
                    where = settings.api_base_url or "https://api.telegram.org"
                    raise VerbatimError(f"cannot reach the Telegram Bot API at {where} ({err}); check the network "
                                        "or TELEGRAM_API_BASE_URL") from err
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")
    return asyncio.run(check())


def run(service: Service, stats: Stats, settings: BotSettings) -> int:
    """Long polling, or a webhook when VERBATIM_WEBHOOK_URL is set; returns when stopped (Ctrl-C, SIGTERM)."""
    app = build_application(service, stats, settings)
    try:
        if settings.webhook_url:
            secret = settings.webhook_secret or secrets.token_urlsafe(32)
            log.info("webhook mode on %s:%d", settings.webhook_listen, settings.webhook_port)
            app.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port,
                            url_path=urlparse(settings.webhook_url).path.lstrip("/"), webhook_url=settings.webhook_url,
                            secret_token=secret, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
        else:
            log.info("long polling")
            app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
    except InvalidToken as err:
        raise UsageError("Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather") from err
    except NetworkError as err:
        where = settings.api_base_url or "https://api.telegram.org"
        raise VerbatimError(f"cannot reach the Telegram Bot API at {where} ({err}); check the network "
                            "or TELEGRAM_API_BASE_URL") from err
    return 0
