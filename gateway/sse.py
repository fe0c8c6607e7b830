"""Server-sent events rewritten event by event, with OpenAI streaming formats understood.

Chat Completions chunks carry text in `choices[i].delta.<field>` and tool-call arguments in
`choices[i].delta.tool_calls[j].function.arguments`; the Responses API sends
`response.output_text.delta` events. Each of those is one channel of text pieces, rewritten through
a `HeldStream` so a placeholder or an identifier split across events is still caught; a channel is
flushed when its choice finishes or the stream ends. Every other string in any event, and data
that is not JSON, is rewritten whole. Nothing passes unexamined.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gateway.rewrite import HeldStream, ResponseRewriter

ChannelKey = tuple[str | int, ...]
_STRUCTURAL = frozenset(
    {"id", "object", "model", "role", "type", "finish_reason", "system_fingerprint", "item_id"}
)


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

    def feed(self, data: bytes) -> bytes:
        """Rewritten events completed by `data` (an event ends with a blank line)."""
        self._buffer += data.replace(b"\r\n", b"\n")
        out = bytearray()
        while (end := self._buffer.find(b"\n\n")) >= 0:
            block, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            out += self._event(block.decode("utf-8", "replace"))
        return bytes(out)

    def finish(self) -> bytes:
        """Flush a trailing event without its blank line and any text still held back."""
        out = bytearray()
        if self._buffer.strip():
            out += self._event(self._buffer.decode("utf-8", "replace"))
        self._buffer = b""
        out += self._flush_all()
        return bytes(out)

    def _event(self, block: str) -> bytes:
        fields: list[str] = []
        data_lines: list[str] = []
        for line in block.split("\n"):
            if line.startswith("data:"):
                data_lines.append(line[5:].removeprefix(" "))
            else:
                fields.append(line)  # event:, id:, retry:, comments pass unchanged
        if not data_lines:
            return (block + "\n\n").encode()
        data = "\n".join(data_lines)
        prefix = b""
        if data == "[DONE]":
            prefix = self._flush_all()
        else:
            prefix, data = self._rewrite_data(data)
        head = "".join(f"{line}\n" for line in fields)
        body = "".join(f"data: {line}\n" for line in data.split("\n"))
        return prefix + f"{head}{body}\n".encode()

    def _rewrite_data(self, data: str) -> tuple[bytes, str]:
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            return b"", self._rewriter.rewrite(data)
        prefix = b""
        if isinstance(event, dict) and isinstance(event.get("choices"), list):
            self._chat_chunk(event)
        elif isinstance(event, dict) and event.get("type") == "response.output_text.delta":
            key: ChannelKey = ("r", str(event.get("item_id")), int(event.get("content_index", 0)))
            event["delta"] = self._channel(key).feed(str(event.get("delta", "")))
        else:
            if isinstance(event, dict) and event.get("type") == "response.output_text.done":
                prefix = self._flush_all(("r", str(event.get("item_id"))))
            event = self._rewrite_strings(event, None)
        return prefix, json.dumps(event, ensure_ascii=False, separators=(",", ":"))

    def _chat_chunk(self, chunk: dict[str, Any]) -> None:
        self._last_chunk = chunk
        for choice in chunk["choices"]:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            delta = choice.get("delta")
            done = choice.get("finish_reason") is not None
            if isinstance(delta, dict):
                for name, value in list(delta.items()):
                    if isinstance(value, str) and name not in _STRUCTURAL:
                        delta[name] = self._piece(("c", index, name), value, done)
                for call in delta.get("tool_calls") or ():
                    function = call.get("function") if isinstance(call, dict) else None
                    if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                        key = ("t", index, call.get("index", 0))
                        function["arguments"] = self._piece(key, function["arguments"], done)
            if done:
                self._flush_choice(index, choice)
            for name, value in list(choice.items()):
                if name not in ("delta", "index", "finish_reason"):
                    choice[name] = self._rewrite_strings(value, name)

    def _piece(self, key: ChannelKey, value: str, done: bool) -> str:
        stream = self._channel(key)
        text = stream.feed(value)
        if done:
            text += stream.finish()
            del self._channels[key]
        return text

    def _flush_choice(self, index: object, choice: dict[str, Any]) -> None:
        """Text still held for a finished choice goes into its final delta."""
        delta = choice.setdefault("delta", {})
        for key in [k for k in self._channels if k[0] in ("c", "t") and k[1] == index]:
            rest = self._channels.pop(key).finish()
            if not rest:
                continue
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
            rest = self._channels.pop(key).finish()
            if not rest:
                continue
            if key[0] == "r":
                event = {"type": "response.output_text.delta", "item_id": key[1], "delta": rest}
                events += f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
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
            events += f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
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
