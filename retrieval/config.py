"""Typed settings that retrieval receives; built from flags and environment only in `bot/config.py` (which
also holds the defaults of the folders: where they are is the edge's choice)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    index_dir: Path
    chroma_url: str | None = None
    collection_prefix: str = "verbatim"
    server_wait_seconds: float = 10.0  # how long to wait for a Chroma server to answer at start
    removed_dir: Path | None = None  # where removed transcripts are kept; state, so not in the index dir

    @property
    def removed(self) -> Path:
        return self.removed_dir or self.index_dir / "removed"
