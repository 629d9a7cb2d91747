"""The bot's commands in one table: from it `bot.app` registers them, `bot.messages.menus` builds the
menu of each scope and language, and `bot.messages.readers.help_message` lists them in /help.
Descriptions and help phrases are English, marked with `N_` and translated where they are shown.

The table is data: each command names its handler by an attribute path of `bot.app.Handlers`
("readers.start"), which the app resolves, so this module imports nothing of the handlers or of Telegram.
`Command` has the same shape for the terminal chat (`bot/terminal/chat.py` keeps its own table): there
the handler is a method of the chat session and `args` is shown in its help.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from bot.i18n import N_

H = TypeVar("H")


class Menu(Enum):
    """Where Telegram shows a command in the "/" menu; admins get theirs in their private chat."""

    PRIVATE = "private"
    GROUP = "group"
    ADMIN = "admin"


EVERYWHERE = frozenset(Menu)


@dataclass(frozen=True)
class Command(Generic[H]):
    name: str
    description: str  # the menu's line (within telegram.constants.BotCommandLimit), English, N_, translated at use
    handler: H
    menus: frozenset[Menu] = frozenset()  # none: it works, but is not offered (/start)
    help: str = ""  # the /help phrase (HTML, N_ as `description`); empty: not listed there
    edits: bool = False  # an edited message runs it again (a question asked with it)
    args: str = ""  # what follows the name, in the terminal's help

    @property
    def admin_only(self) -> bool:
        return self.menus == {Menu.ADMIN}


ADMIN = frozenset({Menu.ADMIN})
COMMANDS: tuple[Command[str], ...] = (
    Command("start", "", "readers.start"),
    Command("ask", N_("ask about the transcripts: /ask question"), "questions.ask_command",
            frozenset({Menu.GROUP}), edits=True),
    Command("help", N_("how to ask, with examples"), "readers.help", EVERYWHERE),
    Command("sources", N_("what is indexed"), "readers.sources", EVERYWHERE,
            help=N_("/sources lists what is indexed")),
    Command("summary", N_("a summary in quotes: /summary [doc] [topic]"), "posts.summary", EVERYWHERE,
            help=N_("/summary gives the key quotes of the whole interview (or /summary <i>topic</i>, or "
                    "/summary <code>doc</code> [<i>topic</i>] for one transcript)")),
    Command("language", N_("choose my language: English, Azərbaycanca, Русский"), "readers.language",
            EVERYWHERE, help=N_("/language changes the language I speak to you")),
    Command("privacy", N_("what I keep about you, and for how long"), "readers.privacy", EVERYWHERE,
            help=N_("/privacy says what I keep about you and for how long")),
    Command("forget", N_("delete everything I keep about you"), "readers.forget", EVERYWHERE,
            help=N_("/forget deletes everything I keep about you")),
    Command("reindex", N_("rebuild the index (answers continue)"), "admins.reindex", ADMIN,
            help=N_("/reindex rebuilds the index")),
    Command("remove", N_("remove a transcript: /remove doc"), "admins.remove", ADMIN,
            help=N_("/remove <code>doc</code> removes a transcript")),
    Command("stats", N_("questions, abstentions, feedback (private chat only)"), "admins.stats", ADMIN,
            help=N_("/stats shows usage (in this private chat only)")),
    Command("post_summary", N_("post a summary to the channel: /post_summary [doc] [topic]"), "posts.post_summary",
            ADMIN, help=N_("/post_summary [doc] [topic] posts a summary to the channel")),
)


def in_menu(menu: Menu) -> list[Command[str]]:
    return [c for c in COMMANDS if menu in c.menus]


def in_help(admin: bool) -> list[Command[str]]:
    """The commands /help lists: the readers' ones, or (admin=True) the admins' own."""
    return [c for c in COMMANDS if c.help and c.admin_only == admin]
