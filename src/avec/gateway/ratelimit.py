"""Per-key rate limits: one in-process token bucket per API key id.

Each replica counts on its own, so behind a load balancer with ``n`` replicas a key may send up
to ``n`` times its rate: the limit protects each process (and the upstream budget) from one
runaway client, it is not an exact quota. Buckets are keyed by key id (never by the key), and
their number is bounded by the configured keys plus the anonymous principal.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

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

    def check(self, principal: Principal) -> None:
        """Take one token from the principal's bucket.

        Raises:
            GatewayError: 429 (with ``Retry-After``) when the bucket is empty.
        """
        rate = self.rate(principal)
        if rate <= 0:
            return
        capacity = float(self._burst or rate)
        per_second = rate / 60.0
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
