"""A damaged index heals from the transcripts: each build checks every collection cheaply, and one that
fails its check, or whose refresh fails, is rebuilt blue-green, with a line in the log that says so."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from retrieval.errors import ModelMismatchError, VerbatimError
from retrieval.index.store import Record, Space

log = logging.getLogger(__name__)


def sync(space: Space, chunks: Sequence[Record], full: bool) -> tuple[int, int]:
    """The main space in line with the chunks: refreshed, or rebuilt when asked, when built by another
    model, or when it is damaged (a refresh that fails, or one that leaves a collection that fails its
    check). Returns (added, removed)."""
    try:
        if full or space.store(refresh=True) is None:
            space.rebuild(chunks)
            return len(chunks), 0
        counts = space.sync(chunks)
        problem = damage(space, chunks)
    except ModelMismatchError as err:
        problem = str(err)
    except VerbatimError as err:
        problem = f"it failed ({err})"
    if problem is None:
        return counts
    log.warning("the %s index is damaged: %s; rebuilding it from the transcripts", space.name, problem)
    space.rebuild(chunks)
    return len(chunks), 0


def sync_at_least(space: Space, chunks: Sequence[Record], docs: set[str], full: bool) -> bool:
    """The multilingual space holding at least `chunks` (of `docs`; it also keeps transcripts embedded on
    demand). Returns whether it was rebuilt from `chunks` alone."""
    if full or space.store(refresh=True) is None:
        space.rebuild(chunks)
        return True
    try:
        space.sync(chunks, docs=docs)
        problem = damage(space, chunks, exact=False)
    except ModelMismatchError as err:
        problem = str(err)
    except VerbatimError as err:
        problem = f"it failed ({err})"
    if problem is None:
        return False
    log.warning("the multilingual index is damaged: %s; rebuilding it", problem)
    space.rebuild(chunks)
    return True


def damage(space: Space, chunks: Sequence[Record], exact: bool = True) -> str | None:
    """What is wrong with a collection that should hold `chunks` (exactly, or at least), or None. Cheap: a
    count, and one probe search for a chunk's own vector, which a damaged vector index (truncated or
    missing files) fails or answers with too few hits. Any chunk of the probe's text will do as its hit: a
    text held more than ten times (copies of one transcript, files that differ only in line endings) has as
    many chunks at distance zero, and the search returns ten of them, not necessarily the probe."""
    count = space.count()
    if count < len(chunks) or (exact and count != len(chunks)):
        return f"it holds {count} of {len(chunks)} chunks"
    if not chunks:
        return None
    probe = chunks[len(chunks) // 2]
    wanted = min(10, len(chunks))
    stored = space.vectors([probe.id]).get(probe.id)
    if stored is None:
        return f"it lacks the chunk {probe.id}"
    hits = space.search(stored, wanted)
    same = {c.id for c in chunks if c.search_text == probe.search_text}
    if len(hits) < wanted or not same & {h.id for h in hits}:
        return f"a probe search found {len(hits)} of {wanted} chunks, without the one it was made from"
    return None
