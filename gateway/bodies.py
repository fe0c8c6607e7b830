"""Request and response bodies as lists of text fields that can be scanned and written back.

A body is decoded once into `TextFields`: the strings personal data may hide in, in document
order, and a function that rebuilds the body with replacement strings. Supported: JSON (every
string value, or the configured paths; this covers the OpenAI Chat Completions and Responses
APIs, including tool-call arguments, which are JSON inside a string), form-urlencoded, multipart
text fields and text/*. Compressed bodies (gzip, deflate) are decoded with the size limit applied
to the decoded bytes. Anything else is `Unscannable`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import parse_qsl, urlencode

from gateway import json_codec
from gateway.errors import BodyTooLarge, MalformedBody, UnsupportedMediaType
from gateway.json_codec import JsonDocument

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class TextFields:
    """The scannable strings of a body and how to put the body back together."""

    texts: tuple[str, ...]
    rebuild: Callable[[Sequence[str]], bytes]
    media_type: str


@dataclass(frozen=True, slots=True)
class JsonSelection:
    """Which JSON string values to scan: `include` paths (empty: all), minus `exclude` paths.

    A path is written `$.messages[*].content`: `*` matches any key or index at one level, and a
    path also covers everything beneath it.
    """

    include: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def parse(cls, include: Sequence[str], exclude: Sequence[str]) -> JsonSelection:
        """Build from `$.a.b[*]`-style strings; raise ValueError naming a bad path."""
        return cls(tuple(map(parse_json_path, include)), tuple(map(parse_json_path, exclude)))

    def wants(self, path: JsonPath) -> bool:
        """True when the value at `path` is scanned."""
        if self.include and not any(_covers(pattern, path) for pattern in self.include):
            return False
        return not any(_covers(pattern, path) for pattern in self.exclude)


def parse_json_path(text: str) -> tuple[str, ...]:
    """`$.messages[*].content` -> ("messages", "*", "content")."""
    if not text.startswith("$"):
        raise ValueError(f"JSON path {text!r} must start with '$'")
    parts: list[str] = []
    rest = text[1:]
    while rest:
        if rest.startswith("."):
            name, rest = _take_name(rest[1:])
            parts.append(name)
        elif rest.startswith("["):
            inner, sep, rest = rest[1:].partition("]")
            if not sep or not (inner == "*" or inner.isdigit()):
                raise ValueError(f"JSON path {text!r}: use [*] or [N] for array elements")
            parts.append(inner)
        else:
            raise ValueError(f"JSON path {text!r}: expected '.' or '[' at {rest!r}")
    return tuple(parts)


def _take_name(text: str) -> tuple[str, str]:
    end = len(text)
    for index, char in enumerate(text):
        if char in ".[":
            end = index
            break
    name = text[:end]
    if not name:
        raise ValueError("empty key in JSON path")
    return name, text[end:]


def _covers(pattern: tuple[str, ...], path: JsonPath) -> bool:
    if len(pattern) > len(path):
        return False
    return all(p in ("*", str(step)) for p, step in zip(pattern, path, strict=False))


def media_type_of(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The lower-case media type and its parameters (charset, boundary)."""
    if not content_type:
        return "", {}
    kind, *params = content_type.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        key, _, value = param.strip().partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), parsed


