"""The terminal's edge: `verbatim chat` (`chat`) and the plain-text rendering the CLI and the chat print
(`text`). It stays English: no HTML and no catalogs (`bot.catalogs.ENGLISH_ONLY`).
"""
