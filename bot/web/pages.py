"""Reading pages as HTML: a transcript opened at a quote, one part of it (fetched as the reader scrolls), and
the one-line page that says why a link does not open.

Templates (`templates/`) escape every value they are given; the transcript's own text is escaped here
(`text`: `&`, `<` and `>`, all that text needs), so a transcript holding `<script>` or Markdown shows as the
characters it holds. Each run of the cited quote sits inside a `<mark>` of its own, so the marked text is
exactly `text[start:end]`; the answer's other quotes are underlined spans. Product words are in the
reader's language (`bot.i18n`); the transcript, speakers' names and quotes never are translated.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from weakref import WeakKeyDictionary

from tornado.template import Loader

from bot import i18n
from bot.i18n import N_, _
from bot.messages.words import cite_text, format_name, speaker_name
from bot.web.assets import SCROLL_SCRIPT
from retrieval import PAGE_MARK, Entry, Mark, MarkKind, Opened, Piece, Reading, Refusal, marked, runs

LOADER = Loader(str(Path(__file__).with_name("templates")), whitespace="oneline")
OPEN_CONTENTS = 12  # a table of contents this short is shown open; a longer one folds
PARTS_KEPT = 256  # not a Telegram limit: unmarked parts kept rendered, per transcript and language (~20 kB each)
WORDS = {
    "skip": N_("Skip to the quote"), "copy_label": N_("Copy with citation"),
    "copied": N_("Copied: the quote with its citation."),
    "copy_failed": N_("Could not copy; select the quote and copy it by hand."),
    "loading": N_("Loading…"), "transcript": N_("Transcript"),
    "earlier": N_("Earlier in the transcript"), "later": N_("Later in the transcript"),
}
QUOTES = (N_("The quote"), N_("Quotes of this answer"))
CONTENTS = {True: N_("Questions"), False: N_("Contents")}
CONTINUED = N_("{speaker} (continued)")
PART = N_("Part {number} of {count}")
QUOTED = N_("“{quote}”")
REFUSALS = {
    Refusal.INVALID: N_("This link is not valid: open the quote again from its answer."),
    Refusal.GONE: N_("This transcript is no longer served."),
    Refusal.CHANGED: N_("This transcript has changed since the link was made; ask the question again."),
}
NOT_FOUND = N_("There is nothing here: open the link of a quote to read it in its transcript.")
TOO_MANY = N_("Too many requests; try again in {seconds} s.")
BROKEN = N_("Something went wrong on our side; please try again.")


@dataclass(frozen=True, kw_only=True)
class Addresses:
    """Where this page's own requests go: itself at another part, and one part alone (`{n}` stands for it)."""

    page: str  # the page's path and signed query, without `p`
    part: str
    css: str
    js: str

    def at(self, part: int, anchor: str = "") -> str:
        return f"{self.page}&p={part}" + (f"#{anchor}" if anchor else "")


def text(value: str) -> str:
    """Transcript text for an element's content: only what HTML would read as markup is escaped."""
    return escape(value, quote=False)


def language(asked: str | None, accept: str | None) -> str:
    """The page's language: the link's (the bot adds its reader's), else the browser's first of ours."""
    if asked and asked in i18n.LANGUAGES:
        return asked
    for item in (accept or "").split(",")[:8]:
        code = i18n.normalize(item.split(";")[0])
        if code != i18n.DEFAULT or item.strip().lower().startswith("en"):
            return code
    return i18n.DEFAULT


