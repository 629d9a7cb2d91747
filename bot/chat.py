"""`verbatim chat`: ask questions in the terminal, get verbatim quotes with speakers and citations."""

from __future__ import annotations

from collections.abc import Callable

from bot.text import format_answer
from retrieval.errors import UsageError, VerbatimError
from retrieval.service import Service

HELP = """Ask anything about the transcripts; answers are verbatim quotes with who said them and where.
  /sources       what is indexed
  /doc NAME      only ask about one transcript (/doc alone: all of them)
  /help          this text
  /quit          leave (Ctrl-D works too)"""


def run_chat(service: Service, read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> int:
    service.open()
    sources = service.sources()
    write(f"Verbatim: {len(sources)} transcript(s) indexed. Type /help for commands, /quit to leave.")
    examples = service.suggestions(limit=2)
    if examples:
        write("For example: " + " / ".join(examples))
    doc: str | None = None
    while True:
        try:
            line = read(f"{doc or 'all'}> ").strip()
        except EOFError:
            write("")
            return 0
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            return 0
        if line == "/help":
            write(HELP)
        elif line == "/sources":
            for s in service.sources():
                write(f"  {s.doc}: {s.title} ({s.format}, {s.turns} turns; {', '.join(s.speakers[:4])})")
        elif line.startswith("/doc"):
            doc = _pick_doc(service, line[4:].strip(), write) if line[4:].strip() else None
        elif line.startswith("/"):
            write(f"unknown command {line.split()[0]}; type /help")
        else:
            write(_answer(service, line, doc))


def _pick_doc(service: Service, name: str, write: Callable[[str], None]) -> str | None:
    docs = [s.doc for s in service.sources()]
    if name in docs:
        return name
    write(f"no transcript {name!r}; indexed: {', '.join(docs)}")
    return None


def _answer(service: Service, question: str, doc: str | None) -> str:
    try:
        return format_answer(service.ask(question, doc))
    except UsageError as err:
        return f"{err}"
    except VerbatimError as err:
        return f"error: {err}"
