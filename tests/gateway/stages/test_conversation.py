"""Saving a conversation's mapping: masked again when another turn saved first, 409 at the end."""

from __future__ import annotations

import os

import pytest
from aiohttp.test_utils import make_mocked_request

from gateway.conversations import MappingSealer, MemoryConversations
from gateway.errors import ConversationConflict
from gateway.exchange import Exchange
from gateway.stages.conversation import SaveConversation
from keys.aead import AeadSealer
from pii.vault import PlaceholderVault

KEY = "synthetic-conversation"
MINE, THEIRS = "3171012505900002", "3171012505900003"  # synthetic NIKs


def _store() -> MemoryConversations:
    return MemoryConversations(MappingSealer(AeadSealer(os.urandom(32))), ttl=60)


def _exchange(store_version: bytes | None) -> Exchange:
    exchange = Exchange(make_mocked_request("POST", "/v1/chat/completions"), "synthetic-rid")
    exchange.conversation_key = KEY
    exchange.conversation_version = store_version
    exchange.vault.token_for("ID_NIK", MINE)
    exchange.request_operators["ID_NIK"] = "placeholder"
    return exchange


async def test_when_another_turn_saved_first_then_the_request_is_masked_again() -> None:
    store = _store()
    loaded = await store.load(KEY)
    assert await store.save(KEY, {"<ID_NIK_1>": THEIRS}, loaded.version)  # the other turn won
    masked_with: list[dict[str, str]] = []

    async def mask(exchange: Exchange) -> None:
        exchange.vault.token_for("ID_NIK", MINE)
        masked_with.append(exchange.vault.mapping)

    exchange = _exchange(loaded.version)
    assert await SaveConversation(store, mask)(exchange) is None
    assert masked_with == [{"<ID_NIK_1>": THEIRS, "<ID_NIK_2>": MINE}]
    assert (await store.load(KEY)).mapping == {"<ID_NIK_1>": THEIRS, "<ID_NIK_2>": MINE}


async def test_when_other_turns_keep_saving_first_then_409_and_their_mapping_stands() -> None:
    store = _store()
    loaded = await store.load(KEY)

    async def mask_while_another_turn_saves(exchange: Exchange) -> None:
        latest = await store.load(KEY)
        other = PlaceholderVault.from_mapping(latest.mapping)
        other.token_for("ID_NIK", f"31710125059{90 + len(latest.mapping):05d}")
        assert await store.save(KEY, other.mapping, latest.version)
        exchange.vault.token_for("ID_NIK", MINE)

    exchange = _exchange(loaded.version)
    await store.save(KEY, {"<ID_NIK_1>": THEIRS}, loaded.version)
    with pytest.raises(ConversationConflict) as raised:
        await SaveConversation(store, mask_while_another_turn_saves, attempts=3)(exchange)
    assert raised.value.status == 409
    assert MINE not in (await store.load(KEY)).mapping.values()
