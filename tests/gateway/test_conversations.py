"""Conversation mappings: sealed, expiring, shared through a real Redis, refused when it is down."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gateway.conversations import MappingSealer, MemoryConversations, RedisConversations
from gateway.errors import ConversationStoreUnavailable
from keys.aead import AeadSealer

NIK = "3171234567890003"  # synthetic
MAPPING = {"<ID_NIK_1>": NIK}


@pytest.fixture
def sealer() -> MappingSealer:
    return MappingSealer(AeadSealer(os.urandom(32)))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_when_memory_store_saves_then_the_mapping_loads_until_it_expires(
    sealer: MappingSealer,
) -> None:
    clock = Clock()
    store = MemoryConversations(sealer, ttl=60, clock=clock)
    await store.save("k1", MAPPING)
    assert await store.load("k1") == MAPPING
    assert await store.load("k2") == {}
    clock.now += 61
    assert await store.load("k1") == {}


async def test_when_memory_store_is_full_then_the_oldest_conversation_goes(
    sealer: MappingSealer,
) -> None:
    store = MemoryConversations(sealer, ttl=60, max_entries=2)
    for key in ("a", "b", "c"):
        await store.save(key, MAPPING)
    assert await store.load("a") == {}
    assert await store.load("c") == MAPPING


@pytest.fixture
async def redis_store(redis_url: str, sealer: MappingSealer) -> AsyncIterator[RedisConversations]:
    store = RedisConversations(sealer, url=redis_url, ttl=30)
    yield store
    await store.close()


async def test_when_two_processes_share_redis_then_one_sees_the_others_mapping(
    redis_url: str, sealer: MappingSealer, redis_store: RedisConversations
) -> None:
    await redis_store.save("shared", MAPPING)
    other = RedisConversations(sealer, url=redis_url, ttl=30)
    try:
        assert await other.load("shared") == MAPPING
    finally:
        await other.close()


async def test_when_stored_in_redis_then_neither_value_nor_id_is_readable_there(
    redis_url: str, redis_store: RedisConversations
) -> None:
    await redis_store.save("p1:abc", MAPPING)
    raw = aioredis.Redis.from_url(redis_url)
    try:
        keys = [k async for k in raw.scan_iter(match=RedisConversations.PREFIX + "*")]
        values = [await raw.get(k) for k in keys]
        ttl = await raw.pttl(RedisConversations.PREFIX + "p1:abc")
    finally:
        await raw.aclose()
    assert values
    assert not any(NIK.encode() in v for v in values if v)
    assert 0 < ttl <= 30_000


async def test_when_a_sealed_mapping_is_moved_to_another_key_then_it_opens_empty(
    redis_url: str, redis_store: RedisConversations
) -> None:
    await redis_store.save("alice", MAPPING)
    raw = aioredis.Redis.from_url(redis_url)
    try:
        sealed = await raw.get(RedisConversations.PREFIX + "alice")
        await raw.set(RedisConversations.PREFIX + "mallory", sealed)
    finally:
        await raw.aclose()
    assert await redis_store.load("mallory") == {}


async def test_when_redis_is_unreachable_then_the_store_refuses(sealer: MappingSealer) -> None:
    store = RedisConversations(sealer, url="redis://127.0.0.1:1/0", ttl=30, timeout=0.5)
    try:
        with pytest.raises(ConversationStoreUnavailable):
            await store.load("k")
        with pytest.raises(ConversationStoreUnavailable):
            await store.save("k", MAPPING)
    finally:
        await store.close()
