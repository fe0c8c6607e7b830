"""`policies.lint`: each construct regopy 1.5.2 evaluates unlike OPA is named, with its line."""

from __future__ import annotations

import pytest
from regopy import Interpreter

from policies import DEFAULT_BUNDLE
from policies.lint import blank, lint_modules
from policies.store import load_policy_files

HEADER = "package gerbang\n\n"


def _findings(body: str, name: str = "p.rego") -> list[str]:
    return [str(f) for f in lint_modules({name: HEADER + body}, Interpreter().is_builtin)]


def test_default_bundle_has_no_findings() -> None:
    modules = load_policy_files(DEFAULT_BUNDLE).modules
    assert lint_modules(modules, Interpreter().is_builtin) == []


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("t if {\n\tdata.gerbang.allow with input as {}\n}\n", 4, "`with input as ...` crashes"),
        ("f := [1]\n\nt if {\n\tallow with input.roles as f\n}\n", 6, "as f` (a rule"),
        ("t if {\n\tallow with data.x as data.y\n}\n", 4, "as data.y`"),
        ("t if {\n\tevery r in input.roles { not r in {\"x\"} }\n}\n", 4, "`not` inside `every`"),
        ("t if {\n\tdata.roles[input.roles[_]]\n}\n", 4, "wildcard inside a bracket"),
        ("m := sprintf(\"%s\", [upper(input.x)])\n", 3, "sprintf of a string"),
        ("m := object.union(input, {\"a\": {\"b\": 1}})\n", 3, "object.union merges"),
        ("allow {\n\ttrue\n}\n", 3, "without `if` (Rego v0)"),
        ("r := http.send({})\n", 3, "builtin http.send does not exist"),
        ("r if net.cidr_contains(\"10.0.0.0/8\", input.ip)\n", 3, "builtin net.cidr_contains"),
        ("t := time.parse_rfc3339_ns(input.request.time)\n", 3, "time.parse_rfc3339_ns fails"),
        ("r if print(input)\n", 3, "`print` is neither"),
    ],
    ids=["with-input", "with-rule", "with-data-ref", "every-not", "bracket-wildcard", "sprintf",
         "object-union", "rego-v0", "http-send", "net", "parse-rfc3339", "unknown-call"],
)  # fmt: skip
def test_when_construct_diverges_then_it_is_named_with_its_line(
    body: str, line: int, needle: str
) -> None:
    findings = _findings(body)
    assert len(findings) == 1, findings
    assert findings[0].startswith(f"p.rego:{line}:")
    assert needle in findings[0]


@pytest.mark.parametrize(
    "body",
    [
        "t if {\n\tallow with input.roles as [\"x\"]\n}\n",
        "t if {\n\tv := [1]\n\tallow with input.roles as v\n}\n",
        "f(x) := y if {\n\ty := x\n}\n\nr := f(1)\n",
        "m := object.union({\"a\": 1}, input)\n",
        "m := concat(\"\", [\"a\", upper(input.x)])\n",
        "t if {\n\tevery r in input.roles { r != \"x\" }\n}\n",
        "r := \"with input as x # not code\"  # sprintf(upper(x))\n",
    ],
    ids=["with-literal", "with-local", "own-function", "flat-union", "concat", "every-plain",
         "strings-and-comments"],
)  # fmt: skip
def test_when_construct_is_portable_then_no_finding(body: str) -> None:
    assert _findings(body) == []


def test_blank_keeps_positions_and_removes_strings_and_comments() -> None:
    source = 'a := "x # y"  # with input as\nb := `raw\n"q`\n'
    blanked = blank(source)
    assert len(blanked) == len(source)
    assert blanked.count("\n") == source.count("\n")
    assert "with" not in blanked
    assert "raw" not in blanked
