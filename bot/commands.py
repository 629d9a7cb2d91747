"""The bot's commands in one table: from it `app.add_handlers` registers them, `app.set_commands`
builds the menu of each scope, and `render.help_message` lists them in /help.

`Command` has the same shape for the terminal chat (`bot/chat.py` keeps its own table): there the
handler is a method of the chat session and `args` is shown in its help.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from telegram import Update

from bot.replies import Context

if TYPE_CHECKING:
    from bot.app import Handlers

H = TypeVar("H")
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
Pick = Callable[["Handlers"], Callback]


class Menu(Enum):
    """Where Telegram shows a command in the "/" menu; admins get theirs in their private chat."""

    PRIVATE = "private"
    GROUP = "group"
    ADMIN = "admin"


EVERYWHERE = frozenset(Menu)


@dataclass(frozen=True)
class Command(Generic[H]):
    name: str
    description: str  # the menu's line (Telegram: 3-256 characters)
    handler: H
    menus: frozenset[Menu] = frozenset()  # none: it works, but is not offered (/start)
    help: str = ""  # the /help phrase (HTML); empty: not listed there
    edits: bool = False  # an edited message runs it again (a question asked with it)
    args: str = ""  # what follows the name, in the terminal's help

    @property
    def admin_only(self) -> bool:
        return self.menus == {Menu.ADMIN}


COMMANDS: tuple[Command[Pick], ...] = (
    Command("start", "", lambda h: h.readers.start),
    Command("ask", "ask about the transcripts: /ask question", lambda h: h.questions.ask_command,
            frozenset({Menu.GROUP}), edits=True),
    Command("help", "how to ask, with examples", lambda h: h.readers.help, EVERYWHERE),
    Command("sources", "what is indexed", lambda h: h.readers.sources, EVERYWHERE,
            help="/sources lists what is indexed"),
    Command("summary", "a summary in quotes: /summary [doc] [topic]", lambda h: h.posts.summary, EVERYWHERE,
            help="/summary gives the key quotes of the whole interview (or /summary <i>topic</i>, or "
                 "/summary <code>doc</code> [<i>topic</i>] for one transcript)"),
    Command("privacy", "what I keep about you, and for how long", lambda h: h.readers.privacy, EVERYWHERE,
            help="/privacy says what I keep about you and for how long"),
    Command("forget", "delete everything I keep about you", lambda h: h.readers.forget, EVERYWHERE,
            help="/forget deletes everything I keep about you"),
    Command("reindex", "rebuild the index (answers continue)", lambda h: h.admins.reindex,
            frozenset({Menu.ADMIN}), help="/reindex rebuilds the index"),
    Command("remove", "remove a transcript: /remove doc", lambda h: h.admins.remove, frozenset({Menu.ADMIN}),
            help="/remove <code>doc</code> removes a transcript"),
    Command("stats", "questions, abstentions, feedback (private chat only)", lambda h: h.admins.stats,
            frozenset({Menu.ADMIN}), help="/stats shows usage (in this private chat only)"),
    Command("post_summary", "post a summary to the channel: /post_summary [doc] [topic]",
            lambda h: h.posts.post_summary, frozenset({Menu.ADMIN}),
            help="/post_summary [doc] [topic] posts a summary to the channel"),
)


def in_menu(menu: Menu) -> list[Command[Pick]]:
    return [c for c in COMMANDS if menu in c.menus]


def in_help(admin: bool) -> list[Command[Pick]]:
    """The commands /help lists: the readers' ones, or (admin=True) the admins' own."""
    return [c for c in COMMANDS if c.help and c.admin_only == admin]
