"""docker-compose.yml, the Dockerfile, .env.example and the settings module must agree.

No Docker engine runs here, so the deployment files are checked against the code instead: a variable
renamed on one side only, a Chroma image that drifts from the Python client, or a volume that misses the
folder the bot writes to fails here, not on a server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from bot.config import BotEnvironment, Environment, TelegramEnvironment

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def known_variables() -> set[str]:
    """Every variable the settings module reads, named as pydantic-settings reads it."""
    names = set()
    for model in (Environment, BotEnvironment, TelegramEnvironment):
        prefix = str(model.model_config.get("env_prefix", ""))
        names |= {f"{prefix}{field}".upper() for field in model.model_fields}
    return names


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def dockerfile_env() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    block = re.search(r"^ENV (.*?)(?:\n\n|\nRUN)", text, re.S | re.M)
    assert block, "the Dockerfile sets its environment in one ENV instruction"
    return dict(re.findall(r"(\w+)=(\S+)", block.group(1)))


def test_chroma_matches_the_client_and_stays_private() -> None:
    pinned = re.search(r'"chromadb==([\d.]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pinned
    chroma = compose()["services"]["chroma"]
    assert chroma["image"] == f"chromadb/chroma:{pinned.group(1)}"
    assert "ports" not in chroma, "the Chroma server has no authentication: never publish its port"
    volume, mount = chroma["volumes"][0].split(":")
    assert mount == "/data" and volume in compose()["volumes"]
    check = " ".join(chroma["healthcheck"]["test"])
    assert "curl" not in check and "/dev/tcp/127.0.0.1/8000" in check
    assert chroma["restart"]


def test_the_bot_reaches_chroma_by_service_name_after_it_is_healthy() -> None:
    services = compose()["services"]
    bot = services["bot"]
    url = urlparse(bot["environment"]["VERBATIM_CHROMA_URL"])
    assert url.hostname in services and url.port == 8000
    assert bot["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert bot["build"] == "." and bot["restart"] and bot["env_file"] == ".env"


def test_every_variable_is_known_and_documented() -> None:
    known = known_variables() | {"VERBATIM_LOG_LEVEL"}
    documented = set(env_example())
    in_compose = set(compose()["services"]["bot"]["environment"])
    in_docker = {k for k in dockerfile_env() if k.startswith(("VERBATIM_", "TELEGRAM_"))}
    assert documented - known == set(), "documented in .env.example but read by nothing"
    assert known - documented == set(), "read by the settings but missing from .env.example"
    assert in_compose - known == set() and in_docker - known == set()


def test_volumes_hold_what_the_bot_writes() -> None:
    bot = compose()["services"]["bot"]
    env = bot["environment"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in bot["volumes"]}
    assert env["VERBATIM_DATA_DIR"] in mounts
    assert any(env["VERBATIM_INDEX_DIR"].startswith(m.rstrip("/") + "/") for m in mounts)
    assert set(mounts.values()) <= set(compose()["volumes"])
    docker = dockerfile_env()
    assert (docker["VERBATIM_DATA_DIR"], docker["VERBATIM_INDEX_DIR"]) == (env["VERBATIM_DATA_DIR"],
                                                                             env["VERBATIM_INDEX_DIR"])


def test_the_image_is_slim_runs_as_a_user_and_downloads_nothing() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.1[12]-slim$", text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert dockerfile_env()["HF_HUB_OFFLINE"] == "1"
    assert text.index("COPY pyproject.toml") < text.index("pip install .") < text.index("COPY bot")
    assert re.search(r'^CMD \["verbatim", "run"\]$', text, re.M)
