"""Server-sent events rewritten event by event, with OpenAI streaming formats understood.

Chat Completions chunks carry text in `choices[i].delta.<field>` and tool-call arguments in
`choices[i].delta.tool_calls[j].function.arguments`; the Responses API sends
`response.output_text.delta` events. Each of those is one channel of text pieces, rewritten through
a `HeldStream` so a placeholder or an identifier split across events is still caught; a channel is
flushed when its choice finishes or the stream ends. Every other string in any event (a chunk's
other fields, content sent as a list of parts, a tool's name), data that is not JSON and comment
lines are rewritten whole; only the `event:`, `id:` and `retry:` fields pass as they are.

Events that arrive together (one read from the upstream) are rewritten as one batch: each
channel's pieces are gathered and its held window scanned once, at the batch's end, and the text
it releases goes into the channel's last event of the batch (the earlier ones carry ""). A fast
upstream thus costs one scan per read, not one per few events; a slow one, one event per read,
is rewritten event by event as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway import json_codec
from gateway.json_codec import JsonDocument
from gateway.rewrite import HeldStream, ResponseRewriter

ChannelKey = tuple[str | int, ...]
_STRUCTURAL = frozenset(
    {"id", "object", "model", "role", "type", "finish_reason", "system_fingerprint", "item_id"}
)


@dataclass(slots=True)
class _JsonEvent:
    """An event of the batch whose JSON data is written once the batch's channels released."""

    head: str  # its other fields (event:, id:, ...), each line ending in a newline
    data: JsonDocument

    def encode(self) -> bytes:
        return b"".join((self.head.encode(), b"data: ", self.data.dumps(), b"\n\n"))


Batch = list[bytes | _JsonEvent]


def _may_hold_text(value: object) -> bool:
    return isinstance(value, str | list | dict)


