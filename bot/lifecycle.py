"""What a running bot starts beside its updates and how it stops: the reading pages, served from the bot's own
event loop, and a stop that never waits minutes for work in flight."""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application

from bot.config import BotSettings
from bot.state.work import Work
from bot.web.server import PageServer, Site
from retrieval import Library, Links, Service, UsageError

log = logging.getLogger(__name__)
PAGES = "reading pages"  # where the page server is kept in `Application.bot_data`
STOP_SECONDS = 8.0  # SIGTERM to exit, at most: `docker stop` waits 10 s before it kills


class Stopping(Application):  # type: ignore[type-arg]
    """python-telegram-bot's Application, stopped within `STOP_SECONDS`: its own `stop` waits for every
    update in flight, and an admin's rebuild can take minutes. What is cut short is like a kill mid-way,
    which the index survives (blue-green: the next start drops the half-built collection)."""

    work: Work | None = None

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        except TimeoutError:
            log.warning("stopped without waiting for the work still in flight")



def start_pages(app: Application, service: Service, links: Links, settings: BotSettings) -> int:  # type: ignore[type-arg]
    """The reading pages, served from this process and its event loop, of what the index answers from
    (a reindex swaps them with the rest); returns the port they listen on."""
    web = settings.web
    server = PageServer(Site(Library(service.transcripts), links, web.prefix), web.host, web.port, web.trust_proxy)
    try:
        port = server.start()
    except OSError as err:
        raise UsageError("cannot serve the reading pages on {host}:{port} ({why}); set VERBATIM_WEB_HOST and "
                         "VERBATIM_WEB_PORT to a free address", host=web.host, port=web.port, why=err.strerror) from err
    app.bot_data[PAGES] = server
    log.info("reading pages on %s:%d for %s", web.host, port, web.public_url)
    return port


async def stop_pages(app: Application) -> None:  # type: ignore[type-arg]
    server = app.bot_data.pop(PAGES, None)
    if isinstance(server, PageServer):
        await server.stop()
