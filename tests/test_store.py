"""A real embedded Chroma in a temp dir: blue-green rebuilds, refreshes, model checks, the lock."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.cli import explain
from retrieval.config import Settings
from retrieval.errors import Fix, IndexLockedError, ModelMismatchError
from retrieval.index.chunks import chunk_transcript
from retrieval.index.client import connect
from retrieval.index.embeddings import WordLlamaEmbeddings
from retrieval.index.store import Space
from retrieval.parse.formats import load, parse
from tests.conftest import INTERVIEW, MEETING

pytestmark = pytest.mark.slow  # the real models and Chroma


class OtherModel(WordLlamaEmbeddings):
    model_id = "some-other-model"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    """An embedded Chroma in a temp dir, its lock released afterwards."""
    chroma, lock = connect(Settings(tmp_path, tmp_path / "index"))
    assert lock is not None
    try:
        yield chroma
    finally:
        lock.release()


def test_rebuild_flips_pointer_and_drops_the_old_collection(client: Any) -> None:
    space = Space(client, "t", "main", WordLlamaEmbeddings())
    assert space.store() is None
    chunks = chunk_transcript(load(INTERVIEW, "i.txt"))
    first = space.rebuild(chunks)
    assert space.count() == len(chunks)
    second = space.rebuild(chunks)
    assert first != second and space.active_name() == second
    names = {c.name for c in client.list_collections()}
    assert first not in names and second in names
    hits = space.search(space.embeddings.query_vector("Whose house did they search?"), 5)
    assert len(hits) == 5 and all(-1.0 <= h.similarity <= 1.0 for h in hits)


def test_sync_adds_and_removes_only_what_changed(client: Any) -> None:
    space = Space(client, "t", "main", WordLlamaEmbeddings())
    interview = chunk_transcript(load(INTERVIEW, "i.txt"))
    meeting = chunk_transcript(parse(MEETING, "m.txt"))
    space.rebuild(interview)
    assert space.sync(interview) == (0, 0)
    assert space.sync(interview + meeting) == (len(meeting), 0)
    assert space.sync(meeting) == (0, len(interview))
    assert {h.id for h in space.search(space.embeddings.query_vector("lobster"), 50)} == {c.id for c in meeting}
    only = space.search(space.embeddings.query_vector("lobster"), 5, doc="m.txt")
    assert only and all(h.id in {c.id for c in meeting} for h in only)


def test_a_collection_from_another_model_is_refused(client: Any) -> None:
    Space(client, "t", "main", WordLlamaEmbeddings()).rebuild(chunk_transcript(parse(MEETING, "m.txt")))
    with pytest.raises(ModelMismatchError, match="rebuild it") as refused:
        Space(client, "t", "main", OtherModel()).store()
    assert refused.value.fix is Fix.REBUILD
    assert "verbatim index --full" in explain(refused.value)  # the command line says how


def test_second_process_on_the_embedded_index_is_refused(tmp_path: Path) -> None:
    index = tmp_path / "index"
    _, lock = connect(Settings(tmp_path, index))
    try:
        code = (
            "import sys; from pathlib import Path\n"
            "from retrieval.config import Settings\nfrom retrieval.index.client import connect\n"
            "from retrieval.errors import IndexLockedError\n"
            f"try:\n    connect(Settings(Path('.'), Path({str(index)!r})))\n"
            "except IndexLockedError as e:\n    print(e); sys.exit(3)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             cwd=Path(__file__).resolve().parent.parent)
        assert out.returncode == 3, out.stderr
        assert "another Verbatim process" in out.stdout and "Chroma server" in out.stdout
    finally:
        assert lock is not None
        lock.release()
    _, again = connect(Settings(tmp_path, index))  # free again once released
    assert again is not None
    again.release()
    assert IndexLockedError.__mro__[1].__name__ == "IndexError_"


def test_a_build_drops_old_orphans_but_not_a_rebuild_in_progress(client: Any) -> None:
    from retrieval.index import healing

    space = Space(client, "t", "main", WordLlamaEmbeddings())
    chunks = chunk_transcript(parse(MEETING, "m.txt"))
    client.create_collection("t-main-crashed", metadata={"built_at": time.time() - 7200})
    client.create_collection("t-main-building", metadata={"built_at": time.time()})
    client.create_collection("t-multilingual-crashed", metadata={"built_at": 0.0})
    active = space.rebuild(chunks)
    healing.tidy([space], None)  # what every build does last (a server's: another process may be rebuilding)
    names = {c.name for c in client.list_collections()}
    assert active in names and "t-main-building" in names and "t-multilingual-crashed" in names
    assert "t-main-crashed" not in names


@dataclass(frozen=True)
class Line:
    id: str
    doc: str
    search_text: str

    def metadata(self) -> dict[str, str | int | float]:
        return {"doc": self.doc}


def test_vectors_of_more_ids_than_sqlite_takes_in_one_request(client: Any) -> None:
    """SQLite refuses a statement of more than 32,766 variables: the read must be batched."""
    space = Space(client, "t", "sentences", WordLlamaEmbeddings())
    lines = [Line(f"s{i}", "d.txt", f"line {i}") for i in range(33_000)]
    space.rebuild(lines)
    got = space.vectors([line.id for line in lines])
    assert len(got) == len(lines)
    assert np.allclose(got["s32999"], space.embeddings.vectors(["line 32999"])[0], atol=1e-3)
