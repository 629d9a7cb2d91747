"""verbatim: index transcripts, ask them, get a summary in quotes, chat in the terminal, or run the Telegram bot.

Subcommands: index, ask, summary, chat, run, serve (`verbatim COMMAND --help` for each).

With VERBATIM_PUBLIC_URL set, every quote carries a signed link to its reading page, served by `verbatim serve`.

Exit status: 0 success, 2 bad usage, 1 any other error; errors are one line on stderr saying what to do.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_DATA_DIR, DEFAULT_INDEX_DIR, build_bot_settings, build_settings, log_level
from bot.state.folder import REMOVED_DIR, prepare
from bot.state.stats import Stats
from bot.terminal.asked import check_ask
from bot.terminal.chat import run_chat
from bot.terminal.text import format_answer, format_report, printable
from bot.web import serve
from retrieval import (
    DEFAULT_SUMMARY_WORDS,
    Fix,
    Links,
    Service,
    Settings,
    UsageError,
    VerbatimError,
)

EXAMPLES = """examples:
  verbatim index
  verbatim ask "Whose house did they search?"
  verbatim ask --json "Why is the opposition under pressure?" --doc mammadli-interview.txt
  verbatim ask --jsonl questions.jsonl > answers.jsonl
  verbatim summary --words 200
  verbatim summary --topic "dialogue with the opposition" --json
  verbatim chat
  TELEGRAM_BOT_TOKEN=123:abc... verbatim run
  VERBATIM_PUBLIC_URL=https://reader.example.org verbatim serve --port 8765
