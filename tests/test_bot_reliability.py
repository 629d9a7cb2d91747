"""Faults that would take the bot away from everyone, through the real Application and the Bot API server
of tests/botapi.py: one account flooding it, a full disk during an upload, a Chroma server that stops
answering, and a state dir that cannot be written."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.state.stats import Stats
from retrieval.config import Settings
from retrieval.service import Service
from tests.botapi import BotApi
from tests.conftest import make_data_dir
from tests.test_bot_e2e import TOKEN, Json, start_app, stop_app, visible
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
    async with BotApi(TOKEN) as api:
        stats = Stats(tmp_path / "stats.sqlite3")
        app = await start_app(api, service, stats, user_questions_per_minute=20.0, user_burst=5)
        try:
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
        finally:
            await stop_app(app)
            stats.close()
    notices = [t for t in to_flooder if "faster than I can keep up" in t]
    assert len(notices) == 1 and len(to_flooder) == 5 + 1, to_flooder[:8]
    assert max(waits) < 3.0, waits  # 295 notices at Telegram's 30 a second would have taken 10 s


async def test_a_stopped_chroma_server_is_said_and_answers_come_back_when_it_runs(tmp_path: Path) -> None:
    """SIGSTOP: the server keeps accepting connections and answers nothing. Six readers asking then are told,
    within the wait and five seconds, that the index is unavailable; after SIGCONT the same bot answers."""
    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log")
    server.start()
    settings = Settings(make_data_dir(tmp_path), tmp_path / "index", chroma_url=server.url, server_wait_seconds=3)
    try:
        with Service(settings) as svc:
            svc.open()
            async with BotApi(TOKEN) as api:
                stats = Stats(tmp_path / "stats.sqlite3")
                app = await start_app(api, svc, stats)
                try:
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
                    await stop_app(app)
                    stats.close()
    finally:
        if server.proc is not None:
            os.kill(server.proc.pid, signal.SIGCONT)
        server.stop()


async def _ask(api: BotApi, user: Json, text: str = "Whose house did they search?") -> list[Json]:
    chat = api.private_chat(user)
    before = len(api.sent(chat["id"]))
    api.message(chat, user, text)
    return (await api.wait_sent(chat["id"], before + 1, timeout=30))[before:]
