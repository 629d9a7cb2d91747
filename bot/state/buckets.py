"""The per-person limit: a token bucket per user, so one person (or script) cannot crowd out a group. The
first update over the limit is answered with how long to wait; the rest of that person's updates within
`NOTICE_WINDOW` are dropped without a word, because every reply queues in Telegram's sending limit (about
30 messages a second for the whole bot) ahead of everyone else's answers: a thousand notices to one
flooding account would hold up every other reader's answer by half a minute. Memory only.

Telegram's own limits on what the bot sends are paced by `bot.messages.flood`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

ADMITTED_KEPT = 4096  # not a Telegram limit: charged updates remembered, far more than are ever in flight
NOTICE_WINDOW = 60.0  # seconds: at most one note to slow down per person in this long (or in the wait it names)


class UserLimiter:
    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._admitted: OrderedDict[int, None] = OrderedDict()  # updates already charged
        self._noticed: dict[int, float] = {}  # person → until when they are not told again

    def admit(self, user_id: int, update_id: int, cost: float = 1.0) -> float:
        """`wait_time` charged once per update: the command table's wrapper and a handler that checks
        again (a question) share one token."""
        with self._lock:
            if update_id in self._admitted:
                return 0.0
        wait = self.wait_time(user_id, cost)
        if wait == 0.0:
            with self._lock:
                self._admitted[update_id] = None
                while len(self._admitted) > ADMITTED_KEPT:
                    self._admitted.popitem(last=False)
        return wait

    def wait_time(self, user_id: int, cost: float = 1.0) -> float:
        """Takes `cost` tokens (one: a question; less: an inline query, `bot.handlers.inline`) and returns
        0.0, or returns the seconds until they are available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(user_id, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[user_id] = (tokens - cost, now)
                return 0.0
            self._buckets[user_id] = (tokens, now)
            if len(self._buckets) > 100_000:
                self._drop_full(now)
            return (cost - tokens) / self.rate

    def notice(self, user_id: int, wait: float) -> bool:
        """Whether a person refused for `wait` seconds is told so now: once, then not again until the window
        (`NOTICE_WINDOW`, or the wait itself if longer) has passed; meanwhile their updates are dropped."""
        now = self.clock()
        with self._lock:
            if self._noticed.get(user_id, now) > now:
                return False
            self._noticed[user_id] = now + max(wait, NOTICE_WINDOW)
            return True

    def forget(self, user_id: int) -> None:
        """/forget: the person's bucket goes too (it says that they asked, and when)."""
        with self._lock:
            self._buckets.pop(user_id, None)
            self._noticed.pop(user_id, None)

    def prune(self) -> int:
        """Forget every bucket that is full again: it no longer limits anyone, and keeping it would keep
        who asked. Run with the hourly purge; returns how many went."""
        with self._lock:
            return self._drop_full(self.clock())

    def _drop_full(self, now: float) -> int:
        full = [u for u, (t, at) in self._buckets.items() if t + (now - at) * self.rate >= self.burst]
        for u in full:
            del self._buckets[u]
        for u in [u for u, until in self._noticed.items() if until <= now]:
            del self._noticed[u]
        return len(full)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._buckets
