"""`gerbang policy test` and `gerbang policy eval`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gateway.cli import main
from policies import DEFAULT_BUNDLE
from policies.embedded import EmbeddedEngine
from tests.policies.table import CITIZEN, exchange


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A copy of the default bundle with one test module of five (fewer tests, faster runs)."""
    copy = Path(shutil.copytree(DEFAULT_BUNDLE, tmp_path / "bundle"))
    for test in copy.glob("*_test.rego"):
        if test.name != "gerbang_test.rego":
            test.unlink()
    return copy


def test_policy_test_passes_on_the_default_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("PASS: 40/40")
    assert err == ""


def test_verbose_lists_every_passing_test(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test", "-v", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert f"PASS {bundle}/gerbang_test.rego:61: data.gerbang_test.test_citizen_may_ask_lara" in out
    assert out.count("PASS ") == 7


def test_failing_test_is_reported_with_file_line_and_rule(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (bundle / "extra_test.rego").write_text(
        "package gerbang_test\n\ntest_passes if true\n\n"
        "test_citizen_is_refused if {\n\tnot decide(citizen).allow\n}\n",
        encoding="utf-8",
    )
    assert main(["policy", "test", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {bundle}/extra_test.rego:5: data.gerbang_test.test_citizen_is_refused: " \
           "undefined" in out  # fmt: skip
    assert "test_passes" not in out
    assert out.strip().endswith("PASS: 8/9, FAIL: 1")


def test_crash_of_the_engine_is_reported_and_warned_about(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (bundle / "crash_test.rego").write_text(
        "package gerbang_test\n\ntest_crash if {\n"
        '\tdata.gerbang.allow with input as {"version": 1}\n}\n',
        encoding="utf-8",
    )
    assert main(["policy", "test", str(bundle)]) == 1
    out, err = capsys.readouterr()
    assert f"{bundle}/crash_test.rego:4:21: warning: `with input as ...` crashes" in err
    assert f"ERROR {bundle}/crash_test.rego:3: data.gerbang_test.test_crash: the embedded " \
           "engine crashed (SIGSEGV)" in out  # fmt: skip


def test_module_the_engine_rejects_stops_before_the_tests(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (bundle / "extra.rego").write_text("package gerbang\n\nx if {\n  input.a ==\n", "utf-8")
    assert main(["policy", "test", str(bundle)]) == 1
    out, err = capsys.readouterr()
    assert f"{bundle}/extra.rego:3:6: error: the embedded engine rejects this module:" in err
    assert "tests not run" in out


def test_missing_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "test", str(tmp_path / "nope")]) == 2
    assert "no such policy directory or bundle" in capsys.readouterr().err


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_eval_prints_the_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shared_embedded: EmbeddedEngine
) -> None:
    refused = exchange(("warga",), "ocr-dokumen", "digitalisasi_dokumen")
    assert main(["policy", "eval", "--input", str(_write(tmp_path, refused))]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == shared_embedded.decide_now(refused).to_json()
    assert printed["reason"] == "roles [warga] may not use service ocr-dokumen"


def test_eval_with_policies_and_with_opa_agree(
    tmp_path: Path, bundle: Path, opa_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, CITIZEN)
    assert main(["policy", "eval", "--policies", str(bundle), "--input", str(path)]) == 0
    embedded = json.loads(capsys.readouterr().out)
    assert main(["policy", "eval", "--opa", opa_url, "--input", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == embedded
    assert embedded["allow"] is True


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"version": 1,\n  "route": }', "not JSON (Expecting value at line 2 column 12)"),
        ("[1, 2]", "the input document must be a JSON object"),
        (b"\xff", "not UTF-8 text"),
        (None, "cannot read: No such file or directory"),
    ],
)
def test_eval_names_a_bad_input_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, problem: str
) -> None:
    path = tmp_path / "input.json"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main(["policy", "eval", "--input", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"gerbang policy: {path}: {problem}"


def test_eval_names_a_broken_policy(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (bundle / "data.json").write_text("{", encoding="utf-8")
    path = _write(tmp_path, CITIZEN)
    assert main(["policy", "eval", "--policies", str(bundle), "--input", str(path)]) == 2
    assert f"{bundle}/data.json: not JSON" in capsys.readouterr().err


def test_eval_with_unreachable_opa_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.policies.opa import free_port

    url = f"http://127.0.0.1:{free_port()}"
    assert main(["policy", "eval", "--opa", url, "--input", str(_write(tmp_path, CITIZEN))]) == 2
    assert "the policy server is unreachable" in capsys.readouterr().err
