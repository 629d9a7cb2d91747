"""Every message the bot sends goes through here: HTML, no link previews, retries (`deliver`), and a
reply to the message that asked, so in a busy group it is clear what is answered.

Handlers say `await reply(update, context, text)`; only channel posts, which answer no message, use
`send` with a chat id.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.messages.delivery import deliver

Context = ContextTypes.DEFAULT_TYPE


async def send(context: Context, chat_id: int | str, text: str, reply_to: int | None = None,
               keyboard: InlineKeyboardMarkup | None = None) -> Message | None:
    """One HTML message; None when Telegram refused it or every attempt failed (already logged)."""
    params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    return await deliver(lambda: context.bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_parameters=params, reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True)), "a reply")


async def send_parts(context: Context, chat_id: int | str, parts: list[str], reply_to: int | None = None,
                     keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Several messages in order, the keyboard under the last; returns those that were sent."""
    sent = []
    for i, part in enumerate(parts):
        one = await send(context, chat_id, part, reply_to, keyboard if i == len(parts) - 1 else None)
        if one is not None:
            sent.append(one)
    return sent


def origin(update: Update) -> tuple[int | None, int | None]:
    """(chat id, message id) of what the update is about; for a button, the message under which it was
    pressed (which may be too old for Telegram to include in full, hence not `effective_message`)."""
    if update.callback_query is not None:
        pressed = update.callback_query.message
        return (pressed.chat.id, pressed.message_id) if pressed is not None else (None, None)
    message = update.effective_message
    return (message.chat_id, message.message_id) if message is not None else (None, None)


async def reply_parts(update: Update, context: Context, parts: list[str],
                      keyboard: InlineKeyboardMarkup | None = None, quote: bool = True) -> list[Message]:
    """`parts` in the update's chat, as replies to its message unless `quote` is False (a private chat
    needs no reminder of what was asked)."""
    chat_id, message_id = origin(update)
    if chat_id is None:
        return []
    return await send_parts(context, chat_id, parts, message_id if quote else None, keyboard)


async def reply(update: Update, context: Context, text: str, keyboard: InlineKeyboardMarkup | None = None,
                quote: bool = True) -> Message | None:
    """One message in the update's chat, as `reply_parts` sends it."""
    sent = await reply_parts(update, context, [text], keyboard, quote)
    return sent[0] if sent else None
