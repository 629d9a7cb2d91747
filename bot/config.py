"""Environment and flags → typed settings; the only place that reads the environment, and where every
default is written: the environment's fields, the settings' and the stats' defaults, and the command
line's help texts all read the `DEFAULT_` constants below."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import i18n
from bot.i18n import LANGUAGES
from retrieval import Settings, UsageError

TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
DEFAULT_DATA_DIR = Path("data/transcripts")  # the transcripts
DEFAULT_INDEX_DIR = Path("var/index")  # the index, rebuilt from the transcripts at will
DEFAULT_STATE_DIR = Path("var/state")  # what cannot be rebuilt: stats, the identity key, removed transcripts
DEFAULT_RETENTION_HOURS = 48.0  # how long a question's text and asker are kept (for its buttons)
DEFAULT_CHANNEL_LANGUAGE = i18n.DEFAULT  # the bot's words in channel posts, which have no reader to follow
MAX_WAIT_SECONDS = 3600.0  # for a Chroma server at start: longer is a mistake (and infinity would hang)
DEFAULT_WEB_HOST = "127.0.0.1"  # where the reading pages listen (`verbatim serve`, or the bot itself)
DEFAULT_WEB_PORT = 8765


class Environment(BaseSettings):
    """Variables a deployment sets; flags given on the command line win over them."""

    model_config = SettingsConfigDict(env_prefix="VERBATIM_", extra="ignore")

    data_dir: Path = Field(default=DEFAULT_DATA_DIR)
    index_dir: Path = Field(default=DEFAULT_INDEX_DIR)
    chroma_url: str | None = None
    chroma_wait_seconds: float | None = Field(default=None, ge=0, le=MAX_WAIT_SECONDS, allow_inf_nan=False)
    log_level: str | None = None
    public_url: str | None = None
    web_host: str = DEFAULT_WEB_HOST
    web_port: int = Field(default=DEFAULT_WEB_PORT, ge=1, le=65535)
    trust_proxy: bool = False


@dataclass(frozen=True)
class WebSettings:
    """The reading pages: where readers reach them (`public_url`, None: no links are made) and where they
    listen; `trust_proxy` reads the reader's address from the proxy's X-Real-IP / X-Forwarded-For."""

    public_url: str | None
    host: str = DEFAULT_WEB_HOST
    port: int = DEFAULT_WEB_PORT
    trust_proxy: bool = False

    @property
    def prefix(self) -> str:
        """The public URL's path, under which the pages are served ("" at the root)."""
        return urlparse(self.public_url).path.rstrip("/") if self.public_url else ""


