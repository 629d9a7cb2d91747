"""The bot's parts without Telegram: rendering and splitting, limits, stats, settings, log redaction."""

from __future__ import annotations

import dataclasses
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from bot.config import build_bot_settings
from bot.logs import RedactTokens
from bot.messages import answers, callbacks, keyboards, packing, passages, readers
from bot.messages.callbacks import Kind, Press
from bot.state.buckets import UserLimiter
from bot.state.stats import Stats
from retrieval.answer import refs
from retrieval.errors import UsageError
from retrieval.results import Answer, Context, Quote

TOKEN = "123456789:AAH" + "x" * 32


def quote(text: str, start: int = 0, speaker: str = "Nəsimi Məmmədli", label: str = "answer to Q1, ¶1") -> Quote:
    return Quote("interview.txt", start, start + len(text), text, speaker, label, "interviewee", 1)


def answer(*quotes: Quote, abstained: bool = False) -> Answer:
    return Answer("q?", None, abstained, "", quotes, (), 1.0, ("What happened?",) if abstained else ())


class Balanced(HTMLParser):
    """Fails on any tag Telegram would refuse or leave open."""

    ALLOWED: ClassVar[set[str]] = {"b", "i", "a", "code", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text += data


def check_html(html: str) -> str:
    parser = Balanced()
    parser.feed(html)
    parser.close()
    assert not parser.stack, parser.stack
    return parser.text


def test_quotes_are_escaped_and_cited_with_a_link() -> None:
    q = quote("Tags like <b> & </blockquote> stay text.")
    [block] = answers.answer_blocks(answer(q), lambda _: "https://t.me/bot?start=q_1")
    assert "&lt;b&gt; &amp; &lt;/blockquote&gt;" in block
    text = check_html(block)
    assert q.text in text and "Nəsimi Məmmədli" in text and "answer to Q1, ¶1" in text
    assert '<a href="https://t.me/bot?start=q_1">' in block


def test_long_answers_split_at_quote_boundaries_under_the_limit() -> None:
    quotes = [quote(f"Sentence number {i} " + "word " * 150 + "<&>", i * 1000) for i in range(12)]
    parts = packing.pack(answers.answer_blocks(answer(*quotes), lambda _: None))
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= packing.LIMIT
        text = check_html(part)
        # every quote in a part is followed by its own citation in the same part
        assert text.count("Sentence number") == text.count("— Nəsimi Məmmədli")


def test_a_quote_longer_than_a_message_is_cut_at_spaces_and_stays_verbatim() -> None:
    q = quote(" ".join(f"w{i}&" for i in range(2000)))
    blocks = answers.quote_blocks(q, None)
    parts = packing.pack(blocks)
    assert len(parts) > 1 and all(len(p) <= packing.LIMIT for p in parts)
    pieces = [check_html(f"<blockquote>{m}</blockquote>") for p in parts
              for m in re.findall(r"<blockquote>(.*?)</blockquote>", p, re.S)]
    assert " ".join(pieces) == q.text
    assert check_html(parts[-1]).endswith("answer to Q1, ¶1")


def test_abstention_names_what_was_searched_and_questions_it_answers() -> None:
    [block] = answers.answer_blocks(answer(abstained=True), lambda _: None, subject="interview")
    assert block == "The interview does not answer this. It does cover, for example:\n• What happened?"
    [scoped] = answers.answer_blocks(dataclasses.replace(answer(abstained=True), doc="a.txt"), lambda _: None,
                                     subject="interview")
    assert scoped.startswith("a.txt does not answer this.")  # the same words as the command line's


def test_a_context_that_escaping_makes_too_long_falls_back_to_its_quote() -> None:
    text = "&" * 1000 + " The quoted part. " + "<" * 1000
    start = text.index("The")
    ctx = Context("d.txt", "D", 0, len(text), text, start, start + 16, "Ann", "turn 1")
    [html] = passages.context_parts(ctx)
    assert len(html) <= packing.LIMIT and check_html(html).endswith("The quoted part.")
    short = Context("d.txt", "D", 0, 20, "Before. Quoted. After", 8, 15, "Ann", "turn 1")
    [html] = passages.context_parts(short)
    assert check_html(html).endswith("Before. Quoted. After")


def test_callback_data_fits_in_64_bytes() -> None:
    keyboard = keyboards.answer_keyboard(2**62, 2**20, 7)
    assert keyboard is not None
    for row in keyboard.inline_keyboard:
        for button in row:
            assert isinstance(button.callback_data, str) and len(button.callback_data.encode()) <= 64


def test_references_round_trip_and_stay_short() -> None:
    ref = refs.encode("hearings/a very long name/" + "x" * 200 + ".txt", 12_345_678, 12_399_999, "text")
    assert len(ref) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", ref)
    parsed = refs.decode(ref)
    assert parsed is not None and (parsed.start, parsed.end) == (12_345_678, 12_399_999)
    assert refs.decode("q_zz_1_2_abcd") is None and refs.decode("anything") is None


def test_user_limiter_allows_a_burst_then_says_how_long_to_wait() -> None:
    now = [0.0]
    limiter = UserLimiter(per_minute=6, burst=2, clock=lambda: now[0])
    assert limiter.wait_time(1) == 0 and limiter.wait_time(1) == 0
    assert limiter.wait_time(1) == pytest.approx(10.0)
    assert limiter.wait_time(2) == 0  # others are not affected
    now[0] = 10.0
    assert limiter.wait_time(1) == 0


def test_stats_keep_questions_quotes_and_feedback(tmp_path: Path) -> None:
    stats = Stats(tmp_path / "stats.sqlite3")
    q = quote("Something was said here.", 10)
    qid = stats.record(-100, "supergroup", 7, answer(q))
    stats.record(5, "private", 8, answer(abstained=True))
    stats.add_shown(qid, answer(quote("More.", 50)))
    stats.feedback(qid, 7, 1)
    stats.feedback(qid, 7, -1)  # a change of mind replaces the vote
    asked = stats.asked(qid)
    assert asked is not None and asked.shown == (("interview.txt", 10, 34), ("interview.txt", 50, 55))
    totals = stats.totals()
    assert (totals.questions, totals.abstentions, totals.helpful, totals.unhelpful) == (2, 1, 0, 1)
    assert dict(totals.by_chat_type) == {"supergroup": 1, "private": 1} and totals.users == 2
    stats.close()
    reopened = Stats(tmp_path / "stats.sqlite3")
    assert reopened.asked(qid) is not None  # survives a restart: buttons keep working
    reopened.close()


@pytest.mark.parametrize(("env", "message"), [
    ({}, "TELEGRAM_BOT_TOKEN is not set"),
    ({"TELEGRAM_BOT_TOKEN": "12345"}, "malformed"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "VERBATIM_ADMIN_IDS": "12, bob"}, "VERBATIM_ADMIN_IDS"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "localhost:8081"}, "TELEGRAM_API_BASE_URL"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "VERBATIM_WEBHOOK_SECRET": "has space"}, "VERBATIM_WEBHOOK_SECRET"),
])
def test_bad_bot_settings_are_refused_with_the_variable_named(monkeypatch: pytest.MonkeyPatch,
                                                              env: dict[str, str], message: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=message):
        build_bot_settings()


