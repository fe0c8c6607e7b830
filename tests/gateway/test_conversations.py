"""Conversation mappings: sealed, expiring, shared through a real Redis, refused when it is down,
and saved only over the version a turn loaded (compare-and-set), in memory and in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gateway.conversations import (
    ConversationStore,
    MappingSealer,
    MemoryConversations,
    RedisConversations,
)
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
    assert await store.save("k1", MAPPING, None)
    assert (await store.load("k1")).mapping == MAPPING
    assert (await store.load("k2")).mapping == {}
    clock.now += 61
    assert (await store.load("k1")).mapping == {}


async def test_when_memory_store_is_full_then_the_oldest_conversation_goes(
    sealer: MappingSealer,
) -> None:
    store = MemoryConversations(sealer, ttl=60, max_entries=2)
    for key in ("a", "b", "c"):
        assert await store.save(key, MAPPING, None)
    assert (await store.load("a")).mapping == {}
    assert (await store.load("c")).mapping == MAPPING


@pytest.fixture
async def redis_store(redis_url: str, sealer: MappingSealer) -> AsyncIterator[RedisConversations]:
    store = RedisConversations(sealer, url=redis_url, ttl=30)
    yield store
    await store.close()


async def test_when_two_processes_share_redis_then_one_sees_the_others_mapping(
    redis_url: str, sealer: MappingSealer, redis_store: RedisConversations
) -> None:
    key = f"shared-{uuid.uuid4().hex}"
    assert await redis_store.save(key, MAPPING, None)
    other = RedisConversations(sealer, url=redis_url, ttl=30)
    try:
        assert (await other.load(key)).mapping == MAPPING
    finally:
        await other.close()


async def test_when_stored_in_redis_then_neither_value_nor_id_is_readable_there(
    redis_url: str, redis_store: RedisConversations
) -> None:
    await redis_store.save("p1:abc", MAPPING, (await redis_store.load("p1:abc")).version)
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
    await redis_store.save("alice", MAPPING, (await redis_store.load("alice")).version)
    raw = aioredis.Redis.from_url(redis_url)
    try:
        sealed = await raw.get(RedisConversations.PREFIX + "alice")
        await raw.set(RedisConversations.PREFIX + "mallory", sealed)
    finally:
        await raw.aclose()
    assert (await redis_store.load("mallory")).mapping == {}


async def test_when_redis_is_unreachable_then_the_store_refuses(sealer: MappingSealer) -> None:
    store = RedisConversations(sealer, url="redis://127.0.0.1:1/0", ttl=30, timeout=0.5)
    try:
        with pytest.raises(ConversationStoreUnavailable):
            await store.load("k")
        with pytest.raises(ConversationStoreUnavailable):
            await store.save("k", MAPPING, None)
    finally:
        await store.close()


@pytest.fixture(params=["memory", "redis"])
async def store(
    request: pytest.FixtureRequest, sealer: MappingSealer
) -> AsyncIterator[ConversationStore]:
    if request.param == "memory":
        yield MemoryConversations(sealer, ttl=60)
        return
    shared = RedisConversations(sealer, url=request.getfixturevalue("redis_url"), ttl=30)
    yield shared
    await shared.close()


async def test_when_another_turn_saved_since_loading_then_the_save_is_refused(
    store: ConversationStore,
) -> None:
    key = f"race-{uuid.uuid4().hex}"
    first, second = await store.load(key), await store.load(key)
    assert (first.version, second.version) == (None, None)
    assert await store.save(key, {"<ID_NIK_1>": NIK}, first.version)
    # The second turn loaded the same (empty) mapping: its save must not overwrite the first's.
    assert not await store.save(key, {"<ID_NIK_1>": "3171234567890011"}, second.version)
    latest = await store.load(key)
    assert latest.mapping == {"<ID_NIK_1>": NIK}
    both = {**latest.mapping, "<ID_NIK_2>": "3171234567890011"}
    assert await store.save(key, both, latest.version)
    assert (await store.load(key)).mapping == both
    # A version from before is stale again now.
    assert not await store.save(key, {}, latest.version)


async def test_when_the_conversation_expired_since_loading_then_the_save_is_refused(
    sealer: MappingSealer,
) -> None:
    clock = Clock()
    store = MemoryConversations(sealer, ttl=60, clock=clock)
    assert await store.save("k", MAPPING, None)
    loaded = await store.load("k")
    clock.now += 61
    assert not await store.save("k", MAPPING, loaded.version)
    assert await store.save("k", MAPPING, (await store.load("k")).version)
