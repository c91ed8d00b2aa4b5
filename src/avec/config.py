"""Settings read from the environment (prefix ``AVEC_``) with embedded defaults."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(user_data_dir("avec", appauthor=False))


class Settings(BaseSettings):
    """Every AVEC setting, each default written once.

    Attributes:
        data_dir: folder for the SQLite journal and the generated vault key.
        vault_key: Fernet key (urlsafe base64, 32 bytes) for pseudonym mappings; generated once
            into ``data_dir`` with 0600 permissions when absent.
        vault_ttl_seconds: how long a pseudonym mapping may be used to reveal an answer.
        database_url: SQLAlchemy URL; SQLite in ``data_dir`` when empty.
        surrogate_mode: ``surrogate`` (realistic French values) or ``tag`` (``[NOM_1]``).
        max_input_chars: larger inputs are refused with a clear message.
    """

    model_config = SettingsConfigDict(env_prefix="AVEC_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    vault_key: SecretStr | None = None
    vault_ttl_seconds: int = 24 * 3600
    database_url: str = ""
    surrogate_mode: str = "surrogate"
    max_input_chars: int = 5_000_000

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'avec.sqlite3'}"


def get_settings() -> Settings:
    """Fresh settings from the current environment."""
    return Settings()
