"""docker/opa/config.yaml with the bundle service of docker/nginx/bundles.conf: a real OPA pulls
the signed bundle from a real nginx, refuses one signed with another key, polls with ETags, and
the compose healthcheck command tells the two states apart.

The OPA command line is the one compose.yaml gives the `opa` service, with container paths mapped
here, the listen address on loopback and the bundle service's URL pointing at the local nginx.
For the refused-then-fixed case the polling interval is shortened to one second (only timing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.docker.stack import (
    DOCKER,
    ContainerPaths,
    free_port,
    running,
    services,
    skip_loudly,
    wait_for_http,
)

REPO = DOCKER.parent
ACTIVATION_DEADLINE_S = 15.0


@pytest.fixture(scope="module")
def opa_binary() -> str:
    done = subprocess.run(
        [str(REPO / "scripts" / "install-opa")], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        skip_loudly(f"scripts/install-opa failed: {done.stderr.strip()[-300:]}")
    return done.stdout.strip().splitlines()[-1]


def _bundle_server(tmp: Path, served: Path) -> tuple[list[str], int, Path]:
    nginx = shutil.which("nginx")
    if nginx is None:
        skip_loudly("nginx not found (apt-get install nginx-light)")
    paths = ContainerPaths.of_service("bundles", tmp / "bundles", generated=tmp / "none")
    paths.mapping["/usr/share/gerbang/bundles"] = served
    port, health = free_port(), free_port()
    text = paths.rewrite((DOCKER / "nginx" / "bundles.conf").read_text("utf-8"))
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    text = text.replace("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{health};")
    config = tmp / "bundles" / "nginx.conf"
    config.write_text(text, "utf-8")
    # Our own access log: the one in the config goes to /dev/stdout, captured in the log file.
    # In the container nginx runs as its own user; run as root here, its workers would switch to
    # `nobody`, who cannot read pytest's owner-only temporary directories.
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    return [nginx, "-p", str(tmp / "bundles"), "-c", str(config), "-g", directives], port, config


def _opa_command(opa: str, tmp: Path, generated: Path, bundle_port: int) -> tuple[list[str], int]:
    service = services()["opa"]
    paths = ContainerPaths.of_service("opa", tmp / "opa", generated=generated)
    port = free_port()
    argv = [opa]
    for argument in service["command"]:
        if argument.startswith("--addr="):
            argument = f"--addr=127.0.0.1:{port}"
        argv.append(paths.rewrite(argument))
    argv.append(f"--set=services.bundle-service.url=http://127.0.0.1:{bundle_port}")
    return argv, port


def _healthcheck(opa: str, port: int) -> bool:
    """The compose healthcheck of the `opa` service, run against the local OPA."""
    test = services()["opa"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "/opa"]
    argv = [opa] + [
        argument.replace("127.0.0.1:8181", f"127.0.0.1:{port}") for argument in test[2:]
    ]
    return subprocess.run(argv, capture_output=True, timeout=10).returncode == 0


def _wait(condition, deadline_s: float) -> bool:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _decide(port: int) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/data/gerbang/decision",
        data=json.dumps({"input": {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)


def test_when_opa_starts_with_the_stack_config_then_it_activates_the_signed_bundle(
    prepared, opa_binary, tmp_path
):
    nginx_argv, bundle_port, _ = _bundle_server(tmp_path, prepared.generated / "bundles")
    opa_argv, opa_port = _opa_command(opa_binary, tmp_path, prepared.generated, bundle_port)
    with running(nginx_argv, log=tmp_path / "nginx.log"):
        assert wait_for_http(f"http://127.0.0.1:{bundle_port}/bundles/gerbang.tar.gz", 5)
        # OPA finishes its polling sleep before it exits on SIGTERM; its shutdown is not tested.
        with running(opa_argv, log=tmp_path / "opa.log", stop_timeout=1.0):
            assert _wait(lambda: _healthcheck(opa_binary, opa_port), ACTIVATION_DEADLINE_S), (
                tmp_path / "opa.log"
            ).read_text()[-2000:]
            decision = _decide(opa_port)["result"]
    # Deny by default: an empty input is refused, by the bundle's own rules.
    assert decision["allow"] is False
    assert re.search(r"GET 200 \d+", (tmp_path / "nginx.log").read_text())


def test_when_the_bundle_is_signed_with_another_key_then_opa_refuses_it_until_the_right_one(
    prepared, opa_binary, tmp_path
):
    served = tmp_path / "served"
    served.mkdir()
    wrong_key = tmp_path / "wrong.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
         "-out", str(wrong_key)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    subprocess.run(
        [opa_binary, "build", "--bundle", ".", "--ignore", "*_test.rego", "--signing-key",
         str(wrong_key), "--signing-alg", "RS256", "--output", str(served / "gerbang.tar.gz")],
        cwd=REPO / "policies" / "bundle", check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    nginx_argv, bundle_port, _ = _bundle_server(tmp_path, served)
    opa_argv, opa_port = _opa_command(opa_binary, tmp_path, prepared.generated, bundle_port)
    opa_argv += [
        "--set=bundles.gerbang.polling.min_delay_seconds=1",
        "--set=bundles.gerbang.polling.max_delay_seconds=1",
    ]
    opa_log = tmp_path / "opa.log"
    with (
        running(nginx_argv, log=tmp_path / "nginx.log"),
        running(opa_argv, log=opa_log, stop_timeout=1.0),
    ):
        assert _wait(lambda: "verification" in opa_log.read_text().lower(), 10), opa_log.read_text()
        assert not _healthcheck(opa_binary, opa_port)

        staging = served / ".gerbang.tar.gz.tmp"
        shutil.copyfile(prepared.generated / "bundles" / "gerbang.tar.gz", staging)
        staging.replace(served / "gerbang.tar.gz")
        assert _wait(lambda: _healthcheck(opa_binary, opa_port), ACTIVATION_DEADLINE_S)

        # Unchanged bundle: each poll is answered 304 Not Modified (OPA sent the ETag).
        log = tmp_path / "nginx.log"
        assert _wait(lambda: re.search(r'GET 304 0 "(?!-")\S+"', log.read_text()), 5), (
            log.read_text()
        )
