"""Chroma's vector files: checked before Chroma reads them, and those of dropped collections deleted.

Chroma keeps each collection's HNSW graph in `chroma/<segment>/` (`header.bin`, `data_level0.bin`,
`length.bin`, `link_lists.bin`), and the hnswlib inside it reads `header.bin` without checking it: a damaged
header (garbled bytes, an emptied file) makes it read past its buffers, and the process dies of a
segmentation fault that no `except` can catch, at every start. So the header's fields are checked against
one another and against the other files' sizes first; an index that fails is rebuilt from the transcripts.
Nor does hnswlib check the rows of `data_level0.bin`: garbage there is a link it follows out of its buffer
(the same crash, at the first search that reaches it) or a vector that is no longer of unit length (searches
that return wrong neighbours, or none, without an error), so those rows are checked too.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import sqlite3
import struct
from pathlib import Path

import numpy as np

# hnswlib's saveIndex layout as Chroma writes it: a version, then offsetLevel0, max_elements, cur_element_count,
# size_data_per_element, label_offset, offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction
HEADER = struct.Struct("<iQQQQQQiIQQQdQ")
MAX_VERSION = 16
ROWS_AT_ONCE = 8192  # rows of data_level0.bin read at a time: about 10 MB, whatever the index's size
UNIT = 1e-3  # how far a stored vector's length may be from 1 (float32 rounding leaves about 1e-6)
log = logging.getLogger(__name__)
_SEGMENT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a segment's folder: its id


def damaged(chroma: Path) -> str | None:
    """What is wrong with the first damaged segment under the `chroma` folder, or None."""
    for header in sorted(chroma.glob("*/header.bin")):
        problem = _check(header.parent)
        if problem is not None:
            return f"{header.parent.name}: {problem}"
    return None


def _check(segment: Path) -> str | None:
    raw = (segment / "header.bin").read_bytes()
    if len(raw) != HEADER.size:
        return f"header.bin holds {len(raw)} bytes, not {HEADER.size}"
    (version, level0, capacity, count, per_element, label_at, data_at, max_level, entry, max_m, max_m0, m, mult,
     _ef) = HEADER.unpack(raw)
    # a row of data_level0.bin: a link count and max_m0 links (4 bytes each), the vector, an 8-byte label
    sane = (0 <= version <= MAX_VERSION and level0 == 0 and count <= capacity and 0 < per_element < 1 << 20
            and data_at == 4 + 4 * max_m0 < label_at == per_element - 8 and (label_at - data_at) % 4 == 0
            and -1 <= max_level < 64 and (entry < count or count == 0)
            and 0 < m <= max_m <= max_m0 < 1 << 16 and 0.0 <= mult < 10.0)
    if not sane:
        return "header.bin's fields do not fit together"
    for name, width in (("data_level0.bin", per_element), ("length.bin", 4)):  # a row per element (or slot)
        found = (segment / name).stat().st_size if (segment / name).exists() else None
        if found is not None and found not in (count * width, capacity * width):
            return f"{name} holds {found} bytes where the header says {count * width}"
    if not count or not (segment / "data_level0.bin").exists():
        return None
    dim = (label_at - data_at) // 4
    row = np.dtype({"names": ["links", "vector"], "formats": [("<u4", (max_m0 + 1,)), ("<f4", (dim,))],
                    "offsets": [0, data_at], "itemsize": per_element})
    return _rows(segment / "data_level0.bin", row, count, max_m0)


def _rows(path: Path, row: np.dtype, count: int, max_m0: int) -> str | None:
    """What is wrong with the first `count` rows of data_level0.bin, read `ROWS_AT_ONCE` at a time: a link count
    over `max_m0` or a link to no element (hnswlib would follow it out of its buffer), or a vector whose length
    is neither 1 (Verbatim's collections are cosine ones, whose vectors hnswlib stores normalised) nor 0 (the
    pointers')."""
    slots = np.arange(max_m0)
    with path.open("rb") as f, np.errstate(all="ignore"):  # garbage overflows, as it should
        for at in range(0, count, ROWS_AT_ONCE):
            part = np.fromfile(f, dtype=row, count=min(ROWS_AT_ONCE, count - at))
            links = part["links"]
            sizes = links[:, 0] & 0xFFFF  # the upper bytes hold the deleted mark
            wrong = (sizes > max_m0) | ((links[:, 1:] >= count) & (slots < sizes[:, None])).any(axis=1)
            if wrong.any():
                return f"data_level0.bin links element {at + int(np.argmax(wrong))} to elements that do not exist"
            lengths = np.linalg.norm(part["vector"].astype(np.float64), axis=1)
            wrong = ~(np.abs(lengths - 1.0) <= UNIT) & (lengths != 0.0)  # NaN is wrong too
            if wrong.any():
                return f"data_level0.bin holds a garbled vector (element {at + int(np.argmax(wrong))})"
    return None


def unreferenced(chroma: Path) -> list[Path]:
    """The segment folders under `chroma` that no collection refers to: Chroma leaves a dropped collection's
    folder behind (every full rebuild left three). Read from `chroma.sqlite3`'s `segments` table, whose ids
    name the folders; the folders are listed first, so one made meanwhile is never among them. Nothing is
    listed when the table cannot be read."""
    folders = [p for p in chroma.iterdir() if p.is_dir() and _SEGMENT.fullmatch(p.name)] if chroma.is_dir() else []
    if not folders:
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"{(chroma / 'chroma.sqlite3').as_uri()}?mode=ro", uri=True)) as db:
            known = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        return []
    return [p for p in folders if p.name not in known]


def collect(chroma: Path) -> int:
    """Delete the folders `unreferenced` names (with a line in the log); returns how many bytes that freed."""
    freed = 0
    for folder in unreferenced(chroma):
        freed += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        shutil.rmtree(folder, ignore_errors=True)
    if freed:
        log.info("deleted the folders of dropped collections (%.1f MB)", freed / 1_000_000)
    return freed


def database_problem(chroma: Path) -> str | None:
    """What SQLite's own check finds wrong with `chroma.sqlite3` (read only), or None: tells a database that
    cannot be read from one that only failed to take a write (a full disk), which must not be moved aside."""
    try:
        with contextlib.closing(sqlite3.connect(f"{(chroma / 'chroma.sqlite3').as_uri()}?mode=ro", uri=True)) as db:
            found = str(db.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.Error as err:
        return str(err)
    return None if found == "ok" else found
