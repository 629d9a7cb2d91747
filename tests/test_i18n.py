"""The bot speaks English, Azerbaijani and Russian: every message it can show has a translation that keeps
its placeholders and HTML tags, the catalogs hold nothing stale, and messages are templates, never
f-strings (which the extraction cannot see and a translator cannot reorder).

The checks are functions that return what is wrong, so the last tests can show each one failing on a
broken catalog or source.
"""

from __future__ import annotations

import ast
import re
import string
import tomllib
from collections import Counter
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import catalogs, i18n
from bot.commands import Menu
from bot.i18n import _, ngettext
from bot.messages import readers, words
from bot.messages.errors import said
from bot.messages.menus import menu
from bot.state.stats import Stats
from bot.state.work import Work
from retrieval import Cite, Part, Quote, TranscriptError, UsageError

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT]
PLURALS = {"az": 2, "ru": 3}
Key = str | tuple[str, ...]


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=language, domain=i18n.DOMAIN)


def key(message_id: str | tuple[str, ...] | list[str]) -> Key:
    return tuple(message_id) if isinstance(message_id, tuple | list) else message_id


def extracted() -> dict[Key, str]:
    """Every message in the sources (plural ones by their (singular, plural)), with where it is."""
    return {key(m): f"{f}:{line}" for f, line, m in catalogs.messages()}


def fields(text: str) -> Counter[str]:
    """The placeholders of a template, with conversion and format: `{doc!r}`, `{size:.1f}`."""
    found: Counter[str] = Counter()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found["{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"] += 1
    return found


def tags(text: str) -> Counter[str]:
    return Counter(re.findall(r"</?[a-z][^>]*>", text))


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.broken = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.broken = True


def balanced(text: str) -> bool:
    parser = _Balance()
    parser.feed(text)
    parser.close()
    return not parser.broken and not parser.stack


def problems(catalog: Catalog, messages: dict[Key, str], forms: int) -> list[str]:
    """What is wrong with one language's catalog against the messages in the sources."""
    found = []
    entries = {key(m.id): m for m in catalog if m.id}
    for message, where in sorted(messages.items(), key=str):
        entry = entries.get(message)
        strings = [] if entry is None else list(entry.string) if isinstance(entry.string, tuple | list) else [
            entry.string]
        if entry is None or not all(strings):
            found.append(f"untranslated ({where}): {message!r}")
            continue
        if entry.fuzzy:
            found.append(f"fuzzy, to review ({where}): {message!r}")
        originals = list(message) if isinstance(message, tuple) else [message]
        if isinstance(message, tuple) and len(strings) != forms:
            found.append(f"{len(strings)} plural forms instead of {forms}: {message!r}")
        for text in strings:
            if fields(text) != fields(originals[-1]) or fields(originals[0]) != fields(originals[-1]):
                found.append(f"placeholders differ: {message!r} -> {text!r}")
            if tags(text) != tags(originals[-1]) or not balanced(text):
                found.append(f"HTML tags differ or are unbalanced: {message!r} -> {text!r}")
    found += [f"obsolete (no longer in the sources): {m!r}" for m in entries if m not in messages]
    found += [f"obsolete entry kept: {m!r}" for m in catalog.obsolete]
    return found


