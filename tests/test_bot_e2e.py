"""The real python-telegram-bot Application, talking HTTP to a Bot API server started here (tests/botapi.py).

One service (real models, real embedded Chroma) serves the module; each test gets a fresh Bot API server
and Application, started with long polling exactly as `verbatim run` does, minus the signal handling.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from telegram import ChatMemberAdministrator, User
from telegram.ext import Application

from bot import logs
from bot.app import build_application
from bot.config import BotSettings
from bot.state.stats import Stats
from retrieval.config import Settings
from retrieval.service import Service
from tests.botapi import BotApi
from tests.conftest import MEETING, make_data_dir

pytestmark = pytest.mark.slow

TOKEN = "123456789:AAE" + "k" * 32
ADMIN, READER = 1001, 2002
INTERVIEW = "mammadli-interview.txt"
RUN_ON = "Chair: Please report on the canal.\n\nEngineer Lee: The canal dredging project " + ", ".join(
    f"then section {i} of the embankment was reinforced with stone and the silt carried to the fields"
    for i in range(60)) + ".\n"
Json = dict[str, Any]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("bot"), {"fisheries.txt": MEETING, "canal.txt": RUN_ON})


@pytest.fixture(scope="module")
def service(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with Service(Settings(data_dir, tmp_path_factory.mktemp("index"))) as svc:
        svc.open()
        yield svc


def bot_settings(api: BotApi, **changes: Any) -> BotSettings:
    base = BotSettings(token=TOKEN, api_base_url=api.base_url, api_file_url=api.base_file_url,
                       admin_ids=frozenset({ADMIN}), channel_id=None, webhook_url=None, webhook_secret=None,
                       webhook_listen="127.0.0.1", webhook_port=8443, user_questions_per_minute=600.0,
                       user_burst=100, concurrent_updates=32,
                       state_dir=Path(tempfile.mkdtemp(prefix="verbatim-state-")))  # never ./var/state
    return replace(base, **changes)


class Harness:
    def __init__(self, api: BotApi, app: Application, stats: Stats) -> None:  # type: ignore[type-arg]
        self.api, self.app, self.stats = api, app, stats
        self.admin = api.user(ADMIN, "Ada")
        self.reader = api.user(READER, "Rin")
        self.group = api.group_chat()

    def private(self, user: Json) -> Json:
        return self.api.private_chat(user)

    async def ask(self, user: Json, text: str, chat: Json | None = None, count: int = 1,
                  timeout: float = 30) -> list[Json]:  # noqa: ASYNC109 - a bound on waiting, not on work
        chat = chat or self.private(user)
        before = len(self.api.sent(chat["id"]))
        self.api.message(chat, user, text)
        return (await self.api.wait_sent(chat["id"], before + count, timeout))[before:]


async def start_app(api: BotApi, service: Service, stats: Stats, **changes: Any) -> Application:  # type: ignore[type-arg]
    app = build_application(service, stats, bot_settings(api, **changes))
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    return app


async def stop_app(app: Application) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def bot(service: Service, tmp_path: Path) -> AsyncIterator[Harness]:
    api = BotApi(TOKEN)
    await api.start()
    stats = Stats(tmp_path / "stats.sqlite3")
    app = await start_app(api, service, stats)
    try:
        yield Harness(api, app, stats)
    finally:
        await stop_app(app)
        stats.close()
        await api.stop()


def visible(message: Json) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", message["text"]))


def buttons(message: Json) -> dict[str, str]:
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


def transcript(service: Service, doc: str) -> str:
    return Path(service.settings.data_dir, doc).read_text(encoding="utf-8")


def blockquotes(message: Json) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", q))
            for q in re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", message["text"], re.S)]


def assert_quotes_verbatim(service: Service, message: Json) -> list[str]:
    """Every blockquote in the reply occurs in a transcript, character for character."""
    quotes = blockquotes(message)
    texts = [transcript(service, s.doc) for s in service.sources()]
    for q in quotes:
        assert any(q in t for t in texts), q
    return quotes


# -- private chats --------------------------------------------------------------------------------------
async def test_private_question_gets_cited_quotes_buttons_and_typing(bot: Harness, service: Service) -> None:
    ask = "Why are the authorities not interested in dialogue with the opposition?"
    [reply] = await bot.ask(bot.reader, ask)
    assert reply["parse_mode"] == "HTML" and reply["reply_to_message_id"]
    quotes = assert_quotes_verbatim(service, reply)
    assert quotes and "Nəsimi Məmmədli" in visible(reply)
    assert re.search(r'<a href="https://t\.me/verbatim_test_bot\?start=q_[0-9a-z_]+">answer to Q\d', reply["text"])
    assert {"More quotes", "👍", "👎"} <= set(buttons(reply)) and any(k.startswith("Context") for k in buttons(reply))
    assert any(c["action"] == "typing" for c in bot.api.calls_to("sendChatAction"))


async def test_an_uncovered_question_is_declined_with_suggestions(bot: Harness) -> None:
    [reply] = await bot.ask(bot.reader, "What is the best recipe for plov with quince?")
    assert "<blockquote" not in reply["text"]
    assert visible(reply).startswith("The transcripts do not answer this.")  # retrieval's words (wording.py)
    assert "?" in visible(reply).split("They do cover, for example:")[1]


async def test_buttons_context_more_and_feedback(bot: Harness, service: Service) -> None:
    [reply] = await bot.ask(bot.reader, "Why does the government put pressure on the opposition?")
    first = assert_quotes_verbatim(service, reply)
    keys = buttons(reply)
    chat = reply["chat"]["id"]

    bot.api.press(bot.reader, reply, keys["Context"] if "Context" in keys else keys["Context 1"])
    [ctx] = (await bot.api.wait_sent(chat, 2))[1:]
    assert "<blockquote expandable>" in ctx["text"] and first[0] in visible(ctx)
    assert visible(ctx).split("\n", 1)[1] in transcript(service, INTERVIEW)

    bot.api.press(bot.reader, reply, keys["More quotes"])
    [more] = (await bot.api.wait_sent(chat, 3))[2:]
    extra = assert_quotes_verbatim(service, more)
    assert extra and not set(extra) & set(first)

    bot.api.press(bot.reader, reply, keys["👍"])
    answered = await bot.api.wait_for(lambda: [c for c in bot.api.calls_to("answerCallbackQuery")
                                               if "Thanks" in (c.get("text") or "")])
    assert answered
    assert bot.stats.totals().helpful == 1


async def test_start_opens_a_cited_passage_and_help_lists_examples(bot: Harness, service: Service) -> None:
    [reply] = await bot.ask(bot.reader, "What happened to the journalists visiting Ali Karimli's home?")
    payload = re.search(r"start=(q_[0-9a-z_]+)", reply["text"])
    assert payload
    [opened] = await bot.ask(bot.reader, f"/start {payload.group(1)}")
    assert "<blockquote expandable>" in opened["text"]
    assert visible(opened).split("\n", 1)[1] in transcript(service, INTERVIEW)
    [stale] = await bot.ask(bot.reader, "/start q_0000000000_1_2_abcd")
    assert "no longer indexed" in visible(stale)
    [helped] = await bot.ask(bot.reader, "/help")
    assert "For example" in visible(helped) and "?" in visible(helped)
    [listed] = await bot.ask(bot.reader, "/sources")
    assert INTERVIEW in visible(listed) and "fisheries.txt" in visible(listed)


async def test_an_edited_question_updates_the_answer(bot: Harness) -> None:
    chat = bot.private(bot.reader)
    question = bot.api.message(chat, bot.reader, "What will harbour repairs receive?")
    [reply] = await bot.api.wait_sent(chat["id"], 1)
    assert "forty million" in visible(reply)
    bot.api.edit(question, "When does the lobster season open?")
    await bot.api.wait_for(lambda: bot.api.calls_to("editMessageText"))
    edited = bot.api.sent(chat["id"])[0]
    assert "May 1" in visible(edited) and len(bot.api.sent(chat["id"])) == 1


async def test_an_edited_question_rewrites_an_answer_of_several_messages_in_place(bot: Harness) -> None:
    """A longer answer edits the old message and adds one; a shorter one deletes what it no longer needs."""
    chat = bot.private(bot.reader)
    question = bot.api.message(chat, bot.reader, "When does the lobster season open?")
    [short] = await bot.api.wait_sent(chat["id"], 1)
    long_question = bot.api.edit(question, "What did Engineer Lee report about the canal dredging project?")
    two = await bot.api.wait_sent(chat["id"], 2, timeout=20)
    assert two[0]["message_id"] == short["message_id"] and "section 59" in visible(two[-1])
    assert not buttons(two[0]) and buttons(two[1])  # the keyboard moved under the last part
    bot.api.edit(long_question, "When does the lobster season open?")
    await bot.api.wait_for(lambda: bot.api.calls_to("deleteMessage"))
    [again] = bot.api.sent(chat["id"])
    assert again["message_id"] == short["message_id"] and "May 1" in visible(again) and buttons(again)


async def test_a_part_telegram_will_not_delete_says_it_was_replaced(bot: Harness) -> None:
    chat = bot.private(bot.reader)
    question = bot.api.message(chat, bot.reader, "What did Engineer Lee report about the canal dredging project?")
    first, second = await bot.api.wait_sent(chat["id"], 2, timeout=20)
    bot.api.fail("deleteMessage", 400, description="Bad Request: message can't be deleted for everyone")
    bot.api.edit(question, "When does the lobster season open?")
    await bot.api.wait_for(lambda: "replaced" in visible(bot.api.sent(chat["id"])[-1]))
    now, old = bot.api.sent(chat["id"])
    assert now["message_id"] == first["message_id"] and "May 1" in visible(now) and buttons(now)
    assert old["message_id"] == second["message_id"] and not buttons(old) and "section 59" not in visible(old)


async def test_a_rewrite_sends_anew_what_it_cannot_edit(bot: Harness) -> None:
    """The reader deleted part 2 of an answer, then edited the question: part 1 is unchanged (Telegram
    refuses an edit that changes nothing), part 2 cannot be edited, so it is sent again."""
    chat = bot.private(bot.reader)
    ask = "What did Engineer Lee report about the canal dredging project?"
    question = bot.api.message(chat, bot.reader, ask)
    first, second = await bot.api.wait_sent(chat["id"], 2, timeout=20)
    bot.api.vanish(second)
    bot.api.edit(question, ask + " ")
    now = await bot.api.wait_sent(chat["id"], 2, timeout=20)
    assert [m["message_id"] for m in now] == [first["message_id"], now[1]["message_id"]]
    assert now[1]["message_id"] > second["message_id"] and now[1]["text"] == second["text"] and buttons(now[1])


async def test_html_in_questions_and_commands_is_escaped(bot: Harness) -> None:
    [reply] = await bot.ask(bot.reader, "<b>When</b> does the lobster & <i>season</i> open?</blockquote>")
    assert reply["parse_mode"] == "HTML" and "<blockquote>" in reply["text"] and "May 1" in visible(reply)
    [echoed] = await bot.ask(bot.admin, "/remove <b>x</b>&<script>")
    assert "<b>x</b>&<script>" in visible(echoed) and "Sorry" not in visible(echoed)  # echoed, escaped
    [usage] = await bot.ask(bot.reader, "/ask")
    assert "Usage" in visible(usage)


async def test_a_reply_over_4096_characters_is_split_at_quote_boundaries(bot: Harness, service: Service) -> None:
    parts = await bot.ask(bot.reader, "What did Engineer Lee report about the canal dredging project?", count=2)
    assert all(len(p["text"]) <= 4096 for p in parts)
    joined = " ".join(q for p in parts for q in blockquotes(p))
    assert "section 59 of the embankment" in joined and joined.replace(" ", "") in transcript(
        service, "canal.txt").replace(" ", "")
    assert "Engineer Lee" in visible(parts[-1]) and buttons(parts[-1]) and not buttons(parts[0])


async def test_a_user_who_asks_too_fast_is_told_to_wait(service: Service, tmp_path: Path) -> None:
    async with BotApi(TOKEN) as api:
        stats = Stats(tmp_path / "s.sqlite3")
        app = await start_app(api, service, stats, user_burst=2, user_questions_per_minute=1.0)
        try:
            user = api.user(3003)
            chat = api.private_chat(user)
            for _ in range(3):
                api.message(chat, user, "What will harbour repairs receive?")
            replies = await api.wait_sent(chat["id"], 3)
            assert sum("faster than I can keep up" in r["text"] for r in replies) == 1
        finally:
            await stop_app(app)
            stats.close()


# -- groups ---------------------------------------------------------------------------------------------
async def test_group_answers_ask_mentions_and_replies_but_ignores_chatter(bot: Harness, service: Service) -> None:
    group, api = bot.group, bot.api
    api.message(group, bot.reader, "lunch anyone? the harbour repairs look great")
    api.message(group, bot.reader, "/ask@some_other_bot When does the lobster season open?")
    api.channel_post(api.group_chat(-100999, "News"), "When does the lobster season open?")
    asked = api.message(group, bot.reader, "/ask When does the lobster season open?")
    [reply] = await api.wait_sent(group["id"], 1)
    assert reply["reply_to_message_id"] == asked["message_id"] and "May 1" in visible(reply)

    mention = api.message(group, bot.admin, "@verbatim_test_bot what will harbour repairs receive?")
    [by_mention] = (await api.wait_sent(group["id"], 2))[1:]
    assert by_mention["reply_to_message_id"] == mention["message_id"] and "forty million" in visible(by_mention)

    follow = api.message(group, bot.reader, "Why were the licences extended?", reply_to=by_mention)
    [by_reply] = (await api.wait_sent(group["id"], 3))[2:]
    assert by_reply["reply_to_message_id"] == follow["message_id"] and "ice" in visible(by_reply)
    await asyncio.sleep(0.3)
    assert len(api.sent(group["id"])) == 3 and not api.sent(-100999)
    assert_quotes_verbatim(service, by_reply)


# -- admins ---------------------------------------------------------------------------------------------
async def test_admin_upload_is_validated_stored_indexed_and_removable(bot: Harness, service: Service) -> None:
    api = bot.api
    chat = bot.private(bot.admin)
    content = (b"1\n00:00:01,000 --> 00:00:05,000\n<v Mira Sol>The orchard cooperative planted four hundred "
               b"walnut trees this spring.\n")
    api.document(chat, bot.admin, "Orchard briefing.srt", content)
    [done] = await api.wait_sent(chat["id"], 1, timeout=60)
    assert "Added" in visible(done) and "orchard-briefing.srt" in visible(done)
    assert api.calls_to("getFile")
    assert (service.settings.data_dir / "orchard-briefing.srt").read_bytes() == content
    [answer] = await bot.ask(bot.reader, "How many walnut trees did the orchard cooperative plant?")
    assert "four hundred walnut trees" in visible(answer) and "00:00:01" in visible(answer)

    api.document(chat, bot.admin, "broken.txt", b"\x00\x01\x02 not text")
    [bad] = (await api.wait_sent(chat["id"], 2, timeout=30))[1:]
    assert "Not added" in visible(bad) and "binary" in visible(bad)
    assert not (service.settings.data_dir / "broken.txt").exists()

    [removed] = await bot.ask(bot.admin, "/remove orchard-briefing.srt", timeout=60)
    assert "Removed" in visible(removed) and not (service.settings.data_dir / "orchard-briefing.srt").exists()
    [after] = await bot.ask(bot.reader, "How many walnut trees did the orchard cooperative plant?")
    assert "do not answer this" in visible(after)


LIGHTHOUSE = "\n\n".join([
    "Host: Today we talk with Marta Quinn about the lighthouse on Gull Island, where her family kept the light "
    "for three generations, through storms, wars and the slow arrival of machines.",
    *(f"Marta Quinn: In year {i} of my father's service the keepers painted the tower, counted the passing "
      f"ships, and wrote the weather into the log book twice a day, as the rules of the service required."
      for i in range(1, 9)),
    "Host: When did the lamp stop burning oil?",
    "Marta Quinn: The keepers switched the Gull Island lamp to electricity in 1952, after the cable from the "
    "mainland was laid across the strait.",
]) + "\n"


async def test_an_admin_uploads_a_pdf_and_answers_cite_its_pages(bot: Harness, service: Service) -> None:
    from tests import writers

    api, chat = bot.api, bot.private(bot.admin)
    api.document(chat, bot.admin, "Gull Island.pdf", writers.to_pdf(LIGHTHOUSE, size=14), "application/pdf")
    [done] = await api.wait_sent(chat["id"], 1, timeout=60)
    assert "Added" in visible(done) and "gull-island.pdf.txt" in visible(done)
    assert (service.settings.data_dir / "gull-island.pdf").is_file()
    [answer] = await bot.ask(bot.reader, "When was the Gull Island lamp switched to electricity?")
    assert "switched the Gull Island lamp to electricity in 1952" in visible(answer)
    page = next(q.page for q in service.ask("When was the Gull Island lamp switched to electricity?").quotes
                if "1952" in q.text)
    assert page is not None and page >= 2 and f"p. {page}" in visible(answer)
    api.document(chat, bot.admin, "scan.pdf", writers.blank_pdf(), "application/pdf")
    [bad] = (await api.wait_sent(chat["id"], 2, timeout=30))[1:]
    assert "Not added" in visible(bad) and "no text layer" in visible(bad)
    [removed] = await bot.ask(bot.admin, "/remove gull-island.pdf.txt", timeout=60)
    assert "Removed" in visible(removed)
    assert not [p for p in service.settings.data_dir.iterdir() if p.name.startswith(("gull-island", "scan"))]


async def test_non_admins_are_refused_and_change_nothing(bot: Harness, service: Service) -> None:
    before = sorted(p.name for p in service.settings.data_dir.iterdir())
    bot.api.document(bot.private(bot.reader), bot.reader, "mine.txt", b"Host: hello there, everyone.\n")
    for command in ("/reindex", "/stats", "/remove mammadli-interview.txt"):
        [refused] = await bot.ask(bot.reader, command, count=1) if command != "/reindex" else (
            await bot.ask(bot.reader, command, count=2))[-1:]
        assert "only the bot's admins" in visible(refused)
    assert sorted(p.name for p in service.settings.data_dir.iterdir()) == before
    assert not bot.api.calls_to("getFile")
    [stats] = await bot.ask(bot.admin, "/stats")
    assert "Questions:" in visible(stats)


async def test_reindex_while_questions_keep_arriving(bot: Harness, service: Service) -> None:
    """Every question during a blue-green rebuild is answered, each from a complete index."""
    questions = ["What will harbour repairs receive?", "When does the lobster season open?",
                 "Why were the licences extended?",
                 # answered from dense vectors alone (no shared words), so a half-built collection would show
                 "Почему правительство не заинтересовано в диалоге с оппозицией?"]
    expected = {q: [x.text for x in service.ask(q).quotes] for q in questions}
    api = bot.api
    admin_chat = bot.private(bot.admin)
    api.message(admin_chat, bot.admin, "/reindex")
    users = [api.user(5000 + i) for i in range(6)]
    asked: list[tuple[int, int, str]] = []  # (user, message id, question)
    began = time.monotonic()
    while len(api.sent(admin_chat["id"])) < 2 and time.monotonic() - began < 40:
        for i, user in enumerate(users):
            q = questions[(len(asked) + i) % len(questions)]
            asked.append((user["id"], api.message(api.private_chat(user), user, q)["message_id"], q))
        await asyncio.sleep(0.3)  # about 20 questions a second, under Telegram's 30 messages a second
    report = await api.wait_sent(admin_chat["id"], 2, timeout=40)
    assert "Reindexed" in visible(report[-1]) and "transcript" in visible(report[-1])
    for user in users:
        mine = {message_id: q for uid, message_id, q in asked if uid == user["id"]}
        replies = await api.wait_sent(user["id"], len(mine), timeout=20)
        for reply in replies:  # matched by what they reply to: a slower answer may arrive after a later one
            q = mine[reply["reply_to_message_id"]]
            assert blockquotes(reply) == expected[q], q
    assert len(asked) >= 12


# -- summaries ------------------------------------------------------------------------------------------
CHANNEL = -100777


def channel_admin(api: BotApi, can_post: bool = True) -> Json:
    rights = dict.fromkeys(("can_be_edited", "is_anonymous", "can_promote_members"), False) | dict.fromkeys(
        ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
         "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories"), True)
    member = ChatMemberAdministrator(User(api.bot_id, "Verbatim", True), **rights, can_post_messages=can_post)
    return member.to_dict()


async def test_summary_in_a_private_chat_and_a_group(bot: Harness, service: Service) -> None:
    [reply] = await bot.ask(bot.reader, "/summary")
    assert visible(reply).startswith("Summary") and "Interviewer asks:" in visible(reply)
    for n in range(1, 6):
        assert f"Q{n} · Interviewer asks:" in visible(reply)
    assert_quotes_verbatim(service, reply)
    [focused] = await bot.ask(bot.reader, "/summary dialogue with the opposition", chat=bot.group)
    assert "what is said about dialogue with the opposition" in visible(focused)
    assert focused["reply_to_message_id"] and assert_quotes_verbatim(service, focused)
    [one] = await bot.ask(bot.reader, "/summary fisheries.txt")
    quotes = assert_quotes_verbatim(service, one)
    assert quotes and all(q in transcript(service, "fisheries.txt") for q in quotes)
    assert "what is said about" not in visible(one)  # the transcript's name picked it; it is not a topic


async def test_admins_post_summaries_to_the_channel_and_hear_what_is_wrong(service: Service, tmp_path: Path) -> None:
    async with BotApi(TOKEN) as api:
        stats = Stats(tmp_path / "s.sqlite3")
        app = await start_app(api, service, stats, channel_id=CHANNEL)
        h = Harness(api, app, stats)
        try:
            api.chat_members[(CHANNEL, api.bot_id)] = channel_admin(api)
            [done] = await h.ask(h.admin, "/post_summary", timeout=30)
            assert "Posted the summary to -100777" in visible(done)
            posts = api.sent(CHANNEL)
            assert posts and "Interviewer asks:" in visible(posts[0])
            assert 'href="https://t.me/verbatim_test_bot?start=summary"' in posts[-1]["text"]
            [welcome] = await h.ask(h.reader, "/start summary")
            assert "verbatim quotes" in visible(welcome)
            [refused] = await h.ask(h.reader, "/post_summary")
            assert "only the bot's admins" in visible(refused)
            api.chat_members[(CHANNEL, api.bot_id)] = channel_admin(api, can_post=False)
            [no_right] = await h.ask(h.admin, "/post_summary")
            assert "may not post messages" in visible(no_right)
            api.chat_members[(CHANNEL, api.bot_id)] = {"status": "member"}
            [not_admin] = await h.ask(h.admin, "/post_summary")
            assert "not an admin of channel" in visible(not_admin)
            api.missing_chats.add(CHANNEL)
            [missing] = await h.ask(h.admin, "/post_summary")
            assert "is not a chat the bot can see" in visible(missing) and "-100" in visible(missing)
            assert len(api.sent(CHANNEL)) == len(posts)  # nothing more was posted
        finally:
            await stop_app(app)
            stats.close()


async def test_the_daily_digest_walks_on_and_remembers_across_restarts(service: Service, tmp_path: Path) -> None:
    async with BotApi(TOKEN) as api:
        api.chat_members[(CHANNEL, api.bot_id)] = channel_admin(api)
        posted: list[str] = []
        for _ in range(2):  # the second round is a restart over the same stats file
            stats = Stats(tmp_path / "s.sqlite3")
            app = await start_app(api, service, stats, channel_id=CHANNEL, digest_time=dt.time(6, 0, tzinfo=dt.UTC))
            try:
                assert app.job_queue is not None
                [job] = app.job_queue.get_jobs_by_name("digest")
                for _ in range(2):
                    before = len(api.sent(CHANNEL))
                    await job.run(app)
                    new = api.sent(CHANNEL)[before:]
                    assert new and "start=summary" in new[-1]["text"]
                    posted.append(visible(new[0]).split("\n")[0])
            finally:
                await stop_app(app)
                stats.close()
    from bot.handlers.posts import DIGEST_WORDS

    walk = [f"Daily digest · {service.snapshot.transcripts[d].title} · part {i + 1} of {n}"
            for d in sorted(service.snapshot.transcripts)
            for n in [len(service.summarize(d, None, DIGEST_WORDS).parts)] for i in range(n)]
    assert posted == walk[:4]  # in order, and the restart continued where it stopped


# -- faults ---------------------------------------------------------------------------------------------
async def test_flood_limits_and_server_errors_are_retried(bot: Harness) -> None:
    bot.api.fail("sendMessage", 429, retry_after=1)
    [first] = await bot.ask(bot.reader, "When does the lobster season open?")
    assert "May 1" in visible(first)
    bot.api.fail("sendMessage", 500, times=2)
    [second] = await bot.ask(bot.reader, "What will harbour repairs receive?")
    assert "forty million" in visible(second)
    bot.api.fail("sendChatAction", 500, times=1)
    [third] = await bot.ask(bot.reader, "Why were the licences extended?")
    assert "ice" in visible(third)


async def test_a_reply_that_times_out_is_sent_again(bot: Harness) -> None:
    """PTB gives up reading after 5 s; the answer is retried (Telegram may then show it twice, which
    beats never)."""
    bot.api.delay("sendMessage", 6.0)
    replies = await bot.ask(bot.reader, "When does the lobster season open?", timeout=40)
    assert "May 1" in visible(replies[0])
    await bot.api.wait_for(lambda: len(bot.api.calls_to("sendMessage")) >= 2, timeout=20)


async def test_the_token_never_reaches_the_log(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    root, httpx_logger = logging.getLogger(), logging.getLogger("httpx")
    saved = (root.level, httpx_logger.level, list(caplog.handler.filters))
    try:
        caplog.set_level(logging.DEBUG)
        logs.setup("DEBUG", TOKEN)
        bot.api.fail("sendMessage", 500, times=1)
        await bot.ask(bot.reader, "When does the lobster season open?")
        logging.getLogger("telegram.ext").warning("request to %s/bot%s/getMe failed", bot.api.base_url, TOKEN)
        assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
        assert "[token]" in caplog.text
    finally:
        root.setLevel(saved[0])
        httpx_logger.setLevel(saved[1])
        caplog.handler.filters[:] = saved[2]


# -- languages ------------------------------------------------------------------------------------------
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def alerts(api: BotApi) -> list[str]:
    return [c.get("text") or "" for c in api.calls_to("answerCallbackQuery")]


async def test_a_russian_reader_gets_russian_words_around_verbatim_quotes(bot: Harness, service: Service) -> None:
    api = bot.api
    ivan = api.user(7007, "Иван", language_code="ru-RU")
    ask = "Why are the authorities not interested in dialogue with the opposition?"
    [reply] = await bot.ask(ivan, ask)
    quotes = assert_quotes_verbatim(service, reply)
    assert quotes == [q.text for q in service.ask(ask).quotes]  # the same quotes as in English, untranslated
    assert "Nəsimi Məmmədli" in visible(reply)  # names stay as written
    assert re.search(r'start=q_[0-9a-z_]+">ответ на вопрос \d+, абз\. \d+</a>', reply["text"])
    assert "answer to" not in visible(reply)
    keys = buttons(reply)
    assert {"Ещё цитаты", "👍", "👎"} <= set(keys) and any(k.startswith("Контекст") for k in keys)

    chat = reply["chat"]["id"]
    api.press(ivan, reply, keys["Ещё цитаты"])
    [more] = (await api.wait_sent(chat, 2))[1:]
    assert assert_quotes_verbatim(service, more) and "абз." in visible(more)
    api.press(ivan, reply, next(v for k, v in keys.items() if k.startswith("Контекст")))
    [ctx] = (await api.wait_sent(chat, 3))[2:]
    assert "<blockquote expandable>" in ctx["text"] and "ответ на вопрос" in visible(ctx).split("\n")[0]
    api.press(ivan, reply, keys["👍"])
    await api.wait_for(lambda: "Спасибо, учту." in alerts(api))

    api.press(ivan, reply, "m:notanumber")  # a forged button
    await api.wait_for(lambda: "Эта кнопка недействительна; спросите ещё раз." in alerts(api))
    [refused] = await bot.ask(ivan, "/remove mammadli-interview.txt")  # the error handler speaks Russian too
    assert visible(refused) == "Извините, это могут делать только администраторы бота. Лучше задайте мне вопрос!"
    [stale] = await bot.ask(ivan, "/start q_0000000000_1_2_abcd")
    assert visible(stale) == "Расшифровка по этой ссылке больше не проиндексирована."
    [uncovered] = await bot.ask(ivan, "What is the best recipe for plov with quince?")
    assert visible(uncovered).startswith("В расшифровках нет ответа на этот вопрос.")
    [helped] = await bot.ask(ivan, "/help")
    assert "Например:" in visible(helped) and "/language" in visible(helped) and CYRILLIC.search(visible(helped))


async def test_an_azerbaijani_reader_chooses_with_language_and_is_remembered(bot: Harness) -> None:
    api = bot.api
    leyla = api.user(7008, "Leyla", language_code="en")  # her Telegram app is in English
    [menu] = await bot.ask(leyla, "/language")
    assert visible(menu) == "I answer you in English. Choose a language:"
    assert list(buttons(menu)) == ["English", "Azərbaycanca", "Русский"]
    chat = menu["chat"]["id"]
    api.press(leyla, menu, buttons(menu)["Azərbaycanca"])
    [chosen] = (await api.wait_sent(chat, 2))[1:]
    assert visible(chosen).startswith("Bundan sonra sizə azərbaycanca cavab verirəm")
    assert bot.stats.language(7008) == "az"
    chat_menu = api.commands({"type": "chat", "chat_id": chat})
    assert chat_menu and any(c["description"].startswith("dilimi seçin") for c in chat_menu)

    [answer] = await bot.ask(leyla, "When does the lobster season open?")  # the next message remembers it
    assert "May 1" in visible(answer) and "Daha çox sitat" in buttons(answer) and "replika" in visible(answer)
    [again] = await bot.ask(leyla, "/language")
    assert visible(again) == "Sizə azərbaycanca cavab verirəm. Dil seçin:"
    [privacy] = await bot.ask(leyla, "/privacy")
    assert "/language ilə seçdiyiniz dil" in visible(privacy) and "48 saat" in visible(privacy)

    [russian] = await bot.ask(leyla, "/language ru")
    assert visible(russian).startswith("Теперь я отвечаю вам по-русски")
    [forgot] = await bot.ask(leyla, "/forget")  # back to her app's language, and nothing kept
    assert "follow your Telegram app's language again" in visible(forgot)
    assert bot.stats.language(7008) is None and not api.commands({"type": "chat", "chat_id": chat})


async def test_the_choice_is_kept_as_a_code_under_a_keyed_hash(bot: Harness) -> None:
    import sqlite3

    await bot.ask(bot.api.user(7009, language_code="az"), "/language ru")
    with sqlite3.connect(bot.stats.path) as db:
        rows = db.execute("SELECT person, language FROM languages").fetchall()
    assert rows == [(bot.stats.identity.person(7009), "ru")] and "7009" not in rows[0][0]


async def test_menus_are_set_per_language(bot: Harness) -> None:
    api = bot.api
    private = {"type": "all_private_chats"}
    english, azerbaijani, russian = (api.commands(private, code) for code in (None, "az", "ru"))
    assert [c["command"] for c in english] == [c["command"] for c in russian] == [c["command"] for c in azerbaijani]
    assert "language" in [c["command"] for c in english]
    assert english[0]["description"] == "how to ask, with examples"
    assert russian[0]["description"] == "как спрашивать, с примерами"
    assert azerbaijani[0]["description"] == "necə soruşmalı, nümunələrlə"
    assert CYRILLIC.search(" ".join(c["description"] for c in api.commands({"type": "all_group_chats"}, "ru")))
    admin = api.commands({"type": "chat", "chat_id": ADMIN}, "ru")
    assert "reindex" in [c["command"] for c in admin] and CYRILLIC.search(admin[-1]["description"])


async def test_readers_of_different_languages_in_one_group_each_get_their_own(bot: Harness, service: Service) -> None:
    api, group = bot.api, bot.group
    ivan, leyla = api.user(7010, language_code="ru"), api.user(7011, language_code="az")
    asked = {api.message(group, who, "/ask When does the lobster season open?")["message_id"]: who
             for who in (ivan, leyla, bot.reader)}
    replies = await api.wait_sent(group["id"], 3, timeout=30)
    words = {7010: "Ещё цитаты", 7011: "Daha çox sitat", READER: "More quotes"}
    for reply in replies:
        who = asked[reply["reply_to_message_id"]]
        assert words[who["id"]] in buttons(reply) and "May 1" in visible(reply)
        assert_quotes_verbatim(service, reply)


async def test_channel_posts_speak_the_channel_language_and_the_admin_theirs(service: Service, tmp_path: Path) -> None:
    async with BotApi(TOKEN) as api:
        stats = Stats(tmp_path / "s.sqlite3")
        app = await start_app(api, service, stats, channel_id=CHANNEL, channel_language="az")
        h = Harness(api, app, stats)
        try:
            api.chat_members[(CHANNEL, api.bot_id)] = channel_admin(api)
            admin = api.user(ADMIN, "Ada", language_code="ru")
            [done] = await h.ask(admin, "/post_summary fisheries.txt", timeout=30)
            assert visible(done).startswith("Сводка опубликована в -100777")
            posts = api.sent(CHANNEL)
            assert visible(posts[0]).startswith("Xülasə") and "Bu müsahibə haqqında bota sual verin" in visible(
                posts[-1])
            assert_quotes_verbatim(service, posts[0])
        finally:
            await stop_app(app)
            stats.close()
