"""`verbatim serve`: the page server alone. It reads the data dir itself (retrieval's `Library.of_folder`), so
it loads no model and opens no index, starts in about a second, and follows transcripts added or removed."""

from __future__ import annotations

import argparse
import sys

from bot.config import DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, build_web_settings
from bot.web.server import PageServer, Site, run_until_stopped
from retrieval import Library, Links, Settings, UsageError

DESCRIPTION = ("Serve the reading pages that quotes link to (VERBATIM_PUBLIC_URL is where readers reach them), "
               f"e.g. verbatim serve --port {DEFAULT_WEB_PORT}")


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help=f"address to listen on (env VERBATIM_WEB_HOST; default {DEFAULT_WEB_HOST})")
    parser.add_argument("--port", type=int,
                        help=f"port to listen on (env VERBATIM_WEB_PORT; default {DEFAULT_WEB_PORT})")


def links(settings: Settings) -> Links | None:
    """Signed links for the command line's quotes, when VERBATIM_PUBLIC_URL says where readers reach the pages."""
    public_url = build_web_settings().public_url
    return Links.of_folder(settings.data_dir, public_url) if public_url else None


def run(settings: Settings, host: str | None, port: int | None) -> int:
    """Flags win over VERBATIM_WEB_HOST and VERBATIM_WEB_PORT."""
    web = build_web_settings(host, port)
    links = Links.of_folder(settings.data_dir, web.public_url or "")
    site = Site(Library.of_folder(settings.data_dir), links, web.prefix)
    count = site.library.warm()
    server = PageServer(site, web.host, web.port, web.trust_proxy)

    def listening(port: int) -> None:
        note = "" if web.public_url else "; set VERBATIM_PUBLIC_URL to where readers reach it, so quotes carry links"
        print(f"verbatim: serving the reading pages of {count} transcript(s) on http://{web.host}:{port}{web.prefix}/"
              f"{note}", file=sys.stderr, flush=True)

    try:
        run_until_stopped(server, listening)
    except OSError as err:
        raise UsageError("cannot listen on {host}:{port} ({why}); pass --host and --port, or stop what uses that "
                         "port", host=web.host, port=web.port, why=err.strerror or err) from err
    return 0
