"""Structured logs on standard error: one JSON object a line, never bodies, tokens or paths."""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

ACCESS = logging.getLogger("gerbang.access")
LOG = logging.getLogger("gerbang")

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; fields passed with `extra=` become keys."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a single JSON line."""
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The type and the frames, never the message: messages can quote request data.
            entry["error_type"] = record.exc_info[0].__name__
            entry["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A human-readable line with the same fields, for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as `time level logger msg key=value...`."""
        extras = " ".join(
            f"{k}={v}"
            for k, v in record.__dict__.items()
            if k not in _STANDARD_ATTRS and not k.startswith("_")
        )
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        line = f"{stamp} {record.levelname.lower():7} {record.name}: {record.getMessage()} {extras}"
        if record.exc_info and record.exc_info[0] is not None:
            line += f"\n{record.exc_info[0].__name__}\n" + "".join(
                traceback.format_tb(record.exc_info[2])
            )
        return line.rstrip()


def setup_logging(level: str, fmt: str) -> None:
    """Send gerbang's and aiohttp's logs to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's own access log would print paths and query strings; ours does not.
    logging.getLogger("aiohttp.access").disabled = True
