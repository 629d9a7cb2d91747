"""The page server: tornado, which python-telegram-bot's webhook extra already brings (it is PTB's own webhook
server), so the pages need no new dependency and run in the bot's event loop as well as alone (`verbatim serve`).

    {prefix}/read/{key}?{signed link}[&p=N][&lang=L]   a transcript opened at a quote (or at part N)
    {prefix}/read/{key}/part/{N}?{signed link}          part N alone, fetched by reader.js as the reader scrolls
    {prefix}/static/reader.{hash}.css|js                the page's own two files, from memory
    {prefix}/                                           one line: what this server is for

Every refusal is a one-line page with a 4xx status: a link not signed by this data dir's key (403), a transcript
no longer served or changed since (410), too many requests (429), anything else (404). Limits as the bot's: a
token bucket per reader (their address, kept only as a salted hash and forgotten once full again), small
headers and bodies, idle connections closed. Tornado's access log, which names the address and the link
(who read what), is replaced by a DEBUG line of status and time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlencode

from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback
from tornado.netutil import bind_sockets
from tornado.web import Application, Finish, HTTPError, RequestHandler

from bot.state.buckets import UserLimiter
from bot.web.assets import Assets, content_security_policy
from bot.web.pages import BROKEN, NOT_FOUND, REFUSALS, TOO_MANY, Addresses, Pages, language
from retrieval import Library, LinkRefused, Links, Opened, Refusal

log = logging.getLogger(__name__)
PER_MINUTE = 120.0  # pages and parts a reader may open a minute: reading fast, a part every half second
BURST = 60
MAX_HEADERS = 16 * 1024  # a signed link is a few hundred bytes
MAX_BODY = 64 * 1024  # not a Telegram limit: nothing is posted here, so a body is small
IDLE_SECONDS = 60.0
PRUNE_MS = 600_000  # forget full buckets every ten minutes
SIGNED = ("at", "also", "c", "sig")
STATUS = {Refusal.INVALID: 403, Refusal.GONE: 410, Refusal.CHANGED: 410}


@dataclass
class Site:
    """What every handler shares: the served transcripts, the link key, the templates and assets, the limits."""

    library: Library
    links: Links
    prefix: str = ""  # the path of the public base URL ("/verbatim" for https://host/verbatim)
    pages: Pages = field(default_factory=Pages)
    assets: Assets = field(default_factory=Assets)
    limiter: UserLimiter = field(default_factory=lambda: UserLimiter(PER_MINUTE, BURST))
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def reader(self, address: str) -> int:
        """A reader as the limit knows them: a salted hash of their address, never the address itself."""
        digest = hashlib.blake2b(address.encode("utf-8"), key=self.salt, digest_size=8).digest()
        return int.from_bytes(digest, "big")

    def static(self, name: str) -> str:
        return f"{self.prefix}/static/{name}"


class Base(RequestHandler):
    site: Site
    cost = 1.0  # of the reader's bucket

    def initialize(self, site: Site) -> None:
        self.site = site

    def set_default_headers(self) -> None:
        self.clear_header("Server")
        self.set_header("Content-Security-Policy", content_security_policy())
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cross-Origin-Resource-Policy", "same-origin")
        self.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        self.set_header("Cache-Control", "private, no-cache")

    def prepare(self) -> None:
        wait = self.site.limiter.wait_time(self.site.reader(self.request.remote_ip or "?"), self.cost)
        if wait > 0:
            self.set_header("Retry-After", str(max(1, round(wait))))
            self.refuse(429, TOO_MANY, seconds=max(1, round(wait)))

    @property
    def lang(self) -> str:
        return language(self.get_query_argument("lang", None), self.request.headers.get("Accept-Language"))

    def refuse(self, status: int, line: str, **values: object) -> NoReturn:
        """End the request with the one-line page of `line`."""
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        raise Finish(self.site.pages.refusal(line, self.lang, self.site.static(self.site.assets.css), **values))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        line = BROKEN if status_code >= 500 else NOT_FOUND
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.site.pages.refusal(line, self.lang, self.site.static(self.site.assets.css)))

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        """No request summary (it holds the address and the link); a failure of ours with its traceback."""
        if value is not None and not isinstance(value, HTTPError):
            log.error("a reading page failed: %s", type(value).__name__, exc_info=value)

    async def opened(self, key: str) -> Opened:
        """The signed link of this request, checked and laid out (off the event loop: a transcript seen for
        the first time takes a moment to lay out)."""
        try:
            link = self.site.links.open(key, {name: self.get_query_argument(name, "") for name in SIGNED})
            return await asyncio.get_running_loop().run_in_executor(None, self.site.library.open, link)
        except LinkRefused as refused:
            self.refuse(STATUS[refused.refusal], REFUSALS[refused.refusal])

    def addresses(self, key: str) -> Addresses:
        query = {n: v for n in SIGNED if (v := self.get_query_argument(n, ""))}
        lang = self.get_query_argument("lang", None)
        signed = urlencode(query | ({"lang": lang} if lang else {}))
        page = f"{self.site.prefix}{self.site.links.path(key)}"
        return Addresses(page=f"{page}?{signed}", part=f"{page}/part/{{n}}?{signed}",
                         css=self.site.static(self.site.assets.css), js=self.site.static(self.site.assets.js))


class PageHandler(Base):
    async def get(self, key: str) -> None:
        opened = await self.opened(key)
        part = self.get_query_argument("p", None)
        if part is not None and not part.isdigit():
            self.refuse(404, NOT_FOUND)
        at = min(int(part), len(opened.reading.parts) - 1) if part is not None else None
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Vary", "Accept-Language")
        self.finish(self.site.pages.page(opened, self.addresses(key), self.lang, at))


class PartHandler(Base):
    async def get(self, key: str, number: str) -> None:
        opened = await self.opened(key)
        if int(number) >= len(opened.reading.parts):
            self.refuse(404, NOT_FOUND)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.site.pages.part(opened, int(number), self.lang))


class AssetHandler(Base):
    cost = 0.0  # served from memory, and cached by the browser for a year

    def get(self, name: str) -> None:
        asset = self.site.assets.get(name)
        if asset is None:
            self.refuse(404, NOT_FOUND)
        self.set_header("Content-Type", asset.content_type)
        self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        self.finish(asset.body)


class Missing(Base):
    def get(self, *_: str) -> None:
        self.refuse(404, NOT_FOUND)


def _quiet(handler: RequestHandler) -> None:
    log.debug("%d %s in %.0f ms", handler.get_status(), handler.request.method, handler.request.request_time() * 1000)


def application(site: Site) -> Application:
    prefix = site.prefix
    key = r"([0-9a-f]{16})"
    routes = [
        (rf"{prefix}/read/{key}", PageHandler, {"site": site}),
        (rf"{prefix}/read/{key}/part/([0-9]{{1,6}})", PartHandler, {"site": site}),
        (rf"{prefix}/static/([a-z]{{1,16}}\.[0-9a-f]{{12}}\.(?:css|js))", AssetHandler, {"site": site}),
    ]
    return Application(routes, default_handler_class=Missing, default_handler_args={"site": site},
                       compress_response=True, log_function=_quiet, serve_traceback=False)


class PageServer:
    """The page server on `host:port` in the running event loop (the bot's, or `serve`'s own)."""

    def __init__(self, site: Site, host: str, port: int, proxied: bool = False) -> None:
        self.site, self.host, self.port = site, host, port
        self.http = HTTPServer(application(site), xheaders=proxied, max_header_size=MAX_HEADERS,
                               max_body_size=MAX_BODY, idle_connection_timeout=IDLE_SECONDS, body_timeout=30.0)
        self._prune = PeriodicCallback(self._forget, PRUNE_MS)
        self.bound: int | None = None  # the port it listens on, once started

    def _forget(self) -> None:
        self.site.limiter.prune()

    def start(self) -> int:
        """Listen (inside a running event loop); returns the port, which is the one asked for unless that was 0."""
        sockets = bind_sockets(self.port, self.host)
        self.http.add_sockets(sockets)
        self._prune.start()
        self.bound = int(sockets[0].getsockname()[1])
        return self.bound

    async def stop(self) -> None:
        self._prune.stop()
        self.http.stop()
        await self.http.close_all_connections()


def run_until_stopped(server: PageServer, listening: Callable[[int], None] = lambda port: None) -> None:
    """Run `server` until interrupted (`verbatim serve`); `listening` is told the port once it listens."""
    async def main() -> None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        listening(server.start())
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(main())
