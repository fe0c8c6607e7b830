"""Bodies as scannable text fields: every supported format, written back faithfully."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.bodies import JsonSelection, decode_content, parse_json_path, text_fields
from gateway.errors import BodyTooLarge, MalformedBody, UnsupportedMediaType

NIK = "3171234567890003"  # synthetic

CHAT = {
    "model": "lara-1",
    "messages": [
        {"role": "system", "content": "Anda asisten Dukcapil."},
        {"role": "user", "content": f"NIK saya {NIK}"},
        {"role": "user", "content": [{"type": "text", "text": f"ulang: {NIK}"}]},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "cek_nik", "arguments": json.dumps({"nik": NIK})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"{NIK} terdaftar"},
    ],
}


def test_when_json_then_every_string_holding_the_value_is_a_field() -> None:
    fields = text_fields(json.dumps(CHAT).encode(), "application/json")
    holding = [text for text in fields.texts if NIK in text]
    assert len(holding) == 4  # string content, a text part, tool arguments, tool result


def test_when_json_fields_are_replaced_then_the_body_is_the_same_document_with_new_strings() -> (
    None
):
    fields = text_fields(json.dumps(CHAT).encode(), "application/json; charset=utf-8")
    rebuilt = json.loads(fields.rebuild([t.replace(NIK, "<ID_NIK_1>") for t in fields.texts]))
    assert NIK not in json.dumps(rebuilt)
    assert rebuilt["messages"][1]["content"] == "NIK saya <ID_NIK_1>"
    arguments = rebuilt["messages"][3]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(arguments) == {"nik": "<ID_NIK_1>"}  # still valid JSON inside the string
    assert rebuilt["model"] == "lara-1"


def test_when_include_and_exclude_paths_are_set_then_only_those_strings_are_fields() -> None:
    selection = JsonSelection.parse(
        ["$.messages[*].content"], ["$.messages[0]", "$.messages[*].content[*].type"]
    )
    fields = text_fields(json.dumps(CHAT).encode(), "application/json", selection)
    assert fields.texts == (f"NIK saya {NIK}", f"ulang: {NIK}", f"{NIK} terdaftar")


@pytest.mark.parametrize("path", ["messages", "$.a[x]", "$..a", "$.a[", "$."])
def test_when_a_json_path_is_malformed_then_it_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match=r"JSON path|empty key"):
        parse_json_path(path)


def test_when_json_is_malformed_then_400_names_line_and_column() -> None:
    with pytest.raises(MalformedBody, match="line 2 column"):
        text_fields(b'{"a":\n nope}', "application/json")


def test_when_form_urlencoded_then_names_and_values_are_fields_and_rebuilt() -> None:
    fields = text_fields(
        f"nama=Siti&nik={NIK}&kosong=".encode(), "application/x-www-form-urlencoded"
    )
    assert NIK in fields.texts
    rebuilt = fields.rebuild([t.replace(NIK, "<ID_NIK_1>") for t in fields.texts])
    assert rebuilt == b"nama=Siti&nik=%3CID_NIK_1%3E&kosong="


def test_when_multipart_text_fields_then_they_are_scanned_and_rebuilt() -> None:
    body = (
        b'--b1\r\nContent-Disposition: form-data; name="pesan"\r\n\r\n'
        + f"NIK {NIK}".encode()
        + b'\r\n--b1\r\nContent-Disposition: form-data; name="kota"\r\n\r\nBandung\r\n--b1--\r\n'
    )
    fields = text_fields(body, "multipart/form-data; boundary=b1")
    assert fields.texts == (f"NIK {NIK}", "Bandung")
    rebuilt = fields.rebuild(["NIK <ID_NIK_1>", "Bandung"])
    again = text_fields(rebuilt, "multipart/form-data; boundary=b1")
    assert again.texts == ("NIK <ID_NIK_1>", "Bandung")


def test_when_multipart_carries_a_file_then_it_is_unscannable() -> None:
    body = (
        b'--b1\r\nContent-Disposition: form-data; name="f"; filename="ktp.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n--b1--\r\n"
    )
    with pytest.raises(UnsupportedMediaType):
        text_fields(body, "multipart/form-data; boundary=b1")


def test_when_text_plain_in_another_charset_then_it_is_decoded_and_reencoded() -> None:
    fields = text_fields("Alamat: Jl. Melati".encode("latin-1"), "text/plain; charset=latin-1")
    assert fields.texts == ("Alamat: Jl. Melati",)
    assert fields.rebuild(["Alamat: [ADDRESS]"]) == b"Alamat: [ADDRESS]"


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"\x89PNG", "image/png", UnsupportedMediaType),
        (b"{}", None, UnsupportedMediaType),
        (b"\xff\xfe", "text/plain", MalformedBody),
        (b"x", "text/plain; charset=klingon", UnsupportedMediaType),
        (b"a=%zz&&", "application/x-www-form-urlencoded", MalformedBody),
    ],
)
def test_when_a_body_cannot_be_scanned_then_the_error_says_why(
    body: bytes, content_type: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        text_fields(body, content_type)


def test_when_gzip_or_deflate_then_the_decoded_body_is_returned() -> None:
    assert decode_content(gzip.compress(b"halo"), "gzip", 100) == b"halo"
    assert decode_content(zlib.compress(b"halo"), "deflate", 100) == b"halo"
    assert decode_content(b"halo", None, 100) == b"halo"


def test_when_a_compressed_body_expands_past_the_limit_then_413() -> None:
    bomb = gzip.compress(b"0" * 1_000_000)
    with pytest.raises(BodyTooLarge):
        decode_content(bomb, "gzip", 10_000)


@pytest.mark.parametrize(
    ("body", "encoding", "error"),
    [
        (b"not gzip", "gzip", MalformedBody),
        (gzip.compress(b"halo")[:-6], "gzip", MalformedBody),
        (b"x", "br", UnsupportedMediaType),
    ],
)
def test_when_content_encoding_is_broken_or_unknown_then_it_is_refused(
    body: bytes, encoding: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        decode_content(body, encoding, 100)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # past 64 bits too: they come back exact
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_when_fields_are_written_back_unchanged_then_the_document_is_equal(value: object) -> None:
    fields = text_fields(json.dumps(value).encode(), "application/json")
    assert json.loads(fields.rebuild(fields.texts)) == value
