"""The message catalogs: extract every message from bot/ and retrieval/, update the template and each
language's catalog. Run `python -m bot.catalogs` (or `make catalogs`) after changing a message, then
translate what is new (empty) or changed (marked fuzzy) in `bot/locale/<lang>/LC_MESSAGES/verbatim.po`.

A message is found where it is written: in `_()`, `ngettext()` and `N_()`, and as the first argument of an
error class (`UsageError("no transcript {doc!r} ...", doc=doc)`; `TranscriptError(path, reason)`: the
second), so retrieval/, which knows nothing of the bot, marks its messages simply by raising them.
`tests/test_i18n.py` fails when a message lacks a translation. The same extraction with pybabel:

    pybabel extract -k UsageError -k VerbatimError -k TranscriptError:2 ... -o bot/locale/verbatim.pot bot retrieval
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALE_DIR, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "retrieval")
# The terminal's own modules stay English (`verbatim` prints `str(err)`), so their messages are not extracted.
ENGLISH_ONLY = ("bot/cli.py", "bot/terminal/asked.py", "bot/terminal/chat.py", "bot/terminal/text.py",
                "bot/web/serve.py")
ERRORS = ("VerbatimError", "UsageError", "StoreUnavailableError", "DiskFullError", "IndexError_", "IndexLockedError",
          "IndexDamagedError", "ModelMismatchError", "IndexCollectionGone")
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "ngettext": (1, 2), **dict.fromkeys(ERRORS), "TranscriptError": (2,)}
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
WIDTH = 116
HEADER = {"version": "0.1", "copyright_holder": "the Verbatim authors", "msgid_bugs_address": "",
          "last_translator": "the Verbatim authors", "language_team": "the Verbatim authors"}


def messages(root: Path = ROOT) -> Iterator[tuple[str, int, str | tuple[str, ...]]]:
    """(file, line, message) of every message in the sources; a plural message is (singular, plural)."""
    for folder in SOURCES:
        skip = [(path.removeprefix(f"{folder}/"), "ignore") for path in ENGLISH_ONLY if path.startswith(f"{folder}/")]
        for filename, line, message, _comments, _context in extract_from_dir(
                root / folder, method_map=[*skip, ("**.py", "python")], keywords=KEYWORDS):
            yield f"{folder}/{filename}", line, message


def extract(root: Path = ROOT) -> Catalog:
    catalog = Catalog(project="Verbatim", domain=DOMAIN, charset="utf-8", fuzzy=False, **HEADER)
    for filename, line, message in messages(root):
        catalog.add(message, None, [(filename, line)])
    return catalog


def update(template: Catalog) -> list[str]:
    """Write the template and bring every language's catalog in line with it: new messages empty, changed
    ones fuzzy (with the old translation to start from), obsolete ones dropped. Returns what changed."""
    LOCALE_DIR.mkdir(exist_ok=True)
    if TEMPLATE.exists():  # the same messages: keep the date, so an update that changes nothing changes no file
        with TEMPLATE.open("rb") as po:
            old = read_po(po, domain=DOMAIN)
        if {m.id if isinstance(m.id, str) else tuple(m.id) for m in old} == {
                m.id if isinstance(m.id, str) else tuple(m.id) for m in template}:
            template.creation_date = old.creation_date
    with TEMPLATE.open("wb") as out:
        write_po(out, template, width=WIDTH, include_lineno=False, sort_output=True)
    report = []
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        path = catalog_path(language)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=language, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="Verbatim", fuzzy=False, **HEADER)
        catalog.update(template)
        with path.open("wb") as out:
            write_po(out, catalog, width=WIDTH, include_lineno=False, sort_output=True, ignore_obsolete=True)
        missing = sum(1 for m in catalog if m.id and (m.fuzzy or not translated(m.string)))
        report.append(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {missing} to translate")
    return report


def translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    """Is every form of the entry translated (a plural has one string per form)?"""
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def main() -> int:
    for line in update(extract()):
        print(line)  # noqa: T201 - a maintainer's tool
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
