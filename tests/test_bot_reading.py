"""Reading in context from Telegram: the real Application, talking to the Bot API server of tests/botapi.py,
serves the reading pages from its own process when VERBATIM_PUBLIC_URL is set. Its "Read in context" button is a
Mini App in a private chat and a plain link in a group or an inline result (the test server refuses a Mini App
button anywhere else, as Telegram does); Chromium follows the button's URL to the page.

The public URL is https, as Telegram requires of a Mini App; the test stands in for the TLS proxy in front of
the page server by sending the URL's path to it on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.config import WebSettings
from bot.lifecycle import PAGES, stop_pages
from bot.state.stats import Stats
from bot.web.server import PageServer
from retrieval.config import Settings
from retrieval.service import Service
from tests.botapi import BotApi
from tests.browser import chromium, in_view, keep
from tests.conftest import MEETING, make_data_dir
from tests.test_bot_e2e import TOKEN, Harness, start_app, stop_app, visible

pytestmark = pytest.mark.slow
PUBLIC = "https://reader.test/verbatim"
Json = dict[str, Any]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data = make_data_dir(tmp_path_factory.mktemp("bot"), {"fisheries.txt": MEETING})
    with Service(Settings(data, tmp_path_factory.mktemp("index"))) as svc:
        svc.open()
        yield svc


@pytest.fixture
async def bot(service: Service, tmp_path: Path) -> AsyncIterator[Harness]:
    api = BotApi(TOKEN)
    await api.start()
    stats = Stats(tmp_path / "stats.sqlite3")
    app = await start_app(api, service, stats, web=WebSettings(PUBLIC, "127.0.0.1", 0))
    try:
        yield Harness(api, app, stats)
    finally:
        await stop_pages(app)
        await stop_app(app)
        stats.close()
        await api.stop()


def keyboard(message: Json) -> list[Json]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def local(bot: Harness, url: str) -> str:
    """The public URL as the proxy in front would pass it on: the same path, to the page server."""
    server = bot.app.bot_data[PAGES]
    assert isinstance(server, PageServer) and url.startswith(PUBLIC + "/read/")
    return f"http://127.0.0.1:{server.bound}/verbatim" + url[len(PUBLIC):]


async def test_a_private_answer_opens_each_quote_in_a_mini_app(bot: Harness, service: Service) -> None:
    [reply] = await bot.ask(bot.reader, "Why are the authorities not interested in dialogue with the opposition?")
    reads = [b for b in keyboard(reply) if "web_app" in b]
    assert reads and reads[0]["text"] in ("Read in context", "Read 1")
    assert not [b for b in keyboard(reply) if str(b.get("callback_data", "")).startswith("c:")]  # not Context
    urls = [b["web_app"]["url"] for b in reads]
    assert all(u.startswith(PUBLIC + "/read/") and u.endswith("&lang=en") for u in urls)
    assert all(f'href="{u.replace("&", "&amp;")}"' in reply["text"] for u in urls)  # the citations link there too
    quoted = [q for q in reply["text"].split("<blockquote>")[1:]]
    first = visible({"text": quoted[0].split("</blockquote>")[0]})
    theme = {"bg_color": "#ffffff", "text_color": "#000000", "button_color": "#3390ec"}
    launch = f"#tgWebAppData=query_id%3DAA&tgWebAppVersion=8.0&tgWebAppThemeParams={quote(json.dumps(theme))}"
    with chromium() as driver:  # its calls block: off this loop, which serves the page
        marked, shown, others = await asyncio.to_thread(read, driver, local(bot, urls[0]) + launch)
    assert marked == [first] and shown and others == len(urls) - 1


def read(driver: Any, url: str) -> tuple[list[str], bool, int]:
    """What the page at `url` marks, whether the cited quote is in view, how many other quotes it underlines."""
    driver.get(url)
    marked = driver.execute_script("return [...document.querySelectorAll('mark')].map(m => m.textContent)")
    others = driver.execute_script("return document.querySelectorAll('.q.also').length")
    shown = in_view(driver, "cited")
    keep(driver, "mini-app-from-a-private-answer")
    return marked, shown, others


async def test_a_group_answer_and_an_inline_result_link_to_the_page(bot: Harness) -> None:
    bot.api.message(bot.group, bot.reader, "/ask When does the lobster season open?")
    [reply] = await bot.api.wait_sent(bot.group["id"], 1)
    links = keyboard(reply)
    assert links and all("web_app" not in b for b in links)
    reads = [b for b in links if "url" in b]
    assert reads and all(b["url"].startswith(PUBLIC + "/read/") for b in reads)
    bot.api.supports_inline_queries = True
    answered = await bot.api.wait_inline(bot.api.inline_query(bot.reader, "When does the lobster season open"), 30)
    results = answered["results"]
    assert results and all(keyboard(r)[0]["url"].startswith(PUBLIC + "/read/") for r in results)
    assert all("web_app" not in keyboard(r)[0] for r in results)
