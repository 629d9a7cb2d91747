"""Who did what, kept only as a keyed hash: no Telegram id, name or chat title is ever written to disk.

A count of people, a vote, or a button bound to the person who asked needs to tell people apart, not to
know who they are. `Identity` turns an id into HMAC-SHA256(secret, kind:id), with the secret in a 0600
file in the state dir: without that file the hashes cannot be tested against guessed ids, and deleting it
unlinks everything recorded so far. Files this module creates are readable by the bot's user only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)
SECRET_FILE = "identity.key"  # noqa: S105 - a file name, not a secret
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """`path` created (0700 when new) and returned."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    return path


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist; tighten it to 0600 if it does."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_FILE)


def load_secret(path: Path) -> bytes:
    """The key in `path`, made (32 random bytes, 0600) on first use. It is written to a side file and
    renamed into place, so a crash never leaves an empty key; one that is unusable anyway (edited by
    hand) is replaced, which only unlinks the hashes kept so far: old buttons stop working, nothing else."""
    private_dir(path.parent)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) >= 16:
            with contextlib.suppress(OSError):
                os.chmod(path, PRIVATE_FILE)
            return key
        log.warning("%s holds no usable key (too short); making a new one", path)
    except FileNotFoundError:
        pass
    except (ValueError, UnicodeDecodeError) as err:
        log.warning("%s holds no usable key (%s); making a new one", path, err)
    key = secrets.token_bytes(32)
    side = path.with_name(f"{path.name}.new")
    fd = os.open(side, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    os.replace(side, path)
    return key


class Identity:
    """Keyed, one-way names for people and chats; the same id always gives the same name."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def in_dir(cls, state_dir: Path) -> Identity:
        return cls(load_secret(state_dir / SECRET_FILE))

    def _name(self, kind: str, value: int) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def person(self, user_id: int) -> str:
        return self._name("user", user_id)

    def chat(self, chat_id: int) -> str:
        return self._name("chat", chat_id)
