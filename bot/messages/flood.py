"""Telegram's flood limits on what the bot sends: PTB's AIORateLimiter (about 30 messages a second
overall, 20 a minute per group, and retries after a 429), except for chat actions: "typing…" is not a
message, and letting it queue behind answers would only delay the answers it announces.

The per-person limit on what people ask is `bot.state.buckets`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

JSONDict = dict[str, Any]


class TelegramLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint == "sendChatAction":
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
