"""Telegram rendering and delivery: what the bot says, as Telegram HTML that fits Telegram's limits, and
how it gets there.

Rendering: answers and quotes (`answers`), passages (`passages`), summaries (`summaries`), the readers'
pages (`readers`), the bot's words for retrieval's things (`words`), packing into messages (`packing`),
buttons and the data they carry (`keyboards`, `callbacks`), the "/" menus (`menus`), and errors in the
reader's words (`errors`). Delivery: replies (`replies`), retries (`delivery`), an edited question's answer
rewritten in place (`rewrite`), and pacing under Telegram's flood limits (`flood`).

Nothing here imports the handlers; the stats are read (a menu's language) but never written.
"""
