"""A Chroma server: its address, and a deadline and a size cap on every request to it.

chromadb's HTTP client (`chromadb.api.fastapi.FastAPI`, 1.5.9, pinned) sends every request through an
`httpx.Client(timeout=None)` it makes itself, and no setting reaches it: a server that accepts connections and
never answers, or trickles a byte every few seconds, holds the caller for ever, and one that streams an
endless body is read into memory until the process dies. So server mode uses chromadb's own client classes
with one change, made by subclassing them: the session's transport (`Bounded`) gives every request a
deadline that holds for the whole exchange (connecting, sending, every read of the answer, however slowly
it trickles) and reads at most `MAX_ANSWER_BYTES` of an answer. A request that fails either way is our
`StoreUnavailableError`, naming the reason, and the connection is dropped, so the next request starts clean
once the server answers again.

`address()` reads the server's URL; credentials in it (`http://user:password@host:port`) are sent as
HTTP basic authentication and never repeated in a message (`shown`).
"""

from __future__ import annotations

import base64
import contextlib
import math
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx
from chromadb.api.client import Client
from chromadb.api.fastapi import FastAPI
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, System
from chromadb.config import Settings as ChromaSettings

from retrieval.config import Settings
from retrieval.errors import Fix, StoreUnavailableError, UsageError
from retrieval.ingest.reading import MB

MAX_ANSWER_BYTES = 64 * MB  # one batch of stored vectors is about 16 MB of JSON
WRITE_SECONDS = 120.0  # adding a batch of thousands of chunks takes a busy server seconds, not minutes
WRITES = ("/add", "/upsert", "/update", "/delete")


@dataclass(frozen=True, kw_only=True)
class Address:
    host: str
    port: int
    ssl: bool
    shown: str  # the URL without credentials, for messages
    headers: dict[str, str] = field(default_factory=dict)  # basic authentication, from credentials in the URL


def address(url: str) -> Address:
    """A Chroma server URL read once; a malformed one is a one-line usage error that repeats no password."""
    shown = _without_credentials(url)
    try:
        parts = urlsplit(url)
        port = parts.port
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("no http(s) scheme and host")
    except ValueError as err:
        raise UsageError("the Chroma server address {url!r} is not an http(s)://host:port URL ({why})",
                         fix=Fix.CHROMA_URL, url=shown, why=err) from err
    headers = {}
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    return Address(host=parts.hostname, port=port or (443 if parts.scheme == "https" else 8000),
                   ssl=parts.scheme == "https", shown=shown, headers=headers)


def _without_credentials(url: str) -> str:
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    netloc, slash, path = rest.partition("/")
    return f"{scheme}{sep}{netloc.rpartition('@')[2]}{slash}{path}"


class _Deadline(threading.local):
    at = math.inf


