"""`verbatim chat`: ask questions in the terminal, get verbatim quotes with speakers and citations.

Its commands are a table in the shape of the bot's (`bot.commands.Command`), the handler being a
method of the chat session; an error is printed as one line and the chat goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.commands import Command
from bot.terminal.text import format_answer, printable
from retrieval import Links, Service, UsageError, VerbatimError

Write = Callable[[str], None]


class Session:
    """One terminal chat: the transcript asked about (`doc`, None for all) and whether to go on."""

    def __init__(self, service: Service, write: Write, links: Links | None = None) -> None:
        self.service, self.write, self.links = service, write, links
        self.doc: str | None = None
        self.running = True

    def ask(self, question: str) -> None:
        answer = self.service.ask(question, self.doc)
        self.write(format_answer(answer, urls=self.links.urls(answer.quotes) if self.links else None))

    def sources(self, _: str) -> None:
        for s in self.service.sources():
            self.write(f"  {s.doc}: {s.title} ({s.format}, {s.turns} turns; {', '.join(s.speakers[:4])})")

    def summary(self, topic: str) -> None:
        self.write(self.service.summarize(self.doc, topic or None).text)

    def pick(self, name: str) -> None:
        """/doc NAME narrows the questions to one transcript; /doc alone widens them to all again."""
        docs = [s.doc for s in self.service.sources()]
        if name and name not in docs:
            self.write(f"no transcript {name!r}; indexed: {', '.join(docs)}")
            name = ""
        self.doc = name or None

    def help(self, _: str) -> None:
        lines = [f"  {f'/{c.name} {c.args}'.strip():<17} {c.description}" for c in TERMINAL]
        self.write("\n".join([HELP_HEAD, *lines]))

    def quit(self, _: str) -> None:
        self.running = False


Action = Callable[[Session, str], None]
HELP_HEAD = "Ask anything about the transcripts; answers are verbatim quotes with who said them and where."
TERMINAL: tuple[Command[Action], ...] = (
    Command("sources", "what is indexed", Session.sources),
    Command("summary", "the key quotes of the transcript(s) asked about, or of one topic", Session.summary,
            args="[TOPIC]"),
    Command("doc", "only ask about one transcript (/doc alone: all of them)", Session.pick, args="NAME"),
    Command("help", "this text", Session.help),
    Command("quit", "leave (Ctrl-D works too)", Session.quit),
)
ALIASES = {"exit": "quit", "q": "quit"}


def run_chat(service: Service, read: Callable[[str], str] = input, out: Write = print, links: Links | None = None
             ) -> int:
    def write(text: str) -> None:  # transcripts' control characters never reach the terminal raw
        out(printable(text))

    service.open()
    session = Session(service, write, links)
    write(f"Verbatim: {len(service.sources())} transcript(s) indexed. Type /help for commands, /quit to leave.")
    examples = service.suggestions(limit=2)
    if examples:
        write("For example: " + " / ".join(examples))
    while session.running:
        try:
            line = read(f"{session.doc or 'all'}> ").strip()
        except EOFError:
            write("")
            return 0
        if line:
            _handle(session, line)
    return 0


def _handle(session: Session, line: str) -> None:
    """A command or a question; a person's mistake is printed as it is, other errors as `error: ...`."""
    try:
        if not line.startswith("/"):
            session.ask(line)
            return
        name, _, arg = line[1:].partition(" ")
        command = next((c for c in TERMINAL if c.name == ALIASES.get(name, name)), None)
        if command is None:
            session.write(f"unknown command {line.split()[0]}; type /help")
        else:
            command.handler(session, arg.strip())
    except UsageError as err:
        session.write(f"{err}")
    except VerbatimError as err:
        session.write(f"error: {err}")
