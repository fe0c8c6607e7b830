"""nginx configurations for the benchmark: a fixed-answer upstream and a reverse proxy.

Each instance runs in the foreground from its own prefix directory inside the run's temporary
directory, so its pid file and temp paths never touch the system's; errors go to stderr.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bench.upstream import BODY, PATH_PREFIX

_SEARCH = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def find_nginx() -> str | None:
    """The nginx binary, also looked for in sbin directories that may be missing from PATH."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in _SEARCH if os.access(path, os.X_OK)), None)


def nginx_version(binary: str) -> str:
    """E.g. 'nginx/1.22.1'."""
    out = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10, check=False)
    return (out.stderr or out.stdout).strip().removeprefix("nginx version: ")


def _conf(prefix: Path, http_body: str) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        "error_log stderr warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "    access_log off;\n"
        "    keepalive_requests 1000000;\n"
        "    keepalive_timeout 60s;\n"
        f"{temp}\n"
        f"{http_body}"
        "}\n"
    )


def upstream_conf(prefix: Path, port: int) -> str:
    """nginx answering GET /bench/... with the fixed JSON body."""
    body = BODY.decode()
    if "'" in body or "$" in body:
        raise ValueError("the body must hold no ' or $ to be embedded in nginx.conf")
    return _conf(
        prefix,
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        f"        location {PATH_PREFIX} {{\n"
        "            default_type application/json;\n"
        f"            return 200 '{body}';\n"
        "        }\n"
        "        location / { return 404; }\n"
        "    }\n",
    )


def proxy_conf(prefix: Path, port: int, upstream_port: int) -> str:
    """nginx forwarding /bench/ to the upstream over a keep-alive connection pool."""
    return _conf(
        prefix,
        "    upstream bench_upstream {\n"
        f"        server 127.0.0.1:{upstream_port};\n"
        "        keepalive 64;\n"
        "    }\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        f"        location {PATH_PREFIX} {{\n"
        "            proxy_pass http://bench_upstream;\n"
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n'
        "        }\n"
        "    }\n",
    )


def nginx_argv(binary: str, prefix: Path, conf: str) -> list[str]:
    """Write conf into prefix and return the command running it in the foreground."""
    prefix.mkdir(parents=True, exist_ok=True)
    conf_path = prefix / "nginx.conf"
    conf_path.write_text(conf)
    return [
        binary,
        "-p",
        f"{prefix}/",
        "-c",
        str(conf_path),
        "-e",
        "stderr",
        "-g",
        "daemon off;",
    ]
