"""Rate limits: token buckets per caller and per service, in this process or shared in Redis.

- `config`: `[rate_limits]` (the store) and `[routes.rate_limit]` (a route's buckets).
- `buckets`: the token-bucket algorithm and the in-process store.
- `redis_backend`: the same algorithm as one atomic Redis script, shared by every replica.
- `limiter`: `RateLimiter.check(route, caller)`, raising RateLimited (429) or, when Redis is
  unreachable and the config says refuse, RateLimitUnavailable (503).
- `metrics`: Prometheus counters of refusals and of checks made without the store.
"""

from gateway.ratelimit.config import BucketConfig, RateLimitsConfig, RouteRateLimit
from gateway.ratelimit.limiter import RateLimiter
from gateway.ratelimit.metrics import RateLimitMetrics

__all__ = ["BucketConfig", "RateLimitMetrics", "RateLimiter", "RateLimitsConfig", "RouteRateLimit"]
