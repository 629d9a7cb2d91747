"""Handler-level tests: the decisions a handler makes, with the real service and a recording bot.

The end-to-end tests (test_bot_e2e.py) cover the same handlers over HTTP; these run in milliseconds and
pin down who gets answered, who is ignored and who is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from telegram import Update

from bot.app import Handlers
from bot.config import BotSettings
from bot.handlers.buttons import GONE
from bot.handlers.deps import Callback, Deps
from bot.handlers.errors import error_handler
from bot.state.buckets import UserLimiter
from bot.state.stats import Stats
from retrieval.service import Service

BOT_ID, ADMIN, READER, GROUP = 900001, 1, 2, -100555


class RecordingBot:
    """Stands in for telegram.Bot: records what a handler sends instead of sending it."""

    username, id = "verbatim_test_bot", BOT_ID

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.answered: list[str | None] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        self.sent.append({"chat_id": chat_id, "text": text, **kwargs})
        return SimpleNamespace(message_id=len(self.sent) + 100)

    async def send_chat_action(self, chat_id: int, action: str, **kwargs: Any) -> bool:
        return True

    async def answer_callback_query(self, callback_query_id: str, text: str | None = None, **kwargs: Any) -> bool:
        self.answered.append(text)
        return True


@pytest.fixture
def handlers(service: Service, tmp_path: Path) -> Iterator[Handlers]:
    settings = BotSettings("1:" + "a" * 30, None, None, frozenset({ADMIN}), None, None, None, "127.0.0.1", 8443,
                           20.0, 5, 8, state_dir=tmp_path / "state")
    stats = Stats(tmp_path / "s.sqlite3")
    yield Handlers.build(Deps(service, stats, settings, UserLimiter(20.0, 5)))
    stats.close()


async def handle(callback: Callback, update: Update, context: Any) -> None:
    """As the Application runs a handler: what it raises goes to the error handler, which tells the person."""
    try:
        await callback(update, context)
    except Exception as err:  # the Application catches everything too
        context.error = err
        await error_handler(update, context)


def update(bot: RecordingBot, text: str, user: int = READER, chat: int = GROUP, **message: Any) -> Update:
    chat_type = "private" if chat > 0 else "supergroup"
    entities = [{"type": "mention", "offset": i, "length": len(w)}
                for i, w in ((text.index(w), w) for w in text.split() if w.startswith("@"))]
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    data = {"update_id": 1, "message": {"message_id": 7, "date": 0, "chat": {"id": chat, "type": chat_type},
                                        "from": {"id": user, "is_bot": False, "first_name": "U"},
                                        "text": text, "entities": entities, **message}}
    return Update.de_json(data, bot)  # type: ignore[arg-type]


def context(bot: RecordingBot, args: list[str] | None = None) -> Any:
    return SimpleNamespace(bot=bot, args=args or [], chat_data={})


async def test_group_chatter_and_mentions_of_other_bots_are_ignored(handlers: Handlers) -> None:
    bot = RecordingBot()
    for text in ("the harbour repairs look great", "@other_bot when does the lobster season open?"):
        await handle(handlers.questions.group_text, update(bot, text), context(bot))
    reply_to_someone = {"reply_to_message": {"message_id": 3, "date": 0, "chat": {"id": GROUP, "type": "supergroup"},
                                             "from": {"id": 55, "is_bot": False, "first_name": "X"}, "text": "hi"}}
    await handle(handlers.questions.group_text, update(bot, "and the licences?", **reply_to_someone), context(bot))
    assert bot.sent == []


async def test_a_mention_is_a_question_without_the_mention(handlers: Handlers) -> None:
    bot = RecordingBot()
    await handle(handlers.questions.group_text, update(bot, "@Verbatim_Test_Bot when does the lobster season open?"),
                 context(bot))
    [sent] = bot.sent
    assert "The lobster season opens on May 1." in sent["text"] and sent["reply_parameters"].message_id == 7
    await handle(handlers.questions.group_text, update(bot, "@verbatim_test_bot"), context(bot))
    assert "Ask me something" in bot.sent[-1]["text"]


async def test_a_reply_to_the_bot_is_a_question(handlers: Handlers) -> None:
    bot = RecordingBot()
    ours = {"reply_to_message": {"message_id": 3, "date": 0, "chat": {"id": GROUP, "type": "supergroup"},
                                 "from": {"id": BOT_ID, "is_bot": True, "first_name": "V"}, "text": "..."}}
    await handle(handlers.questions.group_text, update(bot, "What will harbour repairs receive?", **ours), context(bot))
    assert "forty million dollars" in bot.sent[0]["text"]


async def test_ask_without_a_question_gets_usage(handlers: Handlers) -> None:
    bot = RecordingBot()
    await handle(handlers.questions.ask_command, update(bot, "/ask"), context(bot))
    assert bot.sent[0]["text"].startswith("Usage: <code>/ask")


async def test_admin_commands_refuse_non_admins_before_doing_anything(handlers: Handlers) -> None:
    bot = RecordingBot()
    admins, service = handlers.admins, handlers.admins.deps.service
    before = sorted(p.name for p in service.settings.data_dir.iterdir())
    for handler, args in ((admins.reindex, []), (admins.remove, ["fisheries.txt"]), (admins.stats, []),
                          (handlers.posts.post_summary, [])):
        await handle(handler, update(bot, "/x", chat=READER), context(bot, args))
    assert [s["text"] for s in bot.sent] == ["Sorry, only the bot's admins can do that. Ask me a question instead!"] * 4
    assert all(s["reply_parameters"].message_id == 7 for s in bot.sent)
    assert sorted(p.name for p in service.settings.data_dir.iterdir()) == before


async def test_admin_remove_without_a_name_lists_the_transcripts(handlers: Handlers) -> None:
    bot = RecordingBot()
    await handle(handlers.admins.remove, update(bot, "/remove", user=ADMIN, chat=ADMIN), context(bot))
    assert "Usage: <code>/remove DOC</code>" in bot.sent[0]["text"] and "mammadli-interview.txt" in bot.sent[0]["text"]


async def test_buttons_with_unknown_or_broken_data_are_answered_not_crashed(handlers: Handlers) -> None:
    bot = RecordingBot()
    ours = {"message_id": 5, "date": 0, "chat": {"id": READER, "type": "private"}, "text": "an answer",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "V"}}
    presses = [("m:notanumber", ours), ("zz:1", ours), ("c:999999:0", ours), ("f:999999:1", ours),
               ("m:1", None),  # a message too old for Telegram to include
               ("m:99999999999999999999999", ours), ("c:1:-99999999999999999999", ours)]  # past SQLite's integers
    for data, message in presses:
        press = {"id": "q", "chat_instance": "c", "data": data,
                 "from": {"id": READER, "is_bot": False, "first_name": "U"}} | ({"message": message} if message else {})
        await handle(handlers.buttons.button,
                     Update.de_json({"update_id": 2, "callback_query": press}, bot),  # type: ignore[arg-type]
                     context(bot))
    assert bot.answered == ["This button is not valid; ask again.", "This button is from an older version; ask again.",
                            GONE, GONE, "That message is no longer available; please ask again.",
                            "This button is not valid; ask again.", "This button is not valid; ask again."]
    assert not bot.sent


async def test_a_summary_of_too_many_transcripts_says_how_to_narrow_it(handlers: Handlers,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.handlers.posts as posts_module
    from retrieval.params import MIN_TRANSCRIPT_WORDS

    count = len(handlers.posts.service.snapshot.transcripts)
    monkeypatch.setattr(posts_module, "SUMMARY_WORDS", count * MIN_TRANSCRIPT_WORDS - 1)
    bot = RecordingBot()
    summary = handlers.posts.summary
    await handle(summary, update(bot, "/summary", chat=READER), context(bot))
    assert f"{count} transcripts are indexed" in bot.sent[-1]["text"] and "/sources" in bot.sent[-1]["text"]
    await handle(summary, update(bot, "/summary hearings/fisheries.txt", chat=READER),
                 context(bot, ["hearings/fisheries.txt"]))
    one = bot.sent[-1]["text"]
    assert "Minister of Fisheries" in one and "Interviewer" not in one and "what is said about" not in one
    await handle(summary, update(bot, "/summary hearings/fisheries.txt lobster season", chat=READER),
                 context(bot, ["hearings/fisheries.txt", "lobster", "season"]))
    assert "what is said about <i>lobster season</i>" in bot.sent[-1]["text"]


async def test_the_answer_to_an_older_version_of_an_edited_question_is_dropped(handlers: Handlers) -> None:
    """Updates run concurrently: the original question's answer can finish after the edit's."""
    bot = RecordingBot()
    shared = context(bot)  # one chat's data across both updates, as the Application keeps it
    original = {"message_id": 7, "date": 0, "chat": {"id": READER, "type": "private"},
                "from": {"id": READER, "is_bot": False, "first_name": "U"},
                "text": "When does the lobster season open?"}
    edited = original | {"text": "What will harbour repairs receive?", "edit_date": 60}
    for payload in ({"update_id": 2, "edited_message": edited}, {"update_id": 1, "message": original}):
        await handle(handlers.questions.private_text, Update.de_json(payload, bot), shared)  # type: ignore[arg-type]
    [sent] = bot.sent
    assert "forty million dollars" in sent["text"]


async def test_the_error_handler_shows_a_persons_error_and_apologises_for_ours(handlers: Handlers) -> None:
    from retrieval.errors import StoreUnavailableError, TranscriptError, UsageError

    bot = RecordingBot()
    errors: list[Exception] = [UsageError("no transcript '<b>x</b>' is indexed"), TranscriptError("a.txt", "is empty"),
                               StoreUnavailableError("lost the connection to the Chroma server"),
                               RuntimeError("a bug with a secret path /srv/x")]

    def failing(error: Exception) -> Callback:
        async def handler(update: Update, context: Any) -> None:
            raise error
        return handler

    for error in errors:
        await handle(failing(error), update(bot, "/x", chat=READER), context(bot))
    assert [s["text"] for s in bot.sent] == [
        "no transcript '&lt;b&gt;x&lt;/b&gt;' is indexed", "a.txt: is empty",
        "The index is unavailable right now; please try again in a minute.",
        "Sorry, that failed on my side. Please try again in a moment."]
    assert all(s["reply_parameters"].message_id == 7 for s in bot.sent)
    press = {"id": "q", "chat_instance": "c", "data": "c:1:0",
             "from": {"id": READER, "is_bot": False, "first_name": "U"},
             "message": {"message_id": 5, "date": 0, "chat": {"id": READER, "type": "private"}, "text": "an answer"}}
    button = Update.de_json({"update_id": 3, "callback_query": press}, bot)  # type: ignore[arg-type]
    await handle(failing(UsageError("d.txt has no passage at 1:2; it may have changed since")), button, context(bot))
    assert bot.answered == ["d.txt has no passage at 1:2; it may have changed since"] and len(bot.sent) == 4


async def test_answers_are_remembered_for_a_bounded_number_of_questions(handlers: Handlers) -> None:
    from bot.messages.rewrite import AnswerThreads

    bot = RecordingBot()
    shared = context(bot)
    shared.chat_data["answer_threads"] = threads = AnswerThreads(kept=2)
    for message_id in (7, 8, 9):
        payload = {"update_id": message_id, "message": {
            "message_id": message_id, "date": 0, "chat": {"id": READER, "type": "private"},
            "from": {"id": READER, "is_bot": False, "first_name": "U"}, "text": "When does the lobster season open?"}}
        await handle(handlers.questions.private_text, Update.de_json(payload, bot), shared)  # type: ignore[arg-type]
    assert list(threads._threads) == [8, 9] and len(bot.sent) == 3


def test_the_terminal_chat_runs_its_own_command_table(service: Service) -> None:
    from bot.terminal.chat import run_chat

    lines = iter(["/help", "/doc nowhere.txt", "/doc hearings/fisheries.txt", "/summary lobster season",
                  "/frobnicate", "", "When does the lobster season open?", "/doc", "/exit", "never read"])
    out: list[str] = []
    assert run_chat(service, lambda _: next(lines), out.append) == 0
    text = "\n".join(out)
    assert "/summary [TOPIC]" in text and "/doc NAME" in text and "/quit" in text
    assert "no transcript 'nowhere.txt'" in text and "unknown command /frobnicate; type /help" in text
    assert "lobster" in text.lower() and "The lobster season opens on May 1." in text


def press_update(bot: RecordingBot, data: str, user: int, chat: int = GROUP, update_id: int = 50) -> Update:
    chat_type = "private" if chat > 0 else "supergroup"
    press = {"id": "q", "chat_instance": "c", "data": data, "from": {"id": user, "is_bot": False, "first_name": "U"},
             "message": {"message_id": 5, "date": 0, "chat": {"id": chat, "type": chat_type}, "text": "an answer"}}
    return Update.de_json({"update_id": update_id, "callback_query": press}, bot)  # type: ignore[arg-type]


async def test_buttons_work_only_for_the_person_and_chat_that_asked(handlers: Handlers) -> None:
    from bot.handlers.buttons import NOT_YOURS

    bot = RecordingBot()
    await handle(handlers.questions.ask_command, update(bot, "/ask When does the lobster season open?"),
                 context(bot, ["When", "does", "the", "lobster", "season", "open?"]))
    keyboard = bot.sent[-1]["reply_markup"]
    data = keyboard.inline_keyboard[0][0].callback_data  # Context 1
    await handle(handlers.buttons.button, press_update(bot, data, user=READER + 1), context(bot))
    await handle(handlers.buttons.button, press_update(bot, data, user=READER, chat=READER), context(bot))
    assert bot.answered == [NOT_YOURS, NOT_YOURS] and len(bot.sent) == 1
    await handle(handlers.buttons.button, press_update(bot, data, user=READER), context(bot))
    assert bot.answered[-1] is None and len(bot.sent) == 2  # the asker gets the passage


async def test_every_command_and_button_goes_through_the_per_person_limit(service: Service, tmp_path: Path) -> None:
    from bot.app import limited
    from bot.commands import COMMANDS

    settings = BotSettings("1:" + "a" * 30, None, None, frozenset({ADMIN}), None, None, None, "127.0.0.1", 8443,
                           1.0, 2, 8, state_dir=tmp_path / "state")
    stats = Stats(tmp_path / "s.sqlite3")
    built = Handlers.build(Deps(service, stats, settings, UserLimiter(1.0, 2)))
    bot = RecordingBot()
    for n, name in enumerate(["help", "sources", "privacy", "summary", "start"]):
        command = next(c for c in COMMANDS if c.name == name)
        payload = update(bot, f"/{name}", chat=READER).to_dict() | {"update_id": 100 + n}
        await handle(limited(built.deps, built.pick(command.handler)), Update.de_json(payload, bot),  # type: ignore[arg-type]
                     context(bot))
    assert sum("faster than I can keep up" in s["text"] for s in bot.sent) == 1  # told once; then dropped
    assert len(bot.sent) == 2 + 1
    answered = len(bot.answered)
    await handle(limited(built.deps, built.buttons.button), press_update(bot, "m:1", READER, READER, 200), context(bot))
    assert len(bot.answered) == answered and len(bot.sent) == 3  # dropped without a word
    other = READER + 7
    for n in range(3):  # another person's window is their own: a button over the limit tells them in an alert
        await handle(limited(built.deps, built.buttons.button), press_update(bot, "m:1", other, other, 300 + n),
                     context(bot))
    assert "faster than I can keep up" in (bot.answered[-1] or "")
    stats.close()


async def test_stats_are_shown_only_in_an_admins_private_chat_and_name_no_one(handlers: Handlers) -> None:
    bot = RecordingBot()
    await handle(handlers.admins.stats, update(bot, "/stats", user=ADMIN, chat=GROUP), context(bot))
    assert "only in your private chat" in bot.sent[-1]["text"]
    await handle(handlers.admins.stats, update(bot, "/stats", user=ADMIN, chat=ADMIN), context(bot))
    assert "Questions:" in bot.sent[-1]["text"] and "Busiest" not in bot.sent[-1]["text"]


async def test_forget_erases_the_senders_questions(handlers: Handlers) -> None:
    bot = RecordingBot()
    await handle(handlers.questions.private_text, update(bot, "Who was arrested?", chat=READER), context(bot))
    assert handlers.deps.stats.totals().questions == 1 and READER in handlers.deps.limiter  # asked, and when
    await handle(handlers.readers.forget, update(bot, "/forget", chat=READER), context(bot))
    assert "deleted 1 question" in bot.sent[-1]["text"] and handlers.deps.stats.totals().questions == 0
    assert READER not in handlers.deps.limiter  # not even the rate limit remembers them
    await handle(handlers.readers.privacy, update(bot, "/privacy", chat=READER), context(bot))
    assert "48 hours" in bot.sent[-1]["text"]
