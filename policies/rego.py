"""regopy (Microsoft's rego-cpp) as Gerbang uses it: compiled once, evaluated many times.

The modules and data are compiled into a bundle with one entrypoint (`gerbang/decision`);
evaluating the bundle costs well under a millisecond where a plain `query()` recompiles the
policy every time (about 8 ms for the default bundle). A bundle that fails to build is never
queried (rego-cpp crashes on that).

rego-cpp reports problems in its own ways, all handled here: parse errors as exceptions whose
text is an S-expression, build errors as text printed on file descriptor 1, evaluation errors
as the output string `<error>`, and occasionally output that is not JSON. Compile problems
become RegoCompileError with `FILE:LINE:COL: message` lines; evaluation problems become
RegoEvaluationError. An `Interpreter` is not thread-safe: a RegoProgram serialises its use.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from regopy import Input, Interpreter, LogLevel, RegoError

UNDEFINED: Final = object()
"""The result of a rule that has no value for this input."""


class RegoCompileError(Exception):
    """The modules or data cannot be compiled; `lines` are `FILE:LINE:COL: message` texts."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class RegoEvaluationError(Exception):
    """The engine failed while evaluating (an `<error>` result, output that is not JSON)."""


@dataclass(eq=False)
class RegoProgram:
    """Compiled modules and data with one entrypoint, ready to evaluate inputs."""

    interpreter: Any
    bundle: Any
    entrypoint: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def evaluate(self, input: Mapping[str, object]) -> object:
        """The entrypoint's value for `input` (JSON types), or UNDEFINED.

        Raises RegoEvaluationError when the engine fails, whatever the way it fails.
        """
        try:
            rego_input = Input(input)
            with self._lock:
                self.interpreter.set_input(rego_input)
                output = self.interpreter.query_bundle_entrypoint(self.bundle, self.entrypoint)
                ok, text = output.ok(), str(output)
        except Exception as exc:  # ctypes, conversion and JSON errors of regopy itself
            raise RegoEvaluationError(f"regopy failed: {type(exc).__name__}") from None
        return parse_output(text, ok)


def parse_output(text: str, ok: bool = True) -> object:
    """The value in a regopy output string (`{"expressions":[VALUE]}`), or UNDEFINED."""
    if not ok or text.startswith("<error>"):
        raise RegoEvaluationError("evaluation error")
    if text == "undefined":
        return UNDEFINED
    try:
        document = json.loads(text)
    except ValueError:
        raise RegoEvaluationError("output is not JSON") from None
    expressions = document.get("expressions") if isinstance(document, dict) else None
    if not isinstance(expressions, list) or len(expressions) != 1:
        raise RegoEvaluationError("output has no single value")
    return expressions[0]


def new_interpreter() -> Any:
    """An interpreter that prints nothing (errors are read from exceptions and outputs)."""
    interpreter = Interpreter()
    interpreter.log_level = LogLevel.NONE
    return interpreter


def add_modules(interpreter: Any, modules: Mapping[str, str]) -> None:
    """Parse modules into `interpreter`; raises RegoCompileError naming file, line and column."""
    for name, source in modules.items():
        try:
            with _native_output() as captured:
                interpreter.log_level = LogLevel.ERROR
                interpreter.add_module(name, source)
        except RegoError as exc:
            lines = diagnostics(captured.text, modules) or from_error_text(str(exc), modules)
            raise RegoCompileError(
                lines or [f"{name}: the embedded engine rejects this module"]
            ) from None
        finally:
            interpreter.log_level = LogLevel.NONE


def compile_program(
    modules: Mapping[str, str], data: Mapping[str, object], entrypoint: str
) -> RegoProgram:
    """Parse `modules`, add `data` and build the bundle for `entrypoint` (`pkg/rule`)."""
    interpreter = new_interpreter()
    add_modules(interpreter, modules)
    try:
        interpreter.add_data(dict(data))
    except (RegoError, TypeError, ValueError) as exc:
        raise RegoCompileError([f"data: the embedded engine refuses it ({exc})"]) from None
    bundle = build_bundle(interpreter, [entrypoint], modules)
    return RegoProgram(interpreter, bundle, entrypoint)


