"""Two lanes of worker threads, so expensive work cannot starve ordinary questions.

- `cheap`: English questions, buttons, /sources, /help: milliseconds each, on their own threads.
- `costly`: summaries and non-English questions (the multilingual model: up to ~2 s of CPU each), on a
  thread of their own. Each person has at most one costly job waiting or running, and at most `queue`
  wait in all: past that the person is asked to try again shortly, instead of everyone's wait growing
  without bound.
- `admin`: uploads, removals and reindexing (owner None), on one more thread, so a rebuild that takes
  minutes holds up neither questions in other languages nor summaries.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.i18n import N_
from retrieval import UsageError

T = TypeVar("T")
BUSY = N_("I am busy with other long requests; please try again in a minute.")
ONE_AT_A_TIME = N_("I am still working on your previous long request; please wait for it.")


def _in_context(fn: Callable[..., T], *args: object) -> Callable[[], T]:
    """`fn(*args)` in a copy of the caller's context, so work in a thread speaks the reader's language
    (`run_in_executor`, unlike `asyncio.to_thread`, does not carry context variables over)."""
    return functools.partial(contextvars.copy_context().run, fn, *args)


class _Counted:
    """How many jobs are running in a worker thread right now."""

    def __init__(self) -> None:
        self.running = 0
        self.lock = threading.Lock()

    def __call__(self, job: Callable[[], T]) -> Callable[[], T]:
        def counted() -> T:
            with self.lock:
                self.running += 1
            try:
                return job()
            finally:
                with self.lock:
                    self.running -= 1
        return counted


class Work:
    def __init__(self, cheap_threads: int = 8, costly_threads: int = 1, queue: int = 8) -> None:
        self._cheap = ThreadPoolExecutor(cheap_threads, thread_name_prefix="cheap")
        self._costly = ThreadPoolExecutor(costly_threads, thread_name_prefix="costly")
        self._admin = ThreadPoolExecutor(1, thread_name_prefix="admin")
        self.queue = queue
        self._lock = threading.Lock()
        self._owners: dict[Hashable, int] = {}
        self._counted = _Counted()

    @property
    def running(self) -> int:
        """Jobs still running in a worker thread (a rebuild goes on after the handler that awaited it is gone)."""
        return self._counted.running

    async def cheap(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._cheap, self._counted(_in_context(fn, *args)))

    async def costly(self, fn: Callable[..., T], *args: object, owner: Hashable = None) -> T:
        """Run `fn` in the costly lane; UsageError (said to the person) when it is full or `owner` already
        has a job there. An admin's job (owner None) runs in the admin lane, one at a time."""
        if owner is None:
            return await asyncio.get_running_loop().run_in_executor(self._admin, self._counted(_in_context(fn, *args)))
        with self._lock:
            if sum(self._owners.values()) >= self.queue:
                raise UsageError(BUSY)
            if owner is not None and self._owners.get(owner):
                raise UsageError(ONE_AT_A_TIME)
            self._owners[owner] = self._owners.get(owner, 0) + 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._costly,
                                                                    self._counted(_in_context(fn, *args)))
        finally:
            with self._lock:
                self._owners[owner] -= 1
                if not self._owners[owner]:
                    del self._owners[owner]

    def shutdown(self) -> None:
        self._cheap.shutdown(wait=False, cancel_futures=True)
        self._costly.shutdown(wait=False, cancel_futures=True)
        self._admin.shutdown(wait=False, cancel_futures=True)
