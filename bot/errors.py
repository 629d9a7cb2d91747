"""The one place an error from a handler ends (python-telegram-bot's error handler).

Handlers let errors propagate. A person-facing error (`UsageError`, `TranscriptError`: their text is a
one-line message fit for a person) is shown in the reader's language (`said`: its template translated,
then filled with its values, an error among them translated the same way); the index being unreachable
and everything else get a short apology. The reader's language was set by `app.limited` before the
handler ran; the error handler runs in the same task, after it, so it speaks the same language. The
reply goes to the message that caused it, or, for a button, into an alert.
Tracebacks go to the log only, and only for failures on our side: a person's mistake is one log line.
"""

from __future__ import annotations

import contextlib
import logging
from html import escape

from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from bot.i18n import N_, _, fill
from bot.replies import Context, reply
from retrieval import StoreUnavailableError, TranscriptError, UsageError, VerbatimError

log = logging.getLogger(__name__)
UNAVAILABLE = N_("The index is unavailable right now; please try again in a minute.")
NOT_ANSWERED = N_("Sorry, I could not answer that just now; please try again.")
FAILED = N_("Sorry, that failed on my side. Please try again in a moment.")
ALERT_LIMIT = 200  # characters Telegram shows in a button's alert


def for_people(error: BaseException | None) -> bool:
    """Errors whose own text is what the person should read."""
    return isinstance(error, UsageError | TranscriptError)


def said(error: VerbatimError) -> str:
    """The error's message in the reader's language, as plain text (`str(error)` is the English)."""
    if isinstance(error, TranscriptError):
        return f"{error.path}: {reason(error)}"
    return _fill(error.template, error.params)


def reason(error: TranscriptError) -> str:
    """Why a transcript cannot be used, in the reader's language, without the file's name."""
    return _fill(error.reason_template, error.reason_params)


def _fill(template: str, params: dict[str, object]) -> str:
    if not params:
        return _(template)
    values = {k: said(v) if isinstance(v, VerbatimError) else v for k, v in params.items()}
    try:
        return fill(_(template), values)
    except (KeyError, IndexError, ValueError):  # a translation that broke a placeholder: the English
        log.warning("the translation of %r does not fit its values", template)
        return fill(template, values)


def shown(error: BaseException | None) -> str:
    """What the person is told about `error`, as plain text."""
    if isinstance(error, VerbatimError) and for_people(error):
        return said(error)
    if isinstance(error, StoreUnavailableError):
        return _(UNAVAILABLE)
    if isinstance(error, VerbatimError):
        return _(NOT_ANSWERED)
    return _(FAILED)


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
