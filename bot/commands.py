"""The bot's commands in one table: from it `app.add_handlers` registers them, `app.set_commands`
builds the menu of each scope and language (`menu`), and `render.help_message` lists them in /help.
Descriptions and help phrases are English, marked with `N_` and translated where they are shown.

`Command` has the same shape for the terminal chat (`bot/chat.py` keeps its own table): there the
handler is a method of the chat session and `args` is shown in its help.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot import i18n
from bot.i18n import N_, _
from bot.replies import Context

if TYPE_CHECKING:
    from bot.app import Handlers

log = logging.getLogger(__name__)
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
    description: str  # the menu's line (Telegram: 3-256 characters), English, marked N_ and translated at use
    handler: H
    menus: frozenset[Menu] = frozenset()  # none: it works, but is not offered (/start)
    help: str = ""  # the /help phrase (HTML, N_ as `description`); empty: not listed there
    edits: bool = False  # an edited message runs it again (a question asked with it)
    args: str = ""  # what follows the name, in the terminal's help

    @property
    def admin_only(self) -> bool:
        return self.menus == {Menu.ADMIN}


COMMANDS: tuple[Command[Pick], ...] = (
    Command("start", "", lambda h: h.readers.start),
    Command("ask", N_("ask about the transcripts: /ask question"), lambda h: h.questions.ask_command,
            frozenset({Menu.GROUP}), edits=True),
    Command("help", N_("how to ask, with examples"), lambda h: h.readers.help, EVERYWHERE),
    Command("sources", N_("what is indexed"), lambda h: h.readers.sources, EVERYWHERE,
            help=N_("/sources lists what is indexed")),
    Command("summary", N_("a summary in quotes: /summary [doc] [topic]"), lambda h: h.posts.summary, EVERYWHERE,
            help=N_("/summary gives the key quotes of the whole interview (or /summary <i>topic</i>, or "
                    "/summary <code>doc</code> [<i>topic</i>] for one transcript)")),
    Command("language", N_("choose my language: English, Azərbaycanca, Русский"), lambda h: h.readers.language,
            EVERYWHERE, help=N_("/language changes the language I speak to you")),
    Command("privacy", N_("what I keep about you, and for how long"), lambda h: h.readers.privacy, EVERYWHERE,
            help=N_("/privacy says what I keep about you and for how long")),
    Command("forget", N_("delete everything I keep about you"), lambda h: h.readers.forget, EVERYWHERE,
            help=N_("/forget deletes everything I keep about you")),
    Command("reindex", N_("rebuild the index (answers continue)"), lambda h: h.admins.reindex,
            frozenset({Menu.ADMIN}), help=N_("/reindex rebuilds the index")),
    Command("remove", N_("remove a transcript: /remove doc"), lambda h: h.admins.remove, frozenset({Menu.ADMIN}),
            help=N_("/remove <code>doc</code> removes a transcript")),
    Command("stats", N_("questions, abstentions, feedback (private chat only)"), lambda h: h.admins.stats,
            frozenset({Menu.ADMIN}), help=N_("/stats shows usage (in this private chat only)")),
    Command("post_summary", N_("post a summary to the channel: /post_summary [doc] [topic]"),
            lambda h: h.posts.post_summary, frozenset({Menu.ADMIN}),
            help=N_("/post_summary [doc] [topic] posts a summary to the channel")),
)


def in_menu(menu: Menu) -> list[Command[Pick]]:
    return [c for c in COMMANDS if menu in c.menus]


def in_help(admin: bool) -> list[Command[Pick]]:
    """The commands /help lists: the readers' ones, or (admin=True) the admins' own."""
    return [c for c in COMMANDS if c.help and c.admin_only == admin]


def menu(which: Menu, language: str = i18n.DEFAULT) -> list[BotCommand]:
    """The "/" menu of a scope, its descriptions in `language`."""
    with i18n.using(language):
        return [BotCommand(c.name, _(c.description)) for c in in_menu(which)]


async def set_chat_menu(bot: Bot, chat_id: int, admin: bool, language: str | None) -> None:
    """A private chat's menu after a /language choice (None: the choice was forgotten): Telegram shows a
    chat's own menu before any per-language one, so the menu follows the choice, not the app."""
    try:
        if language is not None:
            await bot.set_my_commands(menu(Menu.ADMIN if admin else Menu.PRIVATE, language),
                                      scope=BotCommandScopeChat(chat_id))
        elif admin:
            await bot.set_my_commands(menu(Menu.ADMIN), scope=BotCommandScopeChat(chat_id))
        else:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as err:
        log.warning("could not set a chat's menu (%s)", err)
