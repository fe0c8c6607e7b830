"""Stage: continue a conversation's placeholder numbering when the client names the conversation.

The conversation id header is optional. Its mapping is stored under a keyed pseudonym of the
caller and the id, so naming someone else's conversation id gives an empty scope, never theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aiohttp import web

from gateway.conversations import ConversationStore
from gateway.errors import BadRequest
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
        exchange.vault = PlaceholderVault.from_mapping(await self._store.load(key))
        return None


class SaveConversation:
    """Stores the conversation's mapping once the request is masked."""

    def __init__(self, store: ConversationStore) -> None:
        self._store = store

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Save when this exchange belongs to a conversation and added placeholders."""
        if exchange.conversation_key is not None and exchange.request_operators:
            await self._store.save(exchange.conversation_key, exchange.vault.mapping)
        return None
