"""Faults that would take the bot away from everyone, through the real Application and the Bot API server
of tests/botapi.py: one account flooding it, a full disk during an upload, a Chroma server that stops
answering, and a state dir that cannot be written."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.state.stats import Stats
from retrieval.config import Settings
from retrieval.service import Service
from tests.botapi import BotApi
from tests.conftest import make_data_dir
from tests.test_bot_e2e import ADMIN, TOKEN, Json, start_app, stop_app, visible
from tests.test_server import ChromaServer

pytestmark = pytest.mark.slow

FLOODER, READERS = 5005, (6001, 6002, 6003)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data = make_data_dir(tmp_path_factory.mktemp("bot"))
    with Service(Settings(data, tmp_path_factory.mktemp("index"))) as svc:
        svc.open()
        yield svc


async def test_one_account_flooding_delays_nobody_elses_answer(service: Service, tmp_path: Path) -> None:
    """300 messages from one account at once, with the default per-person limit (20 a minute, bursts of
    5): its first 5 are answered and it is told once to slow down; the rest are dropped without a reply,
    so nothing of it queues in Telegram's sending limit ahead of other people's answers."""
    async with running(service, tmp_path / "stats.sqlite3", user_questions_per_minute=20.0,
                       user_burst=5) as (api, _):
        flooder = api.user(FLOODER, "Flo")
        flood_chat = api.private_chat(flooder)
        for i in range(300):
            api.message(flood_chat, flooder, f"Whose house did they search? ({i})")
        waits = []
        for reader_id in READERS:
            reader = api.user(reader_id, "Rea")
            chat = api.private_chat(reader)
            began = time.monotonic()
            api.message(chat, reader, "Whose house did they search?")
            [answer] = await api.wait_sent(chat["id"], 1, timeout=30)
            waits.append(time.monotonic() - began)
            assert "Saadat" in visible(answer)
        await asyncio.sleep(2.0)  # whatever the flood still had queued has been sent by now
        to_flooder = [visible(m) for m in api.sent(flood_chat["id"])]
    notices = [t for t in to_flooder if "faster than I can keep up" in t]
    assert len(notices) == 1 and len(to_flooder) == 5 + 1, to_flooder[:8]
    assert max(waits) < 3.0, waits  # 295 notices at Telegram's 30 a second would have taken 10 s


async def test_reindex_leaves_only_the_folders_collections_refer_to(service: Service, tmp_path: Path) -> None:
    """Each /reindex rebuilds every collection; Chroma leaves the dropped ones' folders behind, which the
    bot's index grew by (16 → 33 MB after two) until they were deleted."""
    from tests.test_healing import segment_folders

    async with running(service, tmp_path / "stats.sqlite3") as (api, _):
        admin = api.user(ADMIN, "Ada")
        for _ in range(2):
            [_, done] = await _ask(api, admin, "/reindex", count=2)
            assert "Reindexed" in visible(done), visible(done)
            on_disk, referenced = segment_folders(service.settings.index_dir)
            assert on_disk == referenced and len(referenced) == 4  # the pointers and three spaces


async def test_a_stopped_chroma_server_is_said_and_answers_come_back_when_it_runs(tmp_path: Path) -> None:
    """SIGSTOP: the server keeps accepting connections and answers nothing. Six readers asking then are told,
    within the wait and five seconds, that the index is unavailable; after SIGCONT the same bot answers."""
    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log")
    server.start()
    settings = Settings(make_data_dir(tmp_path), tmp_path / "index", chroma_url=server.url, server_wait_seconds=3)
    try:
        with Service(settings) as svc:
            svc.open()
            async with running(svc, tmp_path / "stats.sqlite3") as (api, _):
                readers = [api.user(7000 + i, "Rea") for i in range(6)]
                [first] = await _ask(api, readers[0])
                assert "Saadat" in visible(first)
                assert server.proc is not None
                os.kill(server.proc.pid, signal.SIGSTOP)
                began = time.monotonic()
                told = await asyncio.gather(*(_ask(api, r) for r in readers))
                assert time.monotonic() - began < 3 + 5
                assert all("index is unavailable right now" in visible(m) for [m] in told), told
                os.kill(server.proc.pid, signal.SIGCONT)
                [again] = await _ask(api, readers[1])
                assert "Saadat" in visible(again)
    finally:
        if server.proc is not None:
            os.kill(server.proc.pid, signal.SIGCONT)
        server.stop()


