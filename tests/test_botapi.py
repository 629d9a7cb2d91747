"""Self-test of the fake Bot API, driven by real python-telegram-bot so the wire format is proven, not assumed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.botapi import BotApi, parse_html

# Proxies must never intercept loopback traffic to the fake server.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

TOKEN = "123456:" + "A" * 35


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    async with BotApi(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: BotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


async def test_get_me(api: BotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (api.bot_id, api.username, True)
    assert me.can_join_groups and not me.can_read_all_group_messages and not me.supports_inline_queries
    assert api.calls[0][0] == "getMe"


async def test_send_html_with_keyboard_then_edit(api: BotApi, bot: Bot) -> None:
    user = api.user(7, username="ann")
    chat = api.private_chat(user)
    question = api.message(chat, user, "/ask @verbatim_test_bot what about lobsters?")
    assert question["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 4},
        {"type": "mention", "offset": 5, "length": 18},
    ]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    html = '<b>Roe</b>: <blockquote expandable>Seas &amp; "ice" &lt;3</blockquote> <a href="https://x.org/?a=1&amp;b=2">src</a>'
    reply = await bot.send_message(
        7, html, parse_mode=ParseMode.HTML, reply_markup=keyboard,
        reply_parameters=ReplyParameters(question["message_id"]),
    )  # fmt: skip
    assert reply.text == 'Roe: Seas & "ice" <3 src'
    assert reply.text_html.startswith("<b>Roe</b>: <blockquote expandable>Seas &amp;")
    assert reply.reply_to_message is not None and reply.reply_to_message.text == question["text"]
    [stored] = api.sent(7)
    assert stored["text"] == html and stored["parse_mode"] == "HTML"
    assert stored["reply_to_message_id"] == question["message_id"]
    assert stored["reply_markup"] == {"inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]}
    assert api.calls_to("sendMessage")[0]["reply_parameters"] == {"message_id": question["message_id"]}

    edited = await bot.edit_message_text("<i>shorter</i>", 7, reply.message_id, parse_mode=ParseMode.HTML)
    assert isinstance(edited, type(reply)) and edited.text == "shorter"
    assert stored["text"] == "<i>shorter</i>" and "reply_markup" not in stored and "edit_date" in stored
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>shorter</i>", 7, reply.message_id, parse_mode=ParseMode.HTML)
    await bot.edit_message_reply_markup(7, reply.message_id, reply_markup=keyboard)
    assert stored["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more:1"

    api.press(user, stored, "more:1")
    [update_json] = [u for u in await bot.get_updates() if u.callback_query]
    assert update_json.callback_query is not None and update_json.callback_query.data == "more:1"
    assert isinstance(update_json.callback_query.message, type(reply))
    assert update_json.callback_query.message.text == "shorter"


async def test_document_download(api: BotApi, bot: Bot) -> None:
    user = api.user(8)
    api.document(api.private_chat(user), user, "notes.txt", "héllo\n".encode(), caption="/upload")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    assert update.message.document.file_name == "notes.txt"
    tg_file = await bot.get_file(update.message.document.file_id)
    assert tg_file.file_path == f"{api.base_file_url}{TOKEN}/documents/file_1.txt"
    assert bytes(await tg_file.download_as_bytearray()) == "héllo\n".encode()
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{api.base_file_url}{TOKEN}/documents/missing.txt") as response:
            assert response.status == 404
        async with http.get(f"{api.base_file_url}wrong/documents/file_1.txt") as response:
            assert response.status == 404

    sent = await bot.send_document(8, b"a,b\n", filename="out.csv", caption="<b>csv</b>", parse_mode="HTML")
    assert sent.document is not None and sent.caption == "csv"
    assert api.sent(8)[0]["document"]["file_name"] == "out.csv"
    assert api.calls_to("sendDocument")[0]["document"]["content"] == b"a,b\n"


async def test_failures_map_to_ptb_exceptions(api: BotApi, bot: Bot) -> None:
    api.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(1, "hi")
    api.fail("sendMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(1, "hi")
        assert type(caught.value) is NetworkError
    api.fail("sendMessage", 403)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(1, "hi")
    await bot.send_message(1, "hi")
    assert len(api.calls_to("sendmessage")) == 5 and len(api.sent(1)) == 1

    api.delay("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "slow", read_timeout=0.1)
    await api.wait_sent(1, 2)  # a timed-out request may still have been delivered, as with the real API

    api.missing_chats.add(-5)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat_member(-5, 7)
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")


async def test_wrong_token_is_unauthorized(api: BotApi) -> None:
    with pytest.raises(InvalidToken, match="rejected"):
        async with Bot("999:" + "B" * 35, base_url=api.base_url, base_file_url=api.base_file_url):
            pass


async def test_text_validation(api: BotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "x" * 4097)
    await bot.send_message(1, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")  # counted after parsing
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
        await bot.send_message(1, "hi", reply_markup=markup)
    for broken in ("<b>open", "a < b", "line<br>break", "Q&A", '<span class="x">s</span>', "</b>", "<b><i>x</b></i>"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(1, broken, parse_mode="HTML")
    assert api.sent(1)[0]["plain_text"] == "<" * 4096


def test_parse_html_entities() -> None:
    text, entities = parse_html('😀 <pre><code class="language-py">x</code></pre><tg-spoiler>s</tg-spoiler>')
    assert text == "😀 xs"
    assert entities == [
        {"type": "pre", "offset": 3, "length": 1, "language": "py"},
        {"type": "spoiler", "offset": 4, "length": 1},
    ]


async def test_get_updates_long_poll_and_offset(api: BotApi, bot: Bot) -> None:
    user = api.user(9)
    loop = asyncio.get_running_loop()
    started = loop.time()
    asyncio.get_running_loop().call_later(0.2, api.message, api.private_chat(user), user, "late")
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates if u.message] == ["late"] and loop.time() - started < 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    api.update_payload({"update_id": 50, "message": {"message_id": 1, "date": 0, "chat": {"id": 3, "type": "private"},
                                                     "text": "raw"}})  # fmt: skip
    assert [u.update_id for u in await bot.get_updates(offset=3, limit=1)] == [50]
    async with aiohttp.ClientSession() as http:  # a JSON body (not what PTB sends) is accepted too
        payload = {"chat_id": 3, "text": "json", "reply_markup": {"inline_keyboard": []}}
        async with http.post(f"{api.base_url}{TOKEN}/sendMessage", json=payload) as response:
            assert (await response.json())["ok"] is True
        async with http.post(f"{api.base_url}{TOKEN}/nope") as response:
            assert response.status == 404
    assert api.sent(3)[0]["reply_markup"] == {"inline_keyboard": []}


async def test_application_polls_and_replies(api: BotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}", do_quote=True)

    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).base_file_url(api.base_file_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    user = api.user(42, "Bo")
    incoming = api.message(api.private_chat(user), user, "hello")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        [reply] = await api.wait_sent(42, 1, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "echo: hello" and reply["reply_to_message_id"] == incoming["message_id"]
    assert api.calls_to("getUpdates")[-1]["offset"] == 2  # the shutdown call confirmed update 1


async def test_builders_chat_info_and_commands(api: BotApi, bot: Bot) -> None:
    user = api.user(11, "Cy", username="cy")
    group = api.group_chat()
    original = api.message(group, user, "/ask@otherbot x")
    assert original["entities"] == [{"type": "bot_command", "offset": 0, "length": 13}]
    api.edit(original, "/ask better")
    api.channel_post(api.group_chat(-100777, "News"), "post")
    updates = await bot.get_updates()
    assert updates[1].edited_message is not None and updates[1].edited_message.text == "/ask better"
    assert updates[1].edited_message.message_id == original["message_id"]
    assert updates[2].channel_post is not None and updates[2].channel_post.chat.type == "channel"

    assert (await bot.get_chat(group["id"])).title == "Readers"
    member = await bot.get_chat_member(group["id"], 11)
    assert (member.status, member.user.username) == ("member", "cy")
    api.chat_members[(group["id"], 11)] = {"status": "left"}
    assert (await bot.get_chat_member(group["id"], 11)).status == "left"

    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(group["id"], "hi", reply_to_message_id=999)
    await bot.set_my_commands([BotCommand("ask", "Ask a question")])
    assert [c.command for c in await bot.get_my_commands()] == ["ask"]
    assert api.calls_to("setMyCommands")[0]["commands"] == [{"command": "ask", "description": "Ask a question"}]
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()


async def test_inline_queries_are_answered_once_and_checked_like_telegram(api: BotApi, bot: Bot) -> None:
    user = api.user(11)

    def article(i: str, text: str = "<b>fine</b>") -> InlineQueryResultArticle:
        return InlineQueryResultArticle(i, "t", InputTextMessageContent(text, parse_mode=ParseMode.HTML))

    query = api.inline_query(user, "lobsters")
    [update] = await bot.get_updates()
    assert update.inline_query is not None and update.inline_query.query == "lobsters"
    for results, button, why in (
        ([article("a"), article("a")], None, "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], None, "RESULT_ID_INVALID"),
        ([article(str(i)) for i in range(51)], None, "RESULTS_TOO_MUCH"),
        ([article("a", "<b>open")], None, "can't parse entities"),
        ([article("a", "x" * 4097)], None, "MESSAGE_TOO_LONG"),
        ([], InlineQueryResultsButton("open", start_parameter="no spaces"), "START_PARAM_INVALID"),
    ):
        with pytest.raises(BadRequest, match=f"(?i){why}"):
            await bot.answer_inline_query(query["id"], results, button=button)
    button = InlineQueryResultsButton("open", start_parameter="inline")
    assert await bot.answer_inline_query(query["id"], [article("a")], cache_time=30, is_personal=True, button=button)
    answered = await api.wait_inline(query)
    assert answered["cache_time"] == 30 and answered["is_personal"] is True
    assert answered["results"][0]["input_message_content"]["message_text"] == "<b>fine</b>"
    assert answered["button"] == {"text": "open", "start_parameter": "inline"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # answered already
        await bot.answer_inline_query(query["id"], [])
    api.supports_inline_queries = True
    assert (await bot.get_me()).supports_inline_queries
