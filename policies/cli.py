"""`gerbang policy test` and `gerbang policy eval`: check and try policies without a gateway.

test [DIR]        Parse every module with the embedded engine (regopy), warn about constructs
                  it does not evaluate like OPA (policies/lint.py), build the policy as the
                  gateway would, then run the `test_*` rules of the `*_test.rego` modules.
                  Exit status 0 when every test passes, 1 otherwise, 2 when DIR cannot be read.
eval --input FILE Print the decision for the input document in FILE (JSON) as JSON, from the
                  embedded engine on --policies DIR, or from an OPA server with --opa URL.
                  Exit status 0 with a decision, 2 for a bad input file or policy.

DIR defaults to the bundle shipped with Gerbang (policies/bundle).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policies import DEFAULT_BUNDLE

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A usage problem: reported as one line, exit status 2."""


def add_commands(subparsers: Any) -> None:
    """Add `test` and `eval` to an argparse subparsers object."""
    test = subparsers.add_parser(
        "test", help="run a policy bundle's tests with the embedded engine and check its Rego"
    )
    test.add_argument(
        "dir", nargs="?", type=Path, default=DEFAULT_BUNDLE, metavar="DIR",
        help="policy directory or .tar.gz bundle (default: the shipped bundle)",
    )  # fmt: skip
    test.add_argument("-v", "--verbose", action="store_true", help="also list passing tests")
    evaluate = subparsers.add_parser("eval", help="print the decision for an input document")
    evaluate.add_argument(
        "--policies", type=Path, default=DEFAULT_BUNDLE, metavar="DIR",
        help="policy directory or .tar.gz bundle (default: the shipped bundle)",
    )  # fmt: skip
    evaluate.add_argument(
        "--input", required=True, type=Path, metavar="FILE", help="input document (JSON)"
    )
    evaluate.add_argument(
        "--opa", metavar="URL", help="ask the OPA server at URL instead of the embedded engine"
    )
    evaluate.add_argument(
        "--timeout", type=float, default=2.0, help="seconds to wait for OPA (default 2)"
    )


def run(args: argparse.Namespace) -> int:
    """Run `test` or `eval`; returns the exit status."""
    from policies.store import PolicyLoadError

    try:
        if args.policy_command == "test":
            return _test(args.dir, verbose=args.verbose)
        return _eval(args)
    except (CliError, PolicyLoadError) as exc:
        for line in str(exc).splitlines():
            print(f"gerbang policy: {line}", file=sys.stderr)
        return EXIT_USAGE


def _test(path: Path, *, verbose: bool) -> int:
    from policies.embedded import compile_policy
    from policies.lint import lint_modules
    from policies.rego import RegoCompileError, add_modules, new_interpreter
    from policies.store import PolicyLoadError, load_policy_files
    from policies.testing import TestOutcome, discover_tests, run_tests

    files = load_policy_files(path)
    problems = 0
    interpreter = new_interpreter()
    for name, source in sorted(files.modules.items()):
        try:
            add_modules(new_interpreter(), {name: source})
        except RegoCompileError as exc:
            problems += 1
            for line in exc.lines:
                _say(path, line, "error: the embedded engine rejects this module:")
    for finding in lint_modules(files.modules, interpreter.is_builtin):
        _say(path, str(finding))
    if problems == 0:
        try:
            compile_policy(files)
        except PolicyLoadError as exc:
            problems += 1
            for line in exc.problem.splitlines():
                _say(path, line, "error: the gateway cannot load this policy:")
    sys.stderr.flush()
    if problems:
        print(f"{_shown(path)}: tests not run: the policy does not compile (see above)")
        return EXIT_FAILED

    tests = discover_tests(files.modules)
    if not tests:
        print(f"{_shown(path)}: no test_* rules in *_test.rego modules")
        return EXIT_OK

    def report(outcome: TestOutcome) -> None:
        test = outcome.test
        where = f"{_where(path, test.file)}:{test.line}: {test.ref}"
        if outcome.status == "pass":
            if verbose:
                print(f"PASS {where} ({outcome.seconds * 1000:.1f} ms)")
            return
        print(f"{outcome.status.upper()} {where}: {outcome.detail}", flush=True)

    try:
        outcomes = run_tests(files.modules, files.data, tests, report)
    except RegoCompileError as exc:
        for line in exc.lines:
            _say(path, line, "error: the embedded engine cannot compile the tests:")
        print(f"{_shown(path)}: tests not run: the embedded engine cannot compile them (see above)")
        return EXIT_FAILED
    passed = sum(o.status == "pass" for o in outcomes)
    failed = sum(o.status == "fail" for o in outcomes)
    errors = len(outcomes) - passed - failed
    summary = f"PASS: {passed}/{len(outcomes)}"
    if failed:
        summary += f", FAIL: {failed}"
    if errors:
        summary += f", ERROR: {errors}"
    print(summary)
    return EXIT_OK if passed == len(outcomes) and not problems else EXIT_FAILED


def _where(root: Path, text: str) -> str:
    """`text`, which starts with a module path inside `root`, with `root` in front."""
    return f"{_shown(root)}/{text}" if root.is_dir() else f"{_shown(root)}:{text}"


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _say(root: Path, line: str, label: str = "") -> None:
    """Print a `FILE:LINE:COL: message` line on stderr, FILE shown under `root`."""
    location, sep, message = line.partition(": ")
    if not sep or ":" not in location:  # not about a module: the message alone
        print(f"{_shown(root)}: {label} {line}".replace("  ", " "), file=sys.stderr)
        return
    text = f"{location}: {label} {message}" if label else line
    print(_where(root, text), file=sys.stderr)


def _eval(args: argparse.Namespace) -> int:
    document = _read_input(args.input)
    if args.opa:
        decision = asyncio.run(_eval_opa(args.opa, args.timeout, document))
    else:
        from policies.embedded import EmbeddedEngine

        engine = EmbeddedEngine(args.policies)
        try:
            decision = engine.decide_now(document)
        finally:
            asyncio.run(engine.close())
    print(json.dumps(decision.to_json(), indent=2, ensure_ascii=False))
    return EXIT_OK


async def _eval_opa(url: str, wait: float, document: dict[str, object]) -> Any:
    from gateway.errors import PolicyUnavailable
    from policies.opa_server import OpaServerEngine

    try:
        engine = OpaServerEngine(url, timeout=wait)
    except ValueError as exc:
        raise CliError(f"--opa {url}: {exc}") from None
    try:
        return await engine.decide(document)
    except PolicyUnavailable as exc:
        raise CliError(f"--opa {url}: {exc.detail}") from None
    finally:
        await engine.close()


def _read_input(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(document, dict):
        raise CliError(f"{path}: the input document must be a JSON object")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m policies test|eval ...`."""
    parser = argparse.ArgumentParser(prog="policies")
    add_commands(parser.add_subparsers(dest="policy_command", required=True, metavar="COMMAND"))
    return run(parser.parse_args(argv))