@contextlib.asynccontextmanager
async def running(service: Service, stats_path: Path, **changes: Any) -> AsyncIterator[tuple[BotApi, Stats]]:
    """The real Application on `service`, talking to a test Bot API server, stopped and its stats closed after."""
    async with BotApi(TOKEN) as api:
        stats = Stats(stats_path)
        app = await start_app(api, service, stats, **changes)
        try:
            yield api, stats
        finally:
            await stop_app(app)
            stats.close()


async def _ask(api: BotApi, user: Json, text: str = "Whose house did they search?", count: int = 1) -> list[Json]:
    chat = api.private_chat(user)
    before = len(api.sent(chat["id"]))
    api.message(chat, user, text)
    return (await api.wait_sent(chat["id"], before + count, timeout=60))[before:]


@contextlib.contextmanager
def small_disk(path: Path, mb: int = 64) -> Iterator[bool]:
    """A tmpfs of `mb` MB mounted at `path` where the tests may mount one (as root), else a plain folder
    (False: the test then makes the disk full by raising what Chroma raises on one, at the same call)."""
    path.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={mb}m,mode=0700", "tmpfs", str(path)], capture_output=True,
        check=False).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def fill(disk: Path) -> Path:
    """Every byte of the disk taken by one file (removing it frees them)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's refusal on a full disk, where no tmpfs can be mounted: every write of chunks fails as it does."""
    from chromadb.errors import InternalError
    from langchain_chroma import Chroma

    def full(*args: Any, **kwargs: Any) -> Any:
        raise InternalError("Query error: Database error: error returned from database: (code: 13) database or disk "
                            "is full")

    monkeypatch.setattr(Chroma, "add_texts", full)


BRIEFING = b"Ana: The river was cleaned last spring by volunteers from three villages.\n"


