"""Run a policy bundle's `test_*` rules with the embedded engine (regopy), as `opa test` would.

Tests are the rules named `test_*` in `*_test.rego` modules; a test passes when its value is
`true`. regopy can crash (segmentation fault) on some constructs (policies/lint.py lists them),
so the tests run in a forked child process: a crash is reported against the test that was
running and the remaining tests go on in a fresh child.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import re
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Literal

from policies.rego import (
    UNDEFINED,
    RegoCompileError,
    RegoEvaluationError,
    add_modules,
    build_bundle,
    new_interpreter,
    parse_output,
    query,
)

Status = Literal["pass", "fail", "error"]

_PACKAGE = re.compile(r"^package\s+([\w.]+)\s*$", re.MULTILINE)
_TEST_HEAD = re.compile(r"^(test_\w+)\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RegoTest:
    """One test rule: its module, line, package and name."""

    file: str
    line: int
    package: str
    rule: str

    @property
    def ref(self) -> str:
        """The rule's document, `data.PACKAGE.RULE`."""
        return f"data.{self.package}.{self.rule}"


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """What one test did; `detail` says why a test failed or errored."""

    test: RegoTest
    status: Status
    detail: str
    seconds: float


def discover_tests(modules: Mapping[str, str]) -> list[RegoTest]:
    """The test rules of the `*_test.rego` modules, in file and line order."""
    tests: list[RegoTest] = []
    for name, source in sorted(modules.items()):
        if not name.endswith("_test.rego"):
            continue
        package = _PACKAGE.search(source)
        if package is None:
            continue
        seen: set[str] = set()
        for match in _TEST_HEAD.finditer(source):
            if match.group(1) not in seen:  # a test may have several definitions
                seen.add(match.group(1))
                line = source.count("\n", 0, match.start()) + 1
                tests.append(RegoTest(name, line, package.group(1), match.group(1)))
    return tests


def run_tests(
    modules: Mapping[str, str],
    data: Mapping[str, object],
    tests: list[RegoTest],
    on_outcome: Callable[[TestOutcome], None] | None = None,
) -> list[TestOutcome]:
    """Run `tests` against `modules` and `data`; crash-isolated where the platform can fork.

    Raises RegoCompileError when the modules do not compile (no test runs then).
    The tests are compiled once into a bundle with one entrypoint per test (a plain query
    recompiles every module, about a second each for the default bundle). If building that
    bundle crashes the engine, each test runs as its own query instead.
    """
    outcomes: list[TestOutcome] = []
    if "fork" not in multiprocessing.get_all_start_methods():
        runner = _Runner(modules, data, tests, bundled=True)
        for test in tests:
            _record(runner.run(test), outcomes, on_outcome)
        return outcomes
    start, bundled = 0, True
    while start < len(tests):
        start, bundled = _run_in_child(modules, data, tests, start, bundled, outcomes, on_outcome)
    return outcomes


class _Runner:
    """Compiled modules and data evaluating tests, as one bundle or one query per test."""

    def __init__(
        self,
        modules: Mapping[str, str],
        data: Mapping[str, object],
        tests: list[RegoTest],
        *,
        bundled: bool,
    ) -> None:
        self.interpreter = new_interpreter()
        add_modules(self.interpreter, modules)
        try:
            self.interpreter.add_data(dict(data))
        except Exception as exc:  # regopy refuses the data document
            raise RegoCompileError([f"data: the embedded engine refuses it ({exc})"]) from None
        self.bundle = None
        if bundled and tests:
            entrypoints = [f"{t.package.replace('.', '/')}/{t.rule}" for t in tests]
            self.bundle = build_bundle(self.interpreter, entrypoints, modules)

    def run(self, test: RegoTest) -> TestOutcome:
        began = time.perf_counter()
        try:
            if self.bundle is None:
                value = query(self.interpreter, f"x = {test.ref}")
            else:
                entrypoint = f"{test.package.replace('.', '/')}/{test.rule}"
                output = self.interpreter.query_bundle_entrypoint(self.bundle, entrypoint)
                value = parse_output(str(output), output.ok())
        except RegoEvaluationError as exc:
            return TestOutcome(test, "error", str(exc), time.perf_counter() - began)
        except Exception as exc:  # regopy's own failures (JSON, ctypes)
            detail = f"regopy failed: {type(exc).__name__}"
            return TestOutcome(test, "error", detail, time.perf_counter() - began)
        seconds = time.perf_counter() - began
        if value is True:
            return TestOutcome(test, "pass", "", seconds)
        detail = "undefined" if value is UNDEFINED else f"value is {value!r}, not true"
        return TestOutcome(test, "fail", detail, seconds)


def _run_in_child(
    modules: Mapping[str, str],
    data: Mapping[str, object],
    tests: list[RegoTest],
    start: int,
    bundled: bool,
    outcomes: list[TestOutcome],
    on_outcome: Callable[[TestOutcome], None] | None,
) -> tuple[int, bool]:
    """Run tests[start:] in one child; returns where to continue, and how."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(modules, data, tests, start, bundled, sender))
    child.start()
    sender.close()
    index, ready = start, False
    began = time.perf_counter()
    try:
        while index < len(tests):
            try:
                message = receiver.recv()
            except EOFError:  # the child died
                child.join()
                if not ready and bundled:  # while compiling the bundle: try query by query
                    return index, False
                outcome = TestOutcome(
                    tests[index], "error", _crash(child.exitcode), time.perf_counter() - began
                )
                _record(outcome, outcomes, on_outcome)
                return index + 1, bundled
            if message[0] == "ready":
                ready, began = True, time.perf_counter()
                continue
            if message[0] == "compile_error":
                raise RegoCompileError(message[1])
            _, status, detail, seconds = message
            _record(TestOutcome(tests[index], status, detail, seconds), outcomes, on_outcome)
            index += 1
            began = time.perf_counter()
    finally:
        receiver.close()
        child.join()
    return index, bundled


def _record(
    outcome: TestOutcome,
    outcomes: list[TestOutcome],
    on_outcome: Callable[[TestOutcome], None] | None,
) -> None:
    outcomes.append(outcome)
    if on_outcome is not None:
        on_outcome(outcome)


def _crash(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the embedded engine crashed ({name}) running this test (see the warnings above)"
    return f"the embedded engine stopped (exit status {exitcode}) running this test"


def _child(
    modules: Mapping[str, str],
    data: Mapping[str, object],
    tests: list[RegoTest],
    start: int,
    bundled: bool,
    sender: Connection,
) -> None:
    # Everything goes through the pipe: silence what a crash would print (faulthandler's
    # dump, rego-cpp's own messages); the parent reports the crash.
    faulthandler.disable()
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
        os.dup2(devnull.fileno(), 2)
    try:
        runner = _Runner(modules, data, tests[start:], bundled=bundled)
    except RegoCompileError as exc:
        sender.send(("compile_error", exc.lines))
        return
    sender.send(("ready",))
    for test in tests[start:]:
        outcome = runner.run(test)
        sender.send(("outcome", outcome.status, outcome.detail, outcome.seconds))
    sender.close()
