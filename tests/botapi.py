"""In-process fake of the Telegram Bot API, so end-to-end tests run a real python-telegram-bot Application.

Why a fake server rather than mocks: the bot is exercised through PTB's real wire protocol (URL layout,
form/multipart encoding, HTTP status -> exception mapping), and Telegram's HTML and size checks catch
broken replies before users would.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from pathlib import PurePosixPath
from typing import Any, TypeVar, overload

from aiohttp import web

T = TypeVar("T")
Json = dict[str, Any]

# Telegram's HTML subset: tag -> entity type (None: attribute-dependent or merged into <pre>).
_TAGS: dict[str, str | None] = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
    "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": None,
    "tg-emoji": "custom_emoji",
}  # fmt: skip
_ESCAPE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_ATTR = re.compile(r"""([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_MENTION = re.compile(r"(?<![\w@/])@\w+")
_SPECIAL = re.compile(r"[<&]")
# Parameters that are always text, so a value such as "123" or "true" must not be JSON-decoded.
_TEXT_PARAMS = frozenset({
    "text", "caption", "title", "description", "short_description", "name", "query", "url", "file_id", "document",
    "callback_query_id", "inline_message_id", "parse_mode", "action", "language_code", "message_effect_id", "emoji",
    "inline_query_id", "next_offset",
})  # fmt: skip
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
INLINE_TIMEOUT = 10.0  # seconds Telegram waits for answerInlineQuery
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_SIDE_FIELDS = ("parse_mode", "reply_to_message_id", "plain_text", "plain_caption")


class ApiError(Exception):
    """A Bot API error answer, raised inside handlers so validation code reads straight down."""

    def __init__(self, status: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def _u16(text: str) -> int:
    """Telegram offsets count UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[Json]]:
    """Telegram-style HTML -> (plain text, entities); raises ApiError worded like Telegram's parser."""

    def fail(why: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {why}")

    def at(index: int) -> str:
        return f" at byte offset {len(text[:index].encode())}"

    out: list[str] = []
    stack: list[tuple[str, int, dict[str, str]]] = []  # open tag, UTF-16 start, attributes
    entities: list[Json] = []
    pos = i = 0
    while (m := _SPECIAL.search(text, i)) is not None:
        out.append(text[i : m.start()])
        pos += _u16(out[-1])
        i = m.start()
        if text[i] == "&":
            if (esc := _ESCAPE.match(text, i)) is None:
                raise fail(f'Unescaped "&"{at(i)}; write &amp;')
            char = html.unescape(esc.group(0))
            out.append(char)
            pos, i = pos + _u16(char), esc.end()
            continue
        end = text.find(">", i)
        if end < 0:
            raise fail(f"Unclosed start tag{at(i)}")
        body = text[i + 1 : end]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag{at(i)}")
            tag, start, attrs = stack.pop()
            if name != tag:
                raise fail(f'Unmatched end tag{at(i)}, expected "</{tag}>", found "</{name}>"')
            if tag == "code" and stack and stack[-1][0] == "pre" and attrs.get("class", "").startswith("language-"):
                stack[-1][2]["language"] = attrs["class"].removeprefix("language-")
            elif pos > start:
                kind = _TAGS[tag] or ("expandable_blockquote" if "expandable" in attrs else "blockquote")
                entity: Json = {"type": kind, "offset": start, "length": pos - start}
                extra = {"text_link": ("url", "href"), "pre": ("language", "language"),
                         "custom_emoji": ("custom_emoji_id", "emoji-id")}.get(kind)  # fmt: skip
                if extra and extra[1] in attrs:
                    entity[extra[0]] = attrs[extra[1]]
                entities.append(entity)
        else:
            name = re.split(r"\s", body, maxsplit=1)[0]
            if name.lower() not in _TAGS:
                raise fail(f'Unsupported start tag "{name}"{at(i)}')
            attrs = {a.lower(): html.unescape(b or c or d) for a, b, c, d in _ATTR.findall(body[len(name) :])}
            if name.lower() == "span" and attrs.get("class") != "tg-spoiler":
                raise fail(f'Tag "span" must have class "tg-spoiler"{at(i)}')
            name = name.lower()
            stack.append((name, pos, attrs))
        i = end + 1
    out.append(text[i:])
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def command_entities(text: str) -> list[Json]:
    """What Telegram attaches to a user's text: a bot_command at the start and a mention per @username."""
    found: list[Json] = []
    command_end = 0
    if text.startswith("/"):
        command_end = len(text.split(maxsplit=1)[0])
        found.append({"type": "bot_command", "offset": 0, "length": _u16(text[:command_end])})
    for m in _MENTION.finditer(text):
        if m.start() >= command_end:
            found.append({"type": "mention", "offset": _u16(text[: m.start()]), "length": _u16(m.group(0))})
    return found


def _decode(key: str, value: Any) -> Any:
    """PTB sends nested values (reply_markup, entities, scope...) and numbers as JSON strings."""
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and key not in _TEXT_PARAMS:
        with contextlib.suppress(ValueError):
            decoded = json.loads(value)
            return value if isinstance(decoded, str) else decoded
    return value


def _error(status: int, description: str, parameters: Json | None = None) -> web.Response:
    body: Json = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


class BotApi:
    """Fake Bot API server: queue updates with the builders, observe the bot through `calls` and `sent()`."""

    def __init__(self, token: str, username: str = "verbatim_test_bot", bot_id: int = 900001) -> None:
        self.token, self.username, self.bot_id = token, username, bot_id
        self.calls: list[tuple[str, Json]] = []
        self.chat_members: dict[tuple[int, int], Json] = {}
        self.missing_chats: set[int] = set()
        self.chats: dict[int, Json] = {}
        self.bot_user: Json = {"id": bot_id, "is_bot": True, "first_name": "Verbatim", "username": username}
        self.supports_inline_queries = False  # @BotFather's /setinline
        self.inline_answers: dict[str, Json] = {}  # inline query id -> answerInlineQuery's parameters
        self._inline_asked: dict[str, float] = {}  # open inline query id -> when it was queued
        self._known_chats: dict[int, Json] = {}
        self._users: dict[int, Json] = {}
        self._messages: dict[tuple[int, int], Json] = {}
        self._sent: list[Json] = []
        self._updates: list[Json] = []
        self._last_update_id = 0
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, Json] = {}
        self._blobs: dict[str, bytes] = {}
        self._counter = 0
        self._failures: dict[str, list[tuple[int, str, int | None]]] = {}
        self._delays: dict[str, list[float]] = {}
        self._commands: dict[str, list[Json]] = {}
        self._webhook_url = ""
        self._wakeup, self._closing = asyncio.Event(), asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[Json], Awaitable[Any]]] = {
            name.lower(): getattr(self, f"_api_{name}")
            for name in ("getMe", "logOut", "close", "deleteWebhook", "setWebhook", "getWebhookInfo", "getUpdates",
                         "sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage",
                         "answerCallbackQuery", "answerInlineQuery", "sendChatAction", "setMyCommands",
                         "deleteMyCommands", "getMyCommands", "getFile", "getChatMember", "getChat", "sendDocument")
        }  # fmt: skip

    # --- lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port so parallel test runs never collide."""
        self._wakeup, self._closing = asyncio.Event(), asyncio.Event()  # bound to the loop that serves
        app = web.Application(client_max_size=50 * 2**20)  # Telegram's upload limit, not aiohttp's 1 MiB
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Wake pending long polls and delays first, so shutdown never waits for them."""
        self._closing.set()
        self._wakeup.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB appends the token: {base_url}{token}/{method}."""
        if not self._port:
            raise RuntimeError("BotApi.start() has not been awaited")
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB downloads from {base_file_url}{token}/{file_path}."""
        return self.base_url.replace("/bot", "/file/bot")

    # --- building updates ----------------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "Ann", username: str | None = None,
             language_code: str | None = None) -> Json:
        """A User dict; remembered so getChatMember can answer with it. `language_code` is the language of
        the person's Telegram app ("ru", "en-GB"), as Telegram sends it with every update."""
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def private_chat(self, user: Json) -> Json:
        """The private chat with `user` (same id, as in Telegram)."""
        fields: Json = {k: user[k] for k in ("first_name", "username") if k in user}
        return self._remember({"id": user["id"], "type": "private", **fields})

    def group_chat(self, chat_id: int = -100123, title: str = "Readers") -> Json:
        """A supergroup, the only group type modern Telegram gives bots."""
        return self._remember({"id": chat_id, "type": "supergroup", "title": title})

    def message(self, chat: Json, user: Json, text: str, reply_to: Json | None = None) -> Json:
        """Queue a user's text message, with the entities Telegram would attach."""
        msg = self._new_message(chat, {"from": user, "text": text})
        if entities := command_entities(text):
            msg["entities"] = entities
        if reply_to is not None:
            msg["reply_to_message"] = self._public(self._current(reply_to), nested=True)
        self.update_payload({"message": msg})
        return msg

    def vanish(self, msg: Json) -> None:
        """The message is gone, as when a user deletes one of the bot's messages in a private chat."""
        self._messages.pop((msg["chat"]["id"], msg["message_id"]), None)
        self._sent = [m for m in self._sent if m["chat"]["id"] != msg["chat"]["id"]
                      or m["message_id"] != msg["message_id"]]

    def edit(self, original: Json, new_text: str) -> Json:
        """Queue an edited_message: same message_id, new text, edit_date set."""
        msg = {k: v for k, v in original.items() if k != "entities"} | {"text": new_text, "edit_date": int(time.time())}
        if entities := command_entities(new_text):
            msg["entities"] = entities
        self.update_payload({"edited_message": msg})
        return msg

    def document(
        self, chat: Json, user: Json, filename: str, content: bytes, mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> Json:  # fmt: skip
        """Queue a document upload; the bytes are then served by getFile + the file URL."""
        msg = self._new_message(chat, {"from": user, "document": self._store_file(filename, content, mime_type)})
        if caption is not None:
            msg["caption"] = caption
        self.update_payload({"message": msg})
        return msg

    def press(self, user: Json, message: Json, data: str) -> Json:
        """Queue a callback_query for a button under `message` (its current, possibly edited, version)."""
        current = self._public(self._current(message))
        self._counter += 1
        query = {"id": str(self._counter), "from": user, "message": current,
                 "chat_instance": str(abs(current["chat"]["id"])), "data": data}  # fmt: skip
        self.update_payload({"callback_query": query})
        return query

    def inline_query(self, user: Json, query: str, query_id: str | None = None, chat_type: str = "sender") -> Json:
        """Queue an inline_query, as typing `@bot query` in a chat sends one (Telegram caps `query` at 256
        characters; it is not capped here, so a bot's own cap can be tested)."""
        self._counter += 1
        inline = {"id": query_id or f"iq{self._counter}", "from": user, "query": query, "offset": "",
                  "chat_type": chat_type}  # fmt: skip
        self._inline_asked[inline["id"]] = time.monotonic()
        self.update_payload({"inline_query": inline})
        return inline

    async def wait_inline(self, query: Json, timeout: float = 10.0) -> Json:  # noqa: ASYNC109
        """The parameters of the bot's answerInlineQuery to `query`, once it is given."""
        return await self.wait_for(lambda: self.inline_answers.get(query["id"]), timeout)

    def channel_post(self, chat: Json, text: str) -> Json:
        """Queue a channel post (no "from"; sender_chat is the channel)."""
        channel = self._remember({**chat, "type": "channel"})
        msg = self._new_message(channel, {"sender_chat": channel, "text": text})
        self.update_payload({"channel_post": msg})
        return msg

    def update_payload(self, update: Json) -> None:
        """Queue any raw update; messages in it become known, so the bot may reply to them."""
        if "update_id" not in update:
            update["update_id"] = self._last_update_id + 1
        self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if isinstance(msg := update.get(key), dict):
                self._messages[(msg["chat"]["id"], msg["message_id"])] = msg
                self._remember(msg["chat"])
        self._updates.append(update)
        self._wakeup.set()

    # --- observing -----------------------------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[Json]:
        """Messages the bot created and still shows, in order (edits applied in place, deleted ones left out);
        "text" is as the bot sent it."""
        return [m for m in self._sent if chat_id is None or m["chat"]["id"] == chat_id]

    def commands(self, scope: Json | None = None, language_code: str | None = None) -> list[Json]:
        """The menu set for `scope` (default: the default scope) and language, as getMyCommands returns it."""
        return self._commands.get(self._scope_key({"scope": scope, "language_code": language_code or ""}), [])

    def calls_to(self, method: str) -> list[Json]:
        """Parameters of every call of `method` (case-insensitive), including failed ones."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    @overload
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool: ...  # noqa: ASYNC109
    @overload
    async def wait_for(self, predicate: Callable[[], T | bool | None], timeout: float = 10.0) -> T: ...  # noqa: ASYNC109
    async def wait_for(self, predicate: Callable[[], T | bool | None], timeout: float = 10.0) -> T | bool:  # noqa: ASYNC109
        """Poll until predicate() is truthy; on timeout fail with what the bot actually did."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (value := predicate()):
            if asyncio.get_running_loop().time() > deadline:
                recent = "\n".join(f"  {name} {json.dumps(p, default=repr)[:300]}" for name, p in self.calls[-15:])
                raise AssertionError(f"condition not met within {timeout}s; last calls:\n{recent or '  (none)'}")
            await asyncio.sleep(0.01)
        return value

    async def wait_sent(self, chat_id: int, count: int, timeout: float = 10.0) -> list[Json]:  # noqa: ASYNC109
        """Wait until the bot has sent at least `count` messages to `chat_id`."""
        if count <= 0:
            return self.sent(chat_id)
        return await self.wait_for(lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id), timeout)

    # --- behaviour knobs -----------------------------------------------------------------------------------
    def fail(
        self, method: str, status: int, times: int = 1, retry_after: int | None = None,
        description: str | None = None,
    ) -> None:  # fmt: skip
        """Make the next `times` calls of `method` fail the way Telegram does (e.g. 429 flood control)."""
        if description is None:
            defaults = {429: f"Too Many Requests: retry after {retry_after}", 400: "Bad Request",
                        403: "Forbidden: bot was blocked by the user"}  # fmt: skip
            description = defaults.get(status) or HTTPStatus(status).phrase
        self._failures.setdefault(method.lower(), []).extend([(status, description, retry_after)] * times)

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next calls of `method` sleep first; they still take effect, like a slow real server."""
        self._delays.setdefault(method.lower(), []).extend([seconds] * times)

    # --- HTTP plumbing -------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        raw: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                raw.update(await request.json())
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        raw[key] = {"file_name": value.filename, "mime_type": value.content_type,
                                    "content": value.file.read()}  # fmt: skip
                    else:
                        raw[key] = value
        params = {key: _decode(key, value) for key, value in raw.items()}
        self.calls.append((method, params))
        if delays := self._delays.get(method.lower()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delays.pop(0))
        if failures := self._failures.get(method.lower()):
            status, description, retry_after = failures.pop(0)
            return _error(status, description, None if retry_after is None else {"retry_after": retry_after})
        if (handler := self._handlers.get(method.lower())) is None:
            return _error(404, "Not Found: method not found")
        try:
            return web.json_response({"ok": True, "result": await handler(params)})
        except ApiError as exc:
            return _error(exc.status, exc.description, exc.parameters)
        except KeyError as exc:
            return _error(400, f"Bad Request: parameter {exc.args[0]} is required")

    async def _download(self, request: web.Request) -> web.Response:
        blob = self._blobs.get(request.match_info["path"])
        if request.match_info["token"] != self.token or blob is None:
            return _error(404, "Not Found")
        return web.Response(body=blob)

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error(404, "Not Found")

    # --- state helpers -------------------------------------------------------------------------------------
    def _remember(self, chat: Json) -> Json:
        self._known_chats[chat["id"]] = chat
        return chat

    def _chat(self, chat_id: Any) -> Json:
        if not isinstance(chat_id, int) or chat_id in self.missing_chats:
            raise ApiError(400, "Bad Request: chat not found")
        default = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        return self.chats.get(chat_id) or self._known_chats.get(chat_id) or default

    def _new_message(self, chat: Json, fields: Json) -> Json:
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        msg = {"message_id": message_id, "date": int(time.time()), "chat": chat, **fields}
        self._messages[(chat["id"], message_id)] = msg
        return msg

    def _current(self, message: Json) -> Json:
        return self._messages.get((message["chat"]["id"], message["message_id"]), message)

    @staticmethod
    def _public(msg: Json, nested: bool = False) -> Json:
        """The message as Telegram reports it: plain text plus entities, no test-only side fields."""
        public = {k: v for k, v in msg.items() if k not in _SIDE_FIELDS and not (nested and k == "reply_to_message")}
        for field in ("text", "caption"):
            if f"plain_{field}" in msg:
                public[field] = msg[f"plain_{field}"]
        return public

    def _store_file(self, filename: str, content: bytes, mime_type: str) -> Json:
        n = len(self._files) + 1
        path = f"documents/file_{n}{PurePosixPath(filename).suffix}"
        meta: Json = {"file_id": f"BQACAgIAAx-doc-{n}", "file_unique_id": f"AgADdoc{n}",
                "file_name": filename, "mime_type": mime_type, "file_size": len(content)}  # fmt: skip
        self._files[meta["file_id"]] = {k: meta[k] for k in ("file_id", "file_unique_id", "file_size")}
        self._files[meta["file_id"]]["file_path"] = path
        self._blobs[path] = content
        return meta

    def _format(self, msg: Json, field: str, params: Json, limit: int) -> None:
        """Validate text/caption like Telegram, storing the raw form plus what Telegram would show."""
        raw = str(params[field])
        plain, entities = parse_html(raw) if str(params.get("parse_mode", "")).lower() == "html" else (raw, [])
        if field == "text" and not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _u16(plain) > limit:
            raise ApiError(400, f"Bad Request: message {'is' if field == 'text' else 'caption is'} too long")
        entities_key = "entities" if field == "text" else "caption_entities"
        entities = entities or list(params.get(entities_key) or [])
        msg.update({field: raw, f"plain_{field}": plain, "parse_mode": params.get("parse_mode")})
        msg.pop(entities_key, None)
        if entities:
            msg[entities_key] = entities

    @staticmethod
    def _check_markup(markup: Any, private: bool = False) -> None:
        """Callback data of 1-64 bytes; a Mini App (web_app) button only in a private chat and only at an
        https URL (Telegram: "available only in private chats", "an HTTPS URL of a Web App")."""
        for row in (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "web_app" in button and not private:
                    raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
                if "web_app" in button and not str(button["web_app"].get("url", "")).startswith("https://"):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")

    def _bot_message(self, params: Json, fields: Json) -> Json:
        chat = self._chat(params["chat_id"])
        reply: Json = params.get("reply_parameters") or {}
        reply_to: Any = params.get("reply_to_message_id") or reply.get("message_id")
        target = self._messages.get((int(reply.get("chat_id") or chat["id"]), int(reply_to or 0)))
        if reply_to and target is None and not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        self._check_markup(params.get("reply_markup"), chat.get("type") == "private")
        msg = self._new_message(chat, {"from": self.bot_user, **fields})
        for key in ("reply_markup", "link_preview_options"):
            if params.get(key):
                msg[key] = params[key]
        if reply_to:
            msg["reply_to_message_id"] = reply_to
            if target is not None:
                msg["reply_to_message"] = self._public(target, nested=True)
        self._sent.append(msg)
        return msg

    def _editable(self, params: Json) -> Json:
        msg = self._messages.get((self._chat(params["chat_id"])["id"], params["message_id"]))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        self._check_markup(params.get("reply_markup"), msg.get("chat", {}).get("type") == "private")
        return msg

    @staticmethod
    def _apply_edit(msg: Json, edited: Json) -> Json:
        """Replace msg's content; Telegram refuses no-op edits, and an edit without reply_markup drops it."""
        keys = ("plain_text", "entities", "reply_markup")
        if all(msg.get(k) == edited.get(k) for k in keys):
            raise ApiError(400, _NOT_MODIFIED)
        msg.clear()
        msg.update(edited, edit_date=int(time.time()))
        return msg

    # --- Bot API methods -----------------------------------------------------------------------------------
    async def _api_getMe(self, params: Json) -> Json:
        return self.bot_user | {"can_join_groups": True, "can_read_all_group_messages": False,
                                "supports_inline_queries": self.supports_inline_queries}  # fmt: skip

    async def _api_logOut(self, params: Json) -> bool:
        return True

    _api_close = _api_logOut

    async def _api_deleteWebhook(self, params: Json) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook_url = ""
        return True

    async def _api_setWebhook(self, params: Json) -> bool:
        self._webhook_url = str(params["url"])
        return True

    async def _api_getWebhookInfo(self, params: Json) -> Json:
        return {"url": self._webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _api_getUpdates(self, params: Json) -> list[Json]:
        """Long poll: confirm updates below `offset`, then wait up to `timeout` s for at least one."""
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")  # fmt: skip
        if offset := int(params.get("offset", 0)):
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + float(params.get("timeout", 0))
        while not self._updates and not self._closing.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)
        return self._updates[: max(1, min(100, int(params.get("limit", 100))))]

    async def _api_sendMessage(self, params: Json) -> Json:
        msg: Json = {}
        self._format(msg, "text", params, 4096)
        return self._public(self._bot_message(params, msg))

    async def _api_sendDocument(self, params: Json) -> Json:
        document = params["document"]
        if isinstance(document, dict):
            meta = self._store_file(document["file_name"] or "file", document["content"], document["mime_type"])
        elif (known := self._files.get(str(document))) is not None:
            meta = {k: v for k, v in known.items() if k != "file_path"}
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        msg: Json = {"document": meta}
        if params.get("caption"):
            self._format(msg, "caption", params, 1024)
        return self._public(self._bot_message(params, msg))

    async def _api_editMessageText(self, params: Json) -> Json:
        msg = self._editable(params)
        edited = {k: v for k, v in msg.items() if k not in ("reply_markup", "entities", "link_preview_options")}
        self._format(edited, "text", params, 4096)
        edited.update({k: params[k] for k in ("reply_markup", "link_preview_options") if params.get(k)})
        return self._public(self._apply_edit(msg, edited))

    async def _api_editMessageReplyMarkup(self, params: Json) -> Json:
        msg = self._editable(params)
        edited = {k: v for k, v in msg.items() if k != "reply_markup"}
        if params.get("reply_markup"):
            edited["reply_markup"] = params["reply_markup"]
        return self._public(self._apply_edit(msg, edited))

    async def _api_deleteMessage(self, params: Json) -> bool:
        """Bots delete their own messages (Telegram also lets group admins delete others'; not needed here)."""
        key = (self._chat(params["chat_id"])["id"], int(params["message_id"]))
        msg = self._messages.get(key)
        if msg is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be deleted")
        self.vanish(msg)
        return True

    async def _api_answerCallbackQuery(self, params: Json) -> bool:
        return True

    async def _api_answerInlineQuery(self, params: Json) -> bool:
        """Checked like Telegram: an open query answered once within 10 s (a refused answer leaves it
        open); at most 50 results with unique ids of 1-64 bytes; each message text valid HTML (when so
        parsed) of 1-4096 characters; a button's start_parameter of 1-64 of A-Z a-z 0-9 _ -."""
        query_id = str(params["inline_query_id"])
        asked = self._inline_asked.get(query_id)
        if asked is None or time.monotonic() - asked > INLINE_TIMEOUT:
            raise ApiError(400, _QUERY_INVALID)
        results = params["results"]
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            self._check_result(result)
        button = params.get("button")
        if button is not None and (not button.get("text") or not _START_PARAMETER.match(
                str(button.get("start_parameter", "")))):  # fmt: skip
            raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        if not isinstance(params.get("cache_time", 300), int) or params.get("cache_time", 300) < 0:
            raise ApiError(400, "Bad Request: cache_time is invalid")
        del self._inline_asked[query_id]  # answered: a second answer is refused
        self.inline_answers[query_id] = params
        return True

    def _check_result(self, result: Json) -> None:
        if result.get("type") != "article" or not result.get("title"):
            raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
        content = result.get("input_message_content") or {}
        text = str(content.get("message_text", ""))
        plain, _ = parse_html(text) if str(content.get("parse_mode", "")).lower() == "html" else (text, [])
        if not plain.strip():
            raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
        if _u16(plain) > 4096:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._check_markup(result.get("reply_markup"))

    _api_sendChatAction = _api_answerCallbackQuery

    def _scope_key(self, params: Json) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    async def _api_setMyCommands(self, params: Json) -> bool:
        self._commands[self._scope_key(params)] = list(params["commands"])
        return True

    async def _api_deleteMyCommands(self, params: Json) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    async def _api_getMyCommands(self, params: Json) -> list[Json]:
        return self._commands.get(self._scope_key(params), [])

    async def _api_getFile(self, params: Json) -> Json:
        if (meta := self._files.get(str(params["file_id"]))) is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return meta

    async def _api_getChatMember(self, params: Json) -> Json:
        chat, user_id = self._chat(params["chat_id"]), int(params["user_id"])
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"}
        return {"status": "member", "user": user} | self.chat_members.get((chat["id"], user_id), {})

    async def _api_getChat(self, params: Json) -> Json:
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False
        )
        extra = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
        return extra | self._chat(params["chat_id"])
