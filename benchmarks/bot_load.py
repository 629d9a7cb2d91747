"""Load through the whole HTTP stack: `verbatim run` as its own process, polling a Bot API server here.

    python benchmarks/bot_load.py [SHARED] [--users 50] [--rate 24] [--seconds 20]

Phases, each against a fresh `verbatim run` process with the default settings except the per-user limit
(raised to 120 questions a minute so that one simulated user's random bursts do not get the friendly
"slow down" reply instead of an answer); Telegram's flood limiter (about 30 messages a second) stays on:
- steady: `--users` people ask at random (Poisson) times, `--rate` questions a second in all, for
  `--seconds`; every question must be answered; latency is from the update being queued at the server
  to the answer arriving there.
- steady + inline: the steady load, and at the same time the same people type inline queries
  (`@bot question` in another chat), `--inline-rate` a second in all (8, 16 and 24 by default, each a
  run of `--seconds`); each query is what a Telegram app
  sends while someone types one of the questions (the text at a pause of 400 ms or more, as
  `benchmarks/inline_typing.py` simulates it, so some are 1-2 characters or end mid-word); latency is from
  the inline query being queued to the bot's answerInlineQuery arriving, which the server checks as
  Telegram would (results, ids, HTML, button).
- saturation: the same people ask their next question as soon as they get an answer (closed loop),
  which shows the ceiling and what sets it.
- reindex (only with SHARED): the interview plus qmsum/committee-val; an admin sends /reindex two seconds
  into a steady load; every answer given while it runs must be complete and equal to the answer given
  to the same question before it (an answer from a half-built index would differ or be missing).

The Bot API server is tests/botapi.py, the same one the end-to-end tests use. The questions are written
for this benchmark (not taken from the evaluation sets).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import math
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botapi import BotApi

TOKEN = "135792468:AAB" + "q" * 32
ADMIN = 1
QUESTIONS = [
    "Why is the government afraid of the opposition?",
    "What does Məmmədli say about the quarantine and arrests?",
    "Who controls the country's wealth?",
    "What is the opposition trying to achieve?",
    "Was Tofig Yagublu arrested?",
    "What happened to journalists who visited Karimli?",
    "Does the government want dialogue?",
    "What did he say about free elections?",
    "How does the government treat independent media?",
    "Why did the pressure increase recently?",
    "What is the National Council?",
    "What did he say about civil society?",
    "Who is the best football player in the world?",
    "What is the weather like in Baku in July?",
]


Key = tuple[int, int]  # (chat id, question message id): message ids count per chat
CLIENT_DELAY = 0.400  # Telegram's apps send an inline query after this long without a keystroke
KEYBOARD_KEY_SECONDS = 0.239  # mean inter-key interval on a physical keyboard (Dhakal et al., CHI 2018)


def typed_queries(question: str, mean: float, rng: random.Random, cv: float = 0.5) -> list[str]:
    """The inline queries one person's typing of `question` sends: the text at every pause of 400 ms or
    more (inter-key intervals log-normal around `mean` seconds), then the whole question."""
    sigma = math.sqrt(math.log(1 + cv**2))
    mu = math.log(mean) - sigma**2 / 2
    return [question[:i] for i in range(1, len(question)) if rng.lognormvariate(mu, sigma) >= CLIENT_DELAY] + [
        question]


class MeasuredApi(BotApi):
    """Notes when each answer arrives, by the message it replies to, and each inline answer by its query."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.answers: dict[Key, tuple[float, str]] = {}
        self.inline_answers_at: dict[str, tuple[float, int]] = {}  # query id -> (when, how many results)

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        result = await super()._api_answerInlineQuery(params)  # refused answers raise, so they go missing
        self.inline_answers_at[str(params["inline_query_id"])] = (time.perf_counter(), len(params["results"]))
        return result

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._api_sendMessage(params)
        reply = params.get("reply_parameters") or {}
        target = reply.get("message_id") or params.get("reply_to_message_id")
        if target:
            self.answers.setdefault((int(params["chat_id"]), int(target)), (time.perf_counter(),
                                                                            str(params.get("text", ""))))
        return result


def quotes(answer_html: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", q))
            for q in re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", answer_html, re.S)]


class Bot:
    """One `verbatim run` process pointed at the server."""

    def __init__(self, api: BotApi, data_dir: Path, index_dir: Path) -> None:
        self.api, self.data_dir, self.index_dir = api, data_dir, index_dir
        self.process: asyncio.subprocess.Process | None = None
        self.peak_rss_mb = float("nan")

    async def __aenter__(self) -> Bot:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.api.base_url,
               "TELEGRAM_API_FILE_URL": self.api.base_file_url, "VERBATIM_DATA_DIR": str(self.data_dir),
               "VERBATIM_INDEX_DIR": str(self.index_dir), "VERBATIM_ADMIN_IDS": str(ADMIN),
               "VERBATIM_USER_QUESTIONS_PER_MINUTE": "120", "VERBATIM_USER_BURST": "10",
               "VERBATIM_LOG_LEVEL": "WARNING", "NO_PROXY": "127.0.0.1,localhost"}
        self.process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=ROOT,
                                                            env=env, stderr=asyncio.subprocess.PIPE)
        await self.api.wait_for(lambda: len(self.api.calls_to("setMyCommands")) >= 3, timeout=600)
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU of the bot process so far (from /proc), to show the headroom under a limit."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None
        found = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{self.process.pid}/status").read_text())
        self.peak_rss_mb = int(found.group(1)) / 1024 if found else float("nan")
        self.process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.process.communicate(), timeout=60)
        if self.process.returncode:
            print(err.decode()[-2000:], file=sys.stderr)