async def test_a_full_disk_during_an_upload_leaves_the_index_that_answers(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The index on a small full disk: an upload and a /reindex fail in one line that names the index dir,
    change nothing, and the bot keeps answering from the index it had; once there is room, uploads work."""
    with small_disk(tmp_path / "disk") as mounted:
        data = make_data_dir(tmp_path)
        settings = Settings(data, tmp_path / "disk" / "index")
        with Service(settings) as svc:
            svc.open()
            async with running(svc, tmp_path / "stats.sqlite3") as (api, _):
                admin, reader = api.user(ADMIN, "Ada"), api.user(8001, "Rea")
                filler = fill(tmp_path / "disk") if mounted else disk_full(monkeypatch)
                [refused] = await _upload(api, admin, "Briefing.txt", BRIEFING)
                text = visible(refused)
                assert "Not added" in text and f"the disk holding {settings.index_dir} is full" in text, text
                assert "\n" not in text and not (data / "briefing.txt").exists()
                [answer] = await _ask(api, reader)
                assert "Saadat" in visible(answer)
                [_, failed] = await _ask(api, admin, "/reindex", count=2)
                assert "Reindex failed" in visible(failed) and "is full" in visible(failed), visible(failed)
                [answer] = await _ask(api, reader)
                assert "Saadat" in visible(answer)
                if mounted:
                    assert isinstance(filler, Path)
                    filler.unlink()
                else:
                    monkeypatch.undo()
                [added] = await _upload(api, admin, "Briefing.txt", BRIEFING)
                assert "Added" in visible(added), visible(added)
                [answer] = await _ask(api, reader, "Who cleaned the river?")
                assert "volunteers" in visible(answer)


async def _upload(api: BotApi, user: Json, name: str, raw: bytes) -> list[Json]:
    chat = api.private_chat(user)
    before = len(api.sent(chat["id"]))
    api.document(chat, user, name, raw)
    return (await api.wait_sent(chat["id"], before + 1, timeout=60))[before:]


async def test_verbatim_run_on_a_full_disk_answers_and_stops_on_sigterm_within_10_s(tmp_path: Path) -> None:
    """`verbatim run` with its index on a small full tmpfs: an upload is refused in one line and answers go on;
    a /reindex that would take half a minute is cut short by SIGTERM, and the process is gone within 10 s;
    `verbatim index` then says in one line which dir is full, without advising a rebuild that cannot work."""
    import sys

    from tests.conftest import INTERVIEW

    with small_disk(tmp_path / "disk") as mounted:
        if not mounted:
            pytest.skip("needs a tmpfs (root); test_a_full_disk_during_an_upload_... simulates the full disk")
        copies: dict[str, str | bytes] = {f"talk-{i}.txt": INTERVIEW.read_text(encoding="utf-8") for i in range(3)}
        data, index = make_data_dir(tmp_path, copies), tmp_path / "disk" / "index"
        async with BotApi(TOKEN) as api:
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
                   "TELEGRAM_API_FILE_URL": api.base_file_url, "VERBATIM_DATA_DIR": str(data),
                   "VERBATIM_INDEX_DIR": str(index), "VERBATIM_STATE_DIR": str(tmp_path / "state"),
                   "VERBATIM_ADMIN_IDS": str(ADMIN), "NO_PROXY": "127.0.0.1,localhost"}
            cli = [sys.executable, "-m", "bot.cli"]
            log = (tmp_path / "bot.log").open("wb")  # its log, for a failure to be explained
            bot = await asyncio.create_subprocess_exec(*cli, "run", env=env, stderr=log)
            try:
                await api.wait_for(lambda: len(api.calls_to("setMyCommands")) >= 3, timeout=300)
                admin, reader = api.user(ADMIN, "Ada"), api.user(8002, "Rea")
                filler = fill(tmp_path / "disk")
                [refused] = await _upload(api, admin, "Briefing.txt", BRIEFING)
                assert f"the disk holding {index} is full" in visible(refused), visible(refused)
                [answer] = await _ask(api, reader)
                assert "Saadat" in visible(answer)
                filler.unlink()
                [rebuilding] = await _ask(api, admin, "/reindex")
                assert "Rebuilding the index" in visible(rebuilding)
                await asyncio.sleep(1.0)
                began = time.monotonic()
                bot.send_signal(signal.SIGTERM)
                await asyncio.wait_for(bot.wait(), timeout=30)
                assert time.monotonic() - began < 10
            finally:
                if bot.returncode is None:
                    bot.kill()
                    await bot.wait()
                log.close()
        fill(tmp_path / "disk")
        (data / "briefing.txt").write_bytes(BRIEFING)
        for args in (["index"], ["index", "--full"]):
            done = await asyncio.create_subprocess_exec(*cli, *args, env=env, stderr=asyncio.subprocess.PIPE)
            err = (await asyncio.wait_for(done.communicate(), timeout=300))[1].decode()
            assert done.returncode == 1 and err.count("\n") == 1, err
            assert f"the disk holding {index} is full" in err and "index --full" not in err, err


async def test_a_state_dir_that_cannot_be_written_withholds_no_answer(service: Service, tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    """The stats database on a full disk (or, where no tmpfs can be mounted, made read-only): questions are
    answered (without the buttons that would need their record), /forget is answered, the log says it once."""
    import logging

    with small_disk(tmp_path / "state") as mounted:
        async with running(service, tmp_path / "state" / "stats.sqlite3") as (api, stats):
            reader = api.user(8003, "Rea")
            [before] = await _ask(api, reader)
            assert before.get("reply_markup")  # recorded: its buttons work
            if mounted:
                filler = fill(tmp_path / "state")
            else:
                stats._db.execute("PRAGMA query_only = ON")  # what a read-only state dir does
            with caplog.at_level(logging.WARNING, logger="bot.state.database"):
                for _ in range(3):
                    [answer] = await _ask(api, reader)
                    assert "Saadat" in visible(answer) and not answer.get("reply_markup")
                [forgot] = await _ask(api, reader, "/forget")
                assert "could not delete what I keep about you" in visible(forgot), visible(forgot)
            said = [r for r in caplog.records if "cannot be written" in r.getMessage()]
            assert len(said) == 1 and "8003" not in said[0].getMessage()
            if mounted:
                filler.unlink()
            else:
                stats._db.execute("PRAGMA query_only = OFF")
            [after] = await _ask(api, reader)
            assert after.get("reply_markup")
            [forgot] = await _ask(api, reader, "/forget")
            assert "Done: I deleted" in visible(forgot), visible(forgot)
