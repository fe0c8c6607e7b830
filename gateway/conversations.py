"""Placeholder mappings kept across the turns of one conversation, sealed, with a time to live.

A client opts in by sending a conversation id header; the mapping is stored under a keyed
pseudonym of (issuer, subject, conversation id), so another caller naming the same id gets a
different, empty scope, and the store never sees ids or values in clear. Mappings are sealed with
AES-256-GCM (the keyring's token key) bound to their storage key. In memory by default (one
process); in Redis when configured, so several gateway processes share conversations.

Turns of one conversation may run at once (two browser tabs, a client retrying), on different
replicas. A save is therefore a compare-and-set: it stores only when the mapping is still the one
the turn loaded, and otherwise says so, so that the turn masks again from the newer mapping. A last
save that simply won would let two values travel upstream under one placeholder.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway.errors import ConversationStoreUnavailable
from gateway.redis_script import RedisScript
from keys.aead import AeadError, AeadSealer


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A conversation's mapping as loaded, and the stored version it came from (None: none)."""

    mapping: dict[str, str] = field(default_factory=dict)
    version: bytes | None = None


class ConversationStore(Protocol):
    """Where conversations' placeholder mappings live."""

    async def load(self, key: str) -> Snapshot:
        """The mapping saved under `key` (empty when there is none) and its version."""
        ...

    async def save(self, key: str, mapping: Mapping[str, str], version: bytes | None) -> bool:
        """Replace the mapping under `key` and restart its time to live, but only if the stored
        version is still `version`; False (nothing stored) when another turn saved first."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MappingSealer:
    """Seals a mapping to JSON bytes bound to its storage key, and opens it again."""

    def __init__(self, sealer: AeadSealer) -> None:
        self._sealer = sealer

    def seal(self, key: str, mapping: Mapping[str, str]) -> bytes:
        """Encrypt the mapping for storage under `key`."""
        return self._sealer.seal(json.dumps(dict(mapping)).encode(), key.encode())

    def open(self, key: str, sealed: bytes) -> dict[str, str]:
        """Decrypt; a value moved to another key, or tampered with, opens as empty."""
        try:
            data = json.loads(self._sealer.open(sealed, key.encode()))
        except (AeadError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}


class MemoryConversations:
    """Conversations of this process only, bounded in number, expiring after `ttl` seconds."""

    def __init__(
        self,
        sealer: MappingSealer,
        *,
        ttl: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sealer = sealer
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    async def load(self, key: str) -> Snapshot:
        """The live mapping under `key`, or an empty one."""
        sealed = self._live(key)
        return Snapshot() if sealed is None else Snapshot(self._sealer.open(key, sealed), sealed)

    async def save(self, key: str, mapping: Mapping[str, str], version: bytes | None) -> bool:
        """Store if unchanged since `version`, evicting the least recently saved conversation
        beyond `max_entries`."""
        if self._live(key) != version:
            return False
        self._entries[key] = (self._clock() + self._ttl, self._sealer.seal(key, mapping))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return True

    def _live(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, sealed = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        return sealed

    async def close(self) -> None:
        """Forget everything (nothing to release)."""
        self._entries.clear()


# KEYS[1]: the conversation; ARGV: the version loaded ("" for none: sealed values are never
# empty), the new sealed mapping, the time to live in milliseconds. 1 when stored.
_COMPARE_AND_SET = RedisScript("""
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
""")


class RedisConversations:
    """Conversations shared by every gateway process through one Redis server."""

    PREFIX = "gerbang:conversation:"

    def __init__(
        self,
        sealer: MappingSealer,
        *,
        url: str,
        ttl: float,
        timeout: float = 1.0,
        password: str | None = None,
    ) -> None:
        self._sealer = sealer
        self._ttl_ms = max(1, int(ttl * 1000))
        self._redis = aioredis.Redis.from_url(
            url, password=password, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    async def load(self, key: str) -> Snapshot:
        """The mapping under `key`; an unreachable Redis refuses the exchange (503)."""
        try:
            sealed = await self._redis.get(self.PREFIX + key)
        except (RedisError, OSError) as exc:
            raise ConversationStoreUnavailable() from exc
        if not isinstance(sealed, bytes):
            return Snapshot()
        return Snapshot(self._sealer.open(key, sealed), sealed)

    async def save(self, key: str, mapping: Mapping[str, str], version: bytes | None) -> bool:
        """Compare-and-set in one script, with Redis's own expiry, so abandoned conversations
        vanish by themselves."""
        try:
            stored = await _COMPARE_AND_SET(
                self._redis,
                [self.PREFIX + key],
                [version or b"", self._sealer.seal(key, mapping), self._ttl_ms],
            )
        except (RedisError, OSError) as exc:
            raise ConversationStoreUnavailable() from exc
        return bool(stored)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
