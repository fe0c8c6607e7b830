"""A decision cache in front of any engine, bounded in entries and in age.

The key is the canonical JSON of the input document without `request.time` (sorted keys, no
spaces), with the policy revision, hashed with BLAKE2b: two exchanges that differ only in their
time share a decision, and a reload (new revision) never serves an old decision. This is only
right for policies that do not read `input.request.time`; a policy that does must run without
the cache (max_entries = 0). Refusals are cached like allows; engine failures (PolicyUnavailable)
are not cached at all. Entries expire `max_age` seconds after they were stored; beyond
`max_entries` the least recently used entry is dropped.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from policies.decision import Decision
from policies.engine import PolicyEngine


def cache_key(input: Mapping[str, object], revision: str) -> bytes:
    """The cache key of an input document under a policy revision."""
    document = dict(input)
    request = document.get("request")
    if isinstance(request, Mapping):
        document["request"] = {k: v for k, v in request.items() if k != "time"}
    canonical = json.dumps(
        [revision, document], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=32).digest()


class DecisionCache:
    """LRU map of cache key -> (stored at, decision), bounded in size and age."""

    def __init__(
        self,
        max_entries: int,
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`max_entries` 0 disables the cache; `max_age` is in seconds."""
        if max_entries < 0 or max_age <= 0:
            raise ValueError("max_entries must be >= 0 and max_age > 0")
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[bytes, tuple[float, Decision]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> Decision | None:
        """The cached decision, or None when absent or older than max_age."""
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[0] < self.max_age:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        if entry is not None:
            del self._entries[key]
        self.misses += 1
        return None

    def put(self, key: bytes, decision: Decision) -> None:
        """Store a decision, dropping the least recently used entries beyond max_entries."""
        if self.max_entries == 0:
            return
        self._entries[key] = (self._clock(), decision)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every decision."""
        self._entries.clear()


class CachingEngine:
    """A PolicyEngine that answers repeated inputs from a DecisionCache."""

    def __init__(self, engine: PolicyEngine, cache: DecisionCache) -> None:
        """Wrap `engine`; its decisions are stored in `cache`."""
        self.engine = engine
        self.cache = cache

    @property
    def revision(self) -> str:
        """The wrapped engine's revision."""
        return self.engine.revision

    async def decide(self, input: Mapping[str, object]) -> Decision:
        """A cached decision if fresh, else the engine's (then cached)."""
        key = cache_key(input, self.engine.revision)
        decision = self.cache.get(key)
        if decision is None:
            decision = await self.engine.decide(input)
            self.cache.put(key, decision)
        return decision

    async def close(self) -> None:
        """Close the wrapped engine and forget the cached decisions."""
        self.cache.clear()
        await self.engine.close()
