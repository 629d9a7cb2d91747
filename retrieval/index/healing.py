"""A damaged index heals from the transcripts: each build checks every collection cheaply, and one that
fails its check, or whose refresh fails, is rebuilt blue-green, with a line in the log that says so.

A refresh writes new, then swaps, then deletes old: the chunks a collection lacks are added beside the ones
it holds (the snapshot that answers ignores them), and the stale ones are deleted only once the new snapshot
answers (`Refresh.finish`). A write that fails because the disk is full is said as such (`client.full_disk`)
and heals nothing: a rebuild needs more room still, and the index that answers is left as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chromadb.errors import ChromaError

from retrieval.errors import ModelMismatchError, VerbatimError
from retrieval.index import segments
from retrieval.index.client import full_disk
from retrieval.index.store import Record, Space

log = logging.getLogger(__name__)
ORPHAN_SECONDS = 3600.0


@dataclass(frozen=True, kw_only=True)
class Refresh:
    """A collection brought in line but for its stale chunks, which go once the new snapshot answers."""

    space: Space
    added: int
    stale: Sequence[str] = ()
    rebuilt: bool = False

    def finish(self) -> int:
        """Delete the stale chunks; one that cannot be deleted now is stale at the next refresh too."""
        try:
            self.space.remove(self.stale)
        except VerbatimError as err:
            log.warning("could not delete %d stale chunk(s) of the %s index yet: %s", len(self.stale),
                        self.space.name, err)
        return len(self.stale)


def sync(space: Space, chunks: Sequence[Record], full: bool) -> Refresh:
    """The main space in line with the chunks: refreshed, or rebuilt when asked, when built by another
    model, or when it is damaged (a refresh that fails, or one that leaves a collection that fails its
    check)."""
    try:
        if full or space.store(refresh=True) is None:
            space.rebuild(chunks)
            return Refresh(space=space, added=len(chunks), rebuilt=True)
        added, stale = space.add_missing(chunks)
        refresh = Refresh(space=space, added=added, stale=stale)
        problem = damage(space, chunks, beside=len(stale))
    except ModelMismatchError as err:
        problem = str(err)
    except VerbatimError as err:
        problem = _failed(space, err)
    if problem is None:
        return refresh
    log.warning("the %s index is damaged: %s; rebuilding it from the transcripts", space.name, problem)
    space.rebuild(chunks)
    return Refresh(space=space, added=len(chunks), rebuilt=True)


def sync_at_least(space: Space, chunks: Sequence[Record], docs: set[str], full: bool) -> Refresh:
    """The multilingual space holding at least `chunks` (of `docs`; it also keeps transcripts embedded on
    demand); `rebuilt` says whether it was rebuilt from `chunks` alone."""
    if full or space.store(refresh=True) is None:
        space.rebuild(chunks)
        return Refresh(space=space, added=len(chunks), rebuilt=True)
    try:
        added, stale = space.add_missing(chunks, docs=docs)
        refresh = Refresh(space=space, added=added, stale=stale)
        problem = damage(space, chunks, exact=False)
    except ModelMismatchError as err:
        problem = str(err)
    except VerbatimError as err:
        problem = _failed(space, err)
    if problem is None:
        return refresh
    log.warning("the multilingual index is damaged: %s; rebuilding it", problem)
    space.rebuild(chunks)
    return Refresh(space=space, added=len(chunks), rebuilt=True)


def _failed(space: Space, err: VerbatimError) -> str:
    """Why a refresh failed, as damage to heal; a full disk is raised instead (nothing heals it)."""
    no_room = full_disk(err, space.folder)
    if no_room is not None:
        raise no_room from err
    return f"it failed ({err})"


def damage(space: Space, chunks: Sequence[Record], exact: bool = True, beside: int = 0) -> str | None:
    """What is wrong with a collection that should hold `chunks` (exactly, or at least; `beside` more that
    are stale), or None. Cheap: a count, and one probe search for a chunk's own vector, which a damaged vector
    index (truncated or missing files) fails or answers with too few hits. Any chunk of the probe's text will
    do as its hit: a text held more than ten times (copies of one transcript, files that differ only in line
    endings) has as many chunks at distance zero, and the search returns ten of them, not necessarily the
    probe."""
    count, expected = space.count(), len(chunks) + beside
    if count < expected or (exact and count != expected):
        return f"it holds {count} of {expected} chunks"
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


def drop_orphans(space: Space, older_than: float = ORPHAN_SECONDS) -> None:
    """Collections of this space that no pointer names: left by a rebuild that crashed (killed mid-way),
    or by two processes rebuilding at once. Only old ones go, unless the caller knows no one else can
    be rebuilding (the embedded index, whose lock it holds): a young one may be another process's."""
    prefix = f"{space.prefix}-{space.name}-"
    try:
        collections = space.client.list_collections()
        active = space.active_name()
    except (ChromaError, VerbatimError) as err:
        log.warning("could not list collections to clean up: %s", err)
        return
    for c in collections:
        built = float((c.metadata or {}).get("built_at", 0))
        if c.name.startswith(prefix) and c.name != active and built < time.time() - older_than:
            log.info("dropping orphaned collection %s", c.name)
            space.drop(c.name)


def tidy(spaces: Sequence[Space], chroma: Path | None) -> None:
    """What rebuilds leave behind: collections no pointer names (those of a rebuild that was killed; only old
    ones on a server, where another process may be rebuilding), and the embedded index's folders of dropped
    collections under `chroma` (Chroma leaves them; its owner holds the lock, so nobody else is rebuilding)."""
    for space in spaces:
        drop_orphans(space, older_than=ORPHAN_SECONDS if chroma is None else 0.0)
    if chroma is not None:
        segments.collect(chroma)
