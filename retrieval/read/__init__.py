"""Read: a served transcript laid out for reading in context, and the signed links that open it at a quote.

    layout.py   a transcript → turns, numbered questions, paragraphs, pages and times, cut into parts
    marks.py    the spans a page marks: the cited quote and the other quotes of its answer
    library.py  which transcripts are served, found by the key a link carries
    links.py    links signed with a key kept in the data dir: made for quotes, checked when opened

Nothing here knows about HTTP or Telegram: `bot/web` turns a `Reading` into a page.
"""
