"""When and how long to wait before trying an Asana call again."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Methods Asana treats as idempotent: resending them cannot create a second object.
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring Retry-After up to a cap.

    `max_retries` counts resends after the first attempt (so 3 means at most 4 tries).
    A Retry-After longer than `max_retry_after` is not waited for: the caller gets the
    rate-limit error at once, with the time to wait, instead of a page that hangs.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_retry_after: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before resend number `attempt` (1-based)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def wait_for_rate_limit(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait after a 429, or None when waiting that long is not worth it."""
        if retry_after is None:
            return self.backoff(attempt)
        if retry_after > self.max_retry_after:
            return None
        # A little jitter on top, so threads that were limited together do not return together.
        return retry_after + random.uniform(0, self.backoff_base / 2)


NO_RETRIES = RetryPolicy(max_retries=0)


def parse_retry_after(value: str | None) -> float | None:
    """Asana sends whole seconds; anything unparseable (or 'nan', 'inf') counts as absent."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)
