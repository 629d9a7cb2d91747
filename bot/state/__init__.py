"""What the bot keeps: the state dir (`folder`), the stats database in it (`stats`, `database`), the keyed
hashes that stand for people and chats (`privacy`), and, in memory only, the per-person rate limit
(`buckets`) and the worker lanes that run retrieval off the event loop (`work`).

Nothing here knows Telegram's messages or the handlers.
"""
