"""The reader's language choice, made with /language or its buttons: stored (`Stats.set_language`),
said in the chosen language, and followed by the private chat's "/" menu."""

from __future__ import annotations

from telegram import Chat, Update

from bot import i18n
from bot.handlers.deps import Deps
from bot.messages.menus import set_chat_menu
from bot.messages.readers import language_chosen
from bot.messages.replies import Context, reply


async def choose_language(deps: Deps, update: Update, context: Context, language: str) -> None:
    """Remember `language` for the person (/language, or its buttons) and say so in it; in a private chat
    the "/" menu follows the choice."""
    user = update.effective_user
    if user is None:
        return
    await deps.work.cheap(deps.stats.set_language, user.id, language)
    i18n.use(language)
    await chat_menu(deps, update, context, language)
    await reply(update, context, language_chosen())


async def chat_menu(deps: Deps, update: Update, context: Context, language: str | None) -> None:
    """A private chat's menu after a choice (None: forgotten); groups keep the menus of their scope."""
    chat = update.effective_chat
    if chat is not None and chat.type == Chat.PRIVATE:
        await set_chat_menu(context.bot, chat.id, deps.is_admin(update), language)
