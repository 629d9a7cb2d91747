"""A server on 127.0.0.1 that misbehaves the ways a broken or hostile "Chroma server" can: it accepts
connections and never answers, trickles its answer a byte at a time, or streams an endless body."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from enum import Enum


class Fault(Enum):
    SILENT = "silent"  # reads the request, then says nothing, for ever
    TRICKLE = "trickle"  # the status line and headers, one byte every `every` seconds, never done
    TRICKLE_BODY = "trickle body"  # headers at once, then a JSON body one byte every `every` seconds
    ENDLESS = "endless"  # headers at once, then a JSON array that never ends, as fast as it is read


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"


class Misbehaving:
    def __init__(self, fault: Fault, every: float = 1.0) -> None:
        self.fault, self.every = fault, every
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.closing = threading.Event()
        self.threads: list[threading.Thread] = []
        self.requests: list[bytes] = []  # the head of each request received

    def __enter__(self) -> Misbehaving:
        self.threads.append(threading.Thread(target=self._accept, daemon=True))
        self.threads[0].start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.sock.close()
        for thread in self.threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.closing.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(1.0)
            with contextlib.suppress(TimeoutError):
                self.requests.append(conn.recv(65536))
            for piece in self._answer():
                if self.closing.is_set():
                    return
                conn.sendall(piece)

    def _answer(self) -> Iterator[bytes]:
        if self.fault is Fault.SILENT:
            while not self.closing.wait(0.2):
                yield b""
        elif self.fault is Fault.TRICKLE:
            for byte in (HEAD + b"x-padding: " + b"a" * 100_000):
                yield bytes([byte])
                self.closing.wait(self.every)
        elif self.fault is Fault.TRICKLE_BODY:
            yield HEAD + b"content-length: 100000\r\n\r\n"
            while not self.closing.wait(self.every):
                yield b" "
        else:
            yield HEAD + b"\r\n["
            chunk = b"0," * 524288
            while not self.closing.is_set():
                yield chunk

