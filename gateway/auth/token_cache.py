"""Principals of recently accepted tokens, so a caller's every request does not pay for a check.

Entries are keyed by the SHA-256 of the token, never the token itself; each is kept until its own
deadline (never past the token's `exp`) and the cache holds at most `max_entries`, dropping the
least recently used. Only accepted tokens are remembered: a refusal is always decided afresh.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

from gateway.auth.principal import Principal


def token_digest(token: str) -> str:
    """The cache key of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class AcceptedTokens:
    """A bounded map from token digest to (principal, deadline, tag); not shared between threads.

    The tag is the caller's to interpret: what the acceptance depended on (the JWT verifier keeps
    the issuer's key set and its generation there, so a refetched key set re-checks tokens).
    """

    def __init__(
        self, max_entries: int, max_seconds: float, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._max_entries = max_entries
        self._max_seconds = max_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Principal, float, object]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def get(self, digest: str) -> Principal | None:
        """The principal remembered for `digest`, or None (also once its deadline has passed)."""
        found = self.lookup(digest)
        return None if found is None else found[0]

    def lookup(self, digest: str) -> tuple[Principal, object] | None:
        """The principal and tag remembered for `digest`, or None."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[digest]
            return None
        self._entries.move_to_end(digest)
        return entry[0], entry[2]

    def forget(self, digest: str) -> None:
        """Drop the entry of `digest`, if any."""
        self._entries.pop(digest, None)

    def remember(
        self, digest: str, principal: Principal, expires_at: float | None, tag: object = None
    ) -> None:
        """Keep `principal` for at most `max_seconds`, and never past `expires_at` (epoch s)."""
        if self._max_entries <= 0 or self._max_seconds <= 0:
            return
        now = self._clock()
        deadline = now + self._max_seconds
        if expires_at is not None:
            deadline = min(deadline, expires_at)
        if deadline <= now:
            return
        self._entries[digest] = (principal, deadline, tag)
        self._entries.move_to_end(digest)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
