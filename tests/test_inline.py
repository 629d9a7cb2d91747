"""Inline mode: `@bot question` in any chat. Rules on hand-made answers first (fast), then the real
Application against the fake Bot API (tests/botapi.py) with the real service (slow)."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.handlers import inline
from bot.handlers.inline import Turns, answer_reply, short
from bot.state.buckets import UserLimiter
from bot.state.stats import Stats
from retrieval.config import Settings
from retrieval.service import Service
from tests.botapi import BotApi, parse_html
from tests.conftest import MEETING, make_data_dir
from tests.test_bot_e2e import RUN_ON, TOKEN, start_app, stop_app, transcript, visible
from tests.test_bot_units import answer, check_html, quote

Json = dict[str, Any]
LINK = "https://t.me/verbatim_test_bot?start=q_0123456789_1_2_abcd"


def message_of(result: Json) -> str:
    return str(result["input_message_content"]["message_text"])


def blockquotes(message: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", q)) for q in re.findall(r"<blockquote>(.*?)</blockquote>",
                                                                         message, re.S)]


# -- rules ----------------------------------------------------------------------------------------------
def test_each_quote_is_a_result_posting_it_with_speaker_citation_and_link() -> None:
    quotes = [quote("Tags like <b> & stay text.", 0), quote("Another answer sentence here.", 100, "Ann", "Q2")]
    reply = answer_reply(answer(*quotes), "q?", lambda q: LINK, None, "interview")
    assert (reply.cache_time, reply.personal, reply.button) == (inline.CACHE_SECONDS, True, None)
    assert [r.id for r in reply.results] == ["quote-0", "quote-1"]
    for result, q in zip(reply.results, quotes, strict=True):
        data = result.to_dict()
        message = message_of(data)
        assert blockquotes(message) == [q.text]
        assert f'<a href="{LINK}">' in message and check_html(message).endswith(f"— {q.speaker}, {q.label}")
        assert data["input_message_content"]["parse_mode"] == "HTML"
        assert data["title"] == q.text and data["description"] == f"{q.speaker}, {q.label}"


def test_titles_name_the_transcript_when_there_are_several() -> None:
    reply = answer_reply(answer(quote("Said.")), "q?", lambda q: LINK, {"interview.txt": "An interview"}, "")
    data = reply.results[0].to_dict()
    assert data["description"].endswith(" · An interview") and "<i>An interview</i>" in message_of(data)


def test_an_abstention_is_one_result_that_says_so_and_a_button_to_the_bot() -> None:
    reply = answer_reply(answer(abstained=True), "Best <plov>?", lambda q: LINK, None, "interview")
    [result] = reply.results
    message = message_of(result.to_dict())
    assert result.to_dict()["description"] == "The interview does not answer this."
    assert check_html(message).startswith("Best <plov>?\n\nThe interview does not answer this.")
    assert "What happened?" in message
    assert reply.button is not None and reply.button.start_parameter == inline.START
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", inline.START) and reply.personal


def test_a_quote_longer_than_a_message_posts_its_verbatim_beginning_and_the_link() -> None:
    q = quote(" ".join(f"w{i}&" for i in range(2000)))
    result = answer_reply(answer(q), "q?", lambda q: LINK, None, "").results[0].to_dict()
    message = message_of(result)
    plain, _ = parse_html(message)
    assert len(plain) <= 4096 and LINK in message and "\n…\n" in message
    [piece] = blockquotes(message)
    assert q.text.startswith(piece) and len(piece) > 2000  # its escaped size fills the message
    assert len(result["title"]) <= inline.TITLE_CHARS and result["title"].endswith("…")


def test_short_titles_are_cut_at_a_space() -> None:
    assert short("one two three", 9) == "one two…"
    assert short("  spaced\n out  ") == "spaced out"
    assert short("x" * 100, 10) == "x" * 9 + "…"


def test_an_inline_search_costs_a_quarter_of_a_question() -> None:
    now = [0.0]
    limiter = UserLimiter(per_minute=6, burst=1, clock=lambda: now[0])
    assert all(limiter.admit(1, i, inline.COST) == 0 for i in range(4))
    assert limiter.admit(1, 5, inline.COST) == pytest.approx(2.5)
    now[0] = 2.5
    assert limiter.admit(1, 5, inline.COST) == 0


async def test_turns_serialise_a_person_and_mark_overtaken_queries() -> None:
    turns = Turns()
    order: list[str] = []

    async def query(name: str) -> None:
        ticket = turns.arrive(1)
        async with turns.turn(1):
            order.append(f"{name}{'-stale' if turns.stale(1, ticket) else ''}")
            await asyncio.sleep(0.01)

    await asyncio.gather(query("a"), query("b"), query("c"))
    assert order == ["a", "b-stale", "c"]  # b arrived while a ran, and c while b waited
    assert not turns._locks and not turns._newest and not turns._waiting  # nothing kept once done


# -- through Telegram -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data = make_data_dir(tmp_path_factory.mktemp("inline"), {"fisheries.txt": MEETING, "canal.txt": RUN_ON})
    with Service(Settings(data, tmp_path_factory.mktemp("index"))) as svc:
        svc.open()
        yield svc


class Bot:
    def __init__(self, api: BotApi, stats: Stats) -> None:
        self.api, self.stats = api, stats
        self.reader = api.user(4004, "Ina")

    async def ask(self, query: str, user: Json | None = None) -> Json:
        sent = self.api.inline_query(user or self.reader, query)
        return await self.api.wait_inline(sent, timeout=30)

    async def chat(self, text: str, user: Json | None = None) -> Json:
        user = user or self.reader
        chat = self.api.private_chat(user)
        before = len(self.api.sent(chat["id"]))
        self.api.message(chat, user, text)
        return (await self.api.wait_sent(chat["id"], before + 1, timeout=30))[before]


@pytest.fixture
async def make_bot(service: Service, tmp_path: Path) -> AsyncIterator[Any]:
    started: list[tuple[Any, BotApi, Stats]] = []

    async def make(**changes: Any) -> Bot:
        api = BotApi(TOKEN)
        api.supports_inline_queries = True
        await api.start()
        stats = Stats(tmp_path / f"state{len(started)}" / "stats.sqlite3")
        app = await start_app(api, service, stats, **changes)
        started.append((app, api, stats))
        return Bot(api, stats)

    yield make
    for app, api, stats in started:
        await stop_app(app)
        stats.close()
        await api.stop()


@pytest.mark.slow
async def test_an_answer_offers_each_quote_verbatim_and_its_link_opens_the_passage(make_bot: Any,
                                                                                  service: Service) -> None:
    bot = await make_bot()
    question = "Why are the authorities not interested in dialogue with the opposition?"
    answered = await bot.ask(question)
    expected = service.ask(question).quotes
    assert expected and len(answered["results"]) == len(expected)
    assert answered["cache_time"] == inline.CACHE_SECONDS and answered["is_personal"] is True
    for result, q in zip(answered["results"], expected, strict=True):
        message = message_of(result)
        assert blockquotes(message) == [q.text] == [transcript(service, q.doc)[q.start:q.end]]
        plain, _ = parse_html(message)
        assert f"— {q.speaker_label}, {q.label}" in plain
        assert f'<a href="https://t.me/verbatim_test_bot?start={service.ref(q)}">' in message
        assert q.speaker_label in result["description"] and q.label in result["description"]
    ref = re.search(r"start=(q_[0-9a-z_]+)", message_of(answered["results"][0]))
    assert ref
    opened = await bot.chat(f"/start {ref.group(1)}")
    assert "<blockquote expandable>" in opened["text"] and expected[0].text in visible(opened)
    assert visible(opened).split("\n", 1)[1] in transcript(service, expected[0].doc)


@pytest.mark.slow
async def test_an_uncovered_question_gets_one_result_and_the_button_that_opens_the_bot(make_bot: Any) -> None:
    bot = await make_bot()
    answered = await bot.ask("What is the best recipe for plov with quince?")
    [result] = answered["results"]
    assert "do not answer this" in parse_html(message_of(result))[0] and "plov with quince" in message_of(result)
    assert answered["button"]["start_parameter"] == inline.START and answered["button"]["text"]
    welcome = await bot.chat(f"/start {answered['button']['start_parameter']}")
    assert "verbatim quotes" in visible(welcome)


@pytest.mark.slow
async def test_empty_and_short_queries_get_a_hint_and_long_ones_a_single_message(make_bot: Any,
                                                                                service: Service) -> None:
    bot = await make_bot()
    for typed in ("", "Wh", "  a "):
        hinted = await bot.ask(typed)
        assert hinted["results"] == [] and hinted["button"]["start_parameter"] == inline.START
    long = await bot.ask("What did Engineer Lee report about the canal dredging project?")
    message = message_of(long["results"][0])
    assert len(parse_html(message)[0]) <= 4096 and blockquotes(message)[0] in transcript(service, "canal.txt")
    capped = await bot.ask("When does the lobster season open? " + "x" * 5000)
    assert capped["results"]  # read only as far as Telegram's 256 characters


@pytest.mark.slow
async def test_the_per_person_limit_paces_typing_then_says_when_to_try_again(make_bot: Any) -> None:
    bot = await make_bot(user_burst=1, user_questions_per_minute=20.0)  # a quarter token in 0.75 s
    began = time.monotonic()
    await bot.chat("When does the lobster season open?")  # the bucket is empty after this question
    paced = await bot.ask("When does the lobster season open?")
    assert paced["results"] and time.monotonic() - began >= 0.75  # made to wait, not refused

    slow = await make_bot(user_burst=1, user_questions_per_minute=1.0)
    for i in range(4):
        assert (await slow.ask(f"What will harbour repairs receive{'?' * (i + 1)}"))["results"]
    refused = await slow.ask("What will harbour repairs receive?!")
    assert refused["results"] == [] and re.fullmatch(r"Too many questions; try again in 1\d s",
                                                     refused["button"]["text"])
    assert refused["is_personal"] is True and refused["cache_time"] == 0
    told = await slow.chat("What will harbour repairs receive?")  # the same bucket as questions
    assert "faster than I can keep up" in visible(told)


@pytest.mark.slow
async def test_a_query_overtaken_by_a_newer_one_is_answered_empty(make_bot: Any) -> None:
    bot = await make_bot()
    user = bot.reader
    queries = [bot.api.inline_query(user, q) for q in ("When does", "When does the lobster",
                                                        "When does the lobster season open?")]
    answers = [await bot.api.wait_inline(q, timeout=30) for q in queries]
    assert answers[-1]["results"] and "May 1" in message_of(answers[-1]["results"][0])
    assert answers[1]["results"] == [] and answers[1]["is_personal"] is True


@pytest.mark.slow
async def test_a_slow_answer_is_replaced_by_try_again(make_bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = await make_bot()
    monkeypatch.setattr(inline, "DEADLINE", 0.0)
    answered = await bot.ask("When does the lobster season open?")
    assert answered["results"] == [] and "try again" in answered["button"]["text"] and answered["cache_time"] == 0


def stored(root: Path) -> dict[str, bytes]:
    """Every file the bot wrote (the stats database, its write-ahead log, the identity key)."""
    return {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
async def test_inline_queries_are_never_stored_or_logged(make_bot: Any, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot = await make_bot(user_burst=1, user_questions_per_minute=1.0)
    person = bot.api.user(987_654_321, "Secret", username="secret_person")
    queries = {"What will harbour repairs receive?": "harbour",  # answered, but Telegram refuses the answer
               "Why were the licences extended?": "licences",  # answered
               "Zanzibar marmalade recipes please": "marmalade",  # abstained
               "When does the lobster season open?": "lobster",  # answered
               "Any quince in the stew?": "quince"}  # over the limit
    bot.api.fail("answerInlineQuery", 400, description="Bad Request: query is too old")
    first, *others = queries
    bot.api.inline_query(person, first)
    await bot.api.wait_for(lambda: bot.api.calls_to("answerInlineQuery"))
    for q in others:
        await bot.ask(q, person)
    assert bot.stats.totals().questions == 0
    files = stored(tmp_path)
    assert "stats.sqlite3" in files and "identity.key" in files
    for name, data in files.items():
        for q, word in queries.items():
            assert q.encode() not in data and word.encode() not in data, (name, q)
        assert b"987654321" not in data and b"secret_person" not in data
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "went unanswered" in logged  # the refused answer was logged, without the query
    for q, word in queries.items():
        assert q not in logged and word not in logged
    assert "987654321" not in logged and "secret_person" not in logged


@pytest.mark.slow
async def test_a_russian_reader_gets_the_same_verbatim_quotes_in_russian_words(make_bot: Any,
                                                                              service: Service) -> None:
    bot = await make_bot()
    reader = bot.api.user(4010, "Ира", language_code="ru")
    question = "Why are the authorities not interested in dialogue with the opposition?"
    answered = await bot.ask(question, reader)
    expected = service.ask(question).quotes
    assert expected and [blockquotes(message_of(r)) for r in answered["results"]] == [[q.text] for q in expected]
    assert answered["is_personal"] is True  # the words around the quotes are this reader's language
    assert all("ответ на вопрос" in r["description"] for r in answered["results"])  # the citation, in Russian
    unanswered = await bot.ask("Which recipe for plov does the chairman prefer?", reader)
    [result] = unanswered["results"]
    assert result["title"] == "Нечего процитировать" and unanswered["button"]["text"] == "Спросите меня в чате"
