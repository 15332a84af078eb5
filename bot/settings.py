"""Settings from the environment and ``.env``; names are a public contract (docs/product.md)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Residents and seniors can use every language; staff and admin screens stay Swedish/English.
SUPPORTED_LOCALES = ("sv", "en", "fi", "ar", "fa", "so", "pl")
STAFF_LOCALES = ("sv", "en")

_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_secret_ok(secret: str) -> bool:
    return _WEBHOOK_SECRET.fullmatch(secret) is not None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "bot_token")
    )
    api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "api_base_url"),
    )
    api_file_url: str = Field(
        default="https://api.telegram.org/file/bot",
        validation_alias=AliasChoices("TELEGRAM_API_FILE_URL", "api_file_url"),
    )
    db_path: Path = Field(
        default=Path("./trygghetsbot.sqlite3"),
        validation_alias=AliasChoices("TRYGGHETSBOT_DB", "db_path"),
    )
    promise_file: Path | None = Field(
        default=None, validation_alias=AliasChoices("TRYGGHETSBOT_PROMISE_FILE", "promise_file")
    )
    # Several promises (bot.domain.promise_set): a folder of promise files, or files separated
    # by commas; wins over TRYGGHETSBOT_PROMISE_FILE.
    promises: str | None = Field(
        default=None, validation_alias=AliasChoices("TRYGGHETSBOT_PROMISES", "promises")
    )
    # The home kommun among them: an existing database's rows and residents who have not
    # chosen a kommun belong to it (default: the first promise file's kommun).
    municipality: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TRYGGHETSBOT_MUNICIPALITY", "municipality"),
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias=AliasChoices("TRYGGHETSBOT_ADMIN_IDS", "admin_ids")
    )
    locale: str = Field(
        default="sv", validation_alias=AliasChoices("TRYGGHETSBOT_LOCALE", "locale")
    )
    timezone: str = Field(
        default="Europe/Stockholm",
        validation_alias=AliasChoices("TRYGGHETSBOT_TIMEZONE", "timezone"),
    )
    now: datetime | None = Field(
        default=None, validation_alias=AliasChoices("TRYGGHETSBOT_NOW", "now")
    )

    # Webhook mode: Telegram sends this back in a header; a --webhook-secret flag wins.
    webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TRYGGHETSBOT_WEBHOOK_SECRET", "webhook_secret"),
    )

    # The bot's one send budget, messages per second for replies and the outbox together
    # (Telegram allows about 30); replies go first, the outbox uses what they leave.
    send_rate: float = Field(
        default=30.0,
        gt=0,
        le=30,
        validation_alias=AliasChoices(
            "TRYGGHETSBOT_SEND_BUDGET", "TRYGGHETSBOT_SEND_RATE", "send_rate"
        ),
    )
    # Messages per second to one chat (Telegram allows about one).
    chat_send_rate: float = Field(
        default=1.0,
        gt=0,
        le=1,
        validation_alias=AliasChoices("TRYGGHETSBOT_CHAT_SEND_RATE", "chat_send_rate"),
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError as exc:
                raise ValueError("TRYGGHETSBOT_ADMIN_IDS must be comma-separated user ids") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # "TRYGGHETSBOT_WEBHOOK_SECRET=" as the example file ships it means "not set yet":
        # doctor then says which line to fill in, instead of a settings error.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not webhook_secret_ok(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"TRYGGHETSBOT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Stockholm)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class UsageError(Exception):
    """A command was called or configured without what it needs; the message says what to
    give (the command line prints it and exits with its configuration code)."""