"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help=f"transcripts folder (env VERBATIM_DATA_DIR; default {DEFAULT_DATA_DIR})")
    p.add_argument("--index-dir", help=f"index folder (env VERBATIM_INDEX_DIR; default {DEFAULT_INDEX_DIR})")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="verbatim", description=__doc__.splitlines()[0], epilog=EXAMPLES,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("index", help="build or refresh the index of every transcript under the data dir")
    p.add_argument("--full", action="store_true", help="rebuild from scratch (blue-green) instead of refreshing")
    _common(p)
    p = sub.add_parser("ask", help="answer a question with verbatim quotes",
                       description="Answer with verbatim quotes, e.g. verbatim ask \"Whose house did they search?\"")
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--doc", help="only this transcript (path relative to the data dir)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON answer object")
    out.add_argument("--jsonl", metavar="FILE", help="answer every {id, question, doc?} line of FILE")
    _common(p)
    p = sub.add_parser("summary", help="a quote-based summary of one transcript or all",
                       description="A summary made of verbatim quotes, e.g. verbatim summary --topic elections")
    p.add_argument("--doc", help="only this transcript (path relative to the data dir)")
    p.add_argument("--topic", help="summarise only what the transcripts say about this")
    p.add_argument("--words", type=int, default=DEFAULT_SUMMARY_WORDS,
                   help=f"word budget of the quotes (default {DEFAULT_SUMMARY_WORDS})")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    _common(p)
    p = sub.add_parser("chat", help="interactive terminal chat over the transcripts")
    _common(p)
    p = sub.add_parser("run", help="the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    _common(p)
    p = sub.add_parser("serve", help="the reading pages: each transcript opened at a quote's link",
                       description=serve.DESCRIPTION)
    serve.arguments(p)
    _common(p)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    try:
        level = log_level("WARNING")
    except UsageError as err:
        print(f"verbatim: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # here, where a reader that went away (`| head`) is caught, not at exit
        return code
    except VerbatimError as err:
        print(f"verbatim: {explain(err)}", file=sys.stderr)
        return 2 if isinstance(err, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # as any tool whose reader stopped reading: silent, status 128 + SIGPIPE
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 141


HINTS = {
    Fix.DATA_DIR: "pass --data-dir or set VERBATIM_DATA_DIR",
    Fix.INDEX_DIR: "pass --index-dir or set VERBATIM_INDEX_DIR to a folder you can write",
    Fix.CHROMA_URL: "VERBATIM_CHROMA_URL names the Chroma server; unset it to use the embedded index",
    Fix.SERVER: "set VERBATIM_CHROMA_URL=http://HOST:PORT to use one",
    Fix.REBUILD: "run `verbatim index --full` to rebuild it",
}


def explain(err: VerbatimError) -> str:
    """The error's message with the command-line way to fix it."""
    return f"{err}; {HINTS[err.fix]}" if err.fix is not None else str(err)


def _dispatch(args: argparse.Namespace) -> int:
    settings = build_settings(args.data_dir, args.index_dir)
    if args.command == "run":
        return _run_bot(settings)
    if args.command == "serve":
        return serve.run(settings, args.host, args.port)
    rows = check_ask(args) if args.command == "ask" else None  # a mistake costs no model load
    links = serve.links(settings)
    with Service(settings) as service:
        if args.command != "index":
            service.open()  # builds or refreshes the index first when transcripts changed
        if args.command == "index":
            print(format_report(service.index(full=args.full)))
            return 0
        if args.command == "chat":
            return run_chat(service, links=links)
        if args.command == "summary":
            summary = service.summarize(args.doc, args.topic, args.words)
            urls = links.urls(summary.quotes) if links else None
            print(json.dumps(summary.to_json(urls), ensure_ascii=False) if args.json else printable(summary.text))
            return 0
        return _ask(service, args, rows, links)


def _run_bot(settings: Settings) -> int:
    """Settings are checked before the models load, so a bad token fails in a second, not ten."""
    bot_settings = build_bot_settings()
    from bot import app, logs

    logs.setup(log_level("INFO"), bot_settings.token)
    os.umask(0o077)  # every file the bot creates (stats, uploads, the index) is its user's alone
    stats_path = _state(bot_settings.state_dir, settings)
    settings = dataclasses.replace(settings, removed_dir=bot_settings.state_dir / REMOVED_DIR)
    stats = _open_stats(stats_path, bot_settings.retention_hours)  # a garbled one is moved aside, not fatal
    stats.close()
    username = app.preflight(bot_settings)
    logging.getLogger("verbatim").info("Telegram accepted the token of @%s; loading the index", username)
    with Service(settings) as service:
        report = service.index()
        logging.getLogger("verbatim").info("index ready: %d transcripts, %d chunks",
                                           report.transcripts, report.chunks)
        stats = _open_stats(stats_path, bot_settings.retention_hours)
        stats.purge()
        try:
            return app.run(service, stats, bot_settings)
        finally:
            stats.close()


def _state(state_dir: Path, settings: Settings) -> Path:
    """The state dir ready (state an older version kept in the index dir moved in); the stats path."""
    try:
        return prepare(state_dir, settings.index_dir)
    except OSError as err:
        raise UsageError(f"cannot use {state_dir} as the state dir ({err.strerror}); set VERBATIM_STATE_DIR "
                         "to a folder the bot can write") from err


def _open_stats(path: Path, retention_hours: float) -> Stats:
    try:
        return Stats(path, retention=retention_hours * 3600)
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot open the stats database {path} ({err}); check the state dir's "
                         "permissions (VERBATIM_STATE_DIR)") from err
    except Exception as err:  # sqlite3.Error that survived moving the file aside
        raise VerbatimError(f"cannot open the stats database {path} ({err})") from err


def _ask(service: Service, args: argparse.Namespace, rows: list[dict[str, Any]] | None, links: Links | None) -> int:
    if rows is not None:
        for row in rows:
            answer = service.ask(row["question"], row.get("doc"))
            urls = links.urls(answer.quotes) if links else None
            print(json.dumps(answer.to_json(row.get("id"), urls), ensure_ascii=False), flush=True)
        return 0
    answer = service.ask(args.question, args.doc)
    urls = links.urls(answer.quotes) if links else None
    if args.json:
        print(json.dumps(answer.to_json(None, urls), ensure_ascii=False))
    else:
        print(printable(format_answer(answer, urls=urls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
