"""The "/" menus: per scope (private chats, groups, an admin's chat) and language, from the command table
(`bot.commands`). Telegram picks a menu by the app's `language_code`; a chat's own menu, set after a
/language choice, comes before any per-language one."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot import i18n
from bot.commands import Menu, in_menu
from bot.config import BotSettings
from bot.i18n import _
from bot.state.stats import Stats

log = logging.getLogger(__name__)
MENU_SCOPES: dict[Menu, BotCommandScope] = {Menu.PRIVATE: BotCommandScopeAllPrivateChats(),
                                            Menu.GROUP: BotCommandScopeAllGroupChats()}


def menu(which: Menu, language: str = i18n.DEFAULT) -> list[BotCommand]:
    """The "/" menu of a scope, its descriptions in `language`."""
    with i18n.using(language):
        return [BotCommand(c.name, _(c.description)) for c in in_menu(which)]


async def set_commands(bot: Bot, settings: BotSettings, stats: Stats) -> None:
    """Menus per scope and language: English for everyone, and in Azerbaijani and Russian for people whose
    Telegram app speaks them (Telegram picks by `language_code`). An admin's own menu follows their
    /language choice when they made one. An admin who never opened a chat with the bot cannot get a menu,
    and that is fine."""
    for which, scope in MENU_SCOPES.items():
        for language in i18n.LANGUAGES:
            code = None if language == i18n.DEFAULT else language
            await bot.set_my_commands(menu(which, language), scope=scope, language_code=code)
    for admin in sorted(settings.admin_ids):
        try:
            for language in i18n.LANGUAGES:
                if language != i18n.DEFAULT:
                    await bot.set_my_commands(menu(Menu.ADMIN, language), scope=BotCommandScopeChat(admin),
                                              language_code=language)
            await bot.set_my_commands(menu(Menu.ADMIN, stats.language(admin) or i18n.DEFAULT),
                                      scope=BotCommandScopeChat(admin))
        except TelegramError as err:
            log.warning("no admin menu for user %s (%s); they must start a chat with the bot first", admin, err)


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
