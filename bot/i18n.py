"""The bot's own words in the reader's language (gettext catalogs); quotes are never translated.

`_` translates a message for the reader whose update is being handled; `ngettext` picks the plural form
for a number; `N_` marks a message for the catalog where it is defined but translated later (module
constants, the command table). Messages are English (the source language) with named placeholders,
filled after translation: `_("Posted to {channel}.").format(channel=name)`.

Which language: `use(code)` sets it for the update being handled (a context variable, so concurrent
updates never mix). `app.limited`, the wrapper around every handler, sets it first: the person's own
choice made with /language (`Stats.language`), else the language of their Telegram app (`language_code`),
else English. Outside a handler (the CLI, `verbatim chat`, tests) it is English.

The catalogs are `bot/locale/<lang>/LC_MESSAGES/verbatim.po`, read once per language and compiled in
memory (no .mo files are kept); `python -m bot.catalogs` (`make catalogs`) extracts the messages and
updates them.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

DOMAIN = "verbatim"
LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT = "en"
LANGUAGES = ("en", "az", "ru")
NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}  # each language in its own words
_language: ContextVar[str] = ContextVar("language", default=DEFAULT)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language` (English: none, the messages are English). Untranslated and
    fuzzy entries are left out, so they fall back to English."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def load() -> None:
    """Read every catalog now (at startup), so a broken one stops the bot before it answers anyone."""
    for language in LANGUAGES:
        translations(language)


def normalize(code: str | None) -> str:
    """A Telegram `language_code` ("ru", "az", "en-US", "pt-br") as one of LANGUAGES; English otherwise."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT


def current() -> str:
    return _language.get()


def use(language: str) -> None:
    """Speak `language` for the rest of the update being handled (its task)."""
    _language.set(normalize(language))


@contextmanager
def using(language: str) -> Iterator[None]:
    """Speak `language` inside the block (a channel post, a menu, a test)."""
    token = _language.set(normalize(language))
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for `n` in the reader's language (Russian has three)."""
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    return message


def decimal(value: float, digits: int = 1) -> str:
    """A number as the reader writes it: 1.5 in English, 1,5 in Azerbaijani and Russian."""
    return format_decimal(round(value, digits), format=f"#,##0.{'#' * digits}" if digits else "#,##0",
                          locale=_language.get())


def percent(value: float) -> str:
    return format_percent(value, locale=_language.get())


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        fixed = re.fullmatch(r"\.(\d)f", format_spec)
        if fixed and isinstance(value, float | int) and not isinstance(value, bool):
            digits = int(fixed.group(1))
            pattern = "#,##0." + "0" * digits if digits else "#,##0"
            return format_decimal(value, format=pattern, locale=_language.get())
        return str(super().format_field(value, format_spec))


def fill(template: str, values: dict[str, object]) -> str:
    """`template.format(**values)`, with fixed-point numbers (`{size:.1f}`) written as the reader writes them."""
    return _Formatter().vformat(template, (), values)
