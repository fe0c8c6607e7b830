"""scripts/install-opa: prints the cached binary at once, and says why when it cannot build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.policies.opa import INSTALL


def test_when_cached_then_prints_the_binary_path(opa_binary: str) -> None:
    done = subprocess.run([str(INSTALL)], capture_output=True, text=True, timeout=30, check=True)
    assert done.stdout.strip() == opa_binary
    assert Path(opa_binary).name == "opa"
    assert Path(opa_binary).parent.name == "opa-v1.22.3"


def test_when_go_is_missing_then_fails_saying_so(tmp_path: Path) -> None:
    path = "/usr/bin:/bin"
    if shutil.which("go", path=path):
        pytest.skip("go is installed in /usr/bin: cannot hide it")
    env = {**os.environ, "PATH": path, "GERBANG_TOOLS": str(tmp_path)}
    done = subprocess.run(
        [str(INSTALL)], capture_output=True, text=True, timeout=30, env=env, check=False
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "install-opa: ERROR: go not found" in done.stderr
