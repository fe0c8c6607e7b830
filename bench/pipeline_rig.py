"""The processes of `python -m bench pipeline`: upstream, issuer, OPA and the gateways under test.

Every gateway is `python -m gateway serve` with one worker and a generated config, in its own
process group on a free loopback port:

  passthrough    public route, request bodies not scanned, an allow-all policy that neither
                 restores nor scans responses: the proxy alone (as in `python -m bench proxy`)
  full-embedded  every stage: JWT from a local issuer, body read and scanned, the default policy
                 bundle in the embedded engine, masking, response scan and restore, audit log
  full-opa       the same with `engine = "opa"`: an OPA server started with the same bundle

The issuer is `gateway.demo.identity.DemoIdentity` (discovery and JWKS over HTTP) served from a
thread of the harness; its tokens are for the demo citizen (role `warga`, which
policies/bundle/data.json allows on service `lara` and lets get its values back).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audit.auditor_keys import generate as generate_auditor_key
from bench.procs import LOOPBACK, REPO_ROOT, Service, free_port, http_get
from bench.proxy import PROXY_ONLY_POLICY
from gateway.demo.identity import AUDIENCE, CITIZEN, DemoIdentity
from keys.kek import create_kek_file
from keys.keyring import Keyring
from policies import DEFAULT_BUNDLE

TARGETS: dict[str, str] = {
    "passthrough": "public route, body not scanned, allow-all policy, no response rewriting, "
    "no audit: the proxy alone",
    "full-embedded": "JWT auth, body scan, default bundle in the embedded engine, masking, "
    "response scan + restore, audit log",
    "full-opa": "the same with engine = opa (OPA server on loopback, default bundle)",
    "full-noaudit": "opt-in: full-embedded without [audit] (what the audit log costs)",
    "full-uncached": "opt-in: full-embedded with the per-caller caches off (accepted tokens, "
    "findings of resent texts): what they save",
}
DEFAULT_TARGETS = ("passthrough", "full-embedded", "full-opa")
BASELINE = "passthrough"
READY_TIMEOUT = 60.0
ROUTE_PREFIX = "/v1"
CHAT_PATH = "/v1/chat/completions"


@dataclass
class Gateway:
    """One gateway under test and what belongs to it."""

    name: str
    service: Service
    admin_port: int
    token: str | None  # bearer token its callers send; None on the public passthrough route
    audit_dir: Path | None = None
    auditor_key: Path | None = None
    helpers: list[Service] = field(default_factory=list)  # processes it needs (OPA)

    @property
    def port(self) -> int:
        """The gateway's public port."""
        return self.service.port

    @property
    def url(self) -> str:
        """The chat-completions URL through this gateway."""
        return f"http://{LOOPBACK}:{self.port}{CHAT_PATH}"

    @property
    def pgids(self) -> list[int]:
        """Process groups whose CPU counts as this target's (the gateway, and OPA)."""
        return [self.service.pgid, *(h.pgid for h in self.helpers)]

    def stop(self) -> None:
        """Stop the gateway, then its helpers."""
        self.service.stop()
        for helper in self.helpers:
            helper.stop()


class IssuerThread:
    """The demo identity provider on its own event loop in a daemon thread."""

    def __init__(self) -> None:
        self.identity = DemoIdentity()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.issuer = ""

    def start(self) -> str:
        """Serve discovery and JWKS on a free loopback port; the issuer URL."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.identity.start(LOOPBACK), self._loop)
        self.issuer = future.result(timeout=10)
        return self.issuer

    def token(self) -> str:
        """An access token for the demo citizen (role warga)."""
        return self.identity.token(CITIZEN)

    def stop(self) -> None:
        """Stop serving and end the thread; idempotent."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.identity.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def wait_http(service: Service, port: int, path: str, timeout: float = READY_TIMEOUT) -> None:
    """Poll GET path on port until 200; RuntimeError with the log tail if not or if it exits."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if (code := service.exit_code()) is not None:
            raise RuntimeError(f"{service.name} exited with status {code}:\n{service.log_tail()}")
        try:
            status, _ = http_get(port, path, timeout=1.0)
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status == 200:
                return
            last = f"HTTP {status}"
        time.sleep(0.1)
    raise RuntimeError(f"{service.name} not ready after {timeout:.0f} s ({last})")


def start_upstream(tmp: Path, piece: int) -> Service:
    """The fast echoing assistant (bench/chat_upstream.py), started and ready."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.chat_upstream", "--port", str(port)]
    service = Service("upstream", [*argv, "--piece", str(piece)], tmp / "upstream.log", port=port)
    service.start()
    wait_http(service, port, "/healthz")
    return service


