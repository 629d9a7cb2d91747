"""Transcripts made to exhaust a parser or an indexer: one sentence of megabytes, millions of entities, no
spaces at all, one character per line, deep nesting, every script, thousands of speakers, subtitles whose
times are absurd and run backwards, turns just under the cap on turns, turns as long as an upload may hold
(just under the cap on chunks), and a Word file whose text is many times its size. The tests make them small;
benchmarks/bounded.py makes them as large as an upload may be."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

from retrieval.index.datadir import MAX_UPLOAD_CHUNKS
from retrieval.parse.formats import MAX_TURNS

WORDS = ("the", "river", "was", "cleaned", "by", "volunteers", "from", "three", "villages", "last", "spring",
         "and", "court", "hearing", "opposition", "arrested", "journalist", "house", "searched", "party")


def pathological(size: int, seed: int = 5) -> dict[str, bytes]:
    """File name → content of about `size` bytes."""
    rng = random.Random(seed)  # noqa: S311 - reproducible input, not a secret
    scripts = ["abcdefghijklmnopqrstuvwxyz", "абвгдежзийклмнопрстуфхцчшщыэюя", "əğışçöüqxabcdef", "αβγδεζηθικλμν",
               "אבגדהוזחטיכלמנ", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "的一是不了人我在有他这中大来上们", "🙂🙃😀😂🤔"]

    def words(n: int) -> str:
        return " ".join("".join(rng.choice(rng.choice(scripts)) for _ in range(rng.randint(1, 9))) for _ in range(n))

    def plain(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    def stamp() -> str:  # hours in the millions, minutes and seconds past 59, in no order
        return f"{rng.randint(0, 10**9)}:{rng.randint(0, 99):02d}:{rng.randint(0, 99):02d},{rng.randint(0, 999):03d}"

    voice = ("HOST: ", "", "GUEST: ", "")  # a new speaker every other cue
    cues = [f"{i}\n{stamp()} --> {stamp()}\n{voice[i % 4]}{plain(rng.randint(1, 8))}\n\n" for i in range(size // 50)]
    turns = min(size // 40, MAX_TURNS - 10)  # just under the cap on turns, two voices taking turns
    lines = [f"{'Host' if i % 2 == 0 else 'Guest'}: {plain(max(2, size // turns // 7 - 2))}." for i in range(turns)]
    full = min(size // 500, MAX_UPLOAD_CHUNKS - 100)  # turns of 70 words, a chunk each: the most an upload may cost
    long_turns = [f"{'Host' if i % 2 == 0 else 'Guest'}: {plain(70)}." for i in range(full)]
    return {
        "under-the-chunk-cap.txt": "\n\n".join(long_turns).encode()[:size],
        "timestamps.srt": "".join(cues).encode()[:size],
        "under-the-turn-cap.txt": "\n\n".join(lines).encode(),
        "expands.docx": expanding_docx(plain, size * 22 // 10),  # its text is 2.2 times the file size limit
        "one-sentence.txt": ("- " + "a " * (size // 2)).encode(),
        "entities.html": ("<p>" + "&amp;" * (size // 5) + "</p>").encode(),
        "no-spaces.txt": ("Zq" * (size // 2)).encode(),
        "char-per-line.txt": "\n".join(rng.choice("abcdefghij.,?") for _ in range(size // 2)).encode(),
        "nesting.html": ("<div>" * (size // 12) + "deep text." + "</div>" * (size // 12)).encode(),
        "scripts.txt": words(size // 12).encode(),
        "speakers.txt": "\n\n".join(f"Speaker {i}: Yes." for i in range(size // 18)).encode(),
        "colons.txt": ("\n\n".join(f"a{i}: b: c: d: e: f: g: h: i: j: k: l: m:" for i in range(size // 60))).encode(),
    }


def expanding_docx(plain: Callable[[int], str], chars: int) -> bytes:
    """A Word file of `chars` characters of text in paragraphs of 60 words: it zips to a seventh of that."""
    from tests.writers import to_docx

    small = to_docx("- a.")
    body = "".join(f"<w:p><w:r><w:t>- {plain(60)}.</w:t></w:r></w:p>" for _ in range(chars // 400))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small)) as template, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        for item in template.infolist():
            data = template.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body.encode(), 1)
            docx.writestr(item, data)
    return out.getvalue()
