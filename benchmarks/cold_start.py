"""Cold starts, this tree beside an earlier one: medians of repeated runs (the machines are noisy).

usage: python benchmarks/cold_start.py [--runs 5] [--before DIR]

- `verbatim ask` on the shipped interview with its index already built: wall time and peak memory of the
  whole process (imports, opening the index, answering), measured with os.wait4;
- the bot's start to its first answer: `verbatim run` against a local Bot API server (tests/botapi.py),
  a question sent the moment it starts, until its reply is sent.
`--before DIR`: a checkout of the earlier tree (e.g. `git worktree add /tmp/before <commit>`), run with
this tree's virtual environment and PYTHONPATH=DIR; its index is built apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botapi import BotApi

TOKEN = "246813579:AAF" + "c" * 32
QUESTION = "Whose house was searched?"


def environment(tree: Path, index: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "VERBATIM_DATA_DIR": str(ROOT / "data" / "transcripts"),
            "VERBATIM_INDEX_DIR": str(index), "NO_PROXY": "127.0.0.1,localhost"}


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=env, cwd="/",
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"verbatim {' '.join(args)} failed")
    return time.perf_counter() - began, usage.ru_maxrss / 1024


async def first_answer(env: dict[str, str]) -> float:
    async with BotApi(TOKEN) as api:
        env = {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
               "TELEGRAM_API_FILE_URL": api.base_file_url, "VERBATIM_STATE_DIR": env["VERBATIM_INDEX_DIR"] + "-s"}
        user = api.user(501)
        api.message(api.private_chat(user), user, QUESTION)  # waiting before the bot even starts
        began = time.perf_counter()
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env, cwd="/",
                                                   stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)
        try:
            await api.wait_sent(501, 1, timeout=120)
            return time.perf_counter() - began
        finally:
            bot.terminate()
            await bot.wait()


def measure(tree: Path, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tree, Path(tmp) / "index")
        run(["index"], env)
        asks = [run(["ask", QUESTION], env) for _ in range(runs)]
        bots = [asyncio.run(first_answer(env)) for _ in range(runs)]
    return {"ask_s": statistics.median(a for a, _ in asks), "ask_mb": statistics.median(m for _, m in asks),
            "bot_first_answer_s": statistics.median(bots)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", type=Path)
    args = ap.parse_args()
    trees = ([("before", args.before)] if args.before else []) + [("this tree", ROOT)]
    print(f"| tree | `verbatim ask` (median of {args.runs}) | its peak memory | bot start to first answer |")
    print("|---|---|---|---|")
    for name, tree in trees:
        found = measure(tree, args.runs)
        print(f"| {name} | {found['ask_s']:.2f} s | {found['ask_mb']:.0f} MB | {found['bot_first_answer_s']:.2f} s |",
              flush=True)


if __name__ == "__main__":
    main()
