"""`gerbang pii scan` and `gerbang pii mask`: the JSON-lines contract security teams rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NIK = "3273012505900001"


def gerbang(*args: str, stdin: str = "", env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "gateway", "pii", *args],
        input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120, check=False, env=env,
    )  # fmt: skip


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_when_scanning_stdin_then_one_line_per_input_in_order_without_values() -> None:
    stdin = "".join(
        json.dumps({"id": i, "text": t}) + "\n"
        for i, t in enumerate([f"NIK saya {NIK}", "tidak ada data pribadi", f"{NIK}!"])
    )
    result = gerbang("scan", stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = lines(result.stdout)
    assert [o["id"] for o in out] == [0, 1, 2]
    assert out[0]["entities"] == [{"type": "ID_NIK", "start": 9, "end": 25, "score": 0.95}]
    assert out[1]["entities"] == []
    assert NIK not in result.stdout


def test_when_scanning_files_then_they_are_read_in_the_order_given(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "a1", "text": f"NIK {NIK}"}) + "\n")
    second.write_text(json.dumps({"id": "b1", "text": "kosong"}) + "\n")
    result = gerbang("scan", str(second), str(first))
    assert [o["id"] for o in lines(result.stdout)] == ["b1", "a1"]


def test_when_lines_are_bad_then_each_is_reported_by_number_and_skipped_without_content() -> None:
    secret_line = f'{{"id": 9, "text": "NIK {NIK}"'  # broken JSON that contains a NIK
    stdin = (
        "\n".join(
            [
                json.dumps({"id": 1, "text": "baik"}),
                secret_line,
                "[1, 2]",
                json.dumps({"text": "tanpa id"}),
                json.dumps({"id": 5, "text": 5}),
                "",
                json.dumps({"id": 7, "text": "baik juga"}),
            ]
        )
        + "\n"
    )
    result = gerbang("scan", stdin=stdin)
    assert result.returncode == 1
    assert [o["id"] for o in lines(result.stdout)] == [1, 7]
    reported = result.stderr.splitlines()
    assert [line.split(":")[2] for line in reported] == ["2", "3", "4", "5", "6"]
    assert all(line.startswith("gerbang pii: <stdin>:") for line in reported)
    assert NIK not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "NIK saya <ID_NIK_1>, lagi <ID_NIK_1>"),
        (("--operator", "*=redact"), "NIK saya [ID_NIK], lagi [ID_NIK]"),
        (("--operator", "ID_NIK=mask"), "NIK saya ************0001, lagi ************0001"),
    ],
)
def test_when_masking_then_the_text_is_masked_per_plan(
    args: tuple[str, ...], expected: str
) -> None:
    stdin = json.dumps({"id": "m", "text": f"NIK saya {NIK}, lagi {NIK}"}) + "\n"
    result = gerbang("mask", *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == [{"id": "m", "text": expected}]


def test_when_hashing_then_the_key_comes_from_the_environment() -> None:
    stdin = json.dumps({"id": 1, "text": f"NIK {NIK}"}) + "\n"
    env = {"PATH": "/usr/bin:/bin", "GERBANG_TEST_HASH_KEY": "ab" * 32}
    result = gerbang(
        "mask", "--operator", "*=hash", "--hash-key-env", "GERBANG_TEST_HASH_KEY",
        stdin=stdin, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout)[0]["text"].startswith("NIK <ID_NIK:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("mask", "--operator", "*=shred"), "unknown operator 'shred'"),
        (("mask", "--operator", "NOPE=redact"), "--operator 'NOPE=redact'"),
        (("mask", "--operator", "*=hash"), "needs a hash key"),
        (("mask", "--hash-key-env", "GERBANG_SURELY_UNSET"), "GERBANG_SURELY_UNSET is not set"),
        (("scan", "/nonexistent/corpus.jsonl"), "/nonexistent/corpus.jsonl: cannot read"),
    ],
)
def test_when_usage_is_wrong_then_one_clear_line_and_exit_2(
    args: tuple[str, ...], message: str
) -> None:
    result = gerbang(*args, stdin="")
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
