"""The configuration file as an operator meets it: the example, defaults, refusals, secrets.

Every refusal must name the file and the key path, so an operator can fix the file without reading
code. All values here are synthetic; no secret below protects anything.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography.hazmat.primitives import serialization
from pydantic import BaseModel, ValidationError

from gateway.audit_config import AuditConfig
from gateway.auth.config import AuthConfig, IssuerConfig
from gateway.config import (
    AdminConfig,
    ConversationsConfig,
    DetectionConfig,
    GatewayConfig,
    KeysConfig,
    LoggingConfig,
    RouteConfig,
    RoutePiiConfig,
    ServerConfig,
    ServerTls,
    UpstreamPoolConfig,
    load_config,
)
from gateway.errors import ConfigError
from gateway.policy_config import OpaConfig, PolicyCacheConfig, PolicyConfig
from gateway.ratelimit.config import RateLimitsConfig
from gateway.server import preflight

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "gerbang.example.toml"
REFERENCE = REPO / "docs" / "configuration.md"

ROUTE = """
[[routes]]
name = "lara-chat"
path_prefix = "/v1"
upstream = "http://127.0.0.1:8000"
public = true
"""

SECOND_ROUTE = """
[[routes]]
name = "ocr-dokumen"
path_prefix = "/ocr"
upstream = "https://ocr.penyedia.example/api"
public = true
"""

TLS_FILES = """
[server.tls]
cert_file = "tls/gerbang.crt"
key_file = "tls/gerbang.key"
"""

INLINE_SECRET = "rahasia-sintetis-7731"  # a fake passphrase that must never be echoed


def _write(directory: Path, text: str, name: str = "gerbang.toml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "config", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def _tls_files(directory: Path, *, password: bytes | None = None) -> tuple[Path, Path]:
    """A real certificate and key under directory/tls, the key encrypted when password is given."""
    cert = trustme.CA().issue_cert("gerbang.layanan.go.id")
    tls = directory / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    cert.cert_chain_pems[0].write_to_path(str(tls / "gerbang.crt"))
    key_pem = cert.private_key_pem.bytes()
    if password is not None:
        key = serialization.load_pem_private_key(key_pem, password=None)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password),
        )
    (tls / "gerbang.key").write_bytes(key_pem)
    return tls / "gerbang.crt", tls / "gerbang.key"


def _junk_pem(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "-----BEGIN CERTIFICATE-----\nYnVrYW4gc2VydGlmaWthdA==\n-----END CERTIFICATE-----\n"
    )
    return path


# --- The example file ----------------------------------------------------------------------------


def test_when_example_file_is_loaded_then_it_validates_with_both_routes():
    config = load_config(EXAMPLE)

    lara, ocr = config.routes
    assert (lara.name, lara.upstream, lara.host) == ("lara-chat", "http://127.0.0.1:8000", None)
    assert lara.tags == {"purpose": "layanan-informasi", "external": False}
    assert (ocr.name, ocr.host, ocr.strip_prefix) == ("ocr-dokumen", "ocr.layanan.go.id", True)
    assert ocr.upstream_url.scheme == "https"
    assert ocr.tags["external"] is True
    preflight(config)


def test_when_config_check_runs_on_example_then_exit_0_and_ok_line():
    result = _check(EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{EXAMPLE}: OK (2 routes)"
    assert result.stderr == ""


def _documented_keys() -> list[str]:
    sections: list[tuple[str, type[BaseModel]]] = [
        ("", GatewayConfig),
        ("server", ServerConfig),
        ("server.tls", ServerTls),
        ("admin", AdminConfig),
        ("logging", LoggingConfig),
        ("upstream_pool", UpstreamPoolConfig),
        ("routes", RouteConfig),
        ("routes.pii", RoutePiiConfig),
        ("auth", AuthConfig),
        ("auth.issuers", IssuerConfig),
        ("keys", KeysConfig),
        ("audit", AuditConfig),
        ("policy", PolicyConfig),
        ("policy.opa", OpaConfig),
        ("policy.cache", PolicyCacheConfig),
        ("conversations", ConversationsConfig),
        ("detection", DetectionConfig),
        ("rate_limits", RateLimitsConfig),
    ]
    keys = []
    for section, model in sections:
        for field in model.model_fields:
            if section == "" and field not in ("routes",):
                continue  # top-level sections are tables with their own headings
            keys.append(f"{section}.{field}" if section else field)
    return keys


@pytest.mark.parametrize("key", _documented_keys(), ids=str)
def test_when_a_key_exists_then_example_and_reference_document_it(key: str):
    section, _, name = key.rpartition(".")
    example = EXAMPLE.read_text(encoding="utf-8")
    reference = REFERENCE.read_text(encoding="utf-8")

    if name == "routes":
        assert "[[routes]]" in example
        assert "## `[[routes]]`" in reference
        return
    if name in ("tls", "tags", "pii", "issuers", "introspection", "api_keys", "rate_limit",
                "opa", "cache"):  # fmt: skip
        table = re.escape(key)
        assert re.search(rf"^(# )?\[\[?{table}\]\]?$", example, re.MULTILINE), f"{key} table"
    else:
        assert re.search(rf"^(# )?{name} = ", example, re.MULTILINE), f"{key} not in the example"
    assert f"| `{name}` |" in reference, f"{key} not in docs/configuration.md"
    if section:
        assert f"`[{section}]`" in reference or f"`[[{section}]]`" in reference


# --- Defaults ------------------------------------------------------------------------------------


DEFAULTS = [
    ("server.host", "127.0.0.1"),
    ("server.port", 8080),
    ("server.workers", 1),
    ("server.shutdown_timeout", 30.0),
    ("server.access_log", True),
    ("server.tls", None),
    ("admin.enabled", True),
    ("admin.host", "127.0.0.1"),
    ("admin.port", 9090),
    ("logging.level", "info"),
    ("logging.format", "json"),
    ("upstream_pool.max_connections", 512),
    ("upstream_pool.max_connections_per_host", 0),
    ("upstream_pool.keepalive_timeout", 30.0),
    ("route.host", None),
    ("route.strip_prefix", False),
    ("route.connect_timeout", 5.0),
    ("route.total_timeout", 300.0),
    ("route.max_body_bytes", 10 * 1024 * 1024),
    ("route.ca_file", None),
    ("route.tags", {}),
]


@pytest.mark.parametrize(
    ("attribute", "expected"), DEFAULTS, ids=[attribute for attribute, _ in DEFAULTS]
)
def test_when_key_is_left_out_then_default_applies(tmp_path: Path, attribute: str, expected: Any):
    config = load_config(_write(tmp_path, ROUTE))

    section, name = attribute.split(".")
    owner = config.routes[0] if section == "route" else getattr(config, section)
    assert getattr(owner, name) == expected


def test_when_seconds_are_written_as_integer_then_they_are_accepted_as_float(tmp_path: Path):
    config = load_config(_write(tmp_path, ROUTE + "connect_timeout = 2\ntotal_timeout = 60\n"))

    assert config.routes[0].connect_timeout == 2.0
    assert config.routes[0].total_timeout == 60.0


# --- Refusals: every line names the file and the key path ------------------------------------

R0 = "routes[0] (name 'lara-chat')"


def _route(**keys: str) -> str:
    """ROUTE with keys replaced or added; values are TOML source text."""
    fields = {
        "name": '"lara-chat"',
        "path_prefix": '"/v1"',
        "upstream": '"http://127.0.0.1:8000"',
        "public": "true",
    }
    fields.update(keys)
    return "[[routes]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())


REFUSALS = [
    # (id, file text, key path, message fragment)
    ("unknown-top-level-key", 'colour = "merah"\n' + ROUTE, "colour", "Extra inputs"),
    ("unknown-key-in-section", '[server]\nlisten = "0.0.0.0"\n' + ROUTE, "server.listen", "Extra"),
    ("unknown-key-in-tls", TLS_FILES + 'password = "x"\n' + ROUTE, "server.tls.password", "Extra"),
    ("unknown-key-in-route", _route(timeout="60"), f"{R0}.timeout", "Extra inputs"),
    ("string-port", '[server]\nport = "8080"\n' + ROUTE, "server.port", "valid integer"),
    ("port-out-of-range", "[admin]\nport = 70000\n" + ROUTE, "admin.port", "less than or equal"),
    ("string-bool", '[server]\naccess_log = "true"\n' + ROUTE, "server.access_log", "boolean"),
    ("string-bool-in-route", _route(strip_prefix='"yes"'), f"{R0}.strip_prefix", "boolean"),
    ("list-where-table", "server = [8080]\n" + ROUTE, "server", "valid dictionary"),
    ("table-where-routes-array", "[routes]\nname = 'x'\n", "routes", "write [[routes]]"),
    ("string-max-body", _route(max_body_bytes='"10MB"'), f"{R0}.max_body_bytes", "integer"),
    ("log-level-unknown", '[logging]\nlevel = "verbose"\n' + ROUTE, "logging.level", "'debug'"),
    ("tag-value-array", _route(tags="{ owners = ['a'] }"), f"{R0}.tags.owners", "tag value"),
    ("url-ftp-scheme", _route(upstream='"ftp://ocr.example/api"'), f"{R0}.upstream", "http://"),
    ("url-no-host", _route(upstream='"http:///v1"'), f"{R0}.upstream", "with a host"),
    ("url-query", _route(upstream='"http://127.0.0.1:8000/?k=1"'), f"{R0}.upstream", "query"),
    ("url-fragment", _route(upstream='"http://127.0.0.1:8000/#x"'), f"{R0}.upstream", "fragment"),
    ("url-credentials", _route(upstream='"http://u:p@127.0.0.1:8000"'), f"{R0}.upstream", "cred"),
    ("url-not-a-url", _route(upstream='"layanan lara"'), f"{R0}.upstream", "absolute http://"),
    ("url-no-scheme", _route(upstream='"127.0.0.1:8000"'), f"{R0}.upstream", "absolute http://"),
    ("url-broken", _route(upstream='"http://[::1"'), f"{R0}.upstream", "not a URL"),
    ("duplicate-route-name", ROUTE + _route(path_prefix='"/v2"'), "routes", "duplicate route"),
    (
        "same-match-twice",
        ROUTE + _route(name='"lara-dua"', path_prefix='"/v1/"'),
        "routes",
        "routes 'lara-chat' and 'lara-dua' have the same match",
    ),
    ("name-upper-case", _route(name='"Lara"'), "routes[0] (name 'Lara').name", "lower-case"),
    ("name-with-space", _route(name='"lara chat"'), "routes[0] (name 'lara chat').name", "lower"),
    ("name-empty", _route(name='""'), "routes[0] (name '').name", "lower-case"),
    ("prefix-no-leading-slash", _route(path_prefix='"v1"'), f"{R0}.path_prefix", "start with"),
    ("prefix-dot-segment", _route(path_prefix='"/v1/../x"'), f"{R0}.path_prefix", "'..' segm"),
    ("prefix-single-dot", _route(path_prefix='"/./v1"'), f"{R0}.path_prefix", "'..' segments"),
    ("prefix-question-mark", _route(path_prefix='"/v1?x"'), f"{R0}.path_prefix", "'?'"),
    ("prefix-double-slash", _route(path_prefix='"//v1"'), f"{R0}.path_prefix", "'//'"),
    ("host-with-scheme", _route(host='"https://lara.go.id"'), f"{R0}.host", "without scheme"),
    ("host-with-port", _route(host='"lara.go.id:443"'), f"{R0}.host", "without scheme, port"),
    (
        "connect-exceeds-total",
        _route(connect_timeout="30.0", total_timeout="10.0"),
        R0,
        "connect_timeout must not exceed total_timeout",
    ),
    ("negative-timeout", _route(connect_timeout="-1.0"), f"{R0}.connect_timeout", "greater than 0"),
    ("zero-timeout", _route(total_timeout="0"), f"{R0}.total_timeout", "greater than 0"),
    ("timeout-over-a-day", _route(total_timeout="86401"), f"{R0}.total_timeout", "less than"),
    (
        "zero-shutdown",
        "[server]\nshutdown_timeout = 0\n" + ROUTE,
        "server.shutdown_timeout",
        "than 0",
    ),
    (
        "zero-keepalive",
        "[upstream_pool]\nkeepalive_timeout = 0.0\n" + ROUTE,
        "upstream_pool.keepalive_timeout",
        "greater than 0",
    ),
    ("negative-max-body", _route(max_body_bytes="-1"), f"{R0}.max_body_bytes", "greater than"),
    ("workers-zero", "[server]\nworkers = 0\n" + ROUTE, "server.workers", "greater than or equal"),
    ("workers-over-64", "[server]\nworkers = 65\n" + ROUTE, "server.workers", "less than"),
    (
        "pool-zero",
        "[upstream_pool]\nmax_connections = 0\n" + ROUTE,
        "upstream_pool.max_connections",
        "greater than or equal to 1",
    ),
    ("routes-missing", "[server]\nport = 8080\n", "routes", "Field required"),
    ("routes-empty", "routes = []\n", "routes", "at least one [[routes]] table is required"),
    (
        "route-upstream-missing",
        '[[routes]]\nname = "x"\npath_prefix = "/"\n',
        "routes[0] (name 'x').upstream",
        "Field required",
    ),
    (
        "tls-without-key-file",
        '[server.tls]\ncert_file = "a.crt"\n' + ROUTE,
        "server.tls.key_file",
        "Field required",
    ),
    ("cert-file-missing", TLS_FILES + ROUTE, "server.tls.cert_file", "file not found"),
    ("key-file-missing", TLS_FILES + ROUTE, "server.tls.key_file", "file not found"),
    ("ca-file-missing", _route(ca_file='"tls/ca.pem"'), f"{R0}.ca_file", "file not found"),
    (
        "secret-both-env-and-file",
        TLS_FILES + 'key_password = { env = "A", file = "b" }\n' + ROUTE,
        "server.tls.key_password",
        "exactly one",
    ),
    (
        "secret-empty-table",
        TLS_FILES + "key_password = {}\n" + ROUTE,
        "server.tls.key_password",
        "exactly one",
    ),
    (
        "secret-unknown-key",
        TLS_FILES + 'key_password = { value = "x" }\n' + ROUTE,
        "server.tls.key_password.value",
        "Extra inputs",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "fragment"), [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS]
)
def test_when_value_is_wrong_then_refusal_names_file_and_key(
    tmp_path: Path, text: str, key: str, fragment: str
):
    path = _write(tmp_path, text)

    message = _refusal(path)

    lines = message.splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines), message
    assert any(line.startswith(f"{path}: {key}") and fragment in line for line in lines), message


def test_when_file_has_several_mistakes_then_each_is_one_line(tmp_path: Path):
    path = _write(tmp_path, '[server]\nport = "1"\nworkers = 0\n' + _route(upstream='"ftp://x"'))

    lines = _refusal(path).splitlines()

    assert [line.split(": ")[1] for line in lines] == [
        "server.port",
        "server.workers",
        f"{R0}.upstream",
    ]


def test_when_relative_file_is_missing_then_refusal_shows_path_resolved_against_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path / "etc" / "gerbang", _route(ca_file='"tls/ca.pem"'))

    message = _refusal(path)

    assert f"file not found: {tmp_path / 'etc' / 'gerbang' / 'tls' / 'ca.pem'}" in message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(None, "cannot read: No such file or directory", id="missing-file"),
        pytest.param(
            ROUTE + "upstream = http://127.0.0.1:8000\n", "line 7", id="toml-syntax-unquoted"
        ),
        pytest.param("[server\nport = 8080\n" + ROUTE, "line 1", id="toml-syntax-unclosed-table"),
        pytest.param("[server]\nport = 8080\nport = 8081\n" + ROUTE, "line 3", id="toml-dup-key"),
        pytest.param(b"# gerbang\n\xff\xfe[server]\n", "not UTF-8 text at byte 10", id="not-utf8"),
    ],
)
def test_when_file_cannot_be_parsed_then_refusal_names_file_and_place(
    tmp_path: Path, content: str | bytes | None, fragment: str
):
    path = tmp_path / "gerbang.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    message = _refusal(path)

    assert message.startswith(f"{path}: ")
    assert fragment in message


def test_when_path_is_a_directory_then_refusal_names_it(tmp_path: Path):
    assert _refusal(tmp_path).startswith(f"{tmp_path}: cannot read: ")


# --- Secrets -------------------------------------------------------------------------------------


def test_when_key_password_is_inline_string_then_refused_without_echoing_it(tmp_path: Path):
    _tls_files(tmp_path)
    path = _write(tmp_path, TLS_FILES + f'key_password = "{INLINE_SECRET}"\n' + ROUTE)

    message = _refusal(path)

    assert message == (
        f"{path}: server.tls.key_password: secrets are never written in the config: "
        'use { env = "NAME" } or { file = "PATH" }'
    )
    assert INLINE_SECRET not in message


def test_when_config_check_refuses_inline_secret_then_stderr_does_not_echo_it(tmp_path: Path):
    _tls_files(tmp_path)
    path = _write(tmp_path, TLS_FILES + f'key_password = "{INLINE_SECRET}"\n' + ROUTE)

    result = _check(path)

    assert result.returncode == 2
    assert "server.tls.key_password" in result.stderr
    assert INLINE_SECRET not in result.stderr + result.stdout


def test_when_key_password_is_env_reference_then_it_resolves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GERBANG_TEST_KEY_PASSWORD", "sandi-sintetis")
    _tls_files(tmp_path)
    path = _write(
        tmp_path, TLS_FILES + 'key_password = { env = "GERBANG_TEST_KEY_PASSWORD" }\n' + ROUTE
    )

    tls = load_config(path).server.tls

    assert tls is not None
    assert tls.key_password is not None
    assert tls.key_password.env == "GERBANG_TEST_KEY_PASSWORD"
    assert tls.key_password.reveal() == "sandi-sintetis"


def test_when_env_variable_is_missing_then_error_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("GERBANG_TEST_UNSET_PASSWORD", raising=False)
    _tls_files(tmp_path, password=b"sandi-sintetis")
    path = _write(
        tmp_path, TLS_FILES + 'key_password = { env = "GERBANG_TEST_UNSET_PASSWORD" }\n' + ROUTE
    )
    config = load_config(path)  # validation does not read secrets; the start-up checks do

    with pytest.raises(ConfigError, match="GERBANG_TEST_UNSET_PASSWORD"):
        preflight(config)


def test_when_key_password_is_relative_file_reference_then_read_from_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    config_dir = tmp_path / "etc" / "gerbang"
    monkeypatch.chdir(tmp_path)  # a path relative to the working directory would miss the file
    _tls_files(config_dir)
    (config_dir / "secrets").mkdir()
    (config_dir / "secrets" / "tls-key-password").write_text("sandi-dari-berkas\n")
    path = _write(
        config_dir, TLS_FILES + 'key_password = { file = "secrets/tls-key-password" }\n' + ROUTE
    )

    tls = load_config(path).server.tls

    assert tls is not None
    assert tls.key_password is not None
    assert tls.key_password.file == config_dir / "secrets" / "tls-key-password"
    assert tls.key_password.reveal() == "sandi-dari-berkas"


def test_when_secret_file_is_missing_then_error_names_the_file(tmp_path: Path):
    _tls_files(tmp_path)
    path = _write(tmp_path, TLS_FILES + 'key_password = { file = "tidak-ada" }\n' + ROUTE)
    config = load_config(path)

    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "tidak-ada"))):
        preflight(config)


@pytest.mark.parametrize(
    ("exported", "loads"),
    [
        pytest.param("sandi-sintetis", True, id="right-password"),
        pytest.param("sandi-keliru", False, id="wrong-password"),
    ],
)
def test_when_encrypted_key_has_env_password_then_preflight_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exported: str, loads: bool
):
    monkeypatch.setenv("GERBANG_TEST_KEY_PASSWORD", exported)
    _, key = _tls_files(tmp_path, password=b"sandi-sintetis")
    path = _write(
        tmp_path, TLS_FILES + 'key_password = { env = "GERBANG_TEST_KEY_PASSWORD" }\n' + ROUTE
    )
    config = load_config(path)

    if loads:
        preflight(config)
        return
    with pytest.raises(ConfigError) as caught:
        preflight(config)
    assert str(key) in str(caught.value)
    assert exported not in str(caught.value)


# --- Paths and TLS files -----------------------------------------------------------------------


def test_when_tls_paths_are_relative_then_resolved_against_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    config_dir = tmp_path / "etc" / "gerbang"
    monkeypatch.chdir(tmp_path)
    cert, key = _tls_files(config_dir)
    path = _write(config_dir, TLS_FILES + ROUTE)

    config = load_config(path)

    assert config.server.tls is not None
    assert (config.server.tls.cert_file, config.server.tls.key_file) == (cert, key)
    preflight(config)


@pytest.mark.parametrize(
    ("junk", "names"),
    [
        pytest.param("cert", "gerbang.crt", id="garbage-cert"),
        pytest.param("key", "gerbang.key", id="garbage-key"),
    ],
)
def test_when_tls_file_is_garbage_then_preflight_error_names_the_file(
    tmp_path: Path, junk: str, names: str
):
    _tls_files(tmp_path)
    _junk_pem(tmp_path / "tls" / f"gerbang.{'crt' if junk == 'cert' else 'key'}")
    config = load_config(_write(tmp_path, TLS_FILES + ROUTE))

    with pytest.raises(ConfigError) as caught:
        preflight(config)

    message = str(caught.value)
    assert message.startswith("server.tls: cannot load certificate")
    assert str(tmp_path / "tls" / names) in message


def test_when_cert_and_key_do_not_belong_together_then_preflight_refuses(tmp_path: Path):
    _tls_files(tmp_path)
    other = trustme.CA().issue_cert("lain.layanan.go.id")
    other.private_key_pem.write_to_path(str(tmp_path / "tls" / "gerbang.key"))
    config = load_config(_write(tmp_path, TLS_FILES + ROUTE))

    with pytest.raises(ConfigError, match=r"server\.tls: cannot load certificate"):
        preflight(config)


def test_when_route_ca_file_is_garbage_then_preflight_error_names_route_and_file(tmp_path: Path):
    ca = _junk_pem(tmp_path / "tls" / "ca.pem")
    config = load_config(_write(tmp_path, SECOND_ROUTE + 'ca_file = "tls/ca.pem"\n'))

    with pytest.raises(ConfigError) as caught:
        preflight(config)

    assert "'ocr-dokumen'" in str(caught.value)
    assert "ca_file" in str(caught.value)
    assert str(ca) in str(caught.value)


def test_when_route_ca_file_is_a_real_ca_then_preflight_accepts_it(tmp_path: Path):
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    config = load_config(_write(tmp_path, SECOND_ROUTE + 'ca_file = "ca.pem"\n'))

    assert config.routes[0].ca_file == tmp_path / "ca.pem"
    preflight(config)


def test_when_several_workers_share_port_zero_then_preflight_refuses(tmp_path: Path):
    config = load_config(_write(tmp_path, "[server]\nport = 0\nworkers = 2\n" + ROUTE))

    with pytest.raises(ConfigError, match=r"server\.port: a fixed port is needed"):
        preflight(config)


# --- The command line --------------------------------------------------------------------------


def test_when_config_check_gets_bad_file_then_exit_2_and_message_on_stderr(tmp_path: Path):
    path = _write(tmp_path, '[server]\nport = "8080"\n' + ROUTE)

    result = _check(path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"gerbang: {path}: server.port: Input should be a valid integer\n"


def test_when_config_check_gets_missing_file_then_exit_2(tmp_path: Path):
    result = _check(tmp_path / "tidak-ada.toml")

    assert result.returncode == 2
    assert result.stderr.startswith(f"gerbang: {tmp_path / 'tidak-ada.toml'}: cannot read")


def test_when_config_check_gets_good_file_then_route_count_is_printed(tmp_path: Path):
    path = _write(tmp_path, ROUTE + SECOND_ROUTE)

    result = _check(path)

    assert (result.returncode, result.stdout) == (0, f"{path}: OK (2 routes)\n")


@pytest.mark.parametrize("workers", ["0", "-1"], ids=["zero", "negative"])
def test_when_serve_gets_workers_below_one_then_refused(tmp_path: Path, workers: str):
    path = _write(tmp_path, "[server]\nport = 0\n" + ROUTE)

    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(path), "--workers", workers],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr == "gerbang: --workers: must be at least 1\n"


# --- Immutability --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "attribute", "value"),
    [
        pytest.param("config", "routes", (), id="config.routes"),
        pytest.param("server", "port", 1, id="server.port"),
        pytest.param("admin", "enabled", False, id="admin.enabled"),
        pytest.param("logging", "level", "debug", id="logging.level"),
        pytest.param("upstream_pool", "max_connections", 1, id="upstream_pool.max_connections"),
        pytest.param("route", "upstream", "http://evil.example", id="route.upstream"),
        pytest.param("route", "max_body_bytes", 1, id="route.max_body_bytes"),
    ],
)
def test_when_validated_config_is_assigned_to_then_it_raises(
    owner: str, attribute: str, value: Any
):
    config = load_config(EXAMPLE)
    target = {
        "config": config,
        "route": config.routes[0],
    }.get(owner) or getattr(config, owner)

    with pytest.raises(ValidationError, match="frozen"):
        setattr(target, attribute, value)


def test_when_routes_are_loaded_then_they_are_a_tuple():
    config = load_config(EXAMPLE)

    assert isinstance(config.routes, tuple)


def test_when_route_tags_are_changed_after_validation_then_it_raises(tmp_path: Path):
    config = load_config(_write(tmp_path, _route(tags="{ external = true }")))
    tags = config.routes[0].tags
    with pytest.raises(TypeError):
        tags["external"] = False  # type: ignore[index]
    with pytest.raises(TypeError):
        tags.update({"purpose": "lain"})
    assert tags == {"external": True}
    assert pickle.loads(pickle.dumps(config)) == config  # workers receive it pickled


@pytest.mark.parametrize(
    ("toml", "key", "phrase"),
    [
        pytest.param(
            _route(ca_file='"ca.pem"'), "routes[0] (name 'lara-chat')", "only used with an https",
            id="ca-file-on-http",
        ),
        pytest.param(
            "[server]\nport = 9090\n[admin]\nport = 9090\n" + ROUTE, "(top level)",
            "same address and port", id="admin-clashes-with-server",
        ),
        pytest.param(
            _route(host='"."'), "routes[0] (name 'lara-chat').host", "host name", id="host-dot",
        ),
        pytest.param(
            "[server.tls]\ncert_file = 'c.pem'\nkey_file = 'c.pem'\nkey_password = { env = '' }\n"
            + ROUTE, "server.tls.key_password.env", "environment variable name", id="empty-env",
        ),
    ],
)  # fmt: skip
def test_when_keys_contradict_each_other_then_refused(
    tmp_path: Path, toml: str, key: str, phrase: str
):
    (tmp_path / "ca.pem").write_text("x")
    (tmp_path / "c.pem").write_text("x")
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, toml))
    assert f"gerbang.toml: {key}: " in str(caught.value)
    assert phrase in str(caught.value)


def test_when_serve_gets_too_many_workers_then_the_limit_is_named(tmp_path: Path):
    path = _write(tmp_path, "[server]\nport = 18080\n" + ROUTE)
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(path), "--workers", "1000"],
        capture_output=True, text=True, cwd=REPO, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"{path}: server.workers: Input should be less than or equal to 64" in result.stderr


def test_when_a_secret_env_var_is_missing_then_check_names_file_key_and_variable(tmp_path: Path):
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    path = _write(
        tmp_path,
        "[server.tls]\ncert_file = 'c.pem'\nkey_file = 'c.pem'\n"
        "key_password = { env = 'GERBANG_TEST_SURELY_UNSET' }\n" + ROUTE,
    )
    result = _check(path)
    assert result.returncode == 2
    assert result.stderr == (
        f"gerbang: {path}: server.tls.key_password: "
        "environment variable GERBANG_TEST_SURELY_UNSET is not set\n"
    )


# --- Authentication is required unless a route is public ----------------------------------------

GUARDED_ROUTE = ROUTE.replace("public = true\n", "")
ISSUER = """
[[auth.issuers]]
issuer = "https://sso.layanan.go.id/realms/layanan"
discovery = true
audiences = ["gerbang"]
"""


def test_when_a_route_is_not_public_and_no_auth_is_configured_then_the_config_is_refused(
    tmp_path: Path,
):
    with pytest.raises(ConfigError, match="'lara-chat' need \\[auth\\]"):
        load_config(_write(tmp_path, GUARDED_ROUTE))


def test_when_an_empty_auth_section_is_given_then_it_still_cannot_identify_callers(
    tmp_path: Path,
):
    with pytest.raises(ConfigError, match="need \\[auth\\]"):
        load_config(_write(tmp_path, "[auth]\nmax_token_bytes = 4096\n" + GUARDED_ROUTE))


def test_when_an_issuer_is_configured_then_guarded_routes_are_accepted(tmp_path: Path):
    config = load_config(_write(tmp_path, ISSUER + GUARDED_ROUTE))
    assert not config.routes[0].public
    assert config.auth is not None
    assert config.auth.issuers[0].audiences == ("gerbang",)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('purpose = "Layanan Informasi"\n', "purpose"),
        ('pii = { json_include = ["messages"] }\n', "must start with '\\$'"),
        ('pii = { unscannable = "ignore" }\n', "unscannable"),
    ],
)
def test_when_route_privacy_keys_are_wrong_then_the_refusal_names_them(
    tmp_path: Path, extra: str, message: str
):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, ROUTE + extra))


def test_a_routes_stream_step_defaults_to_the_rewriters_and_is_bounded(tmp_path: Path):
    from gateway.rewrite import DEFAULT_STEP

    config = load_config(_write(tmp_path, ROUTE))
    assert config.routes[0].pii.stream_step == DEFAULT_STEP
    config = load_config(_write(tmp_path, ROUTE + "[routes.pii]\nstream_step = 256\n"))
    assert config.routes[0].pii.stream_step == 256
    with pytest.raises(ConfigError, match=r"stream_step"):
        load_config(_write(tmp_path, ROUTE + "[routes.pii]\nstream_step = 0\n"))
