"""The reading pages over HTTP: a transcript opened at a quote, in a browser or as a Telegram Mini App.

    server.py   tornado: routes, headers (a strict Content-Security-Policy), limits, the one-line refusals
    pages.py    the HTML of a page, of one part of it, and of a refusal, from `templates/`
    assets.py   the page's own style sheet and script (`static/`), served from memory
    serve.py    `verbatim serve`: the server alone, over the data dir

What a page shows (a transcript laid out, the quotes it marks) and whether a link opens it are retrieval's
(`retrieval.read`); this package only speaks HTTP and HTML.
"""
