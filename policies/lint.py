"""Warnings about Rego that OPA and the embedded engine (regopy 1.5.2) do not evaluate alike.

Each check below was seen on this version of regopy; the reference for the traps is the policy
writer's guide in docs/policy-input.md. The checks read the source text (comments and string
contents blanked), so they are heuristics: they name the construct and the line, and say what
to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

KEYWORDS = frozenset(
    {
        "if",
        "else",
        "not",
        "some",
        "every",
        "in",
        "with",
        "as",
        "contains",
        "default",
        "import",
        "set",
    }
)
"""Rego keywords that may be followed by `(` without being calls."""

UNSUPPORTED_PREFIXES = ("http.", "net.", "graphql.", "rego.metadata.")
UNSUPPORTED_BUILTINS = frozenset(
    {"json.match_schema", "json.verify_schema", "rego.parse_module", "strings.render_template"}
)
"""Builtins regopy does not have (its maintainers' list, confirmed with is_builtin)."""

BROKEN_BUILTINS = {
    "time.parse_rfc3339_ns": "fails in regopy 1.5.2, and so does the layout with Z07:00; "
    'input.request.time is always UTC: time.parse_ns("2006-01-02T15:04:05Z", input.request.time)',
}
"""Builtins regopy lists but evaluates differently from OPA."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One construct the embedded engine does not evaluate like OPA."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: warning: {self.message}"


def lint_modules(
    modules: Mapping[str, str], is_builtin: Callable[[str], bool] | None = None
) -> list[Finding]:
    """Findings for every module, in file and line order.

    `is_builtin` answers whether the embedded engine knows a builtin (regopy's
    `Interpreter.is_builtin`); without it only the known lists are checked.
    """
    blanked = {name: blank(source) for name, source in modules.items()}
    rules: set[str] = set()
    functions: set[str] = set()
    for text in blanked.values():
        rules.update(_RULE_HEAD.findall(text))
        functions.update(_FUNCTION_HEAD.findall(text))
    rules -= KEYWORDS | {"package"}
    findings: list[Finding] = []
    for name, text in sorted(blanked.items()):
        aliases = {m.group(1) or m.group(2) for m in _IMPORT_ALIAS.finditer(text)}
        aliases |= {"data", "input", "future", "rego"}
        for check in _CHECKS:
            findings.extend(check(name, text, rules, functions))
        findings.extend(_calls(name, text, functions, aliases, is_builtin))
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.column, f.message))


def blank(source: str) -> str:
    """`source` with comments and the contents of string literals replaced by spaces."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "#":
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif char in '"`':
            end = i + 1
            while end < n and source[end] != char and source[end] != "\n":
                end += 2 if char == '"' and source[end] == "\\" else 1
            out.append(char + "".join(c if c == "\n" else " " for c in source[i + 1 : end]))
            if end < n and source[end] == char:
                out.append(char)
                end += 1
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


_RULE_HEAD = re.compile(r"^(?:default\s+)?([A-Za-z_]\w*)\b(?!\s*\()", re.MULTILINE)
_FUNCTION_HEAD = re.compile(r"^([A-Za-z_][\w.]*)\(", re.MULTILINE)
_IMPORT_ALIAS = re.compile(
    r"^import\s+data(?:\.[\w.]+)?\.(\w+)\s*$|^import\s+\S+\s+as\s+(\w+)", re.M
)

_WITH_WHOLE_INPUT = re.compile(r"\bwith\s+input\s+as\b")
_WITH_VALUE = re.compile(
    r"\bwith\s+[\w.\[\]\"]+\s+as\s+(data\.[\w.]+|[A-Za-z_]\w*)\b(?!\s*[\(\.\[])"
)
_BRACKET_WILDCARD = re.compile(r"\[[^\[\]\n]*\[_\][^\[\]\n]*\]")
_V0_RULE = re.compile(r"^[A-Za-z_]\w*(?:\[[^\]\n]*\])?\s*\{", re.MULTILINE)
_CALL = re.compile(r"(?<![\w.])([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*\(")

Check = Callable[[str, str, set[str], set[str]], Iterator[Finding]]


def _at(name: str, text: str, offset: int, message: str) -> Finding:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Finding(name, line, column, message)


def _with_whole_input(
    name: str, text: str, rules: set[str], functions: set[str]
) -> Iterator[Finding]:
    for match in _WITH_WHOLE_INPUT.finditer(text):
        yield _at(name, text, match.start(), "`with input as ...` crashes regopy 1.5.2 "
                  "(segmentation fault) when an evaluated rule calls a builtin; set fields "
                  "instead: `with input.principal as ... with input.route as ...`")  # fmt: skip


def _with_rule_value(
    name: str, text: str, rules: set[str], functions: set[str]
) -> Iterator[Finding]:
    for match in _WITH_VALUE.finditer(text):
        value = match.group(1)
        if value.startswith("data.") or (value in rules and value not in KEYWORDS):
            yield _at(name, text, match.start(1), f"`with ... as {value}` (a rule or data "
                      "reference) crashes or is undefined in regopy 1.5.2; bind it to a local "
                      f"variable first: `v := {value}` ... `as v`")  # fmt: skip


def _every_with_not(
    name: str, text: str, rules: set[str], functions: set[str]
) -> Iterator[Finding]:
    for match in re.finditer(r"\bevery\b[^{\n]*\{", text):
        body = _braced(text, match.end() - 1)
        if re.search(r"\bnot\b", body):
            yield _at(name, text, match.start(), "`not` inside `every` gives wrong results in "
                      "regopy 1.5.2 (true where OPA says false); count the violations instead: "
                      "`count({x | some x in xs; x in bad}) == 0`")  # fmt: skip


def _bracket_wildcard(
    name: str, text: str, rules: set[str], functions: set[str]
) -> Iterator[Finding]:
    for match in _BRACKET_WILDCARD.finditer(text):
        yield _at(name, text, match.start(), "a `_` wildcard inside a bracket "
                  "(`data.x[input.y[_]]`) is rejected by regopy; write "
                  "`some y in input.y; data.x[y]`")  # fmt: skip


def _sprintf_of_builtin(
    name: str, text: str, rules: set[str], functions: set[str]
) -> Iterator[Finding]:
    for match in re.finditer(r"\bsprintf\s*\(", text):
        args = _braced(text, match.end() - 1)
        values = args.split(",", 1)[1] if "," in args else ""
        if _CALL.search(values):
            yield _at(name, text, match.start(), "sprintf of a string made by another builtin "
                      "is quoted by regopy 1.5.2 (and breaks its JSON output); build the "
                      "message with concat")  # fmt: skip


def _nested_object_union(
    name: str, text: str, rules: set[str], functions: set[str]
) -> Iterator[Finding]:
    for match in re.finditer(r"\bobject\.union(?:_n)?\s*\(", text):
        if re.search(r":\s*\{", _braced(text, match.end() - 1)):
            yield _at(name, text, match.start(), "object.union merges nested objects in OPA "
                      "but replaces them in regopy 1.5.2; merge one level at a time")  # fmt: skip


def _rego_v0(name: str, text: str, rules: set[str], functions: set[str]) -> Iterator[Finding]:
    for match in _V0_RULE.finditer(text):
        head = match.group(0).split("[")[0].split("{")[0].strip()
        if head not in KEYWORDS | {"package"}:
            yield _at(name, text, match.start(), f"rule `{head}` has a body without `if` "
                      "(Rego v0): OPA 1.x refuses it while regopy accepts it")  # fmt: skip


_CHECKS: tuple[Check, ...] = (
    _with_whole_input,
    _with_rule_value,
    _every_with_not,
    _bracket_wildcard,
    _sprintf_of_builtin,
    _nested_object_union,
    _rego_v0,
)


def _calls(
    name: str,
    text: str,
    functions: set[str],
    aliases: set[str],
    is_builtin: Callable[[str], bool] | None,
) -> Iterator[Finding]:
    for match in _CALL.finditer(text):
        call = match.group(1)
        root = call.split(".", 1)[0]
        if call in KEYWORDS or call in functions or root in aliases or _at_head(text, match):
            continue
        if call in BROKEN_BUILTINS:
            yield _at(name, text, match.start(), f"{call} {BROKEN_BUILTINS[call]}")
        elif call in UNSUPPORTED_BUILTINS or call.startswith(UNSUPPORTED_PREFIXES):
            yield _at(name, text, match.start(), f"builtin {call} does not exist in the "
                      "embedded engine (regopy); pass what it computes in the input")  # fmt: skip
        elif is_builtin is not None and not is_builtin(call):
            yield _at(name, text, match.start(), f"`{call}` is neither a function of these "
                      "modules nor a builtin of the embedded engine (regopy)")  # fmt: skip


def _at_head(text: str, match: re.Match[str]) -> bool:
    """A function definition (`f(x) := ...` at the start of a line), not a call."""
    return match.start() == 0 or text[match.start() - 1] == "\n"


def _braced(text: str, start: int) -> str:
    """The text between the bracket at `start` and its match (or the end of the text)."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    opener = text[start]
    closer = pairs[opener]
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opener:
            depth += 1
        elif text[index] == closer:
            depth -= 1
            if depth == 0:
                return text[start + 1 : index]
    return text[start + 1 :]
