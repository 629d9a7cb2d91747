"""Server mode against a real `chroma run` on 127.0.0.1 (the server ships in the chromadb wheel)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.errors import StoreUnavailableError
from retrieval.service import Service
from tests.conftest import make_data_dir

pytestmark = pytest.mark.slow  # the real models and Chroma

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """`chroma run` on 127.0.0.1, startable again on the same port and folder (to test restarts)."""

    def __init__(self, path: Path, log: Path, port: int | None = None) -> None:
        self.path, self.log, self.port = path, log, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> None:
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
        assert chroma, "the chroma command comes with the chromadb wheel"
        with self.log.open("a") as out:
            self.proc = subprocess.Popen([chroma, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=out, stderr=out)
        deadline = time.monotonic() + 30
        while wait:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1):  # noqa: S310 - loopback
                    return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"chroma run did not start: {self.log.read_text()[-2000:]}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-data"), tmp_path_factory.mktemp("log") / "server.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


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
        before = reader.active_collection()
        report = writer.index(full=True)
        assert report.chunks > 0 and writer.active_collection() != before
        answer = reader.ask("Whose house did they search?")  # its collection was dropped: re-reads the pointer
        assert any("Saadat" in q.text for q in answer.quotes)
        assert reader.active_collection() == writer.active_collection()


def test_waits_for_a_server_that_is_still_starting_and_survives_its_restart(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log")
    starter = threading.Timer(1.5, server.start, kwargs={"wait": False})  # comes up while the bot waits
    starter.start()
    settings = Settings(make_data_dir(tmp_path), tmp_path / "i", chroma_url=server.url, server_wait_seconds=60)
    try:
        with Service(settings) as service:
            service.open()
            question = "Whose house did they search?"
            before = [q.text for q in service.ask(question).quotes]
            server.stop()
            with pytest.raises(StoreUnavailableError, match="Chroma server"):
                service.ask(question)
            server.start()
            assert [q.text for q in service.ask(question).quotes] == before  # same index, same answer
    finally:
        starter.join()
        server.stop()


async def test_two_webhook_bots_and_the_cli_share_one_server(tmp_path: Path) -> None:
    """The documented multi-process shape: index once, run several webhook bots, reindex from the CLI
    while they answer. Every question is answered, by both bots, throughout."""
    import asyncio

    import aiohttp

    from tests.botapi import BotApi

    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log")
    server.start()
    token, secret = "357913579:AAG" + "w" * 32, "shared-" + "s" * 20
    data = make_data_dir(tmp_path)
    base = {**os.environ, "VERBATIM_DATA_DIR": str(data), "VERBATIM_CHROMA_URL": server.url,
            "NO_PROXY": "127.0.0.1,localhost", "VERBATIM_LOG_LEVEL": "WARNING"}
    cli = [sys.executable, "-m", "bot.cli"]
    procs: list[asyncio.subprocess.Process] = []
    try:
        first = await asyncio.create_subprocess_exec(*cli, "index", cwd=ROOT, env={**base, "VERBATIM_INDEX_DIR": str(
            tmp_path / "cli")})
        assert await first.wait() == 0
        async with BotApi(token) as api:
            urls = []
            for name in ("a", "b"):
                port = free_port()
                urls.append(f"http://127.0.0.1:{port}/hook")
                env = {**base, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": api.base_url,
                       "TELEGRAM_API_FILE_URL": api.base_file_url, "VERBATIM_INDEX_DIR": str(tmp_path / name),
                       "VERBATIM_WEBHOOK_URL": urls[-1], "VERBATIM_WEBHOOK_SECRET": secret,
                       "VERBATIM_WEBHOOK_LISTEN": "127.0.0.1", "VERBATIM_WEBHOOK_PORT": str(port)}
                procs.append(await asyncio.create_subprocess_exec(*cli, "run", cwd=ROOT, env=env,
                                                                  stderr=asyncio.subprocess.PIPE))
            await api.wait_for(lambda: len(api.calls_to("setWebhook")) >= 2, timeout=120)
            reindex = await asyncio.create_subprocess_exec(*cli, "index", "--full", cwd=ROOT,
                                                           env={**base, "VERBATIM_INDEX_DIR": str(tmp_path / "cli")})
            sent = 0
            async with aiohttp.ClientSession() as session:
                while reindex.returncode is None or sent < 8:
                    user = api.user(600 + sent)
                    msg = {"message_id": 1, "date": 0, "chat": api.private_chat(user), "from": user,
                           "text": "Why is the government afraid of the opposition?" if sent % 2 else
                           "Whose house did they search?"}
                    for attempt in range(100):  # the webhook server may still be binding
                        try:
                            async with session.post(urls[sent % 2], json={"update_id": sent + 1, "message": msg},
                                                    headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as r:
                                assert r.status == 200
                            break
                        except aiohttp.ClientConnectorError:
                            assert attempt < 99
                            await asyncio.sleep(0.1)
                    sent += 1
                    await asyncio.sleep(0.2)
                    if reindex.returncode is None:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(reindex.wait(), 0.01)
            assert reindex.returncode == 0
            for i in range(sent):
                [reply] = await api.wait_sent(600 + i, 1, timeout=30)
                assert "<blockquote>" in reply["text"] or "do not answer this" in reply["text"], reply["text"]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()
        server.stop()


def test_an_upload_or_removal_that_cannot_be_indexed_changes_nothing(tmp_path: Path) -> None:
    from tests.conftest import MEETING

    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log")
    server.start()
    data = make_data_dir(tmp_path, {"fisheries.txt": MEETING})
    try:
        with Service(Settings(data, tmp_path / "i", chroma_url=server.url, server_wait_seconds=1)) as service:
            service.open()
            server.stop()  # indexing now fails
            with pytest.raises(StoreUnavailableError):
                service.add_transcript("Briefing.txt", b"Ana: The river was cleaned last spring by volunteers.\n")
            assert not (data / "briefing.txt").exists()
            with pytest.raises(StoreUnavailableError):
                service.remove_transcript("fisheries.txt")
            assert (data / "fisheries.txt").read_text(encoding="utf-8") == MEETING
    finally:
        server.stop()
