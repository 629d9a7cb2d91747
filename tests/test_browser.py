"""The reading page in a real browser: headless Chromium drives the page served by the real server (tests/browser.py).

What a reader sees: the cited quote marked and in view, equal to the quote; the questions navigate; the keyboard
works; a hostile transcript runs no script; a forged link is refused; the system's dark theme, Telegram's theme
and a 360-pixel screen; copy in one tap; a long transcript fetched as the reader scrolls. Screenshots are kept.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.state.buckets import UserLimiter
from bot.web.server import Site
from retrieval import Library, Links, Quote
from retrieval.read.library import Folder
from tests.browser import chromium, in_view, keep, screen, serving
from tests.conftest import INTERVIEW

pytestmark = pytest.mark.slow
DOC = "mammadli-interview.txt"
TEXT = INTERVIEW.read_text(encoding="utf-8")
HOSTILE = ("Host: Read this. <script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"
           "<svg onload=\"window.pwned = 3\"></svg> [a](javascript:window.pwned=4)\n\nGuest: Nothing ran.\n")


class Reader:
    def __init__(self, driver: Any, base: str, links: Links, data: Path) -> None:
        self.driver, self.base, self.links, self.data = driver, base, links, data

    def url(self, doc: str, start: int, end: int, *others: tuple[int, int]) -> str:
        text = (self.data / doc).read_text(encoding="utf-8")
        quotes = [Quote(doc, s, e, text[s:e], "x", "y") for s, e in ((start, end), *others)]
        signed = self.links.urls(quotes)[0]
        return self.base + signed[signed.index("/read/"):]

    def open(self, url: str) -> None:
        self.driver.get(url)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def marked(self) -> list[str]:
        return list(self.js("return [...document.querySelectorAll('mark')].map(m => m.textContent)"))

    def policy_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if "Content Security Policy" in e["message"]]


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    data = tmp_path_factory.mktemp("pages")
    shutil.copy(INTERVIEW, data / DOC)
    shutil.copy(INTERVIEW.with_name("mammadli-interview.meta.json"), data)
    (data / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    turns = [f"Member {i % 7}: " + " ".join(f"Point {i}.{j} on the harbour budget was raised again." for j in range(10))
             for i in range(900)]
    (data / "long.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    links = Links.of_folder(data, "https://reader.example/verbatim")
    site = Site(Library(Folder(data)), links, "/verbatim", limiter=UserLimiter(6000, 500))
    with serving(site) as base, chromium() as driver:
        yield Reader(driver, base, links, data)


def sentence(text: str, begins: str) -> tuple[int, int]:
    start = text.index(begins)
    return start, text.index(".", start) + 1


def test_the_cited_quote_is_marked_in_view_and_is_the_quote(reader: Reader) -> None:
    start, end = sentence(TEXT, "If you remember, at different times")
    other = sentence(TEXT, "The government is not interested")
    screen(reader.driver, 1280, 800)
    reader.open(reader.url(DOC, start, end, other))
    assert reader.marked() == [TEXT[start:end]]
    assert in_view(reader.driver, "cited")
    assert reader.js("return document.querySelector('.q.also').textContent") == TEXT[other[0]:other[1]]
    assert reader.js("return getComputedStyle(document.querySelector('mark')).backgroundColor") != \
        reader.js("return getComputedStyle(document.body).backgroundColor")
    assert reader.policy_errors() == []  # the one inline script is allowed by its hash, nothing else is needed
    assert reader.js("return window.find('monolithic')")  # the browser's own find reaches the whole interview
    keep(reader.driver, "reading-desktop")


def test_the_questions_navigate_and_the_keyboard_reaches_the_quote(reader: Reader) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    start, end = sentence(TEXT, "The government has created the environment")
    reader.open(reader.url(DOC, start, end))
    assert in_view(reader.driver, "cited") and not in_view(reader.driver, "q2")
    reader.driver.find_element(By.CSS_SELECTOR, 'nav.contents a[data-anchor="q2"]').click()
    time.sleep(0.2)
    assert in_view(reader.driver, "q2")
    reader.js("window.scrollTo(0, 0); document.activeElement.blur()")
    reader.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert reader.js("return document.activeElement.className") == "skip"
    reader.driver.switch_to.active_element.send_keys(Keys.ENTER)
    time.sleep(0.2)
    assert reader.js("return document.activeElement.id") == "cited" and in_view(reader.driver, "cited")


def test_a_hostile_transcript_runs_no_script(reader: Reader) -> None:
    text = (reader.data / "hostile.txt").read_text(encoding="utf-8")
    start, end = text.index("<script>"), text.index(" [a]")
    reader.open(reader.url("hostile.txt", start, end))
    time.sleep(0.3)
    assert reader.js("return window.pwned === undefined")
    assert reader.marked() == [text[start:end]]  # shown as the characters it holds
    assert reader.js("return document.querySelectorAll('main img, main svg, main script:not([src])').length") <= 1
    assert reader.js("return [...document.querySelectorAll('main script')].every(s => s.text.includes('cited'))")


def test_a_forged_or_tampered_link_is_refused(reader: Reader) -> None:
    start, end = sentence(TEXT, "If you remember, at different times")
    url = reader.url(DOC, start, end)
    for forged in (url.replace(f"at={start}", f"at={start + 1}"), url[:-3], url.replace("/read/", "/read/0")):
        reader.open(forged)
        said = reader.js("return document.body.innerText.trim()")
        assert "\n" not in said and reader.marked() == []
        assert said in ("This link is not valid: open the quote again from its answer.",
                        "There is nothing here: open the link of a quote to read it in its transcript.")


def test_dark_theme_telegram_theme_and_a_360_pixel_screen(reader: Reader) -> None:
    start, end = sentence(TEXT, "Although the pressure on Ali Karimli")
    url = reader.url(DOC, start, end)
    screen(reader.driver, 360, 740, dark=True, mobile=True)
    reader.open(url)
    background = reader.js("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 23, 27)"
    assert reader.js("return document.documentElement.scrollWidth") <= 360
    assert in_view(reader.driver, "cited") and reader.marked() == [TEXT[start:end]]
    keep(reader.driver, "reading-360-dark")
    theme = {"bg_color": "#0f2d3a", "text_color": "#f0f0f0", "link_color": "#6ab3f3", "button_color": "#5288c1",
             "button_text_color": "#ffffff", "secondary_bg_color": "#17212b", "hint_color": "#708499"}
    screen(reader.driver, 360, 740, dark=False, mobile=True)
    reader.open("about:blank")  # a new document, as Telegram opens one: not a jump within the last page
    reader.open(f"{url}#tgWebAppData=x&tgWebAppVersion=8.0&tgWebAppThemeParams={quote(json.dumps(theme))}")
    time.sleep(0.3)
    assert reader.js("return getComputedStyle(document.body).backgroundColor") == "rgb(15, 45, 58)"
    assert reader.js("return document.documentElement.dataset.scheme") == "dark"
    assert in_view(reader.driver, "cited")  # Telegram's script is unreachable here: the page does not wait for it
    keep(reader.driver, "reading-telegram-theme")
    screen(reader.driver, 1280, 800)


def test_a_quote_is_copied_with_its_citation_in_one_tap(reader: Reader) -> None:
    from selenium.webdriver.common.by import By

    start, end = sentence(TEXT, "Arrests and repressions are not aimed")
    url = reader.url(DOC, start, end)
    origin = reader.base.rsplit("/verbatim", 1)[0]
    reader.driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    reader.open(url)
    reader.driver.find_element(By.CSS_SELECTOR, "li.cited button.copy").click()
    copied = reader.driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], "
                                                "e => arguments[0]('failed: ' + e))")
    title = "Interview with Nəsimi Məmmədli on the repression of the opposition"
    assert copied == f"“{TEXT[start:end]}” — Nəsimi Məmmədli, answer to Q2, ¶7 · {title}"
    assert reader.js("return document.querySelector('.status').textContent").startswith("Copied")


def test_a_long_transcript_is_fetched_as_the_reader_scrolls(reader: Reader) -> None:
    text = (reader.data / "long.txt").read_text(encoding="utf-8")
    start, end = sentence(text, "Point 450.4 on")
    reader.open(reader.url("long.txt", start, end))
    parts = reader.js("return [...document.querySelectorAll('section.part')].map(p => Number(p.dataset.part))")
    assert len(parts) == 3 and in_view(reader.driver, "cited")
    reader.js("window.scrollTo(0, document.body.scrollHeight)")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and reader.js("return document.querySelectorAll('section.part').length") < 4:
        time.sleep(0.1)
    now = reader.js("return [...document.querySelectorAll('section.part')].map(p => Number(p.dataset.part))")
    assert now[:3] == parts and now[3] == parts[-1] + 1
    before = reader.js("return document.getElementById('cited').getBoundingClientRect().top + scrollY")
    reader.js("window.scrollTo(0, 0)")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and reader.js("return document.querySelectorAll('section.part').length") < 5:
        time.sleep(0.1)
    assert reader.js("return Number(document.querySelector('section.part').dataset.part)") == parts[0] - 1
    after = reader.js("return document.getElementById('cited').getBoundingClientRect().top + scrollY")
    assert after > before  # the part fetched above pushed the text down, where the reader's place was kept
    assert reader.marked() == [text[start:end]]
