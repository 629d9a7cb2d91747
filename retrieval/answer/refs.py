"""Short, stable references to a passage, for links that open it later (a chat's deep link, a URL).

`q_<doc key>_<start>_<end>_<check>`: the doc key is a hash of the transcript's path, offsets are base 36,
and the check is a hash of the quoted text, so a link made before the transcript changed is refused
instead of opening the wrong words. At most 40 characters of `[A-Za-z0-9_]`, which fits Telegram's
64-character `start` parameter.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_REF = re.compile(r"^q_([0-9a-f]{10})_([0-9a-z]{1,8})_([0-9a-z]{1,8})_([0-9a-f]{4})$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Ref:
    key: str
    start: int
    end: int
    check: str


def doc_key(doc: str) -> str:
    return hashlib.blake2b(doc.encode("utf-8"), digest_size=5).hexdigest()


def text_check(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=2).hexdigest()


def encode(doc: str, start: int, end: int, text: str) -> str:
    return f"q_{doc_key(doc)}_{_base36(start)}_{_base36(end)}_{text_check(text)}"


def decode(ref: str) -> Ref | None:
    m = _REF.match(ref)
    if not m:
        return None
    return Ref(m.group(1), int(m.group(2), 36), int(m.group(3), 36), m.group(4))


def _base36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


def is_ref(text: str) -> bool:
    """Is this a passage reference (a deep link's payload), rather than some other start parameter?"""
    return decode(text) is not None
