"""Shared fixtures: all state in temp dirs, the shipped interview copied in, one service per module.

Two tiers: tests marked `slow` use the real models, Chroma and the Bot API server; the others (`make
test-fast`) must not, and a guard here fails any of them that loads a model or opens Chroma, so the fast
tier stays fast.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.service import Service

ROOT = Path(__file__).resolve().parent.parent
INTERVIEW = ROOT / "data" / "transcripts" / "mammadli-interview.txt"

MEETING = """The Chair: I call the meeting to order. Our first witness is the Minister of Fisheries.

Ms. Jane Doe (Coastal, Lib.): Thank you, Chair. What is the government doing about the lobster season?

Hon. Sam Roe (Minister of Fisheries): The lobster season opens on May 1. We extended the licences by two weeks
because the ice stayed late.

Ms. Jane Doe: Will harbour repairs be funded this year?

Hon. Sam Roe: Yes. Harbour repairs receive forty million dollars in this budget.
"""

SUBTITLES = """1
00:00:01,000 --> 00:00:04,000
<v Ana Lima>Welcome to the river clean-up briefing.</v>

2
00:00:04,500 --> 00:00:09,000
<v Ana Lima>Volunteers removed three tonnes of plastic last spring.</v>

3
00:01:10,000 --> 00:01:15,250
BOB: The next clean-up starts at dawn on Saturday.
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the shared service is slow by definition: the service loads the models."""
    for item in items:
        if "service" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


class SlowPartInFastTest(AssertionError):
    """A test outside the slow tier reached for a model or Chroma."""


@pytest.fixture(autouse=True)
def _fast_tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the slow tier, loading an embedding model or opening Chroma fails the test: mark it `slow`."""
    if request.node.get_closest_marker("slow") is not None:
        return
    import chromadb

    from retrieval.index import embeddings

    def refuse(*_: object, **__: object) -> None:
        raise SlowPartInFastTest(f"{request.node.nodeid} loads a model or opens Chroma; mark it @pytest.mark.slow")

    for model in (embeddings.WordLlamaEmbeddings, embeddings.E5Embeddings):
        monkeypatch.setattr(model, "_model", property(refuse))
    for client in ("PersistentClient", "HttpClient", "EphemeralClient"):
        monkeypatch.setattr(chromadb, client, refuse)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing a test does touches var/index or the developer's environment."""
    for name in ("VERBATIM_DATA_DIR", "VERBATIM_INDEX_DIR", "VERBATIM_CHROMA_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def make_data_dir(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(INTERVIEW, data / "mammadli-interview.txt")
    shutil.copy(INTERVIEW.with_name("mammadli-interview.meta.json"), data / "mammadli-interview.meta.json")
    for name, content in (extra or {}).items():
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("corpus"), {"hearings/fisheries.txt": MEETING,
                                                             "briefing.srt": SUBTITLES})


@pytest.fixture(scope="module")
def service(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with Service(Settings(corpus_dir, tmp_path_factory.mktemp("index"))) as svc:
        svc.open()
        yield svc
