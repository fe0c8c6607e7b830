"""The default bundle under the real OPA: its tests pass, it compiles strictly, it is formatted."""

from __future__ import annotations

import json
import subprocess

from policies import DEFAULT_BUNDLE
from policies.store import load_policy_files
from policies.testing import discover_tests


def _opa(opa_binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [opa_binary, *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_opa_test_passes_every_test_of_the_bundle(opa_binary: str) -> None:
    done = _opa(opa_binary, "test", "--bundle", str(DEFAULT_BUNDLE), "--format", "json")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout)
    names = {r["name"] for r in results}
    assert all(r.get("fail") is not True and "error" not in r for r in results)
    expected = {t.rule for t in discover_tests(load_policy_files(DEFAULT_BUNDLE).modules)}
    assert names == expected  # the in-process runner finds the same tests as OPA
    assert len(names) >= 30


def test_bundle_compiles_in_strict_mode(opa_binary: str) -> None:
    done = _opa(opa_binary, "check", "--strict", "--bundle", str(DEFAULT_BUNDLE))
    assert done.returncode == 0, done.stdout + done.stderr


def test_bundle_is_formatted_as_opa_fmt_writes_it(opa_binary: str) -> None:
    done = _opa(opa_binary, "fmt", "--list", str(DEFAULT_BUNDLE))
    assert done.returncode == 0
    assert done.stdout.strip() == ""


def test_every_policy_module_has_a_test_module_next_to_it() -> None:
    files = load_policy_files(DEFAULT_BUNDLE)
    for name in files.policy_modules:
        assert name.removesuffix(".rego") + "_test.rego" in files.test_modules, name
