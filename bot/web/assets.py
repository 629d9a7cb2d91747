"""The reading page's own files, read once from the package and served from memory under names that carry a
hash of their content, so a browser may keep them for a year and never holds a stale one. No URL path is
ever looked up on the disk: a request names one of these few files or gets a 404.

Nothing comes from elsewhere but Telegram's Mini App script, which the page loads only inside Telegram and
never waits for; the fonts are the reader's own system fonts.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).with_name("static")
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"

# Run where the parser meets the cited quote, so the page paints with it in view (before the deferred
# reader.js would); allowed by its hash in the Content-Security-Policy, the only script written inline.
SCROLL_SCRIPT = ('document.getElementById("cited").scrollIntoView({block:"center"});'
                 'performance.mark("verbatim:cited-in-view")')


@dataclass(frozen=True)
class Asset:
    name: str  # as served: `reader.<hash>.css`
    body: bytes
    content_type: str


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:12]
    return Asset(f"{path.stem}.{digest}{path.suffix}", body, TYPES[path.suffix])


class Assets:
    """The page's style sheet and script, by the names pages link to."""

    def __init__(self, folder: Path = STATIC) -> None:
        files = [_asset(folder / "reader.css"), _asset(folder / "reader.js")]
        self.by_name = {a.name: a for a in files}
        self.css, self.js = files[0].name, files[1].name

    def get(self, name: str) -> Asset | None:
        return self.by_name.get(name)


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    """Only our own files, the one hashed inline script and Telegram's script; nothing may frame the page
    but Telegram's web clients (where Mini Apps run in a frame); no plugin, form or base may change anything."""
    return "; ".join([
        "default-src 'none'",
        f"script-src 'self' {script_hash(SCROLL_SCRIPT)} {TELEGRAM_SCRIPT}",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self' https://web.telegram.org",
    ])