def build_bundle(interpreter: Any, entrypoints: list[str], modules: Mapping[str, str]) -> Any:
    """Build a bundle for `entrypoints`; raises RegoCompileError unless rego-cpp says it is ok
    (querying a bundle that is not ok crashes the process)."""
    error_text = ""
    with _native_output() as captured:
        interpreter.log_level = LogLevel.ERROR
        try:
            bundle = interpreter.build(None, entrypoints)
            built = bool(bundle.ok())
        except RegoError as exc:
            built, error_text = False, str(exc)
        finally:
            interpreter.log_level = LogLevel.NONE
    if not built:
        raise RegoCompileError(
            diagnostics(captured.text, modules)
            or from_error_text(error_text, modules)
            or [f"the embedded engine cannot build {', '.join(entrypoints)}"]
        )
    return bundle


def query(interpreter: Any, text: str) -> object:
    """Evaluate a query such as `x = data.pkg.rule`; the value bound to `x`, or UNDEFINED."""
    try:
        output = interpreter.query(text)
        ok, out = output.ok(), str(output)
    except Exception as exc:
        raise RegoEvaluationError(f"regopy failed: {type(exc).__name__}") from None
    if not ok or out.startswith("<error>"):
        raise RegoEvaluationError("evaluation error")
    if out == "undefined":
        return UNDEFINED
    try:
        document = json.loads(out)
    except ValueError:
        raise RegoEvaluationError("output is not JSON") from None
    bindings = document.get("bindings") if isinstance(document, dict) else None
    if not isinstance(bindings, dict) or "x" not in bindings:
        return UNDEFINED
    return bindings["x"]


@dataclass
class _Captured:
    text: str = ""


@contextlib.contextmanager
def _native_output() -> Iterator[_Captured]:
    """Capture what rego-cpp prints on file descriptor 1 (its diagnostics) during the block."""
    captured = _Captured()
    sys.stdout.flush()
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(1)
        os.dup2(sink.fileno(), 1)
        try:
            yield captured
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read().decode("utf-8", "replace")


_LOCATION = re.compile(r"^-- (?P<file>.+?):(?P<line>\d+):(?P<col>\d+)$")


def diagnostics(text: str, modules: Mapping[str, str]) -> list[str]:
    """`FILE:LINE:COL: message` lines from rego-cpp's printed report (blocks of message,
    `-- file:line:col`, source line, carets)."""
    lines: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        rows = [row for row in block.splitlines() if row.strip() and row.strip() != "Errors:"]
        for index, row in enumerate(rows[1:], start=1):
            match = _LOCATION.match(row.strip())
            if match and match["file"] in modules:
                message = rows[index - 1].strip()
                lines.append(f"{match['file']}:{match['line']}:{match['col']}: {message}")
                break
    return _unique(lines)


_ERROR_NODE = re.compile(
    r"\(error \d+:(?P<file>[^|\s()]*)\|(?P<offset>\d+)\|\d+\s*\(errormsg (?P<n>\d+):"
)


def from_error_text(text: str, modules: Mapping[str, str]) -> list[str]:
    """`FILE:LINE:COL: message` lines from a RegoError's S-expression text."""
    lines: list[str] = []
    for match in _ERROR_NODE.finditer(text):
        message = text[match.end() : match.end() + int(match["n"])]
        source = modules.get(match["file"])
        if source is None:
            lines.append(f"{match['file'] or '(query)'}: {message}")
            continue
        offset = int(match["offset"])
        before = source.encode("utf-8")[:offset].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        lines.append(f"{match['file']}:{line}:{column}: {message}")
    return _unique(lines)


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))
