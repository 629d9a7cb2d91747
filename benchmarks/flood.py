"""Flooding attacks against a real `verbatim run` process (tests/botapi.py as the Bot API server): does
anyone else still get answered quickly?

    python benchmarks/flood.py [--seconds 12] [--json out.json]

The bot runs with its default per-person limit (20 a minute, bursts of 5). Four victims take turns asking
English questions, one every 0.8 s in all (each within their own limit); latency is from the update being
queued at the server to the answer arriving.
Phases:
- quiet: nobody else;
- gibberish: five accounts each send five 4,000-character gibberish questions at once (the multilingual
  model's worst case);
- summaries: one account sends 25 `/summary <3,900 characters>` within a second;
- one account: 1,000 messages from one account within 2 s (it is told once to slow down, the rest dropped).
Printed: the victims' p50/p95/max per phase, and answers lost (victim questions never answered).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bot_load import QUESTIONS, TOKEN, MeasuredApi

VICTIMS = range(731_000_001, 731_000_005)
ATTACKERS = range(742_000_001, 742_000_006)
SUMMARIZER = 753_000_001
FLOODER = 764_000_001


class Bot:
    """`verbatim run` with every dir (data, index, state) under `root`."""

    def __init__(self, api: MeasuredApi, root: Path) -> None:
        self.api, self.root = api, root
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Bot:
        data = self.root / "data"
        shutil.copytree(ROOT / "data" / "transcripts", data)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.api.base_url,
               "TELEGRAM_API_FILE_URL": self.api.base_file_url, "VERBATIM_DATA_DIR": str(data),
               "VERBATIM_INDEX_DIR": str(self.root / "index"), "VERBATIM_STATE_DIR": str(self.root / "state"),
               "VERBATIM_LOG_LEVEL": "WARNING", "NO_PROXY": "127.0.0.1,localhost"}
        self.log = (self.root / "bot.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=self.root,
                                                            env=env, stderr=self.log)
        deadline = time.perf_counter() + 600
        while len(self.api.calls_to("setMyCommands")) < 2:  # private and group menus (no admins here)
            if self.process.returncode is not None or time.perf_counter() > deadline:
                raise SystemExit(f"verbatim run did not start:\n{(self.root / 'bot.log').read_text()[-3000:]}")
            await asyncio.sleep(0.1)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), timeout=60)
        self.log.close()
        if self.process.returncode:
            print((self.root / "bot.log").read_text()[-2000:], file=sys.stderr)


def gibberish(rng: random.Random, chars: int) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append("".join(rng.choice("bcdfghjklmnpqrstvwxzəğış") for _ in range(rng.randint(3, 9))))
    return " ".join(words)[:chars]


async def phase(api: MeasuredApi, name: str, seconds: float, attack: Any = None) -> dict[str, Any]:
    victims = [api.user(v, "Victim") for v in VICTIMS]
    rng = random.Random(name)
    asked: list[tuple[tuple[int, int], float]] = []
    began = time.perf_counter()
    pending = attack() if attack is not None else None
    task = asyncio.ensure_future(pending) if asyncio.iscoroutine(pending) else None
    while time.perf_counter() - began < seconds:
        victim = victims[len(asked) % len(victims)]
        msg = api.message(api.private_chat(victim), victim, rng.choice(QUESTIONS))
        asked.append(((victim["id"], int(msg["message_id"])), time.perf_counter()))
        await asyncio.sleep(0.8)  # each victim asks every 3.2 s: within their own limit of 20 a minute
    if task is not None:
        await task
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and any(k not in api.answers for k, _ in asked):
        await asyncio.sleep(0.05)
    latencies = sorted(api.answers[k][0] - t for k, t in asked if k in api.answers)
    lost = sum(k not in api.answers for k, _ in asked)
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan")
    return {"phase": name, "victim_questions": len(asked), "lost": lost,
            "p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
            "p95_ms": round(p95 * 1000), "max_ms": round(latencies[-1] * 1000) if latencies else None}


def at_rest(root: Path) -> dict[str, Any]:
    """After a run: raw ids or names of the people above in any file of the state or index dir, and any
    file the bot wrote outside its data, state and index dirs (its log, which this script made, aside)."""
    needles = [str(i) for i in (*VICTIMS, *ATTACKERS, SUMMARIZER, FLOODER)] + ["Victim", "Sasha Summariser"]
    blob = b"".join(p.read_bytes() for d in ("state", "index") for p in sorted((root / d).rglob("*")) if p.is_file())
    found = [n for n in needles if n.encode() in blob or n.encode("utf-16-le") in blob]
    outside = sorted(p.name for p in root.iterdir() if p.name not in ("data", "state", "index", "bot.log"))
    modes = {str(p.relative_to(root)): oct(p.stat().st_mode & 0o777) for p in sorted((root / "state").rglob("*"))}
    return {"identities_at_rest": found, "files_outside": outside, "state_modes": modes}


async def run(seconds: float) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="verbatim-flood-") as tmp:
        async with MeasuredApi(TOKEN) as api, Bot(api, Path(tmp)):
            def gibberish_attack() -> None:
                for attacker in ATTACKERS:
                    user = api.user(attacker, f"A{attacker}")
                    for _ in range(5):
                        api.message(api.private_chat(user), user, gibberish(rng, 4000))

            def summary_attack() -> None:
                user = api.user(SUMMARIZER, "Sasha Summariser")
                for _ in range(25):
                    api.message(api.private_chat(user), user, "/summary " + gibberish(rng, 3900))

            async def one_account() -> None:
                user = api.user(FLOODER, "Flo")
                for batch in range(20):  # 1,000 messages in 2 s
                    for i in range(50):
                        api.message(api.private_chat(user), user, f"{rng.choice(QUESTIONS)} {batch * 50 + i}")
                    await asyncio.sleep(0.1)

            await phase(api, "warm-up", 3)
            rows = [await phase(api, "quiet", seconds), await phase(api, "gibberish", seconds, gibberish_attack)]
            await asyncio.sleep(5)
            rows.append(await phase(api, "summaries", seconds, summary_attack))
            await asyncio.sleep(5)
            rows.append(await phase(api, "one account, 1,000 messages in 2 s", seconds, one_account))
        scan = at_rest(Path(tmp))
    return rows, scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows, scan = asyncio.run(run(args.seconds))
    for row in rows:
        print(row)
    print(scan)
    if args.json:
        args.json.write_text(json.dumps({"phases": rows, "at_rest": scan}, indent=1))


if __name__ == "__main__":
    main()
