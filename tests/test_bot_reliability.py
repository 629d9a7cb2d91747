"""Faults that would take the bot away from everyone, through the real Application and the Bot API server
of tests/botapi.py: one account flooding it, a full disk during an upload, a Chroma server that stops
answering, and a state dir that cannot be written."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.state.stats import Stats
from retrieval.config import Settings
from retrieval.service import Service
from tests.botapi import BotApi
from tests.conftest import make_data_dir
from tests.test_bot_e2e import TOKEN, start_app, stop_app, visible

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
