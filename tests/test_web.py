"""The page server over real HTTP on 127.0.0.1 (tornado, as `verbatim serve` and the bot run it): what a signed
link opens, what every other request gets, the headers that keep a page safe, and the limits."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from bot.state.buckets import UserLimiter
from bot.web.server import PageServer, Site
from retrieval import Library, LinkRefused, Links, Quote, Refusal
from retrieval.parse.formats import load
from retrieval.read.library import Folder
from tests.conftest import INTERVIEW, MEETING

DOC = "mammadli-interview.txt"
HOSTILE = ("Host: Welcome. <script>window.pwned = 1</script> and <img src=x onerror=\"window.pwned=2\"> "
           "and **markdown** [link](javascript:alert(1)) &amp; more.\n\nGuest: I said <b>nothing</b> & left.\n")


class Marks(HTMLParser):
    """The text inside <mark> elements, and every <script> and inline handler the page holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.marked, self.scripts, self.handlers = 0, [], [], []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "mark"
        self._in_script = tag == "script"
        if tag == "mark":
            self.marked.append("")
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "mark"
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marked[-1] += data
        elif self._in_script:
            self.scripts[-1] += data


def parsed(body: bytes) -> Marks:
    found = Marks()
    found.feed(body.decode("utf-8"))
    return found


