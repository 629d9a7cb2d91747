"""Sending with retries: a 429 the rate limiter gave up on, a timeout or a 5xx from the Bot API is
tried again with backoff; a request Telegram refuses as wrong (400, 403) is not, because repeating it
cannot help. Failures are logged, never raised into a handler that still has work to do."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 4


async def deliver(call: Callable[[], Awaitable[T]], what: str, attempts: int = ATTEMPTS) -> T | None:
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as err:
            wait = err.retry_after.total_seconds() if hasattr(err.retry_after, "total_seconds") else float(
                err.retry_after)
            log.warning("%s: Telegram asked to wait %.1f s (attempt %d of %d)", what, wait, attempt, attempts)
            if attempt < attempts:
                await asyncio.sleep(wait + 0.1)
        except BadRequest:
            raise
        except (TimedOut, NetworkError) as err:
            log.warning("%s failed: %s (attempt %d of %d)", what, err, attempt, attempts)
            if attempt < attempts:
                await asyncio.sleep(delay)
                delay *= 2
        except TelegramError as err:
            log.error("%s refused by Telegram: %s", what, err)
            return None
    log.error("%s: gave up after %d attempts", what, attempts)
    return None
