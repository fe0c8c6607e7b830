"""Stage: continue a conversation's placeholder numbering when the client names the conversation.

The conversation id header is optional. Its mapping is stored under a keyed pseudonym of the
caller and the id, so naming someone else's conversation id gives an empty scope, never theirs.

Saving is a compare-and-set (`gateway.conversations`): when another turn of the conversation saved
since this one loaded, the request is masked again from the newer mapping before anything is
forwarded, so racing turns never give one placeholder to two values. Placeholders made while
masking the response are added to the conversation once the response is rewritten (or its
stream ends or breaks), as reserved numbers (never restored), so a later turn does not give them
to a new value even when the client does not send the answer back. This merge needs no
re-masking: a racing turn that took the same number meanwhile keeps it, and a store that fails
then costs only that reservation (logged), not the exchange.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from gateway.conversations import ConversationStore
from gateway.errors import BadRequest, ConversationConflict, ConversationStoreUnavailable
from gateway.exchange import Exchange
from pii.vault import RESERVED, PlaceholderVault

LOG = logging.getLogger("gerbang.conversations")

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
        """Save when this exchange belongs to a conversation and masked something, and have
        the placeholders its response makes kept too (`Exchange.after_response`).

        Raises ConversationConflict (409) when other turns saved first `attempts` times in a row.
        """
        key = exchange.conversation_key
        if key is None:
            return None
        if exchange.request_operators:
            await self._save_request(exchange, key)
        exchange.vault.mark()
        exchange.after_response = self._keep_response_placeholders
        return None

    async def _save_request(self, exchange: Exchange, key: str) -> None:
        for _ in range(self._attempts):
            mapping = exchange.vault.stored_mapping()
            if await self._store.save(key, mapping, exchange.conversation_version):
                return
            snapshot = await self._store.load(key)
            exchange.vault = PlaceholderVault.from_mapping(snapshot.mapping)
            exchange.conversation_version = snapshot.version
            await self._mask(exchange)
        raise ConversationConflict()

    async def _keep_response_placeholders(self, exchange: Exchange) -> None:
        """Add the placeholders the response made to the stored conversation, as reserved."""
        made = exchange.vault.made_since_mark()
        key = exchange.conversation_key
        if not made or key is None:
            return
        try:
            for _ in range(self._attempts):
                snapshot = await self._store.load(key)
                merged = dict(snapshot.mapping)
                for token in made:
                    merged.setdefault(token, RESERVED)  # a racing turn's value stays its own
                if merged == snapshot.mapping:
                    return
                if await self._store.save(key, merged, snapshot.version):
                    return
        except ConversationStoreUnavailable:
            pass
        LOG.warning(
            "response placeholders not kept with the conversation",
            extra={"request_id": exchange.request_id},
        )
