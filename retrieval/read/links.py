"""Links to a reading page, signed so that only the product's own links open a page.

    {base}/read/{key}?at=START-END[&also=START-END.START-END…]&c={check}&sig={signature}

`key` stands for the transcript (a hash of its DOC: no path in a URL ever names a file), `at` is the cited
quote, `also` the other quotes of the same answer in that transcript, `c` a hash of the quoted text (so a
link made before the transcript changed is refused, not misapplied) and `sig` an HMAC-SHA256 of all of them
under a secret kept in the data dir (`KEY_FILE`, a dot file the transcript scanner never reads). Every
process that makes or opens links over one data dir (the CLI, the bot, `verbatim serve`) shares it;
deleting it makes every link made so far stop opening. A page may add `p` (the part to open, for jumps)
and `lang` (the reader's language): neither is signed, since neither opens anything else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import urlencode

from retrieval.errors import Fix, UsageError
from retrieval.results import Quote

KEY_FILE = ".verbatim-links.key"
KEY_BYTES = 32
MAX_ALSO = 12  # other quotes a link marks: an answer has at most a handful
_SPAN = r"\d{1,9}-\d{1,9}"
_FIELDS = {"at": re.compile(rf"{_SPAN}"), "also": re.compile(rf"(?:{_SPAN}(?:\.{_SPAN}){{0,{MAX_ALSO - 1}}})?"),
           "c": re.compile(r"[0-9a-f]{8}"), "sig": re.compile(r"[A-Za-z0-9_-]{22}")}
DOC_KEY = re.compile(r"[0-9a-f]{16}")


class Refusal(Enum):
    """Why a link does not open its page."""

    INVALID = "invalid"  # not signed by this data dir's key: forged, tampered with, or cut short
    GONE = "gone"  # its transcript is no longer served
    CHANGED = "changed"  # its transcript changed since the link was made


class LinkRefused(UsageError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__("this reading link does not open ({why})", why=refusal.value)
        self.refusal = refusal


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """What a checked link opens: a quote of the transcript `key` stands for, and the others of its answer."""

    key: str
    start: int
    end: int
    also: tuple[tuple[int, int], ...]
    check: str


def doc_key(doc: str) -> str:
    return hashlib.blake2b(doc.encode("utf-8"), digest_size=8).hexdigest()


def text_check(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


class Links:
    """Makes and checks the links of one data dir, on the public base URL its pages are reached at."""

    def __init__(self, secret: bytes, base: str = "") -> None:
        self._secret = secret
        self.base = base.rstrip("/")

    @classmethod
    def of_folder(cls, data_dir: Path, base: str = "") -> Links:
        return cls(load_key(data_dir), base)

    def path(self, key: str) -> str:
        """The page's path below the base (the server's route)."""
        return f"/read/{key}"

    def urls(self, quotes: Sequence[Quote]) -> list[str]:
        """Each quote's link: its page opened at it, with the answer's other quotes of that transcript marked."""
        return [self.url(q, [o for o in quotes if o.doc == q.doc and o is not q]) for q in quotes]

    def url(self, quote: Quote, others: Sequence[Quote] = ()) -> str:
        key = doc_key(quote.doc)
        also = ".".join(f"{o.start}-{o.end}" for o in sorted(others, key=lambda o: o.start)[:MAX_ALSO])
        fields = {"at": f"{quote.start}-{quote.end}", "also": also, "c": text_check(quote.text)}
        query = {k: v for k, v in fields.items() if v} | {"sig": self._sign(key, fields)}
        return f"{self.base}{self.path(key)}?{urlencode(query)}"

    def open(self, key: str, query: Mapping[str, str]) -> Link:
        """The link's parts when its signature holds; LinkRefused(INVALID) for anything else."""
        fields = {name: query.get(name, "") for name in _FIELDS}
        well_formed = DOC_KEY.fullmatch(key) and all(_FIELDS[n].fullmatch(v) for n, v in fields.items())
        if not well_formed or not hmac.compare_digest(fields["sig"], self._sign(key, fields)):
            raise LinkRefused(Refusal.INVALID)
        at = _span(fields["at"])
        also = tuple(_span(s) for s in fields["also"].split(".") if s)
        if at is None or None in also:
            raise LinkRefused(Refusal.INVALID)
        return Link(key=key, start=at[0], end=at[1], also=tuple(s for s in also if s), check=fields["c"])

    def _sign(self, key: str, fields: Mapping[str, str]) -> str:
        message = "\n".join(("v1", key, fields["at"], fields.get("also", ""), fields["c"])).encode("utf-8")
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _span(text: str) -> tuple[int, int] | None:
    start, _, end = text.partition("-")
    first, last = int(start), int(end)
    return (first, last) if first < last else None


def load_key(data_dir: Path) -> bytes:
    """The data dir's link key, made on first use: written whole under a temporary name and linked into
    place, so two processes starting together agree on one key and neither reads half of it."""
    path = data_dir / KEY_FILE
    if not path.exists():
        _create(data_dir, path)
    try:
        secret = path.read_bytes()
    except OSError as err:
        raise _unusable(data_dir, err.strerror or type(err).__name__) from err
    if len(secret) != KEY_BYTES:
        raise UsageError("the key that signs reading links, {path}, is damaged; delete it to make a new one "
                         "(links made so far will stop opening)", path=path)
    return secret


def _create(data_dir: Path, path: Path) -> None:
    if not data_dir.is_dir():
        raise UsageError("the data dir {folder} does not exist", fix=Fix.DATA_DIR, folder=data_dir)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".verbatim-key-", dir=data_dir)
    except OSError as err:
        raise _unusable(data_dir, err.strerror or type(err).__name__) from err
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        os.chmod(tmp, 0o600)
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process made it first: its key is the key
    except OSError as err:
        raise _unusable(data_dir, err.strerror or type(err).__name__) from err
    finally:
        os.unlink(tmp)


def _unusable(folder: Path, why: str) -> UsageError:
    return UsageError("cannot keep the key that signs reading links in {folder} ({why}); make the folder "
                      "writable", fix=Fix.DATA_DIR, folder=folder, why=why)
