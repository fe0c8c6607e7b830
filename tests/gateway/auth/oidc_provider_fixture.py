"""A real OpenID Connect provider (the `oidc-provider` npm package) on 127.0.0.1 for a test session.

`scripts/install-oidc-provider` installs it from the pinned lock file (cached, offline after the
first run); `tests/gateway/auth/oidc_provider/server.mjs` runs it with signing keys made at start.
When Node.js or the package cannot be had, the tests using the fixture are skipped with the reason
in the skip message and a warning, never silently.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SERVER_DIR = Path(__file__).resolve().parent / "oidc_provider"
INSTALL = REPO / "scripts" / "install-oidc-provider"
INSTALL_DEADLINE_S = 300.0
START_DEADLINE_S = 20.0
STOP_DEADLINE_S = 5.0

CLIENT_ID = "gerbang-e2e-client"
INTROSPECTOR_ID = "gerbang-e2e-introspector"
AUDIENCE = "urn:gerbang:test"
OTHER_AUDIENCE = "urn:other:service"
OPAQUE_AUDIENCE = "urn:gerbang:opaque"
SCOPES = ("gerbang:read", "gerbang:write")
ROLES = ("verifier", "auditor")
AGENCY = "dukcapil"
TOKEN_TTL = 300


@dataclass(frozen=True)
class OidcProvider:
    """What a test needs to know about the running provider (secrets are synthetic)."""

    issuer: str
    token_endpoint: str
    introspection_endpoint: str
    jwks_uri: str
    client_id: str
    client_secret: str
    introspector_id: str
    introspector_secret: str
    audience: str
    other_audience: str
    opaque_audience: str
    scopes: tuple[str, ...]
    roles: tuple[str, ...]
    agency: str
    token_ttl: int


def _skip(reason: str) -> None:
    message = f"OIDC END-TO-END TEST NOT RUN: {reason}"
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


def _install() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        _skip("node/npm not found; install Node.js >= 20 with npm (apt-get install nodejs npm)")
    try:
        done = subprocess.run(
            [str(INSTALL)],
            capture_output=True,
            text=True,
            timeout=INSTALL_DEADLINE_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _skip(f"{INSTALL.name} did not finish in {INSTALL_DEADLINE_S:.0f} s")
    if done.returncode != 0:
        _skip(f"{INSTALL.name} failed: {(done.stderr or done.stdout).strip()[-800:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_DEADLINE_S)
    if process.stdin is not None:
        process.stdin.close()


def _wait_ready(process: subprocess.Popen[bytes], stdout: Path, stderr: Path) -> str:
    """The issuer from the READY line; fails with the server's output if it never comes."""
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        for line in stdout.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("READY "):
                issuer = json.loads(line.removeprefix("READY "))["issuer"]
                assert isinstance(issuer, str)
                return issuer
        if process.poll() is not None:
            break
        time.sleep(0.02)
    output = stdout.read_text(errors="replace") + stderr.read_text(errors="replace")
    raise AssertionError(f"the OIDC provider did not become ready:\n{output}")


def _discovery(issuer: str) -> dict[str, object]:
    url = issuer + "/.well-known/openid-configuration"
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=5) as resp:
        document = json.load(resp)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """A running oidc-provider on a free loopback port, stopped at the end of the session."""
    _install()
    client_secret = secrets.token_urlsafe(32)
    introspector_secret = secrets.token_urlsafe(32)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "NODE_ENV": "test",
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_INTROSPECTOR_ID": INTROSPECTOR_ID,
        "OIDC_INTROSPECTOR_SECRET": introspector_secret,
        "OIDC_RESOURCES": f"{AUDIENCE} {OTHER_AUDIENCE}",
        "OIDC_OPAQUE_RESOURCES": OPAQUE_AUDIENCE,
        "OIDC_SCOPES": " ".join(SCOPES),
        "OIDC_CLIENT_ROLES": " ".join(ROLES),
        "OIDC_CLIENT_AGENCY": AGENCY,
        "OIDC_TOKEN_TTL": str(TOKEN_TTL),
        "OIDC_EXIT_ON_STDIN_EOF": "1",  # a killed test run closes the pipe: the server exits
    }
    logs = tmp_path_factory.mktemp("oidc-provider")
    stdout, stderr = logs / "stdout", logs / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            ["node", "server.mjs", "0"],
            cwd=SERVER_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        issuer = _wait_ready(process, stdout, stderr)
        document = _discovery(issuer)
        yield OidcProvider(
            issuer=issuer,
            token_endpoint=str(document["token_endpoint"]),
            introspection_endpoint=str(document["introspection_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            client_id=CLIENT_ID,
            client_secret=client_secret,
            introspector_id=INTROSPECTOR_ID,
            introspector_secret=introspector_secret,
            audience=AUDIENCE,
            other_audience=OTHER_AUDIENCE,
            opaque_audience=OPAQUE_AUDIENCE,
            scopes=SCOPES,
            roles=ROLES,
            agency=AGENCY,
            token_ttl=TOKEN_TTL,
        )
    finally:
        _stop(process)
