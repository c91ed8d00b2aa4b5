"""Per-key rate limits: a token bucket per API key id, in the process or shared in Redis.

In-process (the default), each replica or worker counts on its own, so behind a load balancer
with ``n`` processes a key may send up to ``n`` times its rate. With ``AVEC_RATE_LIMIT_REDIS_URL``
every process takes its tokens from one bucket per key in Redis (one atomic script, on Redis's
clock), so the rate holds for the whole installation. If Redis cannot be reached the process
falls back to its own bucket (a warning is logged): a rate limit protects availability, so an
unavailable Redis must not stop care. Buckets are keyed by key id (never by the key).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from avec.gateway.auth import Principal
from avec.gateway.config import GatewayConfig
from avec.gateway.errors import GatewayError


@dataclass
class _Bucket:
    tokens: float
    stamp: float


def rate_limited(retry_after: float) -> GatewayError:
    """The 429 error of a key that sent too many requests."""
    seconds = max(1, math.ceil(retry_after))
    return GatewayError(
        429,
        "avec_rate_limited",
        f"Trop de requêtes pour cette clé d'API : réessayez dans {seconds} seconde(s).",
        "rate_limit_error",
        headers={"Retry-After": str(seconds)},
    )


class RateLimiter:
    """Token buckets per key id, from the configuration's rates.

    Args:
        config: ``options.rate_limit_per_minute`` / ``rate_limit_burst`` and per-key overrides.
        clock: monotonic time in seconds (tests inject one).
    """

    def __init__(self, config: GatewayConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._default = config.options.rate_limit_per_minute
        self._burst = config.options.rate_limit_burst
        self._per_key = {
            k.id: k.rate_limit_per_minute for k in config.keys if k.rate_limit_per_minute is not None
        }
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def rate(self, principal: Principal) -> int:
        """Requests per minute allowed to ``principal`` (0: unlimited)."""
        return self._per_key.get(principal.id, self._default)

    def _limits(self, principal: Principal) -> tuple[float, float] | None:
        """The bucket's capacity and refill per second for ``principal``; None when unlimited."""
        rate = self.rate(principal)
        if rate <= 0:
            return None
        return float(self._burst or rate), rate / 60.0

    def check(self, principal: Principal) -> None:
        """Take one token from the principal's bucket.

        Raises:
            GatewayError: 429 (with ``Retry-After``) when the bucket is empty.
        """
        limits = self._limits(principal)
        if limits is None:
            return
        capacity, per_second = limits
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(principal.id)
            if bucket is None:
                bucket = self._buckets[principal.id] = _Bucket(capacity, now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * per_second)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            missing = 1.0 - bucket.tokens
        raise rate_limited(missing / per_second)


_log = logging.getLogger("avec.gateway")

# KEYS[1]: the bucket; ARGV: capacity, tokens per second. Returns {allowed, tokens as text}
# (Lua numbers would come back truncated to integers).
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(b[1]) or capacity
local stamp = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {allowed, tostring(tokens)}
"""


class RedisRateLimiter(RateLimiter):
    """The same buckets, shared by every process through Redis.

    Args:
        config: the rates, as for :class:`RateLimiter`.
        url: ``redis://`` URL (from the environment: it may hold a password).
        prefix: key prefix, so that several installations can share one Redis.
        clock: for the in-process fallback.
    """

    def __init__(
        self,
        config: GatewayConfig,
        url: str,
        *,
        prefix: str = "avec:debit:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import redis

        super().__init__(config, clock)
        self._prefix = prefix
        # Short timeouts: a stalled Redis must cost a request milliseconds, not seconds.
        self._client: Any = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self._take = self._client.register_script(_TAKE)

    def check(self, principal: Principal) -> None:
        """Take one token from the principal's shared bucket (the process's if Redis fails).

        Raises:
            GatewayError: 429 (with ``Retry-After``) when the bucket is empty.
        """
        limits = self._limits(principal)
        if limits is None:
            return
        capacity, per_second = limits
        try:
            allowed, tokens = self._take(keys=[self._prefix + principal.id], args=[capacity, per_second])
        except Exception as exc:  # RedisError, timeouts: keep limiting, in this process
            _log.warning("limitation de débit partagée indisponible (%s)", type(exc).__name__)
            super().check(principal)
            return
        if int(allowed) != 1:
            raise rate_limited((1.0 - float(tokens)) / per_second)
