"""Which transcripts the reading pages serve, found by the key a link carries, each laid out once.

Two sources: the bot hands in its index's transcripts (what it answers from is what it serves, swapped
whole with every reindex); `verbatim serve` reads the data dir itself, looking again at most every
`RESCAN_SECONDS`, parsing only files whose size or time changed, so a transcript added or removed
appears or disappears within seconds and no model or index is needed to serve pages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from retrieval.errors import TranscriptError, UsageError
from retrieval.ingest.folder import discover, outside
from retrieval.parse.formats import TRANSCRIPT_SUFFIXES, load
from retrieval.parse.turns import Transcript
from retrieval.read.layout import Reading
from retrieval.read.links import Link, LinkRefused, Refusal, doc_key, text_check
from retrieval.read.marks import Mark, MarkKind, arranged

RESCAN_SECONDS = 2.0
Source = Callable[[], Mapping[str, Transcript]]


@dataclass(frozen=True, kw_only=True)
class Opened:
    """A checked link's page: the transcript laid out, the quotes to mark, and the part the cited one is in."""

    reading: Reading
    marks: tuple[Mark, ...]
    cited: Mark

    @property
    def part(self) -> int:
        return self.reading.part_of(self.cited.start)


class Folder:
    """The data dir's transcripts as indexing reads them (links out of it skipped), parsed
    again only when a file changes. Documents (PDF, Word…) are served once their text has been extracted
    beside them (by indexing), as the index serves them."""

    def __init__(self, data_dir: Path, every: float = RESCAN_SECONDS, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.data_dir, self.every, self.clock = data_dir, every, clock
        self._files: dict[str, tuple[tuple[int, int], Transcript]] = {}
        self._current: Mapping[str, Transcript] = MappingProxyType({})
        self._scanned = float("-inf")
        self._lock = threading.Lock()

    def __call__(self) -> Mapping[str, Transcript]:
        with self._lock:
            if self.clock() - self._scanned >= self.every:
                self._scan()
                self._scanned = self.clock()
            return self._current

    def _scan(self) -> None:
        try:
            paths = discover(self.data_dir, TRANSCRIPT_SUFFIXES)
        except UsageError:  # the data dir went away: nothing is served until it is back
            paths = []
        files: dict[str, tuple[tuple[int, int], Transcript]] = {}
        for path in paths:
            doc = path.relative_to(self.data_dir).as_posix()
            try:
                stat = path.stat()
                version = (stat.st_mtime_ns, stat.st_size)
                known = self._files.get(doc)
                if known is not None and known[0] == version:
                    files[doc] = known
                elif not outside(path, self.data_dir):
                    files[doc] = (version, load(path, doc))
            except (OSError, TranscriptError):
                continue  # unreadable or unparseable now: not served, as the index would skip it
        if files.keys() != self._files.keys() or any(files[d] is not self._files[d] for d in files):
            self._current = MappingProxyType({doc: t for doc, (_, t) in files.items()})
        self._files = files


class Library:
    """The served transcripts by key, and a `Reading` of each, made when first opened and kept while the
    transcript stays the same object (a changed file or a reindex brings a new one)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._keys: tuple[Mapping[str, Transcript], dict[str, str]] | None = None
        self._readings: dict[str, tuple[Transcript, Reading]] = {}
        self._lock = threading.Lock()

    @classmethod
    def of_folder(cls, data_dir: Path) -> Library:
        return cls(Folder(data_dir))

    def find(self, key: str) -> Reading | None:
        """The reading of the transcript `key` stands for; None when no served transcript has that key."""
        transcripts = self.source()
        with self._lock:
            if self._keys is None or self._keys[0] is not transcripts:
                self._keys = (transcripts, {doc_key(doc): doc for doc in transcripts})
                self._readings = {d: r for d, r in self._readings.items() if transcripts.get(d) is r[0]}
            doc = self._keys[1].get(key)
            if doc is None:
                return None
            transcript = transcripts[doc]
            kept = self._readings.get(doc)
            if kept is not None and kept[0] is transcript:
                return kept[1]
        reading = Reading(transcript)  # outside the lock: a long transcript takes a moment
        with self._lock:
            self._readings[doc] = (transcript, reading)
        return reading

    def open(self, link: Link) -> Opened:
        """The page a signed link opens; LinkRefused(GONE) when its transcript is no longer served, and
        LinkRefused(CHANGED) when the quoted text is no longer where the link says."""
        reading = self.find(link.key)
        if reading is None:
            raise LinkRefused(Refusal.GONE)
        text = reading.text
        if link.end > len(text) or text_check(text[link.start:link.end]) != link.check:
            raise LinkRefused(Refusal.CHANGED)
        marks = arranged(Mark(link.start, link.end, MarkKind.CITED, 0),
                         [Mark(s, e, MarkKind.ALSO, 0) for s, e in link.also if e <= len(text)])
        numbered = tuple(Mark(m.start, m.end, m.kind, n) for n, m in enumerate(marks, 1))  # in reading order
        return Opened(reading=reading, marks=numbered, cited=next(m for m in numbered if m.kind is MarkKind.CITED))

    def warm(self) -> int:
        """Lay out every served transcript now (at start, so the first reader does not wait); returns how many."""
        transcripts = self.source()
        for doc in transcripts:
            self.find(doc_key(doc))
        return len(transcripts)