def build_web_settings(host: str | None = None, port: int | None = None) -> WebSettings:
    """Flags win over VERBATIM_WEB_HOST / VERBATIM_WEB_PORT; VERBATIM_PUBLIC_URL is checked here, once."""
    env = _environment()
    url = (env.public_url or "").strip().rstrip("/") or None
    if url is not None:
        parts = urlparse(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise UsageError("VERBATIM_PUBLIC_URL={url!r} is not a base URL such as https://reader.example.org or "
                             "https://example.org/verbatim", url=url)
    if port is not None and not 0 <= port <= 65535:
        raise UsageError("--port {port} is not a port number (1 to 65535)", port=port)
    return WebSettings(url, host or env.web_host, env.web_port if port is None else port, env.trust_proxy)


def log_level(default: str) -> str:
    """VERBATIM_LOG_LEVEL, or the command's own default (WARNING for the CLI, INFO for the bot)."""
    level = (_environment().log_level or default).strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise UsageError("VERBATIM_LOG_LEVEL={level!r} is not one of DEBUG, INFO, WARNING, ERROR", level=level)
    return level


class BotEnvironment(BaseSettings):
    """The bot's own variables (README lists them; `.env.example` documents each)."""

    model_config = SettingsConfigDict(env_prefix="VERBATIM_", extra="ignore")

    admin_ids: str = ""
    channel_id: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook must be reachable by Telegram or a proxy
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    user_questions_per_minute: float = Field(default=20.0, gt=0)
    user_burst: int = Field(default=5, ge=1)
    concurrent_updates: int = Field(default=64, ge=1)  # not a Telegram limit: updates handled at once
    digest_time: str | None = None
    channel_language: str = DEFAULT_CHANNEL_LANGUAGE
    state_dir: Path = Field(default=DEFAULT_STATE_DIR)
    question_retention_hours: float = Field(default=DEFAULT_RETENTION_HOURS, gt=0)

    @field_validator("admin_ids")
    @classmethod
    def _ids(cls, value: str) -> str:
        for part in re.split(r"[,\s]+", value.strip()):
            if part and not re.fullmatch(r"-?\d+", part):
                raise ValueError(f"{part!r} is not a numeric Telegram user id")
        return value

    @field_validator("channel_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value.strip().lower() not in LANGUAGES:
            raise ValueError(f"{value!r} is not one of {', '.join(LANGUAGES)}")
        return value.strip().lower()


class TelegramEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", extra="ignore")

    bot_token: str | None = None
    api_base_url: str | None = None
    api_file_url: str | None = None


@dataclass(frozen=True)
class BotSettings:
    token: str
    api_base_url: str | None
    api_file_url: str | None
    admin_ids: frozenset[int]
    channel_id: int | str | None
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen: str
    webhook_port: int
    user_questions_per_minute: float
    user_burst: int
    concurrent_updates: int
    digest_time: dt.time | None = None
    state_dir: Path = DEFAULT_STATE_DIR
    retention_hours: float = DEFAULT_RETENTION_HOURS
    channel_language: str = DEFAULT_CHANNEL_LANGUAGE
    web: WebSettings = field(default_factory=lambda: WebSettings(None))  # the reading pages it serves, if any


def _environment() -> Environment:
    try:
        return Environment()
    except ValidationError as err:
        raise _usage(err) from err


def _usage(err: ValidationError) -> UsageError:
    """A refused variable as one line that names it: `VERBATIM_CHROMA_WAIT_SECONDS: Input should be ...`."""
    first = err.errors()[0]
    name = "VERBATIM_" + "_".join(str(p) for p in first["loc"]).upper()
    return UsageError("{name}: {why}", name=name, why=first["msg"])


def build_settings(data_dir: str | None = None, index_dir: str | None = None) -> Settings:
    env = _environment()
    settings = Settings(Path(data_dir) if data_dir else env.data_dir, Path(index_dir) if index_dir else env.index_dir,
                        chroma_url=env.chroma_url or None)
    if env.chroma_wait_seconds is not None:  # else retrieval's own default
        settings = dataclasses.replace(settings, server_wait_seconds=env.chroma_wait_seconds)
    return settings


def build_bot_settings() -> BotSettings:
    """Checked before anything loads, so a wrong variable costs seconds, not a model load."""
    try:
        telegram, env = TelegramEnvironment(), BotEnvironment()
    except ValidationError as err:
        raise _usage(err) from err
    token = (telegram.bot_token or "").strip()
    if not token:
        raise UsageError("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and export it "
                         "(or use `verbatim chat` to ask in the terminal)")
    if not TOKEN_FORMAT.match(token):
        raise UsageError("TELEGRAM_BOT_TOKEN is malformed; it looks like 123456789:ABC-def... (from @BotFather)")
    _check_urls(telegram, env)
    secret = env.webhook_secret or None
    if secret is not None and not secret_format().fullmatch(secret):
        raise UsageError("VERBATIM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
    channel = (env.channel_id or "").strip() or None
    digest = _digest_time(env.digest_time)
    if digest is not None and channel is None:
        raise UsageError("VERBATIM_DIGEST_TIME needs VERBATIM_CHANNEL_ID: the channel the digest is posted to")
    return BotSettings(
        token=token,
        api_base_url=telegram.api_base_url or None,
        api_file_url=telegram.api_file_url or None,
        admin_ids=frozenset(int(p) for p in re.split(r"[,\s]+", env.admin_ids.strip()) if p),
        channel_id=int(channel) if channel and re.fullmatch(r"-?\d+", channel) else channel,
        webhook_url=env.webhook_url or None,
        webhook_secret=secret,
        webhook_listen=env.webhook_listen,
        webhook_port=env.webhook_port,
        user_questions_per_minute=env.user_questions_per_minute,
        user_burst=env.user_burst,
        concurrent_updates=env.concurrent_updates,
        digest_time=digest,
        state_dir=env.state_dir,
        retention_hours=env.question_retention_hours,
        channel_language=env.channel_language,
        web=build_web_settings(),
    )


def secret_format() -> re.Pattern[str]:
    """What Telegram accepts as a webhook's secret_token. The telegram package is imported here, not at the
    top: the command line's other commands never need it (it adds a tenth of a second to every start)."""
    from telegram.constants import WebhookLimit

    return re.compile(f"[A-Za-z0-9_-]{{{WebhookLimit.MIN_SECRET_TOKEN_LENGTH},{WebhookLimit.MAX_SECRET_TOKEN_LENGTH}}}")


def _check_urls(telegram: TelegramEnvironment, env: BotEnvironment) -> None:
    """A URL without a scheme would otherwise fail later, deep inside httpx, with no variable named."""
    urls = (("TELEGRAM_API_BASE_URL", telegram.api_base_url), ("TELEGRAM_API_FILE_URL", telegram.api_file_url),
            ("VERBATIM_WEBHOOK_URL", env.webhook_url))
    for name, url in urls:
        if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).hostname):
            raise UsageError("{name}={url!r} is not an http(s) URL", name=name, url=url)


def _digest_time(value: str | None) -> dt.time | None:
    """"HH:MM" in UTC (24-hour), when the daily digest is posted."""
    if not value or not value.strip():
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise UsageError("VERBATIM_DIGEST_TIME={value!r} is not a time; use HH:MM in UTC, e.g. 08:30", value=value)
    return dt.time(int(match.group(1)), int(match.group(2)), tzinfo=dt.UTC)
