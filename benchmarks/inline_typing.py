"""What typing a question in inline mode sends to the bot, and what each of those queries costs.

    python benchmarks/inline_typing.py [--typists 400]

Telegram's own apps wait for a pause in typing before they send an inline query: Telegram Desktop
(`kInlineBotRequestDelay`) and Android (`searchForContextBot`) both send one 400 ms after the last
keystroke, and cancel the request before it. So the bot sees one query per pause of 400 ms or more, plus
the finished question. Here people "type" the load benchmark's questions (`bot_load.typed_queries`) with
inter-key intervals drawn from a log-normal distribution (coefficient of variation 0.5) around published
means: 239 ms on a physical keyboard (Dhakal et al., CHI 2018, 136 million keystrokes) and 333 ms on a phone (36 words a
minute; Palin et al., MobileHCI 2019). Each distinct query is then answered by the real service (the
shipped interview), to see what the queries a filter would drop cost and what they return.
Printed: queries per typed question, and per query length how long answering took and how often the
answer was an abstention or went to the multilingual (costly) model.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bot_load import KEYBOARD_KEY_SECONDS, QUESTIONS, typed_queries
from retrieval.config import Settings
from retrieval.service import Service

PROFILES = {"keyboard": KEYBOARD_KEY_SECONDS, "phone": 0.333}  # mean inter-key interval, seconds


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--typists", type=int, default=400, help="simulated people per question and profile")
    args = ap.parse_args()
    rng = random.Random(5)
    print(f"queries per typed question ({len(QUESTIONS)} questions, {args.typists} typists each):")
    print("| keyboard | all: median | p90 | max | of 3+ characters: median | p90 |")
    print("|---|---|---|---|---|---|")
    for profile, mean in PROFILES.items():
        counts, long_counts = [], []
        for q in QUESTIONS:
            for _ in range(args.typists):
                sent = typed_queries(q, mean, rng)
                counts.append(len(sent))
                long_counts.append(sum(len(s.strip()) >= 3 for s in sent))
        print(f"| {profile} ({mean * 1000:.0f} ms/key) | {statistics.median(counts):g} | "
              f"{percentile(counts, 0.9):g} | {max(counts)} | {statistics.median(long_counts):g} | "
              f"{percentile(long_counts, 0.9):g} |")
    with tempfile.TemporaryDirectory() as tmp, Service(Settings(ROOT / "data" / "transcripts", Path(tmp))) as svc:
        svc.open()
        for q in QUESTIONS:  # warm-up
            svc.ask(q)
        buckets: dict[str, list[tuple[float, bool, bool]]] = {"1-2": [], "3-9": [], "10-19": [], "20+": [],
                                                              "whole question": []}
        for q in QUESTIONS:
            for i in range(1, len(q) + 1):
                prefix = q[:i]
                began = time.perf_counter()
                question = svc.parse(prefix)
                costly = question.costly
                answer = svc.ask(question)
                ms = (time.perf_counter() - began) * 1000
                n = len(prefix.strip())
                key = ("whole question" if i == len(q) else "1-2" if n < 3 else "3-9" if n < 10
                       else "10-19" if n < 20 else "20+")
                buckets[key].append((ms, answer.abstained, costly))
    print("\nanswering every prefix of every question (the service alone, no Telegram):")
    print("| query length | queries | ms p50 | ms p95 | abstained | costly (multilingual) |")
    print("|---|---|---|---|---|---|")
    for key, rows in buckets.items():
        ms = [r[0] for r in rows]
        print(f"| {key} | {len(rows)} | {statistics.median(ms):.1f} | {percentile(ms, 0.95):.1f} | "
              f"{sum(r[1] for r in rows) / len(rows):.0%} | {sum(r[2] for r in rows) / len(rows):.0%} |")


if __name__ == "__main__":
    main()
