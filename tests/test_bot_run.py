"""`verbatim run` as a process, as outside checks drive it: long polling, webhook mode, a refused token."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.botapi import BotApi
from tests.conftest import MEETING, make_data_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "246813579:AAF" + "r" * 32
ADMIN = 4242
SECRET = "hook-" + "x" * 20  # a test value, not a credential


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    async with BotApi(TOKEN) as server:
        yield server


def environment(api: BotApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    data = make_data_dir(tmp_path, {"fisheries.txt": MEETING})
    return {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.base_file_url, "VERBATIM_DATA_DIR": str(data),
            "VERBATIM_INDEX_DIR": str(tmp_path / "index"), "VERBATIM_ADMIN_IDS": str(ADMIN),
            "NO_PROXY": "127.0.0.1,localhost", "VERBATIM_LOG_LEVEL": "INFO", **extra}


async def start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    return int(process.returncode or 0), err.decode()


async def test_polling_bot_answers_registers_menus_and_stops_cleanly(api: BotApi, tmp_path: Path) -> None:
    process = await start(environment(api, tmp_path))
    try:
        await api.wait_for(lambda: api.commands({"type": "chat", "chat_id": ADMIN}), timeout=90)  # the last menu set
        scopes = {(c["scope"]["type"], c.get("language_code")): c for c in api.calls_to("setMyCommands")}
        assert {(kind, code) for kind in ("all_private_chats", "all_group_chats", "chat")
                for code in (None, "az", "ru")} <= set(scopes)  # English by default, and per language
        assert any(cmd["command"] == "reindex" for cmd in scopes["chat", None]["commands"])
        assert not any(cmd["command"] == "reindex" for cmd in scopes["all_private_chats", None]["commands"])
        assert scopes["all_private_chats", "ru"]["commands"][0]["description"] == "как спрашивать, с примерами"
        user = api.user(77)
        api.message(api.private_chat(user), user, "When does the lobster season open?")
        [reply] = await api.wait_sent(77, 1, timeout=30)
        assert "The lobster season opens on May 1." in reply["text"]
    finally:
        code, err = await stop(process)
    assert code == 0, err
    assert "bot @verbatim_test_bot is ready" in err and TOKEN not in err and TOKEN.split(":")[1] not in err


async def test_webhook_mode_checks_the_secret(api: BotApi, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    process = await start(environment(api, tmp_path, VERBATIM_WEBHOOK_URL=url, VERBATIM_WEBHOOK_SECRET=SECRET,
                                      VERBATIM_WEBHOOK_LISTEN="127.0.0.1", VERBATIM_WEBHOOK_PORT=str(port)))
    try:
        [hook] = await api.wait_for(lambda: api.calls_to("setWebhook"), timeout=90)
        assert hook["url"] == url and hook["secret_token"] == SECRET
        user = api.user(78)
        chat = api.private_chat(user)
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat, "from": user,
                                              "text": "When does the lobster season open?"}}
        async with aiohttp.ClientSession() as session:
            for _ in range(100):  # setWebhook can come a moment before the server listens
                try:
                    async with session.post(url, json=update) as refused:
                        assert refused.status == 403  # no secret header: not from Telegram
                    break
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.1)
            async with session.post(url, json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as accepted:
                assert accepted.status == 200
            # valid JSON with the right secret, but no update: refused, and its body never logged
            body = [{"update_id": 2, "message": {"text": "my-private-question-body"}}]
            async with session.post(url, json=body,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as malformed:
                assert malformed.status == 400
        [reply] = await api.wait_sent(78, 1, timeout=30)
        assert "May 1" in reply["text"] and reply["reply_to_message_id"] == 1
    finally:
        code, err = await stop(process)
    assert code == 0, err
    assert "my-private-question-body" not in err and "CRITICAL" not in err and "Traceback" not in err, err
    assert "held no update" in err


async def test_a_token_the_server_refuses_is_a_one_line_error(api: BotApi, tmp_path: Path) -> None:
    env = environment(api, tmp_path, TELEGRAM_BOT_TOKEN="999999:" + "Z" * 35, VERBATIM_LOG_LEVEL="WARNING")
    process = await start(env)
    code, err = await stop_after_exit(process)
    assert code == 2 and err.strip().splitlines() == [
        "verbatim: Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather"], err
    assert "Z" * 35 not in err


async def stop_after_exit(process: asyncio.subprocess.Process) -> tuple[int, str]:
    _, err = await asyncio.wait_for(process.communicate(), timeout=90)
    return int(process.returncode or 0), err.decode()
