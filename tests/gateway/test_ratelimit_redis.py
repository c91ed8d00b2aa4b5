"""Rate limits shared by every gateway process through Redis (the machine's, 127.0.0.1:6379).

Skipped, with the reason, when ``AVEC_TEST_REDIS_URL`` is unset or Redis does not answer;
``.ci/run`` sets it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from avec.gateway import parse_config
from avec.gateway.auth import Principal
from avec.gateway.errors import GatewayError
from avec.gateway.ratelimit import RedisRateLimiter

CONFIG = parse_config(
    {
        "systems": [{"id": "cloud", "base_url": "http://127.0.0.1:9/v1", "models": ["m"]}],
        "keys": [{"id": "poste-1", "sha256": "0" * 64}],
        "options": {"rate_limit_per_minute": 6, "rate_limit_burst": 3},
    }
)
WHO = Principal("poste-1")


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = os.environ.get("AVEC_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis non testé : AVEC_TEST_REDIS_URL n'est pas défini")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis non testé : le serveur ne répond pas")
    yield url
    client.close()


def _limiters(url: str, n: int) -> list[RedisRateLimiter]:
    prefix = f"avec-test:{uuid.uuid4().hex}:"  # each test its own buckets
    return [RedisRateLimiter(CONFIG, url, prefix=prefix) for _ in range(n)]


def test_processes_share_one_bucket_per_key(redis_url: str) -> None:
    first, second = _limiters(redis_url, 2)  # two replicas
    first.check(WHO)
    second.check(WHO)
    first.check(WHO)  # the burst of 3 is spent, whichever process took the tokens
    with pytest.raises(GatewayError) as refused:
        second.check(WHO)
    assert refused.value.status == 429
    # 6 per minute: the next token comes within 10 s, and the client is told so.
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 10
    first.check(Principal("poste-2"))  # another key has its own bucket


def test_unreachable_redis_falls_back_to_the_process_bucket(caplog: pytest.LogCaptureFixture) -> None:
    (limiter,) = _limiters("redis://127.0.0.1:9/0", 1)  # nothing listens on port 9
    for _ in range(3):
        limiter.check(WHO)
    with pytest.raises(GatewayError):
        limiter.check(WHO)  # still limited, by this process alone
    assert "limitation de débit partagée indisponible" in caplog.text
    assert "poste-1" not in caplog.text


def test_the_environment_chooses_the_shared_limiter(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    from avec.gateway import GatewaySettings
    from avec.gateway.records import MemoryRequestJournal
    from avec.gateway.state import build_state

    def limiter(**env: str) -> object:
        settings = GatewaySettings(data_dir=tmp_path, vault_key=Fernet.generate_key().decode(), **env)
        return build_state(settings, config=CONFIG, journal=MemoryRequestJournal()).rate_limiter

    assert type(limiter()).__name__ == "RateLimiter"
    assert isinstance(limiter(rate_limit_redis_url="redis://127.0.0.1:6379/15"), RedisRateLimiter)
