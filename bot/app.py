"""The Telegram Application: handlers wired to updates, command menus per scope and language, polling
or webhook.

Every handler is wrapped (`limited`, or `speaking` for questions, which check the limit themselves), and
the wrapper first sets the reader's language (`bot.i18n`) for the update.

Filters matter here: `filters.TEXT` alone also matches edited messages and channel posts, so every
text handler names the update types it wants; a `CommandHandler` given `filters=` loses its default,
so those keep `UpdateType.MESSAGES` explicitly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import i18n
from bot.commands import COMMANDS
from bot.config import BotSettings
from bot.handlers.admin import Admins
from bot.handlers.buttons import Buttons
from bot.handlers.deps import Callback, Deps
from bot.handlers.errors import error_handler
from bot.handlers.inline import Inline
from bot.handlers.posts import Posts
from bot.handlers.questions import Questions
from bot.handlers.readers import Readers
from bot.lifecycle import Stopping, start_pages, stop_pages
from bot.messages.flood import TelegramLimiter
from bot.messages.menus import set_commands
from bot.messages.readers import too_fast
from bot.messages.replies import Context, reply
from bot.state.buckets import UserLimiter
from bot.state.stats import Stats
from retrieval import Links, Service, UsageError, VerbatimError

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
PURGE_EVERY = 3600.0  # seconds between erasing what has outlived the retention period


@dataclass(frozen=True)
class Handlers:
    """Every group of handlers, made from one `Deps`; the command table (`bot.commands.COMMANDS`) names
    its handlers by their path in here ("readers.start"), which `pick` resolves."""

    readers: Readers
    questions: Questions
    buttons: Buttons
    admins: Admins
    posts: Posts
    deps: Deps
    inline: Inline

    @classmethod
    def build(cls, deps: Deps) -> Handlers:
        return cls(Readers(deps), Questions(deps), Buttons(deps), Admins(deps), Posts(deps), deps, Inline(deps))

    def pick(self, path: str) -> Callback:
        """The handler a command names: "readers.start" is `self.readers.start`."""
        group, name = path.split(".")
        handler: Callback = getattr(getattr(self, group), name)
        return handler


def speaking(deps: Deps, callback: Callback) -> Callback:
    """The handler in the reader's language. The language is set for the update's task and not reset:
    the error handler runs in that task after the handler and must speak it too (PTB handles each update
    in a task of its own, or, with one update at a time, sets it anew before every handler)."""
    async def run(update: Update, context: Context) -> None:
        i18n.use(deps.language(update))
        await callback(update, context)
    return run


def limited(deps: Deps, callback: Callback) -> Callback:
    """Every command and button goes through the per-person limit (one token per update; a question
    handler that checks again is not charged twice), in the reader's language. Over the limit, the person
    is told once a window (`bot.state.buckets`); their other updates are dropped without a reply."""
    async def run(update: Update, context: Context) -> None:
        i18n.use(deps.language(update))
        wait = deps.wait_time(update)
        if wait <= 0:
            await callback(update, context)
            return
        if not deps.told_to_wait(update, wait):
            return
        text = too_fast(wait)
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(text)
            return
        await reply(update, context, text)
    return run


async def purge(deps: Deps) -> int:
    """Erase question texts and identities past the retention period (at start and every hour)."""
    purged = await deps.work.cheap(deps.stats.purge)
    deps.limiter.prune()
    if purged:
        log.info("erased %d question(s) past the retention period", purged)
    return purged


def build_application(service: Service, stats: Stats, settings: BotSettings) -> Application:  # type: ignore[type-arg]
    links = Links.of_folder(service.settings.data_dir, settings.web.public_url) if settings.web.public_url else None
    builder = (ApplicationBuilder().token(settings.token).application_class(Stopping)
               .rate_limiter(TelegramLimiter(max_retries=3))
               .concurrent_updates(settings.concurrent_updates)
               .post_init(_post_init(settings, stats, service, links))
               .post_shutdown(stop_pages))
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_file_url:
        builder = builder.base_file_url(settings.api_file_url)
    app = builder.build()
    i18n.load()
    deps = Deps(service, stats, settings, UserLimiter(settings.user_questions_per_minute, settings.user_burst),
                links=links)
    if isinstance(app, Stopping):
        app.work = deps.work
    handlers = Handlers.build(deps)
    add_handlers(app, handlers)
    if app.job_queue is not None:
        async def purge_job(context: Context) -> None:
            await purge(deps)
        app.job_queue.run_repeating(purge_job, interval=PURGE_EVERY, first=0.0, name="purge")
    if settings.digest_time is not None:
        if app.job_queue is None:
            raise UsageError("VERBATIM_DIGEST_TIME needs python-telegram-bot's job queue; reinstall with make "
                             "install")
        app.job_queue.run_daily(handlers.posts.digest, time=settings.digest_time, name="digest")
    return app


def add_handlers(app: Application, handlers: Handlers) -> None:  # type: ignore[type-arg]
    messages = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    deps = handlers.deps
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, limited(deps, handlers.pick(command.handler)),
                                       filters=messages if command.edits else filters.UpdateType.MESSAGE))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private & filters.Document.ALL,
                                   limited(deps, handlers.admins.upload)))
    app.add_handler(MessageHandler(messages & private & filters.TEXT & ~filters.COMMAND,
                                   speaking(deps, handlers.questions.private_text)))
    app.add_handler(MessageHandler(messages & groups & filters.TEXT & ~filters.COMMAND,
                                   speaking(deps, handlers.questions.group_text)))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private & filters.COMMAND,
                                   limited(deps, handlers.readers.unknown_command)))
    app.add_handler(CallbackQueryHandler(limited(deps, handlers.buttons.button)))
    app.add_handler(InlineQueryHandler(speaking(deps, handlers.inline.answer)))  # limits itself: a search costs less
    app.add_error_handler(error_handler)


def _post_init(settings: BotSettings, stats: Stats, service: Service, links: Links | None
               ) -> Callable[[Application], Coroutine[Any, Any, None]]:  # type: ignore[type-arg]
    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if links is not None:
            start_pages(app, service, links, settings)
        await set_commands(app.bot, settings, stats)
        log.info("bot @%s is ready", app.bot.username)
        if not app.bot.supports_inline_queries:
            log.info("inline mode is off; @BotFather's /setinline turns it on (README, \"Inline mode\")")
    return post_init


def our_error(err: TelegramError, settings: BotSettings) -> VerbatimError:
    """Telegram's refusal of the token or an unreachable Bot API, as the one-line error `verbatim` prints."""
    if isinstance(err, InvalidToken):
        return UsageError("Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather")
    return VerbatimError("cannot reach the Telegram Bot API at {where} ({why}); check the network "
                         "or TELEGRAM_API_BASE_URL", where=settings.api_base_url or "https://api.telegram.org",
                         why=err)


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
            except (InvalidToken, NetworkError) as err:
                if isinstance(err, InvalidToken) or attempt == attempts:
                    raise our_error(err, settings) from err
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
    except (InvalidToken, NetworkError) as err:
        raise our_error(err, settings) from err
    if isinstance(app, Stopping) and app.work is not None and app.work.running:
        log.warning("exiting with %d job(s) still running (a rebuild cut short is dropped at the next start)",
                    app.work.running)  # the interpreter would wait for their threads at exit, for minutes
        stats.close()
        logging.shutdown()
        os._exit(0)
    return 0