def f_strings(paths: Iterable[Path]) -> list[str]:
    """Calls of `_`, `ngettext`, `N_` or an error class whose message is built in code (f-string,
    concatenation, `%` or `.format`) instead of a template with its values passed beside it."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if name not in catalogs.KEYWORDS:
                continue
            spec = catalogs.KEYWORDS[name] or (1,)
            for position in spec:
                if isinstance(position, int) and position <= len(node.args) and _built(node.args[position - 1]):
                    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    found.append(f"{where}:{node.lineno}: {name}() is given a message built in code")
    return found


def _built(arg: ast.expr) -> bool:
    if isinstance(arg, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"


def sources() -> list[Path]:
    skip = {ROOT / p for p in catalogs.ENGLISH_ONLY}
    return [p for folder in catalogs.SOURCES for p in sorted((ROOT / folder).rglob("*.py")) if p not in skip]


# -- the catalogs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_keeping_placeholders_and_tags(language: str) -> None:
    catalog = read(i18n.catalog_path(language), language)
    assert catalog.num_plurals == PLURALS[language]
    found = problems(catalog, extracted(), catalog.num_plurals)
    assert not found, "run `make catalogs`, then translate:\n" + "\n".join(found)


def test_the_template_is_current() -> None:
    template = read(catalogs.TEMPLATE)
    assert {key(m.id) for m in template if m.id} == set(extracted()), "run `make catalogs`"


def test_messages_are_templates_not_code() -> None:
    found = f_strings(sources())
    assert not found, "\n".join(found)


def test_the_catalogs_ship_with_the_package() -> None:
    """No compiled .mo files: the .po files are read at startup, so they must be package data."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["bot"]
    shipped = {p for pattern in patterns for p in (ROOT / "bot").glob(pattern)}
    assert {i18n.catalog_path(language) for language in TRANSLATED} <= shipped
    assert not list((ROOT / "bot" / "locale").rglob("*.mo"))
    assert "babel" in " ".join(config["project"]["dependencies"]).lower()


# -- speaking -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "language"), [("ru", "ru"), ("ru-RU", "ru"), ("az", "az"), ("AZ_az", "az"),
                                                ("en-GB", "en"), ("pt-br", "en"), ("", "en"), (None, "en")])
def test_telegram_language_codes_pick_a_language(code: str | None, language: str) -> None:
    assert i18n.normalize(code) == language


def test_messages_speak_the_language_in_use_and_english_elsewhere() -> None:
    with i18n.using("ru"):
        assert _("More quotes") == "Ещё цитаты"
        forms = [ngettext("{count} question", "{count} questions", n).format(count=n) for n in (1, 3, 5, 21, 11)]
        assert forms == ["1 вопрос", "3 вопроса", "5 вопросов", "21 вопрос", "11 вопросов"]
        with i18n.using("az"):
            assert _("More quotes") == "Daha çox sitat"
        assert i18n.current() == "ru"
    assert _("More quotes") == "More quotes" and i18n.current() == "en"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_menus_fit_telegram_in_every_language(language: str) -> None:
    for which in Menu:
        for command in menu(which, language):
            assert 3 <= len(command.description) <= 256, command
    assert menu(Menu.PRIVATE, "ru")[0].description != menu(Menu.PRIVATE, "en")[0].description


# -- the checks can fail --------------------------------------------------------------------------------
def test_the_checks_catch_every_kind_of_broken_catalog() -> None:
    messages: dict[Key, str] = {"Hello {name}": "x.py:1", "<b>Bold</b> {n}": "x.py:2", "Gone": "x.py:3",
                                "Fuzzy": "x.py:4", ("{count} vote", "{count} votes"): "x.py:5"}
    catalog = Catalog(locale="ru")
    catalog.add("Hello {name}", "Привет {имя}")  # a placeholder translated
    catalog.add("<b>Bold</b> {n}", "<i>Жирный</b> {n}")  # tags changed and unbalanced
    catalog.add("Fuzzy", "Нечётко", flags=["fuzzy"])
    catalog.add(("{count} vote", "{count} votes"), ("{count} голос", "{count} голоса"))  # 2 forms of 3
    catalog.add("Stale", "Старое")
    catalog.obsolete["Older"] = catalog["Stale"]
    found = "\n".join(problems(catalog, messages, 3))
    for expected in ("untranslated (x.py:3)", "placeholders differ: 'Hello {name}'", "HTML tags differ",
                     "fuzzy, to review", "2 plural forms instead of 3", "obsolete (no longer in the sources): 'Stale'",
                     "obsolete entry kept"):
        assert expected in found, expected


def test_the_source_check_catches_messages_built_in_code(tmp_path: Path) -> None:
    bad = tmp_path / "example.py"
    bad.write_text('raise UsageError(f"no transcript {doc}")\n_("a " + b)\nTranscriptError(doc, "is {x}".format(x=1))\n'
                   'raise UsageError("fine {doc}", doc=doc)\nTranscriptError(f"{doc}", "fine")\n', encoding="utf-8")
    found = f_strings([bad])
    assert len(found) == 3 and all("built in code" in f for f in found)