def decode_content(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo gzip/deflate Content-Encoding, refusing output larger than `limit` bytes."""
    if not encoding or encoding.strip().lower() == "identity":
        return body
    name = encoding.strip().lower()
    if name in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif name == "deflate":
        wbits = zlib.MAX_WBITS
    else:
        raise UnsupportedMediaType(f"Content-Encoding {name!r} cannot be scanned; use gzip")
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(body, limit + 1)
    except zlib.error as exc:
        raise MalformedBody(f"the {name} body cannot be decoded") from exc
    if len(out) > limit or decoder.unconsumed_tail:
        raise BodyTooLarge(f"the decoded body exceeds {limit} bytes")
    if not decoder.eof:
        raise MalformedBody(f"the {name} body is truncated")
    return out


def text_fields(
    body: bytes, content_type: str | None, selection: JsonSelection = JsonSelection()
) -> TextFields:
    """Decode a body into its scannable strings; raise Unscannable/MalformedBody otherwise."""
    kind, params = media_type_of(content_type)
    charset = params.get("charset", "utf-8")
    if kind == "application/json" or kind.endswith("+json"):
        return _json_fields(_decode_text(body, charset), kind, selection)
    if kind == "application/x-www-form-urlencoded":
        return _form_fields(_decode_text(body, charset), kind)
    if kind == "multipart/form-data":
        return _multipart_fields(body, content_type or "", kind)
    if kind.startswith("text/"):
        text = _decode_text(body, charset)
        return TextFields((text,), lambda texts: texts[0].encode(charset), kind)
    raise UnsupportedMediaType(f"bodies of type {kind or 'unknown'!r} cannot be scanned")


def _decode_text(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except LookupError as exc:
        raise UnsupportedMediaType(f"unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"the body is not valid {charset} at byte {exc.start}") from exc


def _json_fields(text: str, kind: str, selection: JsonSelection) -> TextFields:
    try:
        parsed = json_codec.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"malformed JSON at line {exc.lineno} column {exc.colno}") from exc
    document = parsed.value
    paths = [path for path, _ in _strings(document, ()) if selection.wants(path)]
    texts = tuple(_get(document, path) for path in paths)

    def rebuild(replaced: Sequence[str]) -> bytes:
        fresh = json_codec.loads(text)
        holder = [fresh.value]  # a holder, so that a top-level string can be replaced too
        for path, value in zip(paths, replaced, strict=True):
            _set(holder, (0, *path), value)
        return JsonDocument(holder[0], fresh.standard).dumps()

    return TextFields(texts, rebuild, kind)


def _strings(node: object, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def _get(node: object, path: JsonPath) -> str:
    for step in path:
        node = node[step]  # type: ignore[index]
    assert isinstance(node, str)
    return node


def _set(node: object, path: JsonPath, value: str) -> None:
    for step in path[:-1]:
        node = node[step]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]


def _form_fields(text: str, kind: str) -> TextFields:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError as exc:
        raise MalformedBody("malformed form body") from exc
    texts = tuple(value for pair in pairs for value in pair)

    def rebuild(replaced: Sequence[str]) -> bytes:
        it = iter(replaced)
        return urlencode([(next(it), next(it)) for _ in pairs]).encode()

    return TextFields(texts, rebuild, kind)


def _multipart_fields(body: bytes, content_type: str, kind: str) -> TextFields:
    boundary = media_type_of(content_type)[1].get("boundary")
    if not boundary:
        raise MalformedBody("multipart body without a boundary parameter")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = message_from_bytes(head + body, policy=policy.HTTP)
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise MalformedBody("malformed multipart body")
    headers: list[list[tuple[str, str]]] = []
    charsets: list[str] = []
    texts: list[str] = []
    for part in message.iter_parts():
        if part.get_filename() is not None or part.get_content_maintype() != "text":
            raise UnsupportedMediaType("multipart file parts cannot be scanned; send text fields")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        charset = part.get_content_charset() or "utf-8"
        texts.append(_decode_text(payload, charset))
        charsets.append(charset)
        headers.append(
            [(k, str(v)) for k, v in part.items() if k.lower() != "content-transfer-encoding"]
        )

    def rebuild(replaced: Sequence[str]) -> bytes:
        out = bytearray()
        for part_headers, charset, value in zip(headers, charsets, replaced, strict=True):
            out += f"--{boundary}\r\n".encode()
            for name, field in part_headers:
                out += f"{name}: {field}\r\n".encode()
            out += b"\r\n" + value.encode(charset) + b"\r\n"
        out += f"--{boundary}--\r\n".encode()
        return bytes(out)

    return TextFields(tuple(texts), rebuild, kind)
