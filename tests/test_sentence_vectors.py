"""The multilingual vectors of every sentence are kept in the index: a start reads them instead of embedding
them, each transcript's rows are its own sentences in order, and a transcript added later gets its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.config import Settings
from retrieval.index.embeddings import E5Embeddings, OfflineEmbeddings
from retrieval.index.snapshot import Snapshot
from retrieval.service import Service
from tests.conftest import MEETING, ROOT, make_data_dir

pytestmark = pytest.mark.slow
RUSSIAN = ROOT / "benchmarks" / "interviews" / "ru" / "transcripts" / "lenin-farbman-1922.txt"


def assert_rows_are_the_sentences(snapshot: Snapshot, model: OfflineEmbeddings) -> None:
    for doc, rows in snapshot.vectors.multilingual.items():
        indices = list(snapshot.sentences.of_doc[doc])
        assert rows.shape[0] == len(indices) > 0
        picks = [0, len(indices) // 2, len(indices) - 1]
        fresh = model.vectors([snapshot.sentences.text(indices[p]) for p in picks])
        assert np.allclose(rows[picks], fresh, atol=2e-3), doc


def test_a_start_embeds_no_sentence_and_an_added_transcript_gets_its_rows(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_data_dir(tmp_path, {"council.txt": MEETING})
    shutil.copy(RUSSIAN, data / "lenin.txt")
    settings = Settings(data, tmp_path / "index")
    with Service(settings) as service:
        service.open()
        built = service.snapshot
        assert set(built.vectors.multilingual) == {"mammadli-interview.txt", "council.txt", "lenin.txt"}
        assert_rows_are_the_sentences(built, service._index.multi_model)

    embedded: list[int] = []
    real = E5Embeddings.vectors

    def counting(model: E5Embeddings, texts: list[str]) -> np.ndarray:
        embedded.append(len(texts))
        return real(model, texts)

    monkeypatch.setattr(E5Embeddings, "vectors", counting)
    with Service(settings) as service:
        service.open()
        assert embedded == []  # the multilingual model embedded nothing: every sentence's vector was read
        for doc, rows in service.snapshot.vectors.multilingual.items():
            assert np.array_equal(rows, built.vectors.multilingual[doc])
        monkeypatch.setattr(E5Embeddings, "vectors", real)
        (data / "second.txt").write_text(MEETING.replace("lobster", "herring"), encoding="utf-8")
        service.index()
        grown = service.snapshot
        assert "second.txt" in grown.vectors.multilingual
        assert_rows_are_the_sentences(grown, service._index.multi_model)