def opa_binary() -> tuple[str | None, str]:
    """The OPA binary from scripts/install-opa and its version, or None and why not."""
    try:
        out = subprocess.run(
            [str(REPO_ROOT / "scripts" / "install-opa")],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"scripts/install-opa could not run: {exc}"
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        problem = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"scripts/install-opa failed: {problem}"
    binary = lines[-1]
    version = subprocess.run(
        [binary, "version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.splitlines()
    return binary, version[0] if version else "opa (unknown version)"


def start_opa(binary: str, tmp: Path) -> Service:
    """`opa run --server` with the default bundle on a free loopback port, started and ready."""
    port = free_port()
    argv = [
        binary, "run", "--server", "--addr", f"{LOOPBACK}:{port}", "--log-level", "error",
        "--disable-telemetry", "--bundle", str(DEFAULT_BUNDLE),
    ]  # fmt: skip
    service = Service("opa", argv, tmp / "opa.log", port=port)
    service.start()
    wait_http(service, port, "/health")
    return service


def _common_toml(port: int, admin_port: int) -> str:
    return (
        "[server]\n"
        f'host = "{LOOPBACK}"\n'
        f"port = {port}\n"
        "workers = 1\n"
        "shutdown_timeout = 5.0\n"
        "[admin]\n"
        f'host = "{LOOPBACK}"\n'
        f"port = {admin_port}\n"
        "[logging]\n"
        'level = "info"\n'
        'format = "json"\n'
    )


def _route_toml(upstream_port: int, *, full: bool, stream_step: int | None = None) -> str:
    route = (
        "[[routes]]\n"
        'name = "lara"\n'
        f'path_prefix = "{ROUTE_PREFIX}"\n'
        f'upstream = "http://{LOOPBACK}:{upstream_port}"\n'
        'purpose = "layanan_informasi"\n'
        'tags = { service = "lara", external = false }\n'
    )
    if not full:
        route += "public = true\npii = { scan_request = false }\n"
    elif stream_step is not None:
        route += f"pii = {{ stream_step = {stream_step} }}\n"
    return route


def passthrough_config(tmp: Path, port: int, admin_port: int, upstream_port: int) -> Path:
    """The proxy alone: public route, body streamed unread, allow-all policy, no audit."""
    policy = tmp / "passthrough-policy"
    policy.mkdir(exist_ok=True)
    (policy / "gerbang.rego").write_text(PROXY_ONLY_POLICY, encoding="utf-8")
    path = tmp / "passthrough.toml"
    path.write_text(
        _common_toml(port, admin_port)
        + f'[policy]\ndir = "{policy}"\n'
        + _route_toml(upstream_port, full=False),
        encoding="utf-8",
    )
    return path


def full_config(
    tmp: Path,
    name: str,
    ports: tuple[int, int, int],
    issuer: str,
    *,
    opa_url: str | None,
    policy_cache: bool,
    audit: bool = True,
    commit_interval: float | None = None,
    caller_caches: bool = True,
    stream_step: int | None = None,
) -> tuple[Path, Path | None, Path]:
    """Every stage on: auth, keys, audit, the default bundle; the config, audit dir, auditor key.

    `ports` are the gateway's, its admin listener's and the upstream's. With `policy_cache`
    False every exchange is decided by the engine (the cache would answer repeated inputs).
    `audit` False leaves the audit log out (audit dir None); `commit_interval` overrides the
    audit writer's default. `caller_caches` False turns off what the gateway remembers per
    caller: accepted tokens (`jwt_cache_seconds`) and the findings of resent texts.
    `stream_step` sets the route's `[routes.pii] stream_step` (None: the default).
    """
    port, admin_port, upstream_port = ports
    home = tmp / name
    home.mkdir(mode=0o700)
    keys_dir, kek = home / "keys", home / "kek"
    Keyring.create(keys_dir, create_kek_file(kek))
    auditor_key = home / "auditor.key"
    auditor_public = generate_auditor_key(auditor_key)
    audit_dir = home / "audit"
    audit_toml = f'[audit]\ndir = "{audit_dir}"\nauditor_public_keys = ["{auditor_public}"]\n'
    if commit_interval is not None:
        audit_toml += f"commit_interval = {commit_interval}\n"
    policy = f'[policy]\nengine = "{"opa" if opa_url else "embedded"}"\n'
    policy += f'dir = "{DEFAULT_BUNDLE}"\n'
    if not policy_cache:
        policy += "[policy.cache]\nmax_entries = 0\n"
    if opa_url:
        policy += f'[policy.opa]\nurl = "{opa_url}"\n'
    path = tmp / f"{name}.toml"
    path.write_text(
        _common_toml(port, admin_port)
        + "[auth]\n"
        + ("" if caller_caches else "jwt_cache_seconds = 0.0\n")
        + "[[auth.issuers]]\n"
        + f'issuer = "{issuer}"\ndiscovery = true\naudiences = ["{AUDIENCE}"]\n'
        + f'[keys]\ndir = "{keys_dir}"\nkek = {{ file = "{kek}" }}\n'
        + (audit_toml if audit else "")
        + ("" if caller_caches else "[detection]\ncache_entries = 0\n")
        + policy
        + _route_toml(upstream_port, full=True, stream_step=stream_step),
        encoding="utf-8",
    )
    return path, audit_dir if audit else None, auditor_key


def gateway_service(name: str, config: Path, tmp: Path, port: int) -> Service:
    """`python -m gateway serve --config FILE --workers 1` (not started)."""
    argv = [sys.executable, "-m", "gateway", "serve", "--config", str(config), "--workers", "1"]
    return Service(name, argv, tmp / f"{name}.log", port=port)


@contextlib.contextmanager
def started(gateways: list[Gateway]) -> Iterator[list[Gateway]]:
    """Start every gateway, wait until each is ready; stop all of them on the way out."""
    try:
        for gateway in gateways:
            gateway.service.start()
        for gateway in gateways:
            wait_http(gateway.service, gateway.admin_port, "/readyz")
        yield gateways
    finally:
        for gateway in gateways:
            gateway.stop()


def audit_summary(gateway: Gateway, seeded: tuple[str, ...]) -> dict[str, object]:
    """After the gateway stopped: verify its audit log, count records, look for seeded values."""
    if gateway.audit_dir is None or gateway.auditor_key is None:
        return {}
    gerbang = [sys.executable, "-m", "gateway"]
    verify = subprocess.run(
        [*gerbang, "audit", "verify", str(gateway.audit_dir), "--json"],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO_ROOT,
    )  # fmt: skip
    report: dict[str, object] = {"verify_exit": verify.returncode}
    with contextlib.suppress(ValueError):
        report["verify"] = json.loads(verify.stdout)
    export = subprocess.run(
        [*gerbang, "audit", "export", str(gateway.audit_dir), "--key", str(gateway.auditor_key)],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO_ROOT,
    )  # fmt: skip
    lines = export.stdout.splitlines()
    statuses: dict[str, int] = {}
    for line in lines:
        with contextlib.suppress(ValueError, AttributeError):
            status = str(json.loads(line).get("status"))
            statuses[status] = statuses.get(status, 0) + 1
    report.update(
        export_exit=export.returncode,
        records=len(lines),
        statuses=statuses,
        seeded_values_found=sum(value in export.stdout for value in seeded),
    )
    return report
