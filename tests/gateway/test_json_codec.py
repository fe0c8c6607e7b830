"""The fast JSON codec reads and writes every document as the standard library does."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.json_codec import dumps, loads

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


json_values_without_floats = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _standard(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _exact(value: Any) -> str:
    """The value as the standard library writes it: tells 1 from 1.0 and 0.0 from -0.0."""
    return json.dumps(value)


@settings(max_examples=400, deadline=None)
@given(value=json_values, as_bytes=st.booleans())
def test_a_document_reads_as_the_standard_library_reads_it_and_writes_back_the_same(
    value: Any, as_bytes: bool
) -> None:
    text = json.dumps(value, ensure_ascii=bool(as_bytes))
    document = loads(text.encode() if as_bytes else text)
    assert _exact(document.value) == _exact(json.loads(text))
    assert _exact(json.loads(document.dumps())) == _exact(value)  # integers exact, zeros signed
    assert _exact(json.loads(dumps(value))) == _exact(value)


@settings(max_examples=200, deadline=None)
@given(value=json_values_without_floats)
def test_output_is_the_standard_librarys_compact_utf8_form(value: Any) -> None:
    assert loads(_standard(value)).dumps() == _standard(value)
    assert dumps(value) == _standard(value)


def test_non_finite_floats_are_written_as_the_standard_library_writes_them() -> None:
    value = {"x": float("nan"), "y": [float("inf"), -float("inf")], "z": None}
    assert dumps(value) == b'{"x":NaN,"y":[Infinity,-Infinity],"z":null}'


def test_a_lone_surrogate_is_written_as_an_escape_that_reads_back_the_same() -> None:
    value = {"delta": "\ud83d", "rest": "\ude00 ok é"}  # an emoji split between events
    for written in (dumps(value), loads(json.dumps(value)).dumps()):
        written.decode("utf-8")  # valid UTF-8
        assert json.loads(written) == value


@pytest.mark.parametrize(
    "text",
    [
        '{"id": 123456789012345678901234567890}',  # beyond 64 bits: orjson would give a float
        '{"big": -18446744073709551617}',
        '{"n": -9999999999999999999}',  # 19 digits, below the least 64-bit integer
        '{"x": NaN, "y": Infinity}',  # orjson refuses these
        '{"x": 1e400}',
        '{"s": "\\ud800"}',  # a lone surrogate, which json accepts
    ],
)
def test_what_orjson_cannot_read_exactly_is_read_and_written_by_the_standard_library(
    text: str,
) -> None:
    document = loads(text)
    assert document.standard
    expected = json.loads(text)
    value = document.value
    for key in expected:
        if isinstance(expected[key], float) and math.isnan(expected[key]):
            assert math.isnan(value[key])
        else:
            assert value[key] == expected[key]
    if "ud800" in text:  # no UTF-8 for a lone surrogate: it is written as an escape
        assert json.loads(document.dumps()) == expected
    else:
        assert document.dumps() == _standard(expected)


@pytest.mark.parametrize("text", ["{", '{"a": 1,}', "[1 2]", "", "nul"])
def test_malformed_json_raises_the_standard_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        loads(text)