_deadline = _Deadline()  # of the request this thread is making


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every request this thread makes inside the block ends by then (a request's own deadline may be sooner)."""
    before = _deadline.at
    _deadline.at = min(before, time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.at = before


def _left(timeout: float | None) -> float:
    """What is left of the deadline, for one network operation that httpcore gave `timeout`."""
    left = _deadline.at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline of the request using it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_tcp(host, port, _left(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(path, _left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class Bounded(httpx.BaseTransport):
    """httpx's transport over httpcore's pool, with a deadline for each whole request (`seconds`, or
    `WRITE_SECONDS` for writes) and at most `max_bytes` of each answer, read before it is returned."""

    def __init__(self, *, shown: str, seconds: float, limits: httpx.Limits, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.shown, self.seconds, self.max_bytes = shown, seconds, max_bytes
        self.pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                            max_connections=limits.max_connections,
                                            max_keepalive_connections=limits.max_keepalive_connections,
                                            keepalive_expiry=limits.keepalive_expiry, network_backend=_Backend())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        seconds = max(self.seconds, WRITE_SECONDS) if request.url.path.endswith(WRITES) else self.seconds
        with within(seconds):
            try:
                return self._exchange(request, seconds)
            except httpcore.TimeoutException as err:
                raise StoreUnavailableError("the Chroma server at {url} did not answer within {seconds:.0f} s",
                                            fix=Fix.CHROMA_URL, url=self.shown,
                                            seconds=min(seconds, self.seconds)) from err
            except httpcore.ConnectError as err:
                raise StoreUnavailableError("cannot connect to the Chroma server at {url} ({why})", fix=Fix.CHROMA_URL,
                                            url=self.shown, why=str(err) or type(err).__name__) from err
            except (httpcore.NetworkError, httpcore.ProtocolError) as err:
                raise StoreUnavailableError("the Chroma server at {url} broke off its answer ({why})",
                                            fix=Fix.CHROMA_URL, url=self.shown, why=str(err) or type(err).__name__,
                                            ) from err

    def _exchange(self, request: httpx.Request, seconds: float) -> httpx.Response:
        timeouts = {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}
        url = httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                           target=request.url.raw_path)
        with self.pool.stream(request.method, url, headers=request.headers.raw, content=request.read(),
                              extensions={"timeout": timeouts}) as answer:
            body = bytearray()
            for chunk in answer.iter_stream():
                body += chunk
                if len(body) > self.max_bytes:  # leaving the block drops the connection mid-answer
                    raise StoreUnavailableError(
                        "the Chroma server at {url} sent an answer of more than {mb} MB; is that address a Chroma "
                        "server?", fix=Fix.CHROMA_URL, url=self.shown, mb=self.max_bytes // MB)
            return httpx.Response(answer.status, headers=answer.headers, content=bytes(body))

    def close(self) -> None:
        self.pool.close()


def connect(settings: Settings, chroma_settings: ChromaSettings) -> ServerClient:
    """A client of the server at `settings.chroma_url` once it answers, waiting up to `server_wait_seconds` for
    one that is still starting; each request then has that long too (writes `WRITE_SECONDS`)."""
    at = address(settings.chroma_url or "")
    wait = settings.server_wait_seconds
    client = ServerClient(at, chroma_settings, seconds=max(wait, 1.0))
    deadline, delay = time.monotonic() + wait, 0.2
    while True:
        try:
            with within(max(deadline - time.monotonic(), 0.1)):
                client.heartbeat()
            return client
        except StoreUnavailableError as err:
            last = err
        except Exception as err:  # an answer, but not Chroma's (another service at that port)
            last = StoreUnavailableError("the server at {url} does not answer as a Chroma server does ({why})",
                                         fix=Fix.CHROMA_URL, url=at.shown, why=type(err).__name__)
            last.__cause__ = err
        if time.monotonic() + delay > deadline:
            client.close()
            if not isinstance(last.__cause__, httpcore.ConnectError):
                raise last
            raise StoreUnavailableError(  # nothing listens there: perhaps not started
                "the Chroma server at {url} did not answer within {seconds:.0f} s ({why}); start it (chroma run "
                "--path DIR --port {port}) or use the embedded index", fix=Fix.CHROMA_URL, url=at.shown,
                seconds=wait, why=last.params["why"], port=at.port) from last
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


class _Api(FastAPI):
    """chromadb's HTTP API, its session sending through `Bounded` (the one thing chromadb lets no setting do)."""

    def __init__(self, system: System, shown: str, seconds: float) -> None:
        super().__init__(system)
        headers = self.get_request_headers()
        self._session.close()
        self._session = httpx.Client(transport=Bounded(shown=shown, seconds=seconds, limits=self.http_limits),
                                     headers=headers, timeout=seconds)  # the transport keeps the time

    def close(self) -> None:
        self._session.close()


class ServerClient(Client):
    """chromadb's `Client` over `_Api`, made without chromadb's process-wide registry of systems (which
    accepts only its own API classes); every method is chromadb's."""

    def __init__(self, at: Address, chroma_settings: ChromaSettings, seconds: float) -> None:
        settings = chroma_settings.model_copy(update={
            "chroma_api_impl": "chromadb.api.fastapi.FastAPI", "chroma_server_host": at.host,
            "chroma_server_http_port": at.port, "chroma_server_ssl_enabled": at.ssl,
            "chroma_server_headers": dict(at.headers)})
        self.tenant, self.database = DEFAULT_TENANT, DEFAULT_DATABASE
        self._api = _Api(System(settings), at.shown, seconds)
        self._server = self._api

    def close(self) -> None:
        self._api.close()
