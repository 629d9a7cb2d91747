"""A damaged index heals by itself on the next build: found by a count and a probe search, rebuilt
blue-green from the transcripts, said in the log. Chroma keeps vectors in HNSW files only past about a
thousand chunks, so the library here is that large."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from retrieval.config import Settings
from retrieval.errors import VerbatimError
from retrieval.index.store import Hit, Space
from retrieval.service import Service
from tests.conftest import make_data_dir

pytestmark = pytest.mark.slow
TOPICS = ["harbour", "orchard", "bridge", "school", "clinic", "railway", "library", "market", "river", "forest"]
QUESTION = "What was decided about the railway budget line 417?"


def ledger(data: Path) -> None:
    data.mkdir()
    turns = [f"Speaker {'AB'[i % 2]}: Item {i} of the ledger sets the {TOPICS[i % 10]} budget line {i} at "
             f"{i * 7} thousand." for i in range(1300)]
    (data / "ledger.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")


def test_a_vector_index_that_fails_its_probe_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """Damaged HNSW files (seen: a garbled header, a truncated data file) make Chroma fail every search
    with "Error loading hnsw index" while its count still looks right. Which files Chroma reads back
    varies, so the failure is injected at the search, and the real rebuild must cure it."""
    ledger(tmp_path / "data")
    settings = Settings(tmp_path / "data", tmp_path / "index")
    with Service(settings) as service:
        service.open()
        healthy = service.ask(QUESTION)
        before = service.active_collection()
    broken = {before}
    real_search = Space.search

    def search(space: Space, *args: object, **kwargs: object) -> list[Hit]:
        if space.active_name() in broken:
            raise VerbatimError("the index failed: Error loading hnsw index")
        return real_search(space, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Space, "search", search)
    with Service(settings) as service, caplog.at_level(logging.WARNING, logger="retrieval.index"):
        report = service.index()
        healed = service.ask(QUESTION)
        after = service.active_collection()
    assert report.chunks == 1300 and after != before
    assert "damaged" in caplog.text and "Error loading hnsw index" in caplog.text
    assert [q.text for q in healed.quotes] == [q.text for q in healthy.quotes]


def test_chunks_deleted_behind_our_back_are_restored(tmp_path: Path) -> None:
    ledger(tmp_path / "data")
    settings = Settings(tmp_path / "data", tmp_path / "index")
    with Service(settings) as service:
        service.open()
        healthy = service.ask(QUESTION)
    client = chromadb.PersistentClient(path=str(tmp_path / "index" / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
    name = next(c.name for c in client.list_collections() if c.name.startswith("verbatim-main-"))
    collection = client.get_collection(name)
    ids = collection.get(include=[])["ids"]
    collection.delete(ids=ids[:300])
    del client, collection
    with Service(settings) as service:
        report = service.index()
        healed = service.ask(QUESTION)
        assert service.snapshot is not None and report.added == 300
    assert [q.text for q in healed.quotes] == [q.text for q in healthy.quotes]


def test_a_collection_left_by_a_killed_rebuild_is_dropped_at_the_next_start(tmp_path: Path) -> None:
    """SIGKILL during a rebuild leaves a half-filled collection that no pointer names; the embedded index's
    owner drops it as soon as it opens the index, not an hour later."""
    data = make_data_dir(tmp_path)
    settings = Settings(data, tmp_path / "index")
    with Service(settings) as service:
        service.open()
    client = chromadb.PersistentClient(path=str(tmp_path / "index" / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
    client.create_collection("verbatim-main-deadbeef0000", metadata={"built_at": time.time()})
    names = {c.name for c in client.list_collections()}
    assert "verbatim-main-deadbeef0000" in names
    del client
    with Service(settings) as service:
        service.open()
        left = {c.name for c in service._index._connected()[0].client.list_collections()}
    assert "verbatim-main-deadbeef0000" not in left
    assert any(n.startswith("verbatim-main-") for n in left)  # the active one stays
