"""Placeholder mappings kept across the turns of one conversation, sealed, with a time to live.

A client opts in by sending a conversation id header; the mapping is stored under a keyed
pseudonym of (issuer, subject, conversation id), so another caller naming the same id gets a
different, empty scope, and the store never sees ids or values in clear. Mappings are sealed with
AES-256-GCM (the keyring's token key) bound to their storage key. In memory by default (one
process); in Redis when configured, so several gateway processes share conversations.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway.errors import ConversationStoreUnavailable
from keys.aead import AeadError, AeadSealer


class ConversationStore(Protocol):
    """Where conversations' placeholder mappings live."""

    async def load(self, key: str) -> dict[str, str]:
        """The mapping saved under `key`, or an empty one."""
        ...

    async def save(self, key: str, mapping: Mapping[str, str]) -> None:
        """Replace the mapping under `key` and restart its time to live."""
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

    async def load(self, key: str) -> dict[str, str]:
        """The live mapping under `key`, or an empty one."""
        entry = self._entries.get(key)
        if entry is None:
            return {}
        expires, sealed = entry
        if expires <= self._clock():
            del self._entries[key]
            return {}
        return self._sealer.open(key, sealed)

    async def save(self, key: str, mapping: Mapping[str, str]) -> None:
        """Store, evicting the least recently saved conversation beyond `max_entries`."""
        self._entries[key] = (self._clock() + self._ttl, self._sealer.seal(key, mapping))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def close(self) -> None:
        """Forget everything (nothing to release)."""
        self._entries.clear()


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

    async def load(self, key: str) -> dict[str, str]:
        """The mapping under `key`; an unreachable Redis refuses the exchange (503)."""
        try:
            sealed = await self._redis.get(self.PREFIX + key)
        except (RedisError, OSError) as exc:
            raise ConversationStoreUnavailable() from exc
        return self._sealer.open(key, sealed) if isinstance(sealed, bytes) else {}

    async def save(self, key: str, mapping: Mapping[str, str]) -> None:
        """Store with Redis's own expiry, so abandoned conversations vanish by themselves."""
        try:
            await self._redis.set(
                self.PREFIX + key, self._sealer.seal(key, mapping), px=self._ttl_ms
            )
        except (RedisError, OSError) as exc:
            raise ConversationStoreUnavailable() from exc

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
