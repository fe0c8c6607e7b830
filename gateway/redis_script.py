"""A Lua script run atomically in Redis by its SHA-1, sent whole only when Redis lacks it.

`EVALSHA` first and `EVAL` on `NOSCRIPT` (after a Redis restart or failover): the gateway's Redis
user needs only `+eval +evalsha`, not `SCRIPT LOAD`, which redis-py's `register_script` uses.
"""

from __future__ import annotations

import hashlib

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

ScriptArg = str | bytes | int | float


class RedisScript:
    """One Lua script, called with keys and arguments."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(
        self, redis: aioredis.Redis, keys: list[str], args: list[ScriptArg]
    ) -> object:
        """The script's reply; Redis errors propagate (RedisError, OSError)."""
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await redis.eval(self.source, len(keys), *keys, *args)
