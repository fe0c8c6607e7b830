"""Stage: continue a conversation's placeholder numbering when the client names the conversation.

The conversation id header is optional. Its mapping is stored under a keyed pseudonym of the
caller and the id, so naming someone else's conversation id gives an empty scope, never theirs.

Saving is a compare-and-set (`gateway.conversations`): when another turn of the conversation saved
since this one loaded, the request is masked again from the newer mapping before anything is
forwarded, so racing turns never give one placeholder to two values. (Placeholders made while
masking a response are not saved with the conversation; MaskRequest keeps
new values off the placeholders a request already carries.)
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from gateway.conversations import ConversationStore
from gateway.errors import BadRequest, ConversationConflict
from gateway.exchange import Exchange
from pii.vault import PlaceholderVault

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class LoadConversation:
    """Replaces the exchange's fresh vault with the conversation's, and saves it after masking."""

    def __init__(
        self, store: ConversationStore, header: str, pseudonymize: Callable[[str], str]
    ) -> None:
        self._store = store
        self._header = header
        self._pseudonymize = pseudonymize

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Load the mapping; the exchange remembers the key so SaveConversation can store it."""
        conversation = exchange.request.headers.get(self._header)
        if conversation is None:
            return None
        if not _CONVERSATION_ID.match(conversation):
            raise BadRequest(f"{self._header} must be 1-128 letters, digits, '.', '_', ':', '-'")
        principal = exchange.principal
        owner = f"{principal.issuer}\x00{principal.subject}" if principal else "public"
        key = self._pseudonymize(f"conversation\x00{owner}\x00{conversation}")
        exchange.conversation_key = key
        snapshot = await self._store.load(key)
        exchange.vault = PlaceholderVault.from_mapping(snapshot.mapping)
        exchange.conversation_version = snapshot.version
        return None


SAVE_ATTEMPTS = 8
"""Saves tried per turn; with more turns of one conversation racing, the last get 409."""


class SaveConversation:
    """Stores the conversation's mapping once the request is masked; masks again on conflict."""

    def __init__(
        self,
        store: ConversationStore,
        mask: Callable[[Exchange], Awaitable[object]],
        attempts: int = SAVE_ATTEMPTS,
    ) -> None:
        self._store = store
        self._mask = mask
        self._attempts = attempts

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Save when this exchange belongs to a conversation and masked something.

        Raises ConversationConflict (409) when other turns saved first `attempts` times in a row.
        """
        key = exchange.conversation_key
        if key is None or not exchange.request_operators:
            return None
        for _ in range(self._attempts):
            mapping = exchange.vault.mapping
            if await self._store.save(key, mapping, exchange.conversation_version):
                return None
            snapshot = await self._store.load(key)
            exchange.vault = PlaceholderVault.from_mapping(snapshot.mapping)
            exchange.conversation_version = snapshot.version
            await self._mask(exchange)
        raise ConversationConflict()
