"""Findings of texts a caller has sent before, so a conversation's resent history is scanned once.

Chat clients send the whole conversation with every turn: the system prompt and every earlier
message again, only the last one new. Detection is pure (the same text and language give the same
findings), so the findings of each text are kept, bounded, and reused.

- Keys are a keyed BLAKE2b digest of (caller, language, text) under a random key made when the
  process starts: the cache holds neither text nor a digest anyone could test a guess against.
- Values are findings (type, offsets, score), never the values found.
- Entries are scoped to the caller (issuer and subject): a cache hit answers faster, so a shared
  cache would let one caller learn, by timing, whether another had sent a given text. Requests
  without an authenticated caller are not cached.
- Bounded in memory and in work on the event loop: at most `max_entries` texts holding at most
  `FINDINGS_PER_ENTRY` findings each on average (about 1.4 KB per entry at most, so 14 MB at the
  default 10,000), least recently used dropped first; a text with more than
  `MAX_FINDINGS_PER_TEXT` findings, and any body whose texts exceed `MAX_BODY_CHARS` together,
  is scanned without the cache (a 10 MB body is neither hashed on the loop nor kept). Callers
  share the bound: one busy caller pushes out others' entries, which only costs their rescans.
- Used from the event loop only.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.auth.principal import Principal
from pii.findings import Finding

Findings = tuple[Finding, ...]
FINDINGS_PER_ENTRY = 8  # the average the total bound allows
MAX_FINDINGS_PER_TEXT = 64  # a denser text is not kept
MAX_BODY_CHARS = 256 * 1024  # bodies with more text are not looked up (nor hashed on the loop)


@dataclass
class Lookup:
    """The findings of some texts: those known already, and the indices still to be scanned."""

    findings: list[Findings | None]
    keys: list[bytes] | None = None
    cache: FindingsCache | None = field(default=None, repr=False)

    @classmethod
    def uncached(cls, count: int) -> Lookup:
        """Nothing known: every text is scanned, nothing remembered."""
        return cls([None] * count)

    @property
    def missing(self) -> list[int]:
        """Indices of the texts whose findings are not known yet."""
        return [i for i, found in enumerate(self.findings) if found is None]

    def fill(self, missing: Sequence[int], found: Sequence[Findings]) -> None:
        """Record the findings of the `missing` texts (and remember them in the cache)."""
        for index, findings in zip(missing, found, strict=True):
            self.findings[index] = findings
            if self.cache is not None and self.keys is not None:
                self.cache.put(self.keys[index], findings)

    def result(self) -> tuple[Findings, ...]:
        """The findings of every text, in order; every text must be known by now."""
        if any(found is None for found in self.findings):
            raise ValueError("texts left unscanned")
        return tuple(found for found in self.findings if found is not None)


class FindingsCache:
    """A bounded map from a keyed digest of (caller, language, text) to the text's findings."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._key = os.urandom(32)
        self._entries: OrderedDict[bytes, Findings] = OrderedDict()
        self._findings = 0  # held in all entries
        self._max_findings = max_entries * FINDINGS_PER_ENTRY
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, principal: Principal | None, language: str, texts: Sequence[str]) -> Lookup:
        """What is known of `texts` sent by `principal`; without a caller nothing is cached."""
        keys = self._keys_for(principal, language, texts)
        if keys is None:
            return Lookup.uncached(len(texts))
        return Lookup([self.get(key) for key in keys], keys, self)

    def _keys_for(
        self, principal: Principal | None, language: str, texts: Sequence[str]
    ) -> list[bytes] | None:
        if principal is None or self._max_entries <= 0:
            return None
        if sum(len(text) for text in texts) > MAX_BODY_CHARS:
            return None
        # Each part with its length first: no two (caller, language, text) share an encoding.
        scope = b"".join(_framed(part) for part in (principal.issuer, principal.subject, language))
        return [
            hashlib.blake2b(scope + _framed(text), key=self._key, digest_size=16).digest()
            for text in texts
        ]

    def get(self, key: bytes) -> Findings | None:
        """The findings remembered under `key`, or None."""
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found

    def put(self, key: bytes, findings: Findings) -> None:
        """Remember `findings` under `key`, dropping the least recently used beyond the bounds."""
        if len(findings) > MAX_FINDINGS_PER_TEXT:
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._findings -= len(previous)
        self._entries[key] = findings
        self._findings += len(findings)
        while len(self._entries) > self._max_entries or self._findings > self._max_findings:
            _, dropped = self._entries.popitem(last=False)
            self._findings -= len(dropped)


def _framed(part: str) -> bytes:
    data = part.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(8, "big") + data
