"""`gerbang policy test|eval|bundle`: check, try and publish policies without a gateway.

test [DIR]        Parse every module with the embedded engine (regopy), warn about constructs
                  it does not evaluate like OPA (policies/lint.py), build the policy as the
                  gateway would, then run the `test_*` rules of the `*_test.rego` modules.
                  Exit status 0 when every test passes, 1 otherwise, 2 when DIR cannot be read.
eval --input FILE Print the decision for the input document in FILE (JSON) as JSON, from the
                  embedded engine on --policies DIR, or from an OPA server with --opa URL.
                  Exit status 0 with a decision, 2 for a bad input file or policy.
bundle [DIR] --signing-key PEM --output FILE.tar.gz [--signing-alg RS256] [--revision REV]
                  Build a signed bundle from DIR with `opa build` (policies/bundles.py): no
                  tests, a .manifest with the revision (default: DIR's digest), .signatures.json.
                  Exit status 0 when written, 1 when OPA rejects the policy, 2 for a missing
                  or bad key, OPA binary, directory or option.

DIR defaults to the bundle shipped with Gerbang (policies/bundle).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policies import DEFAULT_BUNDLE

if TYPE_CHECKING:  # the engines import regopy: loaded only when a command runs
    from policies.store import PolicyFiles

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A usage problem: reported as one line, exit status 2."""


def add_commands(subparsers: Any) -> None:
    """Add `test`, `eval` and `bundle` to an argparse subparsers object."""
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
    _add_bundle_command(subparsers)


def _add_bundle_command(subparsers: Any) -> None:
    from policies.signing import ALGORITHMS

    bundle = subparsers.add_parser("bundle", help="build a signed policy bundle with opa build")
    bundle.add_argument(
        "dir", nargs="?", type=Path, default=DEFAULT_BUNDLE, metavar="DIR",
        help="policy directory (default: the shipped bundle)",
    )  # fmt: skip
    bundle.add_argument(
        "--signing-key", required=True, type=Path, metavar="PEM",
        help="private key (PEM) to sign with; its public half is the verification key",
    )  # fmt: skip
    bundle.add_argument(
        "--output", "-o", required=True, type=Path, metavar="FILE.tar.gz",
        help="the bundle to write (replaced atomically)",
    )  # fmt: skip
    bundle.add_argument(
        "--signing-alg", default="RS256", choices=ALGORITHMS, metavar="ALG",
        help=f"JWT algorithm: {', '.join(ALGORITHMS)} (default RS256)",
    )  # fmt: skip
    bundle.add_argument("--revision", metavar="REV", help="revision (default: DIR's digest)")
    bundle.add_argument(
        "--opa", type=Path, metavar="PATH",
        help="the opa binary (default: scripts/install-opa's, else opa on PATH)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run `test` or `eval`; returns the exit status."""
    from policies.store import PolicyLoadError

    try:
        if args.policy_command == "test":
            return _test(args.dir, verbose=args.verbose)
        if args.policy_command == "bundle":
            return _bundle(args)
        return _eval(args)
    except (CliError, PolicyLoadError) as exc:
        for line in str(exc).splitlines():
            print(f"gerbang policy: {line}", file=sys.stderr)
        return EXIT_USAGE


def _test(path: Path, *, verbose: bool) -> int:
    from policies.store import load_policy_files

    files = load_policy_files(path)
    if not _check(files, path):
        print(f"{_shown(path)}: tests not run: the policy does not compile (see above)")
        return EXIT_FAILED
    return _run_tests(files, path, verbose=verbose)


def _check(files: PolicyFiles, path: Path) -> bool:
    """Parse each module, print the portability warnings, compile as the gateway would; False
    when the embedded engine cannot use the policy (errors printed)."""
    from policies.embedded import compile_policy
    from policies.lint import lint_modules
    from policies.rego import RegoCompileError, add_modules, new_interpreter
    from policies.store import PolicyLoadError

    usable = True
    for name, source in sorted(files.modules.items()):
        try:
            add_modules(new_interpreter(), {name: source})
        except RegoCompileError as exc:
            usable = False
            for line in exc.lines:
                _say(path, line, "error: the embedded engine rejects this module:")
    for finding in lint_modules(files.modules, new_interpreter().is_builtin):
        _say(path, str(finding))
    if usable:
        try:
            compile_policy(files)
        except PolicyLoadError as exc:
            usable = False
            for line in exc.problem.splitlines():
                _say(path, line, "error: the gateway cannot load this policy:")
    sys.stderr.flush()
    return usable


def _run_tests(files: PolicyFiles, path: Path, *, verbose: bool) -> int:
    """Run the test rules, print failures (and passes if verbose) and a summary."""
    from policies.rego import RegoCompileError
    from policies.testing import TestOutcome, discover_tests, run_tests

    tests = discover_tests(files.modules)
    if not tests:
        print(f"{_shown(path)}: no test_* rules in *_test.rego modules")
        return EXIT_OK

    def report(outcome: TestOutcome) -> None:
        where = f"{_where(path, outcome.test.file)}:{outcome.test.line}: {outcome.test.ref}"
        if outcome.status != "pass":
            print(f"{outcome.status.upper()} {where}: {outcome.detail}", flush=True)
        elif verbose:
            print(f"PASS {where} ({outcome.seconds * 1000:.1f} ms)")

    try:
        outcomes = run_tests(files.modules, files.data, tests, report)
    except RegoCompileError as exc:
        for line in exc.lines:
            _say(path, line, "error: the embedded engine cannot compile the tests:")
        print(f"{_shown(path)}: tests not run: the embedded engine cannot compile them (see above)")
        return EXIT_FAILED
    passed = sum(o.status == "pass" for o in outcomes)
    failed = sum(o.status == "fail" for o in outcomes)
    summary = f"PASS: {passed}/{len(outcomes)}"
    if failed:
        summary += f", FAIL: {failed}"
    if len(outcomes) - passed - failed:
        summary += f", ERROR: {len(outcomes) - passed - failed}"
    print(summary)
    return EXIT_OK if passed == len(outcomes) else EXIT_FAILED


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


def _bundle(args: argparse.Namespace) -> int:
    from policies.bundles import BundleBuildError, build_bundle, find_opa

    try:
        built = build_bundle(
            args.dir,
            args.output,
            signing_key=args.signing_key,
            opa=find_opa(args.opa),
            algorithm=args.signing_alg,
            revision=args.revision,
        )
    except BundleBuildError as exc:
        for line in str(exc).splitlines():
            print(f"gerbang policy: {line}", file=sys.stderr)
        return exc.status
    print(
        f"{_shown(built.path)}: revision {built.revision}, {built.modules} modules, "
        f"signed {built.algorithm}"
    )
    return EXIT_OK


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
    from policies.errors import PolicyUnavailable
    from policies.opa_server import OpaServerEngine

    try:
        engine = OpaServerEngine(url, timeout=wait)
    except ValueError as exc:
        raise CliError(f"--opa {url}: {exc}") from None
    try:
        return await engine.decide(document)
    except PolicyUnavailable as exc:
        raise CliError(f"--opa {url}: {exc}") from None
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
