"""The gateway's configuration file (YAML or JSON): upstream systems, policies, teams, keys.

A complete example is in ``docs/gateway.md``. Secrets are never in this file: each system names
the environment variable holding its upstream API key, and client keys appear only as SHA-256
hashes (``avec gateway key`` prints a new key and its hash).
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from avec.config import Settings

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ConfigError(ValueError):
    """The configuration file is missing or invalid (French message, no secret in it)."""


class Action(StrEnum):
    """What the gateway does with one data category."""

    REDACT = "redact"
    BLOCK = "block"
    ALLOW = "allow"


#: Strictness order: the stricter of two policies wins.
STRICTNESS = {Action.ALLOW: 0, Action.REDACT: 1, Action.BLOCK: 2}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy(_Strict):
    """Actions per data category (protect labels: NOM, PRENOM, SECU...); ``default`` for the rest."""

    default: Action = Action.REDACT
    categories: dict[str, Action] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        # Accept the flat form ``{default: redact, NOM: redact, SECU: block}`` of the file.
        if isinstance(data, dict) and "categories" not in data:
            rest = {k: v for k, v in data.items() if k != "default"}
            return {"default": data.get("default", Action.REDACT), "categories": rest}
        return data

    def action(self, label: str) -> Action:
        """The action for ``label``."""
        return self.categories.get(label, self.default)

    def actions(self) -> list[Action]:
        """Every action this policy can take."""
        return [self.default, *self.categories.values()]


class ModelEntry(_Strict):
    """A model exposed by the gateway.

    Attributes:
        name: the id clients send in ``model`` (also listed by ``GET /v1/models``).
        upstream: the model name sent upstream (``name`` by default).
        ecologits_model: the name EcoLogits knows it by (``upstream`` by default).
    """

    name: str = Field(pattern=_ID)
    upstream: str = ""
    ecologits_model: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data

    @property
    def upstream_name(self) -> str:
        """The model name sent upstream."""
        return self.upstream or self.name


class SystemConfig(_Strict):
    """One GenAI system of the catalogue and how to reach it (any OpenAI-compatible server).

    Attributes:
        id: catalogue identifier (journal and policies use it).
        name: display name.
        base_url: API root, ending in ``/v1`` for most servers (``https://api.mistral.ai/v1``).
        api_key_env: environment variable holding the upstream key (empty: no key, e.g. Ollama).
        health_data: whether the system is approved for health data (HDS hosting, contract);
            a system that is not may never receive an unprotected identifier (``allow`` refused).
        provider: EcoLogits provider, for impacts (``mistralai``, ``openai``, ``huggingface_hub``).
        stream_usage: ask the upstream for token usage in streams (``stream_options``).
        timeout_seconds: longest wait for the upstream (connection and each read).
        extra_headers: fixed headers sent upstream (``api-version`` for Azure...), no secrets.
    """

    id: str = Field(pattern=_ID)
    name: str = ""
    base_url: str
    api_key_env: str = ""
    health_data: bool = False
    provider: str = ""
    stream_usage: bool = True
    timeout_seconds: float = Field(default=120.0, gt=0)
    extra_headers: dict[str, str] = Field(default_factory=dict)
    models: list[ModelEntry] = Field(min_length=1)
    policy: Policy = Field(default_factory=Policy)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url doit commencer par http:// ou https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _health(self) -> SystemConfig:
        if not self.health_data and Action.ALLOW in self.policy.actions():
            raise ValueError(
                f"le système « {self.id} » n'est pas homologué pour les données de santé : "
                "aucune catégorie ne peut y être envoyée en clair (allow interdit)"
            )
        return self


class TeamConfig(_Strict):
    """Per-team rules: a stricter policy and, optionally, the only systems the team may use."""

    policy: Policy | None = None
    systems: list[str] | None = None


class KeyEntry(_Strict):
    """A client API key, stored as the SHA-256 of the key (hex)."""

    id: str = Field(pattern=_ID)
    sha256: str
    team: str | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=0)

    @field_validator("sha256")
    @classmethod
    def _hash(cls, value: str) -> str:
        value = value.lower()
        if not _SHA256.fullmatch(value):
            raise ValueError("sha256 doit être l'empreinte SHA-256 (64 caractères hexadécimaux) de la clé")
        return value


class Options(_Strict):
    """Gateway-wide options.

    Attributes:
        allow_anonymous: accept requests without a key (one-person local use only).
        verify: run verification on answers and attach findings.
        max_body_bytes: larger request bodies are refused.
        electricity_mix: EcoLogits zone for impacts.
        vault_store: ``memory`` (one process) or ``database`` (the journal's, for replicas).
        rate_limit_per_minute: chat requests allowed per key and minute (token bucket, per
            process); 0 for no limit. A key may set its own ``rate_limit_per_minute``.
        rate_limit_burst: requests a key may send at once before the rate applies (0: one
            minute's worth).
        max_json_depth: deeper request bodies are refused (a client never needs more).
        purge_interval_seconds: how often expired conversations are deleted from the store
            even without traffic (0: only when requests arrive).
        protection_process: protect requests (and check answers) in a child process rather
            than in threads, so that this work never holds the interpreter against the relay
            of streams; only with ``vault_store: memory``.
    """

    allow_anonymous: bool = False
    verify: bool = True
    max_body_bytes: int = Field(default=8_000_000, gt=0)
    electricity_mix: str = "FRA"
    vault_store: str = Field(default="memory", pattern="^(memory|database)$")
    rate_limit_per_minute: int = Field(default=0, ge=0)
    rate_limit_burst: int = Field(default=0, ge=0)
    max_json_depth: int = Field(default=32, ge=4, le=1000)
    protection_process: bool = True
    purge_interval_seconds: int = Field(default=300, ge=0)


class GatewayConfig(_Strict):
    """The whole configuration file."""

    systems: list[SystemConfig] = Field(min_length=1)
    teams: dict[str, TeamConfig] = Field(default_factory=dict)
    keys: list[KeyEntry] = Field(default_factory=list)
    options: Options = Field(default_factory=Options)

    @model_validator(mode="after")
    def _consistent(self) -> GatewayConfig:
        ids = [s.id for s in self.systems]
        if len(set(ids)) != len(ids):
            raise ValueError("deux systèmes portent le même identifiant")
        names = [m.name for s in self.systems for m in s.models]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"modèle(s) déclaré(s) dans plusieurs systèmes : {', '.join(dup)}")
        for team_id, team in self.teams.items():
            unknown = [s for s in team.systems or [] if s not in ids]
            if unknown:
                raise ValueError(f"équipe « {team_id} » : système(s) inconnu(s) {', '.join(unknown)}")
        for key in self.keys:
            if key.team is not None and key.team not in self.teams:
                raise ValueError(f"clé « {key.id} » : équipe inconnue « {key.team} »")
        if len({k.sha256 for k in self.keys}) != len(self.keys):
            raise ValueError("deux clés ont la même empreinte")
        return self

    def find_model(self, name: str) -> tuple[SystemConfig, ModelEntry] | None:
        """The system and model entry for a client ``model`` (``name`` or ``system/name``)."""
        system_id, _, short = name.rpartition("/")
        for system in self.systems:
            if system_id and system.id != system_id:
                continue
            for model in system.models:
                if model.name in (name, short):
                    return system, model
        return None


class GatewaySettings(Settings):
    """AVEC settings plus the gateway's (environment prefix ``AVEC_``).

    Attributes:
        gateway_config: path of the YAML/JSON configuration file.
        gateway_host, gateway_port: where ``avec gateway serve`` listens.
        rate_limit_redis_url: Redis shared by every process for the per-key rate limits
            (``AVEC_RATE_LIMIT_REDIS_URL``); each process counts alone without it.
    """

    gateway_config: Path | None = None
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8088
    rate_limit_redis_url: SecretStr | None = None


def parse_config(data: Any) -> GatewayConfig:
    """Validate already-parsed data.

    Raises:
        ConfigError: with the French list of problems.
    """
    try:
        return GatewayConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'racine'} : {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"configuration de la passerelle invalide : {problems}") from None


def load_config(path: Path) -> GatewayConfig:
    """Read and validate a configuration file (``.json``, otherwise YAML).

    Raises:
        ConfigError: unreadable file, bad syntax or invalid content.
    """
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"fichier de configuration illisible ({type(exc).__name__})") from None
    try:
        data = json.loads(raw) if str(path).endswith(".json") else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError):
        raise ConfigError("fichier de configuration mal formé (YAML ou JSON attendu)") from None
    return parse_config(data)
