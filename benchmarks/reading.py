"""Reading in context, measured: `verbatim serve` as its own process, read by headless Chromium and by 50 readers.

    python benchmarks/reading.py SHARED [--runs 15] [--readers 50] [--seconds 20] [--out benchmarks/READING.md]

- first paint: the shipped interview opened at a quote of each answer (browser cache off), first contentful paint
  and the moment the cited quote was scrolled into view (the page's own `verbatim:cited-in-view` mark); the
  baseline, in the same run, is the bare transcript in one <pre> from a static file server.
- long: a 5 MB meeting (qmsum all-train transcripts run together) opened at a sentence in its middle: time to
  the load event, first paint, highlight in view and the bytes the page weighs (HTML, style sheet and script);
  the first open after the server starts (which lays the transcript out) apart from the rest.
- exact: every answer of interview-dev (over data/transcripts) and of qmsum committee-val: each quote's link
  opened in Chromium, the text inside <mark> compared with the quote.
- load: `--readers` readers, each with its own address (behind a proxy: VERBATIM_TRUST_PROXY), open pages and
  fetch parts with 0.2-0.8 s between requests for `--seconds`; the baseline phase fetches the style sheet.
Medians over runs; machines here are noisy (2 shared cores), so compare the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import http.server
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp

from retrieval import Links, Quote
from retrieval.config import Settings
from retrieval.parse.formats import load
from retrieval.service import Service
from tests.browser import chromium

INTERVIEW = ROOT / "data" / "transcripts" / "mammadli-interview.txt"
TIMING = """
const nav = performance.getEntriesByType('navigation')[0];
const paint = performance.getEntriesByName('first-contentful-paint')[0];
const cited = performance.getEntriesByName('verbatim:cited-in-view')[0];
const box = document.getElementById('cited') && document.getElementById('cited').getBoundingClientRect();
const files = [nav, ...performance.getEntriesByType('resource')];
return {fcp: paint ? paint.startTime : null, cited: cited ? cited.startTime : null, load: nav.loadEventEnd,
        inView: !!box && box.top >= 0 && box.bottom <= innerHeight,
        bytes: files.reduce((n, e) => n + e.transferSize, 0), decoded: files.reduce((n, e) => n + e.decodedBodySize, 0),
        marked: [...document.querySelectorAll('mark')].map(m => m.textContent).join('')};
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`verbatim serve` over `data`, in its own process, links signed with the data dir's key."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"VERBATIM_PUBLIC_URL": self.base, "VERBATIM_TRUST_PROXY": "true",
                            "NO_PROXY": "127.0.0.1,localhost"}
        self.links = Links.of_folder(data, self.base)
        began = time.monotonic()
        self.process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "verbatim"), "serve", "--data-dir", str(data),
                                         "--port", str(self.port)], env=env, stderr=subprocess.PIPE, text=True)
        assert self.process.stderr is not None
        self.banner = self.process.stderr.readline().strip()
        self.start_seconds = time.monotonic() - began

    def url(self, doc: str, text: str, span: tuple[int, int], others: list[tuple[int, int]] | None = None) -> str:
        quotes = [Quote(doc, s, e, text[s:e], "", "") for s, e in [span, *(others or [])]]
        return self.links.urls(quotes)[0]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def open_page(driver: Any, url: str) -> dict[str, Any]:
    """Open `url` afresh; its timings once the browser has recorded its first paint (which may follow the load
    event of a page that small)."""
    driver.get("about:blank")
    driver.get(url)
    for _ in range(100):
        found = dict(driver.execute_script(TIMING))
        if found["fcp"] is not None and found["load"]:
            return found
        time.sleep(0.02)
    raise RuntimeError(f"no first paint recorded for {url}")


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def static_baseline(work: Path, driver: Any, text: str, runs: int) -> float:
    """First paint of the bare transcript: one <pre> in an HTML file from Python's static file server."""
    folder = work / "static"
    folder.mkdir()
    bare = f"<!doctype html><meta charset=utf-8><title>t</title><pre>{html.escape(text)}</pre>"
    (folder / "bare.html").write_text(bare, encoding="utf-8")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/bare.html"
        return median([open_page(driver, url)["fcp"] for _ in range(runs)])
    finally:
        httpd.shutdown()


