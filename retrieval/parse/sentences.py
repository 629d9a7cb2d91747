"""Sentence boundaries as character spans, so every quote can be an exact slice of the transcript.

A regular expression rather than a library: the splitters on PyPI either need downloaded data (NLTK's
punkt) or return normalised strings instead of offsets, and transcripts need two rules of their own:
honorifics such as "Mr." or "Hon." never end a sentence, and meeting transcriptions that put a space
before the full stop ("we 're on . So") still split there.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "hon",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "prof",
        "gen",
        "lt",
        "col",
        "gov",
        "sen",
        "rep",
        "mt",
        "ft",
        "approx",
        "dept",
        "est",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "a.m",
        "p.m",
    ]
)
MAX_SENTENCE_CHARS = 8_000  # far beyond any sentence a person says; past it a span is cut (`bounded`)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")  # a blank line, however indented
# A candidate end: terminal punctuation, optional closing quotes or brackets, then white space.
_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s)""")
_STARTER = re.compile(r"""\s+(?=["'“‘«(\[]?[\w\-–—])""")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in `text[start:end]`, trimmed of surrounding white space; one longer than
    MAX_SENTENCE_CHARS is cut into pieces (`bounded`)."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _END.finditer(text, start, stop):
        cut = match.end()
        after = _STARTER.match(text, cut, stop)
        if after is None or not _is_boundary(text, begin, match.start(), after.end(), stop):
            continue
        append_trimmed(text, begin, cut, spans)
        begin = after.end()
    append_trimmed(text, begin, stop, spans)
    return [piece for s, e in spans for piece in bounded(text, s, e)]


def bounded(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """`start:end` as spans of at most `limit` characters, cut at the last white space before the limit (at
    the limit itself where the text has none): a run-on "sentence" of megabytes (a transcript of one
    sentence, text with no full stop) becomes quotable pieces, still exact spans, before anything reads it."""
    if end - start <= limit:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        space = max(text.rfind(" ", start + limit // 2, start + limit), text.rfind("\n", start + limit // 2,
                                                                                   start + limit))
        cut = space if space > start else start + limit
        append_trimmed(text, start, cut, pieces)
        start = cut
    append_trimmed(text, start, end, pieces)
    return pieces


def _is_boundary(text: str, begin: int, dot: int, next_at: int, stop: int) -> bool:
    if next_at >= stop:
        return False
    nxt = text[next_at]
    if nxt.isalpha() and nxt.islower():
        return False
    if text[dot] == ".":
        word = _WORD_BEFORE.search(text, begin, dot)
        if word:
            token = word.group(1).lower().rstrip(".")
            initial = len(token) == 1 and word.group(1)[-1].isupper()
            if token in _ABBREVIATIONS or initial:
                return False
            if token in ("no", "nos") and nxt.isdigit():
                return False
    return True


def append_trimmed(text: str, begin: int, end: int, spans: list[tuple[int, int]]) -> None:
    span = trim(text, begin, end)
    if span:
        spans.append(span)


def trim(text: str, begin: int, end: int) -> tuple[int, int] | None:
    """`(begin, end)` narrowed past white space and a byte-order mark; None if nothing is left."""
    while begin < end and (text[begin].isspace() or text[begin] == "\ufeff"):
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return (begin, end) if end > begin else None