# -- the bot's words around what retrieval gives ---------------------------------------------------------
CITES = [Cite("question", 2), Cite("question", 2, 3), Cite("answer", 2, 3), Cite("turn", 57), Cite("turn", 57, 2),
         Cite("paragraph", 5), Cite("cue", 4), Cite("time", time="00:01:23")]


@pytest.mark.parametrize("cite", CITES, ids=lambda c: c.text)
def test_citations_in_english_are_retrievals_labels(cite: Cite) -> None:
    assert words.cite_text(cite, "unused") == cite.text


def test_citations_and_role_names_in_the_readers_words() -> None:
    asker = Quote("i.txt", 0, 8, "Why now?", "Interviewer", "Q2", "interviewer", 1, Cite("question", 2))
    named = Quote("i.txt", 0, 8, "Why now?", "Ann Lee", "Q2", "interviewer", 1, Cite("question", 2))
    with i18n.using("ru"):
        assert [words.cite_text(c, "") for c in CITES[:4]] == [
            "вопрос 2", "вопрос 2, абз. 3", "ответ на вопрос 2, абз. 3", "реплика 57"]
        assert words.speaker_line(asker) == "Интервьюер" and words.speaker_line(named) == "Ann Lee (интервьюер)"
        part = Part("turn 1 – turn 9", (), None, (Cite("turn", 1), Cite("turn", 9)))
        assert words.part_title(part) == "Реплика 1 – реплика 9"
    with i18n.using("az"):
        assert words.cite_text(Cite("answer", 2, 3), "") == "2 nömrəli suala cavab, abz. 3"
    assert words.speaker_line(named) == "Ann Lee (interviewer)"


def test_errors_are_translated_with_their_values_and_stay_english_in_str() -> None:
    inner = TranscriptError("notes.txt", "is {size:.1f} MB; the limit is {limit} MB, split it into parts", size=12.34,
                            limit=10)
    err = UsageError("Not added: {error}. Nothing was stored.", error=inner)
    assert str(err) == "Not added: notes.txt: is 12.3 MB; the limit is 10 MB, split it into parts. Nothing was stored."
    with i18n.using("ru"):
        assert said(err) == ("Не добавлено: notes.txt: весит 12,3 МБ, а предел — 10 МБ; разделите его на части. "
                             "Ничего не сохранено.")
    with i18n.using("az"):
        assert said(UsageError("{doc} is no longer indexed", doc="a.txt")) == "a.txt artıq indeksdə deyil"
        assert said(UsageError("the question is empty; ask something about the transcripts")).startswith("sual boşdur")


async def test_work_in_threads_speaks_the_readers_language() -> None:
    work = Work()
    try:
        with i18n.using("ru"):
            assert await work.cheap(i18n.current) == "ru"
            assert await work.costly(lambda: _("More quotes"), owner=1) == "Ещё цитаты"
        assert await work.cheap(i18n.current) == "en"
    finally:
        work.shutdown()


def test_a_language_choice_survives_a_restart_and_goes_with_forget(tmp_path: Path) -> None:
    stats = Stats(tmp_path / "stats.sqlite3")
    assert stats.language(5) is None
    stats.set_language(5, "az")
    stats.close()
    stats = Stats(tmp_path / "stats.sqlite3")
    assert stats.language(5) == "az" and stats.language(6) is None
    gone = stats.forget(5)
    assert gone.language and (gone.questions, gone.votes) == (0, 0) and stats.language(5) is None
    assert not stats.forget(5).language
    stats.close()
    assert Stats(tmp_path / "stats.sqlite3").language(5) is None


def test_privacy_and_forget_speak_of_the_language_choice() -> None:
    assert "/language" in readers.privacy_message(48)
    assert "language choice" in readers.forgotten_message(0, 0, language=True)
    with i18n.using("ru"):
        assert "на 48 часов" in readers.privacy_message(48) and "на 1,5 часа" in readers.privacy_message(1.5)
        assert readers.forgotten_message(1, 2).startswith("Готово: я удалил то, что хранил о вас: 1 вопрос и 2 оценки.")