class Load:
    def __init__(self, api: MeasuredApi, users: int, seed: int = 7) -> None:
        self.api, self.users = api, [1000 + i for i in range(users)]
        self.rng = random.Random(seed)
        self.asked: list[tuple[Key, float, str]] = []  # (key, when queued, question)
        self.inline_asked: list[tuple[str, float, str]] = []  # (query id, when queued, query)

    def send(self, user_id: int, question: str | None = None) -> Key:
        question = question or self.rng.choice(QUESTIONS)
        user = self.api.user(user_id, f"User{user_id}")
        msg = self.api.message(self.api.private_chat(user), user, question)
        key = (user_id, int(msg["message_id"]))
        self.asked.append((key, time.perf_counter(), question))
        return key

    def send_inline(self, user_id: int) -> str:
        """One inline query, as typing a random question sends them."""
        query = self.rng.choice(typed_queries(self.rng.choice(QUESTIONS), KEYBOARD_KEY_SECONDS, self.rng))
        sent = self.api.inline_query(self.api.user(user_id, f"User{user_id}"), query)
        self.inline_asked.append((sent["id"], time.perf_counter(), query))
        return str(sent["id"])

    async def inline_loop(self, rate: float, seconds: float) -> None:
        """Poisson inline queries at `rate` a second for `seconds`."""
        began = time.perf_counter()
        while time.perf_counter() - began < seconds:
            self.send_inline(self.rng.choice(self.users))
            await asyncio.sleep(self.rng.expovariate(rate))

    async def open_loop(self, rate: float, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Poisson arrivals at `rate` a second for `seconds` (or, with `until`, until it is true)."""
        began = time.perf_counter()
        while (until() is False) if until else time.perf_counter() - began < seconds:
            self.send(self.rng.choice(self.users))
            await asyncio.sleep(self.rng.expovariate(rate))

    async def closed_loop(self, seconds: float) -> None:
        """Each person asks again as soon as answered: the ceiling of the whole stack."""
        async def person(user: int) -> None:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                key = self.send(user)
                while key not in self.api.answers and time.perf_counter() < end + 30:
                    await asyncio.sleep(0.005)
        await asyncio.gather(*(person(u) for u in self.users))

    async def settle(self, timeout: float = 60) -> None:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end and (any(k not in self.api.answers for k, _, _ in self.asked) or any(
                i not in self.api.inline_answers_at for i, _, _ in self.inline_asked)):
            await asyncio.sleep(0.05)

    def inline_summary(self, phase: str) -> dict[str, Any]:
        answered = self.api.inline_answers_at
        latencies = sorted((answered[i][0] - sent) * 1000 for i, sent, _ in self.inline_asked if i in answered)
        with_results = sum(answered[i][1] > 0 for i, _, _ in self.inline_asked if i in answered)
        return {"phase": phase, "questions": len(self.inline_asked), "answered": len(latencies),
                "missing": len(self.inline_asked) - len(latencies),
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
                "with_results": with_results}

    def summary(self, phase: str, bot: Bot | None = None) -> dict[str, Any]:
        latencies, finished = [], []
        for key, sent, _ in self.asked:
            if key in self.api.answers:
                latencies.append((self.api.answers[key][0] - sent) * 1000)
                finished.append(self.api.answers[key][0])
        latencies.sort()
        span = max(finished) - min(s for _, s, _ in self.asked) if finished else float("nan")
        return {"phase": phase, "questions": len(self.asked), "answered": len(latencies),
                "missing": len(self.asked) - len(latencies),
                "answers_per_s": round(len(latencies) / span, 1) if finished else 0.0,
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None}


def cpu_per_answer(bot: Bot, before: float, load: Load) -> dict[str, float]:
    answered = sum(k in load.api.answers for k, _, _ in load.asked)
    return {"bot_cpu_ms_per_answer": round((bot.cpu_seconds() - before) * 1000 / max(answered, 1), 1)}


def data_dir(root: Path, shared: Path | None) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    for f in (ROOT / "data" / "transcripts").iterdir():
        shutil.copy(f, data / f.name)
    if shared is not None:
        shutil.copytree(shared / "eval" / "qmsum" / "committee-val" / "transcripts", data / "committee-val")
    return data


async def reference(api: MeasuredApi, first_user: int = 900) -> dict[str, list[str]]:
    """Each question once, one at a time, with no other load: what a complete index answers."""
    load = Load(api, 1)
    out = {}
    for i, question in enumerate(QUESTIONS):
        key = load.send(first_user + i, question)
        await api.wait_for(lambda key=key: key in api.answers, timeout=60)  # type: ignore[misc]
        out[question] = quotes(api.answers[key][1])
    return out


async def phase_steady(args: argparse.Namespace, root: Path) -> list[dict[str, Any]]:
    rows = []
    api = MeasuredApi(TOKEN)
    async with api, Bot(api, data_dir(root / "a", None), root / "a" / "index") as bot:
        await reference(api)  # warm-up
        load = Load(api, args.users)
        cpu = bot.cpu_seconds()
        await load.open_loop(args.rate, args.seconds)
        await load.settle()
        rows.append(load.summary("steady (open loop)") | cpu_per_answer(bot, cpu, load))
        for rate in args.inline_rate:
            load = Load(api, args.users, seed=13)
            cpu = bot.cpu_seconds()
            await asyncio.gather(load.open_loop(args.rate, args.seconds), load.inline_loop(rate, args.seconds))
            await load.settle()
            updates = len(load.asked) + len(load.inline_asked)
            rows.append(load.summary(f"steady + {rate:g} inline/s: questions"))
            rows.append(load.inline_summary(f"steady + {rate:g} inline/s: inline queries") | {
                "bot_cpu_ms_per_update": round((bot.cpu_seconds() - cpu) * 1000 / max(updates, 1), 1)})
        load = Load(api, args.users, seed=11)
        cpu = bot.cpu_seconds()
        await load.closed_loop(args.seconds / 2)
        await load.settle()
        rows.append(load.summary("saturation (closed loop)") | cpu_per_answer(bot, cpu, load))
    for row in rows:
        row["bot_peak_rss_mb"] = round(bot.peak_rss_mb)
    return rows


async def phase_reindex(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    api = MeasuredApi(TOKEN)
    async with api, Bot(api, data_dir(root / "b", args.shared), root / "b" / "index") as bot:
        expected = await reference(api)
        admin = api.user(ADMIN, "Admin")
        admin_chat = api.private_chat(admin)
        load = Load(api, args.users)
        reindex_at: list[float] = []

        def reindexed() -> bool:
            if not reindex_at and load.asked and time.perf_counter() - load.asked[0][1] > 2:
                api.message(admin_chat, admin, "/reindex")
                reindex_at.append(time.perf_counter())
            done = [m for m in api.sent(ADMIN) if "Reindexed" in m["text"]]
            if done and len(reindex_at) == 1:
                reindex_at.append(time.perf_counter())
            return len(reindex_at) == 2 and time.perf_counter() - reindex_at[1] > 2

        await load.open_loop(args.rate, 0, until=reindexed)
        await load.settle()
        row = load.summary("during /reindex (open loop)")
        rebuilt = await reference(api, first_user=950)
        # A rebuilt HNSW graph may rank weak matches differently, so an answer is whole when it equals
        # the answer of the old index or of the new one; one from a half-built index would match neither.
        neither = [(q, quotes(api.answers[k][1])) for k, _, q in load.asked
                   if k in api.answers and quotes(api.answers[k][1]) not in (expected[q], rebuilt[q])]
        for q, got in neither[:5]:
            print("answer matching neither index:", q, got[:1], file=sys.stderr)
        during = [k for k, t, _ in load.asked if reindex_at[0] <= t <= reindex_at[1]]
    row.update({"asked_while_reindexing": len(during), "answers_from_neither_index": len(neither),
                "reindex_s": round(reindex_at[1] - reindex_at[0], 1), "bot_peak_rss_mb": round(bot.peak_rss_mb)})
    return row


def table(rows: list[dict[str, Any]]) -> str:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shared", nargs="?", type=Path, help="../shared, for the reindex phase with committee-val")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--rate", type=float, default=24.0, help="questions a second in all (open loop)")
    ap.add_argument("--inline-rate", type=lambda v: [float(r) for r in v.split(",")], default=[8.0, 16.0, 24.0],
                    help="inline queries a second in all, on top of --rate; a comma-separated list runs each")
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    before = os.getloadavg()[0]  # other work on the machine shows in every latency
    with tempfile.TemporaryDirectory() as tmp:
        rows = await phase_steady(args, Path(tmp))
        if args.shared:
            rows.append(await phase_reindex(args, Path(tmp)))
    inline = ", ".join(f"{r:g}" for r in args.inline_rate)
    print(f"users {args.users}, offered rate {args.rate}/s (+ {inline} inline/s), {args.seconds:.0f} s, "
          f"cores {os.cpu_count()}, load average {before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