def sentence_at(text: str, where: int) -> tuple[int, int]:
    start = text.index(". ", where) + 2
    return start, text.index(".", start) + 1


def first_paint(work: Path, driver: Any, runs: int) -> dict[str, Any]:
    data = work / "interview"
    data.mkdir()
    shutil.copy(INTERVIEW, data)
    shutil.copy(INTERVIEW.with_name("mammadli-interview.meta.json"), data)
    text = INTERVIEW.read_text(encoding="utf-8")
    transcript = load(data / INTERVIEW.name, INTERVIEW.name)
    answers = [t for t in transcript.turns if t.role == "interviewee"]
    spans = [(s.start, s.end) for t in answers for s in [t.sentences[len(t.sentences) // 2]]]
    server = Server(data)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        samples = [open_page(driver, server.url(INTERVIEW.name, text, spans[i % len(spans)])) for i in range(runs)]
        baseline = static_baseline(work, driver, text, runs)
    finally:
        server.close()
    return {"runs": runs, "fcp": median([s["fcp"] for s in samples]), "cited": median([s["cited"] for s in samples]),
            "painted_in_view": sum(s["cited"] <= s["fcp"] and s["inView"] for s in samples),
            "bytes": median([s["decoded"] for s in samples]), "baseline_fcp": baseline,
            "exact": all(s["marked"] == text[a:b] for s, (a, b) in zip(samples, [spans[i % len(spans)]
                                                                                  for i in range(runs)], strict=True))}


def long_meeting(shared: Path, work: Path, driver: Any, runs: int) -> dict[str, Any]:
    data = work / "long"
    data.mkdir()
    text = ""
    for path in sorted((shared / "eval" / "qmsum" / "all-train" / "transcripts").glob("*.txt")):
        text += path.read_text(encoding="utf-8").strip() + "\n\n"
        if len(text.encode("utf-8")) >= 5_000_000:
            break
    text = text.encode("utf-8")[:5_000_000].decode("utf-8", "ignore").rsplit("\n\n", 1)[0] + "\n"
    (data / "meeting.txt").write_text(text, encoding="utf-8")
    span = sentence_at(text, len(text) // 2)
    server = Server(data)
    try:
        url = server.url("meeting.txt", text, span)
        cold = open_page(driver, url)
        samples = [open_page(driver, url) for _ in range(runs)]
    finally:
        server.close()
    return {"size": len(text.encode("utf-8")), "runs": runs, "cold_load": round(cold["load"], 1),
            "load": median([s["load"] for s in samples]), "fcp": median([s["fcp"] for s in samples]),
            "cited": median([s["cited"] for s in samples]), "in_view": sum(s["inView"] for s in samples),
            "decoded": median([s["decoded"] for s in samples]), "transferred": median([s["bytes"] for s in samples]),
            "exact": all(s["marked"] == text[span[0]:span[1]] for s in samples), "url": url, "text": text,
            "start_seconds": round(server.start_seconds, 1)}


def exactness(name: str, questions: Path, data: Path, work: Path, driver: Any) -> dict[str, Any]:
    """Every answer's quotes opened by their links: the marked text must be the quote, character for character."""
    rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    driver.execute_cdp_cmd("Network.enable", {})
    server = Server(data)
    checked, wrong, answers = 0, [], 0
    try:
        with Service(Settings(data, work / f"index-{name}")) as service:
            service.open()
            for row in rows:
                answer = service.ask(row["question"], row.get("doc"))
                answers += bool(answer.quotes)
                for quote, url in zip(answer.quotes, server.links.urls(answer.quotes), strict=True):
                    # hundreds of pages a minute from one browser would meet the per-reader limit (429): each
                    # page comes as from a reader of its own, through the proxy the server trusts here
                    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                                           {"headers": {"X-Forwarded-For": f"10.1.{checked // 250}.{checked % 250}"}})
                    got = open_page(driver, url)
                    checked += 1
                    if got["marked"] != quote.text or not got["inView"]:
                        wrong.append(f"{row.get('id')}: {quote.doc}:{quote.start}-{quote.end}")
    finally:
        server.close()
    return {"set": name, "questions": len(rows), "answers": answers, "quotes": checked, "wrong": wrong}


async def readers(urls: list[str], parts: list[str], count: int, seconds: float, asset: str | None
                  ) -> dict[str, Any]:
    """`count` readers, each its own address, until `seconds` pass: a page or a part (or, for the baseline,
    the style sheet), then 0.2-0.8 s of reading."""
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def reader(n: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        rng = random.Random(n)
        headers = {"X-Forwarded-For": f"10.0.{n // 250}.{n % 250 + 1}", "Accept-Encoding": "gzip"}
        while time.monotonic() < stop:
            url = asset or (rng.choice(urls) if rng.random() < 0.5 else rng.choice(parts))
            began = time.perf_counter()
            async with session.get(url, headers=headers) as response:
                await response.read()
                errors += response.status != 200
            latencies.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(rng.uniform(0.2, 0.8))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(reader(n, session) for n in range(count)))
    ordered = sorted(latencies)
    return {"requests": len(ordered), "per_second": round(len(ordered) / seconds, 1), "errors": errors,
            "p50": round(ordered[len(ordered) // 2], 1), "p95": round(ordered[int(len(ordered) * 0.95)], 1),
            "p99": round(ordered[int(len(ordered) * 0.99)], 1)}


def load_test(work: Path, long: dict[str, Any], count: int, seconds: float) -> dict[str, Any]:
    data = work / "load"
    data.mkdir()
    shutil.copy(INTERVIEW, data)
    (data / "meeting.txt").write_text(long["text"], encoding="utf-8")
    text = INTERVIEW.read_text(encoding="utf-8")
    server = Server(data)
    try:
        transcript = load(data / INTERVIEW.name, INTERVIEW.name)
        urls = [server.url(INTERVIEW.name, text, (s.start, s.end)) for s in transcript.sentences()[::8]]
        meeting = long["text"]
        spans = [sentence_at(meeting, len(meeting) * k // 10) for k in range(1, 10)]
        urls += [server.url("meeting.txt", meeting, span) for span in spans]
        parts = [u.replace("?", f"/part/{p}?", 1) for u in urls[-len(spans):] for p in (10, 60, 120)]
        page = urls[0].split("?")[0]
        css = re.search(r'href="([^"]+\.css)"', _get(urls[0]))
        assert css, "the page links no style sheet"
        asset = server.base + css.group(1)
        measured = asyncio.run(readers(urls, parts, count, seconds, None))
        baseline = asyncio.run(readers(urls, parts, count, seconds, asset))
    finally:
        server.close()
    return {"readers": count, "seconds": seconds, "pages": measured, "baseline": baseline, "page": page}


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server on 127.0.0.1
        return str(response.read().decode("utf-8"))


def report(paint: dict[str, Any], long: dict[str, Any], exact: list[dict[str, Any]], load: dict[str, Any]) -> str:
    ratio = round(paint["fcp"] / paint["baseline_fcp"], 2) if paint["baseline_fcp"] else None
    lines = [
        "# Reading in context: measured",
        "",
        "Made by `python benchmarks/reading.py SHARED` (`make bench-reading`): `verbatim serve` in its own process,",
        "Debian's headless Chromium, 2 shared cores. Medians; compare ratios, the machine is noisy.",
        "",
        "## First paint, the shipped interview opened at a quote (target: ≤ 300 ms, highlight in view)",
        "",
        "| | first contentful paint | quote scrolled into view | painted with the quote in view | page weight |",
        "|---|---|---|---|---|",
        f"| reading page ({paint['runs']} opens, cache off) | {paint['fcp']} ms | {paint['cited']} ms | "
        f"{paint['painted_in_view']} of {paint['runs']} | {paint['bytes'] / 1000:.1f} kB |",
        f"| baseline: the bare text in one <pre>, from a static file server | {paint['baseline_fcp']} ms | | | |",
        "",
        f"The reading page paints in {ratio}× the time of the bare text; every mark was the quote: "
        f"{paint['exact']}.",
        "",
        f"## A {long['size'] / 1e6:.1f} MB meeting opened at a sentence in its middle (target: ≤ 1 s, ≤ 300 kB)",
        "",
        "| | load event | first paint | quote in view | page weight (decoded) | transferred (gzip) |",
        "|---|---|---|---|---|---|",
        f"| warm ({long['runs']} opens) | {long['load']} ms | {long['fcp']} ms | {long['cited']} ms "
        f"({long['in_view']} of {long['runs']} in view) | {long['decoded'] / 1000:.0f} kB | "
        f"{long['transferred'] / 1000:.0f} kB |",
        f"| first open after start | {long['cold_load']} ms | | | | |",
        "",
        f"`verbatim serve` was ready {long['start_seconds']} s after it started (it parses and lays out the 5 MB"
        " transcript before it listens); every mark was the quote: " + str(long["exact"]) + ".",
        "",
        "## The highlighted text is the quote (every answer, each quote's link opened in Chromium)",
        "",
        "| set | questions | answered | quotes opened | marked text ≠ quote, or not in view |",
        "|---|---|---|---|---|",
        *(f"| {e['set']} | {e['questions']} | {e['answers']} | {e['quotes']} | {len(e['wrong'])} "
          f"{'(' + ', '.join(e['wrong'][:5]) + ')' if e['wrong'] else ''} |" for e in exact),
        "",
        f"## {load['readers']} readers at once on 127.0.0.1 (target: p95 ≤ 200 ms)",
        "",
        f"Each reader has its own address, opens a page or fetches a part, then reads for 0.2-0.8 s, for "
        f"{load['seconds']:.0f} s; pages of the interview and of the 5 MB meeting, parts of the meeting.",
        "",
        "| | requests | per second | errors | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|",
        *(f"| {name} | {r['requests']} | {r['per_second']} | {r['errors']} | {r['p50']} ms | {r['p95']} ms | "
          f"{r['p99']} ms |" for name, r in (("pages and parts", load["pages"]),
                                              ("baseline: the style sheet, from memory", load["baseline"]))),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", type=Path, help="the shared folder with eval/ (interview-dev, qmsum)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "READING.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="verbatim-reading-"))
    try:
        with chromium() as driver:
            paint = first_paint(work, driver, args.runs)
            print("first paint", {k: v for k, v in paint.items()}, flush=True)
            long = long_meeting(args.shared, work, driver, max(5, args.runs // 2))
            print("long", {k: v for k, v in long.items() if k not in ("text", "url")}, flush=True)
            qmsum = args.shared / "eval" / "qmsum" / "committee-val"
            shipped = shutil.copytree(ROOT / "data" / "transcripts", work / "shipped")  # its link key stays here
            exact = [exactness("interview-dev", args.shared / "eval" / "interview-dev.jsonl", shipped, work, driver),
                     exactness("qmsum committee-val", qmsum / "questions.jsonl", qmsum / "transcripts", work, driver)]
            print("exact", exact, flush=True)
        load = load_test(work, long, args.readers, args.seconds)
        print("load", load, flush=True)
        args.out.write_text(report(paint, long, exact, load), encoding="utf-8")
        print(f"wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
