"""Typed settings that retrieval receives; built from flags and environment only in `bot/config.py`.

The defaults are written here once; the edges read them (their help texts and environment defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data/transcripts")
DEFAULT_INDEX_DIR = Path("var/index")
DEFAULT_SERVER_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Settings:
    data_dir: Path = DEFAULT_DATA_DIR
    index_dir: Path = DEFAULT_INDEX_DIR
    chroma_url: str | None = None
    collection_prefix: str = "verbatim"
    server_wait_seconds: float = DEFAULT_SERVER_WAIT_SECONDS
    removed_dir: Path | None = None  # where removed transcripts are kept; state, so not in the index dir

    @property
    def removed(self) -> Path:
        return self.removed_dir or self.index_dir / "removed"
