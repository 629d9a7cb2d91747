"""Errors in the reader's words: what a person is told about a failure, as plain text.

A person-facing error (`UsageError`, `TranscriptError`: their text is a one-line message fit for a person)
is shown in the reader's language (`said`: its template translated, then filled with its values, an
error among them translated the same way); the index being unreachable and everything else get a short
apology (`shown`). The error handler (`bot.handlers.errors`) says it; admin handlers reword with it.
"""

from __future__ import annotations

import logging

from bot.i18n import N_, _, fill
from retrieval import StoreUnavailableError, TranscriptError, UsageError, VerbatimError

log = logging.getLogger(__name__)
UNAVAILABLE = N_("The index is unavailable right now; please try again in a minute.")
NOT_ANSWERED = N_("Sorry, I could not answer that just now; please try again.")
FAILED = N_("Sorry, that failed on my side. Please try again in a moment.")


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
