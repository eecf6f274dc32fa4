"""A per-client token bucket for the shopper endpoints (no external store: one process, one bucket table)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """`per_minute` requests a minute on average, bursts of up to `burst` at once, per client IP."""

    per_minute: float = 120.0
    burst: int = 30

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst < 1:
            raise ValueError("rate limit: per_minute must be > 0 and burst >= 1")

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


class TokenBuckets:
    """Thread-safe buckets keyed by client; the least recently seen clients are dropped past `max_clients`."""

    def __init__(self, limit: RateLimit, *, max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token. Returns 0.0 when allowed, else the seconds to wait before the next token."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - last) * self.limit.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.limit.per_second
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
