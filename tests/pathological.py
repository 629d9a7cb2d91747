"""Transcripts made to exhaust a parser or an indexer: one sentence of megabytes, millions of entities, no
spaces at all, one character per line, deep nesting, every script, thousands of speakers. The tests make
them small; benchmarks/bounded.py makes them as large as an upload may be."""

from __future__ import annotations

import random


def pathological(size: int, seed: int = 5) -> dict[str, bytes]:
    """File name → content of about `size` bytes."""
    rng = random.Random(seed)  # noqa: S311 - reproducible input, not a secret
    scripts = ["abcdefghijklmnopqrstuvwxyz", "абвгдежзийклмнопрстуфхцчшщыэюя", "əğışçöüqxabcdef", "αβγδεζηθικλμν",
               "אבגדהוזחטיכלמנ", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "的一是不了人我在有他这中大来上们", "🙂🙃😀😂🤔"]

    def words(n: int) -> str:
        return " ".join("".join(rng.choice(rng.choice(scripts)) for _ in range(rng.randint(1, 9))) for _ in range(n))

    return {
        "one-sentence.txt": ("- " + "a " * (size // 2)).encode(),
        "entities.html": ("<p>" + "&amp;" * (size // 5) + "</p>").encode(),
        "no-spaces.txt": ("Zq" * (size // 2)).encode(),
        "char-per-line.txt": "\n".join(rng.choice("abcdefghij.,?") for _ in range(size // 2)).encode(),
        "nesting.html": ("<div>" * (size // 12) + "deep text." + "</div>" * (size // 12)).encode(),
        "scripts.txt": words(size // 12).encode(),
        "speakers.txt": "\n\n".join(f"Speaker {i}: Yes." for i in range(size // 18)).encode(),
        "colons.txt": ("\n\n".join(f"a{i}: b: c: d: e: f: g: h: i: j: k: l: m:" for i in range(size // 60))).encode(),
    }