class SseRewriter:
    """Feed raw SSE bytes; get back rewritten, complete events."""

    def __init__(
        self, rewriter: ResponseRewriter, new_stream: Callable[[], HeldStream] | None = None
    ) -> None:
        self._rewriter = rewriter
        self._new_stream = new_stream or (lambda: HeldStream(rewriter))
        self._buffer = b""
        self._channels: dict[ChannelKey, HeldStream] = {}
        self._last_chunk: dict[str, Any] | None = None
        # Channels fed in this batch -> (object, key) of their last piece: where released text goes.
        self._fed: dict[ChannelKey, tuple[dict[str, Any], str]] = {}

    def feed(self, data: bytes) -> bytes:
        """Rewritten events completed by `data` (an event ends with a blank line)."""
        # Joined first: a CRLF may be split between two reads.
        self._buffer = (self._buffer + data).replace(b"\r\n", b"\n")
        batch: Batch = []
        while (end := self._buffer.find(b"\n\n")) >= 0:
            block, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            self._event(block.decode("utf-8", "replace"), batch)
        return self._settle(batch)

    def finish(self) -> bytes:
        """Flush a trailing event without its blank line and any text still held back."""
        batch: Batch = []
        if self._buffer.strip():
            self._event(self._buffer.decode("utf-8", "replace"), batch)
        self._buffer = b""
        batch.append(self._flush_all())
        return self._settle(batch)

    def _settle(self, batch: Batch) -> bytes:
        """Release each channel fed in the batch (one scan each), then write the batch."""
        for key, (holder, name) in self._fed.items():
            holder[name] = self._channels[key].release()
        self._fed.clear()
        return b"".join(item if isinstance(item, bytes) else item.encode() for item in batch)

    def _event(self, block: str, batch: Batch) -> None:
        fields: list[str] = []
        data_lines: list[str] = []
        for line in block.split("\n"):
            if line.startswith("data:"):
                data_lines.append(line[5:].removeprefix(" "))
            elif line.startswith(":") and len(line) > 1:  # a comment is text too
                fields.append(":" + self._rewriter.rewrite(line[1:]).replace("\n", " "))
            else:
                fields.append(line)  # event:, id:, retry: pass unchanged
        head = "".join(f"{line}\n" for line in fields)
        if not data_lines:
            batch.append(f"{head}\n".encode())
            return
        data = "\n".join(data_lines)
        if data == "[DONE]":
            batch.append(self._flush_all())
        else:
            try:
                document = json_codec.loads(data)
            except json.JSONDecodeError:
                data = self._rewriter.rewrite(data)
            else:
                batch.append(self._json_event(head, document, batch))
                return
        body = "".join(f"data: {line}\n" for line in data.split("\n"))
        batch.append(f"{head}{body}\n".encode())

    def _json_event(self, head: str, document: JsonDocument, batch: Batch) -> _JsonEvent:
        event = document.value
        if isinstance(event, dict) and isinstance(event.get("choices"), list):
            self._chat_chunk(event)
        elif isinstance(event, dict) and event.get("type") == "response.output_text.delta":
            key: ChannelKey = ("r", str(event.get("item_id")), int(event.get("content_index", 0)))
            event["delta"] = str(event.get("delta", ""))
            self._piece(key, event, "delta", done=False)
        else:
            if isinstance(event, dict) and event.get("type") == "response.output_text.done":
                batch.append(self._flush_all(("r", str(event.get("item_id")))))
            document = JsonDocument(self._rewrite_strings(event, None), document.standard)
        return _JsonEvent(head, document)

    def _chat_chunk(self, chunk: dict[str, Any]) -> None:
        self._last_chunk = chunk
        for name, value in chunk.items():  # values replaced, no key added: safe while iterating
            if name != "choices" and name not in _STRUCTURAL and _may_hold_text(value):
                chunk[name] = self._rewrite_strings(value, name)
        for choice in chunk["choices"]:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            delta = choice.get("delta")
            done = choice.get("finish_reason") is not None
            if isinstance(delta, dict):
                for name, value in list(delta.items()):
                    if isinstance(value, str) and name not in _STRUCTURAL:
                        self._piece(("c", index, name), delta, name, done)
                    elif name == "tool_calls" and isinstance(value, list):
                        for call in value:
                            self._tool_call(index, call, done)
                    else:  # content as a list of parts, and anything else: rewritten whole
                        delta[name] = self._rewrite_strings(value, name)
            if done:
                self._flush_choice(index, choice)
            for name, value in choice.items():
                if name not in ("delta", "index", "finish_reason") and _may_hold_text(value):
                    choice[name] = self._rewrite_strings(value, name)

    def _tool_call(self, index: Any, call: object, done: bool) -> None:
        """A tool call's arguments are a channel; its other strings (the name) are rewritten."""
        if not isinstance(call, dict):
            return
        for name, value in list(call.items()):
            if name == "function" and isinstance(value, dict):
                for field_name, field in list(value.items()):
                    if field_name == "arguments" and isinstance(field, str):
                        self._piece(("t", index, call.get("index", 0)), value, field_name, done)
                    else:
                        value[field_name] = self._rewrite_strings(field, field_name)
            elif name != "index":
                call[name] = self._rewrite_strings(value, name)

    def _piece(self, key: ChannelKey, holder: dict[str, Any], name: str, done: bool) -> None:
        """Hold `holder[name]` in its channel; the text the channel releases is put there, now
        when the channel is done, else when the batch settles (unless a later piece comes)."""
        stream = self._channel(key)
        stream.hold(holder[name])
        if done:
            holder[name] = self._end_channel(key)
        else:
            holder[name] = ""
            self._fed[key] = (holder, name)

    def _end_channel(self, key: ChannelKey) -> str:
        """Close a channel: everything it still holds, rewritten."""
        self._fed.pop(key, None)
        return self._channels.pop(key).finish()

    def _flush_choice(self, index: object, choice: dict[str, Any]) -> None:
        """Text still held for a finished choice goes into its final delta."""
        for key in [k for k in self._channels if k[0] in ("c", "t") and k[1] == index]:
            rest = self._end_channel(key)
            if not rest:
                continue
            delta = choice.get("delta")
            if not isinstance(delta, dict):  # absent, or null in the finishing chunk
                delta = choice["delta"] = {}
            if key[0] == "c":
                delta[str(key[2])] = str(delta.get(str(key[2])) or "") + rest
            else:
                delta.setdefault("tool_calls", []).append(
                    {"index": key[2], "function": {"arguments": rest}}
                )

    def _flush_all(self, prefix: ChannelKey = ()) -> bytes:
        """Held text of channels not yet finished (those under `prefix`), as final events."""
        if not self._channels:
            return b""
        chunk: dict[str, Any] = {
            k: v for k, v in (self._last_chunk or {}).items() if k in ("id", "object", "model")
        }
        choices: dict[object, dict[str, Any]] = {}
        events = bytearray()
        for key in [k for k in self._channels if k[: len(prefix)] == prefix]:
            rest = self._end_channel(key)
            if not rest:
                continue
            if key[0] == "r":
                event = {
                    "type": "response.output_text.delta",
                    "item_id": key[1],
                    "content_index": key[2],
                    "delta": rest,
                }
                events += b"data: " + json_codec.dumps(event) + b"\n\n"
                continue
            choice = choices.setdefault(key[1], {"index": key[1], "delta": {}})
            if key[0] == "c":
                choice["delta"][str(key[2])] = rest
            else:
                choice["delta"].setdefault("tool_calls", []).append(
                    {"index": key[2], "function": {"arguments": rest}}
                )
        if choices:
            chunk["choices"] = list(choices.values())
            events += b"data: " + json_codec.dumps(chunk) + b"\n\n"
        return bytes(events)

    def _channel(self, key: ChannelKey) -> HeldStream:
        stream = self._channels.get(key)
        if stream is None:
            stream = self._channels[key] = self._new_stream()
        return stream

    def _rewrite_strings(self, node: Any, name: str | None) -> Any:
        if isinstance(node, str):
            return node if name in _STRUCTURAL else self._rewriter.rewrite(node)
        if isinstance(node, list):
            return [self._rewrite_strings(item, name) for item in node]
        if isinstance(node, dict):
            return {key: self._rewrite_strings(value, key) for key, value in node.items()}
        return node
