"""Placeholders: typed, numbered tokens such as `<ID_NIK_1>`, and putting the values back.

A vault is one scope (an exchange, or a conversation when the client opts in): within it the same
value always gets the same token, and tokens are numbered per type in order of first appearance.
"The same value" means the same text: `3273 0125 ...` and `3273012...` get different tokens, so
that restoring gives back exactly what was written (`restore(mask(x)) == x`).
Vaults are never shared between scopes, so placeholders cannot leak across requests.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping

PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z_]*_\d+>")
_DIGIT_TYPES = frozenset(
    {"ID_NIK", "ID_KK", "ID_NPWP", "ID_NIP", "ID_BPJS", "ID_SIM", "ID_BANK_ACCOUNT",
     "PHONE_NUMBER", "CREDIT_CARD"}
)  # fmt: skip


def canonical(entity_type: str, value: str) -> str:
    """The form two spellings of one value share: `3273 0125...` and `3273-0125...` are one NIK."""
    if entity_type in _DIGIT_TYPES:
        return "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return " ".join(value.split()).casefold()


RESERVED = ""
"""The value a stored mapping gives a reserved placeholder: taken, never restored (a detected
value is never empty)."""
# What may be reserved: a placeholder the vault could make (ASCII, at most 48 characters, numbers
# up to 999999), at most MAX_RESERVED per vault. Text pasted into a request cannot make a
# conversation store huge numbers or thousands of entries.
_RESERVABLE = re.compile(r"<[A-Z][A-Z_]{0,31}_[1-9][0-9]{0,5}>")
MAX_RESERVED = 1024


class PlaceholderVault:
    """Token assignments of one scope. Not thread-safe: one vault per exchange or conversation."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}
        self._counters: dict[str, int] = {}
        self._reserved: set[str] = set()
        self._marked: frozenset[str] | None = None

    def reserve(self, tokens: Iterable[str]) -> None:
        """Never hand out these placeholders for a new value.

        For the placeholders that stand literally in a request (an earlier answer's masked
        values, sent back in the chat history): a new value numbered `<PERSON_2>` beside an old
        `<PERSON_2>` would make the two one person for the upstream, and restoring would give
        the caller the new value where the answer meant the old one. Tokens the vault already
        holds keep their values.
        """
        for token in tokens:
            if len(self._reserved) >= MAX_RESERVED:
                break
            if token not in self._values and _RESERVABLE.fullmatch(token):
                self._reserved.add(token)

    def token_for(self, entity_type: str, value: str, avoid: Container[str] = ()) -> str:
        """The placeholder for a value, made on first sight.

        A new token skips any in `avoid`: text that already contains `<PERSON_1>` literally (a
        user pasting a masked answer back) must not have it restored into someone's name.
        """
        key = (entity_type, value)
        token = self._tokens.get(key)
        if token is None:
            number = self._counters.get(entity_type, 0)
            while True:
                number += 1
                token = f"<{entity_type}_{number}>"
                if token not in avoid and token not in self._reserved:
                    break
            self._counters[entity_type] = number
            self._tokens[key] = token
            self._values[token] = value
        return token

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> PlaceholderVault:
        """A vault that continues from a saved `mapping` (a conversation's earlier turns);
        placeholders saved with the value `RESERVED` stay taken and are never restored."""
        vault = cls()
        reserved: list[str] = []
        for token, value in mapping.items():
            if not PLACEHOLDER_RE.fullmatch(token):
                raise ValueError("not a placeholder token")
            if value == RESERVED:
                reserved.append(token)  # skipped when numbering, not counted from
                continue
            entity_type, _, number = token[1:-1].rpartition("_")
            vault._tokens[(entity_type, value)] = token
            vault._values[token] = value
            vault._counters[entity_type] = max(vault._counters.get(entity_type, 0), int(number))
        vault.reserve(reserved)
        return vault

    def stored_mapping(self) -> dict[str, str]:
        """What a conversation keeps: `mapping`, plus each reserved placeholder with the value
        `RESERVED` (`from_mapping` reads both back)."""
        stored = dict.fromkeys(self._reserved, RESERVED)
        stored.update(self._values)
        return stored

    def mark(self) -> None:
        """Remember the placeholders made so far (see `made_since_mark`)."""
        self._marked = frozenset(self._values)

    def made_since_mark(self) -> set[str]:
        """Placeholders made after the last `mark` (none when never marked)."""
        if self._marked is None:
            return set()
        return set(self._values) - self._marked

    @property
    def mapping(self) -> dict[str, str]:
        """Placeholder -> original value (as first seen), for `restore`."""
        return dict(self._values)


def placeholders_in(texts: Iterable[str]) -> set[str]:
    """Every placeholder-shaped token standing in `texts`."""
    return {token for text in texts if "<" in text for token in PLACEHOLDER_RE.findall(text)}


def restore(text: str, mapping: Mapping[str, str]) -> str:
    """Put the original values back for every placeholder the mapping knows; leave others."""
    return PLACEHOLDER_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