@dataclass
class Served:
    base: str
    data: Path
    links: Links
    site: Site
    client: AsyncHTTPClient

    def url(self, doc: str, start: int, end: int, others: tuple[tuple[int, int], ...] = ()) -> str:
        text = (self.data / doc).read_text(encoding="utf-8")
        quotes = [Quote(doc, s, e, text[s:e], "x", "y") for s, e in ((start, end), *others)]
        signed = self.links.urls(quotes)[0]
        return self.base + signed[signed.index("/read/"):]

    async def get(self, url: str, **headers: str) -> HTTPResponse:
        return await self.client.fetch(url if url.startswith("http") else self.base + url, raise_error=False,
                                       headers=headers or None)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(INTERVIEW, data / DOC)
    (data / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    links = Links.of_folder(data, "https://reader.example/verbatim")
    site = Site(Library(Folder(data, every=0.0)), links, "/verbatim", limiter=UserLimiter(6000, 200))
    server = PageServer(site, "127.0.0.1", 0)
    port = server.start()
    try:
        yield Served(f"http://127.0.0.1:{port}/verbatim", data, links, site, AsyncHTTPClient())
    finally:
        await server.stop()


async def test_a_link_opens_its_transcript_with_the_quote_marked(served: Served) -> None:
    text = INTERVIEW.read_text(encoding="utf-8")
    start = text.index("First of all, let us note")
    end = text.index(".", start) + 1
    other = text.index("Arrests and repressions")
    response = await served.get(served.url(DOC, start, end, ((other, other + 40),)))
    assert response.code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = parsed(response.body)
    assert page.marked == [text[start:end]]  # the other quote is underlined, not marked
    assert response.body.count(b'class="q also"') == 1
    body = response.body.decode("utf-8")
    assert "Nasimi bey, recently the pressure" in body and "within your authority" not in body  # all of it
    assert all(f'id="q{n}"' in body for n in range(1, 6)) and "answer to Q2" in body
    assert page.handlers == []


async def test_the_headers_allow_nothing_from_elsewhere_but_telegrams_script(served: Served) -> None:
    text = INTERVIEW.read_text(encoding="utf-8")
    response = await served.get(served.url(DOC, 485, 891))
    policy = response.headers["Content-Security-Policy"]
    scripts = re.search(r"script-src ([^;]+)", policy)
    assert scripts and "unsafe" not in policy and "default-src 'none'" in policy
    assert set(scripts.group(1).split()) - {"'self'"} == {re.search(r"'sha256-[^']+'", policy).group(0),  # type: ignore[union-attr]
                                                            "https://telegram.org/js/telegram-web-app.js"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer" and "Server" not in response.headers
    page = parsed(response.body)
    inline = [s for s in page.scripts if not s.startswith("/")]
    assert len(inline) == 1 and "scrollIntoView" in inline[0]  # the one hashed script
    assert all(s.startswith("/verbatim/static/") for s in page.scripts if s.startswith("/"))
    assert text[485:891] in page.marked[0]


async def test_every_other_request_gets_a_one_line_refusal(served: Served) -> None:
    url = served.url(DOC, 485, 891)
    refusals = {
        url.replace("at=485-891", "at=485-892"): 403,  # tampered
        url.replace("sig=", "sig=A"): 403,
        re.sub(r"/read/[0-9a-f]{16}", "/read/0123456789abcdef", url): 403,  # another transcript's key
        "/read/../../etc/passwd": 404, "/static/../../../etc/passwd": 404, "/static/reader.000000000000.css": 404,
        "/read/e692b8551f3874d8/part/0?at=1-2": 403, "/": 404, "/verbatim.key": 404,
        url + "&p=x": 404,
    }
    for address, status in refusals.items():
        response = await served.get(address)
        assert response.code == status, address
        line = re.search(rb"<main><p>(.*?)</p></main>", response.body)
        assert line and b"\n" not in line.group(1), address
    (served.data / DOC).write_text(INTERVIEW.read_text(encoding="utf-8").replace("Although", "Though"),
                                   encoding="utf-8")
    changed = await served.get(url)
    assert changed.code == 410 and b"has changed since the link was made" in changed.body
    (served.data / DOC).unlink()
    gone = await served.get(url)
    assert gone.code == 410 and b"This transcript is no longer served." in gone.body


async def test_a_hostile_transcript_shows_as_the_text_it_holds(served: Served) -> None:
    start = HOSTILE.index("<script>")
    response = await served.get(served.url("hostile.txt", start, HOSTILE.index(" and **")))
    page = parsed(response.body)
    assert page.marked == [HOSTILE[start:HOSTILE.index(" and **")]]
    assert page.handlers == [] and not any("pwned" in s for s in page.scripts)
    body = response.body.decode("utf-8")
    assert "&lt;img src=x onerror=\"window.pwned=2\"&gt;" in body and "**markdown**" in body
    assert "&lt;b&gt;nothing&lt;/b&gt; &amp; left" in body


async def test_parts_assets_language_and_the_limit(served: Served) -> None:
    url = served.url(DOC, 485, 891)
    page = (await served.get(url)).body.decode("utf-8")
    css = re.search(r'href="(/verbatim/static/reader\.[0-9a-f]{12}\.css)"', page)
    assert css
    asset = await served.get(css.group(1)[len("/verbatim"):])
    assert asset.code == 200 and "immutable" in asset.headers["Cache-Control"]
    part = await served.get(url.replace("?", "/part/0?", 1))
    assert part.code == 200 and part.body.startswith(b'<section class="part" id="part0"')
    assert (await served.get(url.replace("?", "/part/1?", 1))).code == 404
    russian = await served.get(url + "&lang=ru")
    assert "Цитата" in russian.body.decode("utf-8") and "ответ на вопрос 1" in russian.body.decode("utf-8")
    browser = await served.get(url, **{"Accept-Language": "az-AZ,az;q=0.9,en;q=0.5"})
    assert "Sitat" in browser.body.decode("utf-8")
    served.site.limiter = UserLimiter(60, 3)
    codes = [(await served.get(url)).code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = await served.get(url)
    assert int(limited.headers["Retry-After"]) >= 1 and b"Too many requests" in limited.body


async def test_nothing_about_a_reader_reaches_the_log(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    url = served.url(DOC, 485, 891)
    await served.get(url, **{"X-Forwarded-For": "203.0.113.9"})
    await served.get(url.replace("at=", "at=1"))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert urlparse(url).query not in logged and "127.0.0.1" not in logged and "/read/" not in logged


async def test_a_long_meeting_opens_at_its_middle_in_a_page_of_at_most_300_kb(served: Served) -> None:
    turns = [f"Member {i % 9}: " + " ".join(f"Item {i}.{j} of the harbour budget was discussed at length." for j in
                                            range(12)) for i in range(1500)]
    text = "\n\n".join(turns) + "\n"
    (served.data / "long.txt").write_text(text, encoding="utf-8")
    start = text.index("Item 750.3 of")
    end = text.index(".", text.index("length", start)) + 1
    response = await served.get(served.url("long.txt", start, end), **{"Accept-Encoding": "identity"})
    assert len(text) > 1_000_000 and len(response.body) <= 300_000
    page = parsed(response.body)
    assert page.marked == [text[start:end]]
    body = response.body.decode("utf-8")
    assert "Item 0.0 of" not in body and 'class="more before"' in body and 'class="more after"' in body
    part = re.search(r'data-part="(\d+)">', body.split('class="more after"')[1])
    assert part
    following = await served.get(served.url("long.txt", start, end).replace("?", f"/part/{part.group(1)}?", 1))
    assert following.code == 200 and b"<mark>" not in following.body


def test_the_bot_serves_what_its_index_answers_from(tmp_path: Path) -> None:
    """In the bot the library is the index's own mapping: a reindex swaps it, and a removed transcript goes."""
    shutil.copy(INTERVIEW, tmp_path / DOC)
    (tmp_path / "fisheries.txt").write_text(MEETING, encoding="utf-8")
    indexed = {DOC: load(tmp_path / DOC, DOC)}
    library = Library(lambda: indexed)
    links = Links.of_folder(tmp_path)
    text = INTERVIEW.read_text(encoding="utf-8")
    url = urlparse(links.url(Quote(DOC, 485, 891, text[485:891], "x", "y")))
    link = links.open(url.path.rsplit("/", 1)[1], dict(parse_qsl(url.query)))
    assert library.open(link).cited.start == 485
    indexed = {"fisheries.txt": load(tmp_path / "fisheries.txt", "fisheries.txt")}  # reindexed without it
    with pytest.raises(LinkRefused) as gone:
        library.open(link)
    assert gone.value.refusal is Refusal.GONE
