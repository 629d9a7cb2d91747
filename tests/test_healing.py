"""A damaged index heals by itself on the next build: found by a count and a probe search, rebuilt
blue-green from the transcripts, said in the log. Chroma keeps vectors in HNSW files only past about a
thousand chunks, so the library here is that large."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from retrieval.config import Settings
from retrieval.errors import VerbatimError
from retrieval.index import healing, segments
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


DAMAGE = ["middle of chroma.sqlite3", "head of chroma.sqlite3", "emptied chroma.sqlite3", "middle of data_level0.bin",
          "middle of header.bin", "middle of length.bin", "middle of link_lists.bin", "truncated data_level0.bin",
          "emptied header.bin"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A data dir large enough for HNSW files, and its index, built once and copied for each kind of damage."""
    root = tmp_path_factory.mktemp("damage")
    ledger(root / "data")
    with Service(Settings(root / "data", root / "index")) as service:
        service.open()
    return root / "data", root / "index"


def damage(index: Path, how: str) -> Path:
    where, _, name = how.partition(" of ") if " of " in how else (how.split(" ", 1)[0], "", how.split(" ", 1)[1])
    files = sorted((index / "chroma").rglob(name))
    assert files, f"no {name} in the index"
    for path in files:
        size = path.stat().st_size
        with path.open("r+b") as f:
            if where == "middle":
                f.seek(size // 2)
                f.write(bytes(range(256)) * 16)
            elif where == "head":
                f.write(b"\xff" * 4096)
            elif where == "truncated":
                f.truncate(size // 3)
            else:
                f.truncate(0)
    return files[0]


@pytest.mark.parametrize("how", DAMAGE)
def test_every_kind_of_damage_heals_from_the_transcripts(built: tuple[Path, Path], how: str, tmp_path: Path) -> None:
    import shutil

    data, original = built
    index = tmp_path / "index"
    shutil.copytree(original, index)
    damage(index, how)
    with Service(Settings(data, index)) as service:
        service.open()  # what every command and the bot's start do first
        answer = service.ask(QUESTION)
        assert not answer.abstained and any("417" in q.text for q in answer.quotes), how
        assert service.index().chunks == len(service.snapshot.chunks)  # and the next build finds it whole


def garble_rows(index: Path, every: int, part: str) -> None:
    """Garbage over the links or the vector of every `every`-th row of each data_level0.bin (as a few bad sectors
    leave it), the row's layout read from its header.bin."""
    for header in (index / "chroma").glob("*/header.bin"):
        count, per_element, label_at, data_at = segments.HEADER.unpack(header.read_bytes())[3:7]
        start, end = (0, data_at) if part == "links" else (data_at, label_at)
        with (header.parent / "data_level0.bin").open("r+b") as f:
            for row in range(0, count, every):
                f.seek(row * per_element + start)
                f.write((bytes(range(256)) * 64)[:end - start])


def test_damage_to_vectors_in_data_level0_is_found_at_the_start(built: tuple[Path, Path], tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """Garbage over some vectors of data_level0.bin fails no search and need not fail the probe: searches return
    wrong neighbours, or none, and answers change or abstain in silence. The rows are checked before Chroma reads
    them, and the index is rebuilt."""
    data, original = built
    index = tmp_path / "index"
    shutil.copytree(original, index)
    with Service(Settings(data, index)) as service:
        service.open()
        healthy = service.ask(QUESTION)
    garble_rows(index, 50, "vector")
    with Service(Settings(data, index)) as service, caplog.at_level(logging.WARNING, logger="retrieval.index"):
        service.open()
        healed = service.ask(QUESTION)
    assert "data_level0.bin holds a garbled vector" in caplog.text
    assert [q.text for q in healed.quotes] == [q.text for q in healthy.quotes]


@pytest.mark.parametrize("part", ["links", "vector"])
def test_damage_to_one_row_of_data_level0_is_found_before_chroma_reads_it(built: tuple[Path, Path], part: str,
                                                                         tmp_path: Path) -> None:
    """One garbled link list makes hnswlib read out of its buffer (a segmentation fault at the first search that
    reaches it); one garbled vector, wrong neighbours for the searches that reach it."""
    index = tmp_path / "index"
    shutil.copytree(built[1], index)
    assert segments.damaged(index / "chroma") is None
    garble_rows(index, 1 << 40, part)  # the first row only
    assert "data_level0.bin" in (segments.damaged(index / "chroma") or "")


def test_copies_of_one_transcript_are_no_damage(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Twelve copies of a transcript, one with Windows line endings (read as the same text): each text is
    held by twelve chunks at distance zero, and a search for ten need not return the probe's own. Before,
    the index was rebuilt at every start (11 s instead of 2 s here)."""
    text = "\n\n".join(f"Speaker {'AB'[i % 2]}: Item {i} of the ledger sets the {TOPICS[i % 10]} budget line {i} "
                       f"at {i * 7} thousand." for i in range(900)) + "\n"
    (tmp_path / "data").mkdir()
    for i in range(11):
        (tmp_path / "data" / f"copy-{i:02}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "data" / "windows.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    settings = Settings(tmp_path / "data", tmp_path / "index")
    with Service(settings) as service:
        service.open()
        built = service.active_collection()
    with Service(settings) as service, caplog.at_level(logging.WARNING):
        service.open()  # the second `verbatim ask`
        assert service.ask(QUESTION).quotes
        assert service.active_collection() == built
        chunks, main = list(service.snapshot.chunks), service._index._connected()[0]
        per_copy = len(chunks) // 12
        for copy in range(12):  # the probe (the middle chunk) made from each copy in turn: a search for ten
            turned = chunks[copy * per_copy:] + chunks[:copy * per_copy]  # finds ten of twelve at most
            assert healing.damage(main, turned) is None, copy
    assert [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()] == []


def segment_folders(index: Path) -> tuple[set[str], set[str]]:
    """The segment folders on disk, and the vector segments `chroma.sqlite3` refers to."""
    import sqlite3

    chroma = index / "chroma"
    with sqlite3.connect(chroma / "chroma.sqlite3") as db:
        referenced = {str(r[0]) for r in db.execute("SELECT id FROM segments WHERE scope = 'VECTOR'")}
    return {p.name for p in chroma.iterdir() if p.is_dir()}, referenced


def test_full_rebuilds_leave_only_the_folders_collections_refer_to(tmp_path: Path) -> None:
    """Chroma leaves a dropped collection's folder behind: three per full rebuild, before they were deleted."""
    from bot import cli

    settings = Settings(make_data_dir(tmp_path), tmp_path / "index")
    for _ in range(3):  # three `verbatim index --full`
        assert cli.main(["index", "--full", "--data-dir", str(settings.data_dir), "--index-dir",
                         str(settings.index_dir)]) == 0
        on_disk, referenced = segment_folders(settings.index_dir)
        assert on_disk == referenced and len(referenced) == 4  # the pointers and three spaces
    with Service(settings) as service:  # three rebuilds in one process, as /reindex does them
        service.open()
        for _ in range(3):
            service.index(full=True)
        on_disk, referenced = segment_folders(settings.index_dir)
        assert on_disk == referenced and len(referenced) == 4
        assert service.ask("Whose house did they search?").quotes
