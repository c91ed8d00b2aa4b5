"""OpenAI-compatible gateway: protect requests, reveal answers, verify, journal (issue #5)."""

from avec.gateway.app import create_app, include_gateway
from avec.gateway.auth import hash_key, new_key
from avec.gateway.config import ConfigError, GatewayConfig, GatewaySettings, load_config, parse_config
from avec.gateway.state import GatewayState

__all__ = [
    "ConfigError",
    "GatewayConfig",
    "GatewaySettings",
    "GatewayState",
    "create_app",
    "hash_key",
    "include_gateway",
    "load_config",
    "new_key",
    "parse_config",
]
