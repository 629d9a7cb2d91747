"""The reading pages through the public CLI contract, in subprocesses as outside checks call it: `verbatim serve`,
VERBATIM_PUBLIC_URL, a signed `url` on every quote object, the quote's exact text inside <mark>, and a 4xx with a
one-line page for a tampered link or a transcript no longer served."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import make_data_dir

pytestmark = pytest.mark.slow  # the real models and Chroma, for the answers
ROOT = Path(__file__).resolve().parent.parent
VERBATIM = [sys.executable, "-m", "bot.cli"]


class Marked(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside, self.texts = 0, []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "mark":
            self.inside += 1
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside -= tag == "mark"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.texts[-1] += data


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("cli-reading")
    data = make_data_dir(root)
    port = free_port()
    env = {**os.environ, "VERBATIM_DATA_DIR": str(data), "VERBATIM_INDEX_DIR": str(root / "index"),
           "VERBATIM_PUBLIC_URL": f"http://127.0.0.1:{port}/reader"}
    server = subprocess.Popen([*VERBATIM, "serve", "--port", str(port)], cwd=ROOT, env=env, text=True,
                              stderr=subprocess.PIPE)
    assert server.stderr is not None
    banner = server.stderr.readline()
    try:
        assert f"on http://127.0.0.1:{port}/reader/" in banner, banner
        yield env
    finally:
        server.terminate()
        server.wait(10)
        server.stderr.close()


def verbatim(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VERBATIM, *args], capture_output=True, text=True, timeout=180, cwd=ROOT, env=env)


def test_every_quote_object_carries_a_link_to_its_marked_quote(site: dict[str, str]) -> None:
    out = verbatim(["ask", "--json", "Why does the government put pressure on the opposition?"], site)
    assert out.returncode == 0, out.stderr
    quotes = json.loads(out.stdout)["quotes"]
    assert quotes and all(q["url"].startswith(site["VERBATIM_PUBLIC_URL"] + "/read/") for q in quotes)
    for q in quotes:
        status, page = fetch(q["url"])
        marks = Marked()
        marks.feed(page)
        assert status == 200 and marks.texts == [q["text"]]
    status, page = fetch(quotes[0]["url"].replace("at=", "at=1"))
    assert status == 403 and len(re.findall(r"<p>", page)) == 1
    summary = verbatim(["summary", "--json", "--words", "80"], site)
    assert summary.returncode == 0 and all("url" in q for q in json.loads(summary.stdout)["quotes"])
    jsonl = Path(site["VERBATIM_DATA_DIR"]).parent / "q.jsonl"
    jsonl.write_text('{"id": "a", "question": "Whose house was searched?"}\n', encoding="utf-8")
    lines = verbatim(["ask", "--jsonl", str(jsonl)], site)
    assert all("url" in q for q in json.loads(lines.stdout)["quotes"])


def test_the_terminal_prints_the_link_and_a_removed_transcript_says_so(site: dict[str, str]) -> None:
    out = verbatim(["ask", "Whose house did they search?"], site)
    links = re.findall(r"^ {7}(http://\S+)$", out.stdout, re.M)
    assert out.returncode == 0 and links and len(links) == out.stdout.count("     — ")
    data = Path(site["VERBATIM_DATA_DIR"])
    (data / "mammadli-interview.txt").rename(data.parent / "moved.txt")
    try:
        time.sleep(2.5)  # `serve` looks at the data dir again at most every two seconds
        status, page = fetch(links[0])
        assert status == 410 and "This transcript is no longer served." in page
    finally:
        (data.parent / "moved.txt").rename(data / "mammadli-interview.txt")


def test_a_public_url_that_is_no_url_and_a_taken_port_are_one_line(site: dict[str, str], tmp_path: Path) -> None:
    bad = verbatim(["ask", "--json", "Who?"], {**site, "VERBATIM_PUBLIC_URL": "reader.example.org"})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "VERBATIM_PUBLIC_URL" in bad.stderr
    port = re.search(r":(\d+)/", site["VERBATIM_PUBLIC_URL"])
    assert port
    taken = verbatim(["serve", "--port", port.group(1)], site)
    assert taken.returncode == 2 and taken.stderr.startswith("verbatim: cannot listen on 127.0.0.1:")
    assert taken.stderr.count("\n") == 1
