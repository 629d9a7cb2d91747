"""The bot's own words in the reader's language (gettext catalogs); quotes are never translated.

`_` translates a message for the reader whose update is being handled; `N_` marks a message for the
catalog where it is defined but translated later (module constants).
"""

from __future__ import annotations

from contextvars import ContextVar

LANGUAGES = ("en", "az", "ru")
_language: ContextVar[str] = ContextVar("language", default="en")


def _(message: str) -> str:
    return message


def N_(message: str) -> str:
    return message
