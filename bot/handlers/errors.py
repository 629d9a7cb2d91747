"""The one place an error from a handler ends (python-telegram-bot's error handler).

Handlers let errors propagate. What the person is told comes from `bot.messages.errors`: a person's
mistake in their language, an apology for ours. The reader's language was set by `app.limited` before the
handler ran; the error handler runs in the same task, after it, so it speaks the same language. The
reply goes to the message that caused it, or, for a button, into an alert.
Tracebacks go to the log only, and only for failures on our side: a person's mistake is one log line.
"""

from __future__ import annotations

import contextlib
import logging
from html import escape

from telegram import CallbackQuery, Update
from telegram.constants import CallbackQueryLimit
from telegram.error import TelegramError

from bot.messages.errors import for_people, shown
from bot.messages.replies import Context, reply

log = logging.getLogger(__name__)
ALERT_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH  # characters Telegram shows in an alert


def _log(error: BaseException | None) -> None:
    """One line for a person's mistake; a traceback for a failure of ours, also when a handler reworded it
    for the person (`raise UsageError("Reindex failed: ...") from err`)."""
    cause = error.__cause__ if error is not None else None
    if for_people(error) and (cause is None or for_people(cause)):
        log.info("told the person: %s", error)
    else:
        log.error("error while handling an update", exc_info=error)


async def _alert(query: CallbackQuery, text: str) -> bool:
    """False when the query was already answered (a second answer is refused) or Telegram failed."""
    try:
        await query.answer(text[:ALERT_LIMIT], show_alert=True)
    except TelegramError:
        return False
    return True


async def error_handler(update: object, context: Context) -> None:
    error = context.error
    _log(error)
    if not isinstance(update, Update):
        return  # a scheduled job: nobody to tell
    text = shown(error)
    if update.callback_query is not None and await _alert(update.callback_query, text):
        return
    with contextlib.suppress(TelegramError):
        await reply(update, context, escape(text, quote=False))
