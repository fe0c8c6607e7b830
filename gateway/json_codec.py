"""JSON read and written with orjson where it means what the standard library means.

orjson is several times faster than `json` on the small documents that pass through the gateway
for every streamed event, but it reads integers beyond 64 bits as floats (losing digits) and
refuses what `json` accepts (NaN, Infinity, numbers out of a double's range, lone surrogates).
Those documents are read, and written back, by the standard library, so no value changes on its
way through the gateway. Output is compact UTF-8 either way, as
`json.dumps(value, ensure_ascii=False, separators=(",", ":"))` writes it; the one difference is
the spelling of some floats (orjson writes 1.5e-7 where `json` writes 1.5e-07, the same number).
A string holding a lone surrogate (half of a pair that an upstream split between two streamed
events) cannot be UTF-8: such a document is written with \\u escapes, as JSON allows.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import orjson

# A run of 19 digits may be an integer beyond 64 bits (2**63 has 19): the standard library reads
# those exactly. Digits inside strings count too: such documents merely take the slower path.
# Found by mapping every digit to "0" and anything else to "." (bytes.translate) and searching
# for 19 zeros (bytes.find): about 1 µs for 1 KB, where the pattern [0-9]{19} takes 13.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x2E for byte in range(256))
_LONG_RUN = b"0" * 19


def _may_hold_long_integers(data: bytes) -> bool:
    return data.translate(_DIGITS_AS_ZEROS).find(_LONG_RUN) >= 0


@dataclass(frozen=True, slots=True)
class JsonDocument:
    """A parsed JSON value, and which library read it (and so writes it back)."""

    value: Any
    standard: bool = False  # read by `json`: it may hold what orjson cannot write as read

    def dumps(self) -> bytes:
        """The value (its strings possibly replaced since) as compact UTF-8 JSON."""
        return _write(self.value, standard=self.standard)


def loads(text: str | bytes) -> JsonDocument:
    """Parse JSON text; json.JSONDecodeError (orjson's is a subclass) when it is malformed."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if _may_hold_long_integers(data):
        return JsonDocument(json.loads(text), standard=True)
    try:
        return JsonDocument(orjson.loads(data))
    except orjson.JSONDecodeError:
        return JsonDocument(json.loads(text), standard=True)  # what orjson refuses, or an error


def dumps(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON, as the standard library writes it (NaN and infinities too,
    which orjson would write as null)."""
    out = _write(value, standard=False)
    if b"null" in out and _holds_non_finite(value):
        return _write(value, standard=True)
    return out


def _write(value: Any, *, standard: bool) -> bytes:
    if not standard:
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate, ...
            pass
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (half of a pair split between two events):
        return json.dumps(value, separators=(",", ":")).encode()  # written as \\u escapes


def _holds_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_holds_non_finite(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_non_finite(item) for item in value)
    return False
