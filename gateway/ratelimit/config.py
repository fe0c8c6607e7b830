"""Configuration of rate limits: `[rate_limits]` (the store) and each route's `[routes.rate_limit]`.

```toml
[rate_limits]
store = "redis"                      # or "memory" (this process only; the default)
redis_url = "redis://redis:6379/0"   # no password here: redis_password = { env = "NAME" }
on_store_failure = "refuse"          # Redis unreachable: 503 ("refuse") or per-process ("local")
timeout = 0.25                       # seconds one Redis check may take

[[routes]]
name = "chat"
[routes.rate_limit]
per_principal = { rate = 10, per = 1.0, burst = 20 }  # each caller: 10 a second, 20 at once
per_service = { rate = 100, per = 1.0 }               # everyone together (burst = rate)
```
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from gateway.config_base import Seconds, SecretRef, _Model, _secret_ref, valid_redis_url

Count = Annotated[int, Field(ge=1, le=1_000_000)]


class BucketConfig(_Model):
    """A token bucket: `rate` requests every `per` seconds on average, up to `burst` at once."""

    rate: Count
    per: Seconds = 1.0
    burst: Count | None = None

    @property
    def capacity(self) -> int:
        """How many requests the bucket admits at once (`burst`, else `rate`)."""
        return self.burst if self.burst is not None else self.rate

    @property
    def refill_per_second(self) -> float:
        """Tokens added back each second."""
        return self.rate / self.per


class RouteRateLimit(_Model):
    """A route's limits: one bucket per caller, one bucket for the whole service, or both."""

    per_principal: BucketConfig | None = None
    per_service: BucketConfig | None = None

    @model_validator(mode="after")
    def _some_limit(self) -> RouteRateLimit:
        if self.per_principal is None and self.per_service is None:
            raise ValueError("give per_principal, per_service or both (or drop rate_limit)")
        return self


class RateLimitsConfig(_Model):
    """Where buckets live, and what happens when that store cannot be reached."""

    store: Literal["memory", "redis"] = "memory"
    redis_url: str | None = None
    redis_password: SecretRef | None = None
    on_store_failure: Literal["refuse", "local"] = "refuse"
    timeout: Annotated[float, Field(gt=0, le=10)] = 0.25
    retry_interval: Seconds = 1.0
    """After a failure, how long checks skip the store before one check tries it again."""
    max_local_buckets: Annotated[int, Field(ge=1)] = 100_000
    """Buckets kept in each process (memory store and local fallback), least recent dropped."""

    _password = field_validator("redis_password", mode="before")(_secret_ref)

    _redis_url = field_validator("redis_url")(valid_redis_url)

    @model_validator(mode="after")
    def _store_matches_url(self) -> RateLimitsConfig:
        if self.store == "redis" and self.redis_url is None:
            raise ValueError('store = "redis" needs redis_url')
        if self.store == "memory" and (self.redis_url or self.redis_password):
            raise ValueError('redis_url and redis_password are only used with store = "redis"')
        return self
