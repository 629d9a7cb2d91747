"""The real models, loaded from their wheels with downloads impossible."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.embeddings import E5Embeddings, WordLlamaEmbeddings

pytestmark = pytest.mark.slow  # the real models and Chroma


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # any download attempt would fail
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")


def test_wordllama_vectors_are_unit_length_and_meaningful() -> None:
    model = WordLlamaEmbeddings()
    vecs = model.vectors(["The police searched her house.", "Officers raided the home.", "Oil prices fell."])
    assert vecs.shape == (3, model.dim)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    assert model.vectors([]).shape == (0, model.dim)
    assert len(model.embed_query("x")) == model.dim


def test_e5_matches_russian_and_azerbaijani_questions_to_english() -> None:
    model = E5Embeddings()
    passages = model.vectors(["The government arrested opposition activists during the quarantine.",
                              "Oil prices have fallen and the economy is in crisis."])
    for question in ("Почему арестовали активистов оппозиции?", "Müxalifət fəalları niyə həbs edildi?"):
        q = model.query_vector(question)
        assert q.shape == (model.dim,)
        assert passages[0] @ q > passages[1] @ q