def test_bot_settings_parse_ids_and_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("VERBATIM_ADMIN_IDS", "12, 34 56")
    monkeypatch.setenv("VERBATIM_CHANNEL_ID", "-1001234")
    settings = build_bot_settings()
    assert settings.admin_ids == {12, 34, 56} and settings.channel_id == -1001234


def test_tokens_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactTokens(TOKEN))
    log = logging.getLogger("test.redact")
    log.warning("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
    try:
        raise RuntimeError(f"boom at /bot{TOKEN}/getMe and 987654:{'y' * 35}")
    except RuntimeError:
        log.exception("while polling")
    assert TOKEN not in caplog.text and "y" * 35 not in caplog.text
    assert "[token]" in caplog.text


def test_a_single_sentence_longer_than_a_message_still_opens_in_context() -> None:
    text = "字" * 6000 + "."
    ctx = Context("d.txt", "D", 0, len(text), text, 0, len(text), "Ann", "turn 1")
    parts = passages.context_parts(ctx)
    assert len(parts) > 1 and all(len(p) <= packing.LIMIT for p in parts)
    assert "".join(check_html(f"<blockquote>{m}</blockquote>") for p in parts
                   for m in re.findall(r"<blockquote>(.*?)</blockquote>", p, re.S)) == text


async def test_deliver_waits_out_a_flood_limit_and_gives_up_on_a_refusal() -> None:
    from telegram.error import BadRequest, RetryAfter

    from bot.messages.delivery import deliver

    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RetryAfter(0)
        return "sent"

    assert await deliver(flaky, "test") == "sent" and len(calls) == 2

    async def refused() -> str:
        raise BadRequest("Message is too long")

    with pytest.raises(BadRequest):
        await deliver(refused, "test")


@pytest.mark.parametrize("press", [Press(Kind.MORE, 2**62), Press(Kind.CONTEXT, 2**62, 2**20),
                                   Press(Kind.FEEDBACK, 2**62, -1), Press(Kind.FEEDBACK, 1, 1)])
def test_button_data_round_trips_and_fits_in_64_bytes(press: Press) -> None:
    data = press.encode()
    assert callbacks.decode(data) == press and len(data.encode()) <= 64


def test_button_data_from_elsewhere_is_unknown_or_invalid() -> None:
    assert callbacks.decode("zz:1") is None
    for broken in ("m:notanumber", "c:5", "f:1:x"):
        with pytest.raises(ValueError):
            callbacks.decode(broken)


def test_menus_and_help_come_from_one_table() -> None:
    from bot.commands import COMMANDS, Menu
    from bot.messages.menus import menu
    from retrieval import TRANSCRIPT_SUFFIXES

    private, group, admin = ([c.command for c in menu(m)] for m in (Menu.PRIVATE, Menu.GROUP, Menu.ADMIN))
    assert private == ["help", "sources", "summary", "language", "privacy", "forget"] and group == ["ask", *private]
    assert admin == [*private, "reindex", "remove", "stats", "post_summary"]
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    reader, for_admin = readers.help_message([], False, False), readers.help_message([], True, False)
    assert "/summary" in reader and "/sources" in reader and "/reindex" not in reader
    assert for_admin.startswith(reader) and all(f"/{n}" in for_admin for n in ("reindex", "remove", "stats"))
    assert all(s in for_admin for s in TRANSCRIPT_SUFFIXES)
    check_html(for_admin)


def test_a_named_interviewer_is_marked_as_such_in_every_edge() -> None:
    from bot.terminal.text import format_answer

    asker = Quote("i.txt", 0, 9, "Why now?", "Ann Lee", "Q1", "interviewer", 1)
    [block] = answers.answer_blocks(answer(asker), lambda _: None)
    assert "Ann Lee (interviewer)" in check_html(block)
    assert format_answer(answer(asker)).startswith("Ann Lee (interviewer):")


def test_buckets_full_again_are_forgotten_and_forget_drops_one() -> None:
    now = [0.0]
    limiter = UserLimiter(per_minute=60.0, burst=2, clock=lambda: now[0])
    assert limiter.wait_time(7) == 0.0 and limiter.wait_time(8) == 0.0
    assert 7 in limiter and 8 in limiter
    limiter.forget(7)
    assert 7 not in limiter and 8 in limiter
    assert limiter.prune() == 0  # 8's bucket is not full yet: it still limits
    now[0] = 10.0
    assert limiter.prune() == 1 and 8 not in limiter


def test_a_person_over_the_limit_is_told_once_a_window_then_dropped() -> None:
    from bot.state.buckets import NOTICE_WINDOW

    now = [0.0]
    limiter = UserLimiter(per_minute=20.0, burst=1, clock=lambda: now[0])
    assert limiter.wait_time(7) == 0.0
    waits = [limiter.wait_time(7) for _ in range(1000)]  # a flood: every one refused
    assert all(w > 0 for w in waits)
    told = [limiter.notice(7, w) for w in waits]
    assert told[0] and not any(told[1:])  # one note, then silence
    assert limiter.notice(8, 3.0)  # somebody else's window is their own
    now[0] = NOTICE_WINDOW + 0.1
    assert limiter.notice(7, 3.0)  # the next window: told again
    limiter.forget(7)
    assert limiter.notice(7, 3.0)  # /forget forgets the window too
    now[0] = 10 * NOTICE_WINDOW
    limiter.prune()
    assert limiter.notice(8, 3.0)


def test_a_webhook_body_that_is_no_update_is_logged_without_it(caplog: pytest.LogCaptureFixture) -> None:
    """As python-telegram-bot's webhook handler logs it (telegram/ext/_utils/webhookhandler.py)."""
    from bot.logs import WebhookBodies

    logger = logging.getLogger(WebhookBodies.WEBHOOK_LOGGER)
    guard = WebhookBodies()
    logger.addFilter(guard)
    try:
        try:
            raise AttributeError("'list' object has no attribute 'get'")
        except AttributeError as exc:
            with caplog.at_level(logging.DEBUG, logger=WebhookBodies.WEBHOOK_LOGGER):
                logger.critical("Something went wrong processing the data received from Telegram. Received data "
                                "was *not* processed! Received data was: %r", [{"text": "a private question"}],
                                exc_info=exc)
    finally:
        logger.removeFilter(guard)
    [record] = caplog.records
    assert record.levelname == "WARNING" and record.exc_info is None
    assert "private question" not in record.getMessage() and "AttributeError" in record.getMessage()
