"""Saving a conversation's mapping: masked again when another turn saved first, 409 at the end;
the placeholders a response made kept as reserved numbers."""

from __future__ import annotations

import os

import pytest
from aiohttp.test_utils import make_mocked_request

from gateway.conversations import MappingSealer, MemoryConversations, Snapshot
from gateway.errors import ConversationConflict, ConversationStoreUnavailable
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


UPSTREAM_NIK = "3273012505900004"  # synthetic: a value the upstream's answer held


async def _no_mask(exchange: Exchange) -> None:
    raise AssertionError("nothing raced: no masking again")


async def test_placeholders_the_response_made_are_kept_reserved_and_never_restored() -> None:
    store = _store()
    exchange = _exchange((await store.load(KEY)).version)
    await SaveConversation(store, _no_mask)(exchange)
    made = exchange.vault.token_for("ID_NIK", UPSTREAM_NIK)  # while masking the response
    assert exchange.after_response is not None
    await exchange.after_response(exchange)
    stored = (await store.load(KEY)).mapping
    assert stored == {"<ID_NIK_1>": MINE, made: ""}  # reserved: no value kept
    later = PlaceholderVault.from_mapping(stored)
    assert later.mapping == {"<ID_NIK_1>": MINE}  # what restoring may use
    assert later.token_for("ID_NIK", THEIRS) == "<ID_NIK_3>"


async def test_when_a_racing_turn_took_the_number_then_its_value_stands() -> None:
    store = _store()
    exchange = _exchange((await store.load(KEY)).version)
    await SaveConversation(store, _no_mask)(exchange)
    made = exchange.vault.token_for("ID_NIK", UPSTREAM_NIK)
    latest = await store.load(KEY)
    assert await store.save(KEY, {**latest.mapping, made: THEIRS}, latest.version)
    assert exchange.after_response is not None
    await exchange.after_response(exchange)
    assert (await store.load(KEY)).mapping == {"<ID_NIK_1>": MINE, made: THEIRS}


async def test_when_the_store_fails_after_the_response_then_the_exchange_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Failing(MemoryConversations):
        async def load(self, key: str) -> Snapshot:
            raise ConversationStoreUnavailable()

    exchange = _exchange(None)
    await SaveConversation(Failing(MappingSealer(AeadSealer(os.urandom(32))), ttl=60), _no_mask)(
        exchange
    )  # saving the request needs no load
    exchange.vault.token_for("ID_NIK", UPSTREAM_NIK)
    assert exchange.after_response is not None
    await exchange.after_response(exchange)  # no exception: only the reservation is lost
    assert "response placeholders not kept" in caplog.text
    assert UPSTREAM_NIK not in caplog.text


async def test_when_the_request_masked_nothing_then_the_response_placeholders_are_still_kept() -> (
    None
):
    store = _store()
    exchange = Exchange(make_mocked_request("POST", "/v1/chat/completions"), "synthetic-rid")
    exchange.conversation_key = KEY
    await SaveConversation(store, _no_mask)(exchange)
    assert (await store.load(KEY)).mapping == {}  # nothing masked: nothing saved yet
    made = exchange.vault.token_for("ID_NIK", UPSTREAM_NIK)
    await exchange.response_done()
    assert (await store.load(KEY)).mapping == {made: ""}


async def test_when_the_request_was_masked_again_then_only_the_response_placeholders_count() -> (
    None
):
    store = _store()
    loaded = await store.load(KEY)
    assert await store.save(KEY, {"<ID_NIK_1>": THEIRS}, loaded.version)  # the other turn won

    async def mask(exchange: Exchange) -> None:
        exchange.vault.token_for("ID_NIK", MINE)

    exchange = _exchange(loaded.version)
    await SaveConversation(store, mask)(exchange)
    assert exchange.vault.made_since_mark() == set()  # the request's own token is saved
    made = exchange.vault.token_for("ID_NIK", UPSTREAM_NIK)
    await exchange.response_done()
    assert (await store.load(KEY)).mapping == {"<ID_NIK_1>": THEIRS, "<ID_NIK_2>": MINE, made: ""}
