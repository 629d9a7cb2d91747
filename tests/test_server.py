"""Server mode against a real `chroma run` on 127.0.0.1 (the server ships in the chromadb wheel)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.service import Service
from tests.conftest import make_data_dir

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma command comes with the chromadb wheel"
    port = free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-data")),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):  # noqa: S310 - loopback
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"chroma run did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_cli_index_and_ask_through_the_server(chroma_url: str, tmp_path: Path) -> None:
    data = make_data_dir(tmp_path)
    env = {**os.environ, "VERBATIM_DATA_DIR": str(data), "VERBATIM_CHROMA_URL": chroma_url,
           "VERBATIM_INDEX_DIR": str(tmp_path / "unused")}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "index"], capture_output=True, text=True,
                         timeout=180, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "Whose house did they search?"],
                         capture_output=True, text=True, timeout=180, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    assert any("Saadat" in q["text"] for q in json.loads(out.stdout)["quotes"])
    assert not (tmp_path / "unused" / "chroma").exists()


def test_two_services_share_the_server_and_see_a_rebuild(chroma_url: str, tmp_path: Path) -> None:
    data = make_data_dir(tmp_path)
    settings = Settings(data, tmp_path / "i", chroma_url=chroma_url, collection_prefix="shared")
    with Service(settings) as writer, Service(settings) as reader:
        writer.open()
        reader.open()
        before = reader.main.active_name()
        report = writer.index(full=True)
        assert report.chunks > 0 and writer.main.active_name() != before
        answer = reader.ask("Whose house did they search?")  # its collection was dropped: re-reads the pointer
        assert any("Saadat" in q.text for q in answer.quotes)
        assert reader.main.active_name() == writer.main.active_name()
