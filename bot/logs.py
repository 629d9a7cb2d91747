"""Logging for the bot: the token never reaches a log line.

httpx logs every request URL at INFO, and Bot API URLs carry the token, so that logger is raised to
WARNING; a filter on every handler also masks anything shaped like a token, in case a library puts
one in an exception message.
"""

from __future__ import annotations

import logging
import re

TOKEN_PATTERN = re.compile(r"\d+:[\w-]{30,}")


class RedactTokens(logging.Filter):
    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = self._redact(message)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return TOKEN_PATTERN.sub("[token]", text)


class WebhookBodies(logging.Filter):
    """python-telegram-bot logs a webhook request it cannot read as an update at CRITICAL, with the raw body
    and a traceback. The secret was right, so that body came from Telegram's side: had it been an update
    that failed to parse, it would hold a person's message. Said at WARNING, without the body."""

    WEBHOOK_LOGGER = "telegram.ext.Updater"  # the logger of python-telegram-bot's webhook handler
    UNREADABLE = "Something went wrong processing the data received from Telegram"

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.UNREADABLE):
            error = record.exc_info[1] if record.exc_info else None
            record.msg = "a webhook request with the right secret held no update (%s); answered 400, its body " \
                         "not logged"
            record.args = (type(error).__name__ if error else "unreadable",)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(level: str, *secrets: str) -> None:
    """Root handler with timestamps and redaction; called once by `verbatim run`.

    At INFO and above, log lines name no person, chat or question (DEBUG may, for a developer's eyes)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    root.setLevel(level)
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:  # the console's, possibly set up without timestamps
            handler.setFormatter(logging.Formatter(FORMAT))
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens(*secrets))
    for noisy in ("httpx", "httpcore", "bm25s", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    webhook = logging.getLogger(WebhookBodies.WEBHOOK_LOGGER)
    if not any(isinstance(f, WebhookBodies) for f in webhook.filters):
        webhook.addFilter(WebhookBodies())
