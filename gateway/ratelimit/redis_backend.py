"""Token buckets in Redis, shared by every gateway replica: one atomic script call per check.

The script reads Redis's own clock (`TIME`), so replicas whose clocks disagree still agree on
every bucket. It is called by its SHA-1 (`EVALSHA`); a server that does not know it (restarted,
`SCRIPT FLUSH`, fail-over) answers NOSCRIPT and the call is repeated once with `EVAL`, which also
caches the script again. A bucket is a hash `{t: tokens, ts: microseconds}` that expires once it
would be full again, so idle callers cost no memory. Keys carry the route as a hash tag, so a
request's buckets share one cluster slot. Needs Redis 5 or later (scripts replicate their effects,
so reading `TIME` before writing is allowed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gateway.ratelimit.buckets import ADMITTED, EPSILON, BucketCheck, StoreUnavailable, Verdict
from gateway.redis_script import RedisScript

KEY_PREFIX = "gerbang:rl:"

# KEYS[i]: bucket i; ARGV[2i-1], ARGV[2i]: its capacity and refill in tokens per microsecond.
# Returns {1, 0, 0} when admitted, {0, wait in microseconds (rounded up), i} when bucket i is
# the one with the longest wait.
TAKE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local epsilon = tonumber(ARGV[#ARGV])
local levels = {}
local wait, worst = 0, 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', KEYS[i], 't', 'ts')
  local tokens = tonumber(state[1])
  local stamp = tonumber(state[2])
  if tokens == nil or stamp == nil then
    tokens = capacity
  else
    local elapsed = now - stamp
    if elapsed < 0 then elapsed = 0 end
    tokens = math.min(capacity, tokens + elapsed * rate)
  end
  levels[i] = tokens
  if tokens < 1 - epsilon then
    local needed = (1 - tokens) / rate
    if needed > wait then wait, worst = needed, i end
  end
end
if worst > 0 then
  return {0, math.ceil(wait), worst}
end
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local left = math.max(0, levels[i] - 1)
  redis.call('HSET', KEYS[i], 't', string.format('%.17g', left), 'ts', string.format('%.0f', now))
  local full_in_ms = math.ceil((capacity - left) / rate / 1000) + 1000
  redis.call('PEXPIRE', KEYS[i], string.format('%.0f', full_in_ms))
end
return {1, 0, 0}
"""
TAKE = RedisScript(TAKE_SCRIPT)


class RedisBuckets:
    """Buckets in one Redis server; any failure or a check slower than `timeout` raises
    StoreUnavailable (the limiter decides what that means)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        password: str | None = None,
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self._timeout = timeout
        self._prefix = key_prefix
        # One immediate retry reconnects a pooled connection the server closed (a restart);
        # redis-py's default would retry three times with back-off, far beyond `timeout`.
        self._redis = aioredis.Redis.from_url(
            url,
            password=password,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )

    async def acquire(self, checks: Sequence[BucketCheck]) -> Verdict:
        """Take one token from every bucket, or none, in one round trip."""
        keys = [self._prefix + check.key for check in checks]
        args: list[str] = []
        for check in checks:
            args += (repr(check.spec.capacity), repr(check.spec.refill_per_second / 1e6))
        args.append(repr(EPSILON))
        try:
            async with asyncio.timeout(self._timeout):
                reply = await self._call(keys, args)
            allowed, wait_us, worst = (int(value) for value in reply)
        except (RedisError, OSError, TimeoutError, TypeError, ValueError) as exc:
            raise StoreUnavailable(type(exc).__name__) from exc
        if allowed:
            return ADMITTED
        return Verdict(allowed=False, retry_after=wait_us / 1e6, limited_by=checks[worst - 1].label)

    async def _call(self, keys: list[str], args: list[str]) -> list[int]:
        reply = await TAKE(self._redis, keys, list(args))
        if not isinstance(reply, list) or len(reply) != 3:
            raise TypeError("unexpected reply from the rate-limit script")
        return reply

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
