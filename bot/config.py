"""Environment and flags → `retrieval.config.Settings`; the only place that reads the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.config import Settings


class Environment(BaseSettings):
    """Variables a deployment sets; flags given on the command line win over them."""

    model_config = SettingsConfigDict(env_prefix="VERBATIM_", extra="ignore")

    data_dir: Path = Field(default=Path("data/transcripts"))
    index_dir: Path = Field(default=Path("var/index"))
    chroma_url: str | None = None
    chroma_wait_seconds: float = Field(default=10.0, ge=0)


def build_settings(data_dir: str | None = None, index_dir: str | None = None) -> Settings:
    env = Environment()
    return Settings(
        data_dir=Path(data_dir) if data_dir else env.data_dir,
        index_dir=Path(index_dir) if index_dir else env.index_dir,
        chroma_url=env.chroma_url or None,
        server_wait_seconds=env.chroma_wait_seconds,
    )