class Pages:
    def __init__(self) -> None:
        self.page_template = LOADER.load("page.html")
        self.part_template = LOADER.load("part.html")
        self.refusal_template = LOADER.load("refusal.html")
        # A part no quote of the link falls in reads the same for every reader of that language: rendered once,
        # and forgotten with its transcript's layout.
        self._plain: WeakKeyDictionary[Reading, OrderedDict[tuple[int, str], str]] = WeakKeyDictionary()

    def page(self, opened: Opened, where: Addresses, lang: str, part: int | None = None) -> str:
        """The transcript opened at `part` (by default the cited quote's) with its neighbours."""
        reading = opened.reading
        window = reading.window(opened.part if part is None else part)
        with i18n.using(lang):
            parts = [self._part(opened, n) for n in window]
            quotes = [self._quote(opened, m) for m in opened.marks]
            count = len(reading.parts)
            view = {
                "lang": lang, "title": reading.transcript.title, "about": self._about(reading),
                "css": where.css, "js": where.js, "part_url": where.part, "part_count": count, "parts": parts,
                "quotes": quotes, "contents": [self._entry(e, window, where, not reading.interview)
                                               for e in reading.contents()],
                "contents_heading": _(CONTENTS[reading.interview]),
                "contents_open": len(reading.contents()) <= OPEN_CONTENTS,
                "earlier": _Near(window.start - 1, where) if window.start > 0 else None,
                "later": _Near(window.stop, where) if window.stop < count else None,
            }
            words = {k: _(v) for k, v in WORDS.items()} | {"quotes": _(QUOTES[len(quotes) > 1])}
            return self.page_template.generate(page=_View(view), words=_View(words), lang=lang,
                                               css=where.css).decode("utf-8")

    def part(self, opened: Opened, number: int, lang: str) -> str:
        """One part alone, as reader.js inserts it."""
        with i18n.using(lang):
            return self._part(opened, number)

    def refusal(self, line: str, lang: str, css: str, **values: object) -> str:
        """The one-line page of a link that does not open (or any other error): says why, in a sentence."""
        with i18n.using(lang):
            said = _(line).format(**values)
        return self.refusal_template.generate(lang=lang, line=said, css=css).decode("utf-8")

    def _part(self, opened: Opened, number: int) -> str:
        reading = opened.reading
        pieces = reading.parts[number]
        start, end = reading.pieces[pieces.start].start, reading.pieces[pieces.stop - 1].end
        marks = tuple(m for m in opened.marks if m.start < end and m.end > start)
        if marks:
            return self._render(reading, number, marks)
        kept = self._plain.setdefault(reading, OrderedDict())
        key = (number, i18n.current())
        if key not in kept:
            kept[key] = self._render(reading, number, ())
            while len(kept) > PARTS_KEPT:
                kept.popitem(last=False)
        kept.move_to_end(key)
        return kept[key]

    def _render(self, reading: Reading, number: int, marks: tuple[Mark, ...]) -> str:
        view = {"number": number, "turns": list(_turns(reading, reading.parts[number], marks)),
                "label": _(PART).format(number=number + 1, count=len(reading.parts))}
        return self.part_template.generate(part=_View(view)).decode("utf-8")

    def _quote(self, opened: Opened, mark: Mark) -> _View:
        reading = opened.reading
        turn, cite = reading.cite(mark.start, mark.end)
        said = reading.text[mark.start:mark.end]
        speaker = marked(turn.speaker, turn.role == "interviewer", _)
        where = cite_text(cite, cite.text)
        clip = f"{_(QUOTED).format(quote=said)} — {speaker}, {where} · {reading.transcript.title}"
        return _View({"kind": mark.kind.value, "text": said, "speaker": speaker, "cite": where,
                      "number": mark.number, "anchor": _anchor(mark), "clip": clip})

    @staticmethod
    def _about(reading: Reading) -> str:
        meta = reading.transcript.metadata
        return " · ".join(x for x in (format_name(reading.transcript.format), meta.date, meta.source) if x)

    @staticmethod
    def _entry(entry: Entry, window: range, where: Addresses, speakers: bool) -> _View:
        """A question links to its anchor when its part is on the page, else to the page opened at its part;
        a part of a meeting is named by who speaks first in it."""
        href = f"#{entry.anchor}" if entry.part in window else where.at(entry.part, entry.anchor)
        cite = cite_text(entry.cite, entry.cite.text) if entry.cite is not None else ""
        return _View({"href": href, "anchor": entry.anchor, "cite": cite,
                      "text": speaker_name(entry.text) if speakers else entry.text})


class _View(dict[str, object]):
    """A dict the templates read by attribute (`page.title`); keys never shadow a dict method's name."""

    def __getattr__(self, name: str) -> object:
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(name) from err


class _Near(_View):
    def __init__(self, part: int, where: Addresses) -> None:
        super().__init__(part=part, href=where.at(part))


def _anchor(mark: Mark) -> str:
    return "cited" if mark.kind is MarkKind.CITED else f"m{mark.number}"


def _turns(reading: Reading, pieces: range, marks: tuple[Mark, ...]) -> Iterable[_View]:
    """The part's pieces under the headings of their turns; a turn the part begins inside is "continued"."""
    groups: list[tuple[int, list[Piece]]] = []
    for i in pieces:
        piece = reading.pieces[i]
        if not groups or groups[-1][1][-1].turn != piece.turn:
            groups.append((i, []))
        groups[-1][1].append(piece)
    for first, group in groups:
        continued = first > 0 and reading.pieces[first - 1].turn == group[0].turn
        paragraphs = [_paragraph(reading, p, marks) for p in group]
        yield _View(_heading(reading, group[0], continued), paragraphs=paragraphs)


def _heading(reading: Reading, piece: Piece, continued: bool) -> _View:
    heading = reading.headings[piece.turn]
    name = marked(heading.speaker, heading.role == "interviewer", _)
    return _View({
        "role": heading.role,
        "anchor": "" if continued else f"t{piece.turn}",
        "speaker": _(CONTINUED).format(speaker=name) if continued else name,
        "where": cite_text(heading.cite, heading.cite.text) if heading.cite is not None else "",
        "question_anchor": f"q{heading.question}" if heading.question is not None and not continued else "",
    })


def _paragraph(reading: Reading, piece: Piece, marks: tuple[Mark, ...]) -> _View:
    marker = piece.marker
    shown = cite_text(marker, marker.text) if piece.first else ""
    inner, scroll = [], False
    for run in runs(reading.text, piece.start, piece.end, marks):
        mark = run.mark
        if mark is None:
            inner.append(text(run.text))
            continue
        opens = mark.start >= piece.start  # the quote's first run: the one its anchor is on
        anchor = f' id="{_anchor(mark)}"' if opens else ""
        if mark.kind is MarkKind.CITED:
            inner.append(f'<span class="q cited"{anchor}><mark>{text(run.text)}</mark></span>')
            scroll = scroll or opens
        else:
            inner.append(f'<span class="q also"{anchor}>{text(run.text)}</span>')
    page = _(PAGE_MARK).format(page=piece.page) if piece.page is not None else ""
    return _View({"start": piece.start, "marker": shown, "timed": marker.kind == "time", "html": "".join(inner),
                  "continued": not piece.first, "page": page, "scroll": SCROLL_SCRIPT if scroll else ""})
