"""The shop as production runs it, on one machine: nginx in front, several web backends and
several workers behind it, all sharing PostgreSQL and Redis (`./shop cluster`).

    browser ──> nginx :PORT ── static files: the built frontend (var/cluster/web/build/client)
                            └─ /_event (websocket), /api, /auth, /media, … ──> web backends
                                 (round robin; UI state lives in Redis, so any backend
                                 serves any tab and no sticky sessions are needed)
    workers (python -m jobs) ×M ── arq queues in Redis, outbox in PostgreSQL

Each web backend is `reflex run --backend-only` with one Granian worker, on its own port,
so one can be killed without touching the others (nginx then sends its traffic to the
rest). The same pieces map one to one onto several machines: see the README.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import SetupError
from devstack.services import PROJECT_ROOT, VAR_DIR, fresh_metrics_dir

# Paths the web backends answer; everything else is a file of the built frontend.
BACKEND_PATH_PREFIXES = (
    "_event",  # Reflex's websocket
    "_upload",
    "_health",
    "_all_routes",
    "ping",
    "auth",  # browser sign-in and sign-out
    "api",  # the REST API
    "media",  # product pictures
    "payments",  # the Stripe webhook
    "admin/download",  # CSV export
    "documents",  # invoice and credit note PDFs
)
FIRST_BACKEND_PORT = 8101
# The public pages the backends render (api/storefront_html/routes.py): home, search, a
# product, a category, a collection, the sitemap and robots.txt.
SERVER_RENDERED_PAGES = (
    r"^/((products|categories|collections)/[^/]+"
    r"|search|sitemap\.xml|robots\.txt|sitemaps/[^/]+\.xml)?$"
)
# Where nginx connects to the backends from: the one proxy they believe X-Forwarded-For from.
NGINX_ADDRESS = "127.0.0.1"


def backend_trusted_proxies(configured: list[str]) -> str:
    """TRUSTED_PROXIES for the backends: the local nginx, plus whatever the operator
    configured (a load balancer in front of nginx, say)."""
    return ",".join(dict.fromkeys([*configured, NGINX_ADDRESS]))


REFLEX = Path(sys.executable).parent / "reflex"


@dataclass(frozen=True)
class ClusterLayout:
    port: int
    backend_ports: tuple[int, ...]
    workers: int
    root: Path = VAR_DIR / "cluster"

    @classmethod
    def of(
        cls,
        port: int,
        web_processes: int,
        workers: int,
        first_backend_port: int = FIRST_BACKEND_PORT,
    ) -> ClusterLayout:
        if not 1 <= web_processes <= 16 or not 1 <= workers <= 16:
            raise SetupError("WEB_PROCESSES and WORKER_PROCESSES must be between 1 and 16")
        ports = tuple(range(first_backend_port, first_backend_port + web_processes))
        if port in ports:
            raise SetupError(f"PORT {port} is also a web backend's port: choose another")
        # One folder per public port, so two clusters never share a build.
        root = VAR_DIR / f"cluster-{port}"
        return cls(port=port, backend_ports=ports, workers=workers, root=root)

    @property
    def web_dir(self) -> Path:
        return self.root / "web"

    @property
    def static_dir(self) -> Path:
        return self.web_dir / "build" / "client"

    @property
    def nginx_dir(self) -> Path:
        return self.root / "nginx"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    def reflex_env(self) -> dict[str, str]:
        """Where Reflex keeps the compiled app (apart from `./shop run`'s `.web`)."""
        return {
            "REFLEX_WEB_WORKDIR": str(self.web_dir),
            "REFLEX_STATES_WORKDIR": str(self.root / "states"),
        }


def route_pattern(route: str) -> str | None:
    """The nginx regex of a dynamic frontend route (`products/[product_id]` →
    `^/products/[^/]+/?$`); None for a static one, which has its own HTML file."""
    parts = route.strip("/").split("/")
    if not any(part.startswith("[") for part in parts):
        return None
    pieces = []
    for part in parts:
        if part.startswith("[[...") or part.startswith("[..."):
            pieces.append(".*")
        elif part.startswith("["):
            pieces.append("[^/]+")
        else:
            pieces.append(re.escape(part))
    return "^/" + "/".join(pieces) + "/?$"


def page_headers_snippet(headers: list[tuple[bytes, bytes]]) -> str:
    """`add_header` lines for the pages nginx serves itself: the app's security headers
    (`api/security_headers.py`, which the backends add to their own answers) and the
    guest cart cookie the backends hand out (`api/cart_cookie.py`)."""
    lines = [
        "# Written by `./shop cluster`: the headers the app puts on a page it serves.",
        "auth_request /_page_cookies;",
        "auth_request_set $page_cookie $upstream_http_set_cookie;",
        "add_header Set-Cookie $page_cookie always;",
        'add_header Cache-Control "no-cache" always;',
    ]
    for name, value in headers:
        escaped = value.decode().replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'add_header {name.decode()} "{escaped}" always;')
    return "\n".join(lines) + "\n"


def nginx_config(layout: ClusterLayout, routes: list[str]) -> str:
    """nginx.conf for the layout; `routes` is the compiled app's routes.json. Pages include
    `page-headers.conf` (see `page_headers_snippet`). Request limits are the app's own
    settings (`api/request_limits.py`), so nginx refuses first what a backend would."""
    from backend.settings import get_settings

    settings = get_settings()
    run = layout.nginx_dir
    # max_fails=0: a backend is never set aside. A dead one refuses at once (it is on this
    # machine) and nginx goes on to the next; setting it aside for a while would leave
    # "no live upstreams" if the other one died then, though the first was back already.
    upstreams = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=0;" for port in layout.backend_ports
    )
    backend_paths = "|".join(re.escape(prefix) for prefix in BACKEND_PATH_PREFIXES)
    proxy_to_backends = """\
            proxy_pass http://shop_backends;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A websocket stays open as long as its tab does.
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            # A backend that is down: try the next one (never for a POST that may have
            # been received: nginx retries only requests it could not send).
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;"""
    dynamic_pages = "\n".join(
        f"        location ~ {pattern} {{\n"
        "            include page-headers.conf;\n"
        "            try_files $uri $uri.html /404.html;\n"
        "        }"
        for pattern in sorted({p for p in map(route_pattern, routes) if p is not None})
    )
    return rf"""# Written by `./shop cluster` (devstack/cluster.py); changes are overwritten.
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run}/access.log;
    client_body_temp_path {run}/temp/body;
    proxy_temp_path {run}/temp/proxy;
    fastcgi_temp_path {run}/temp/fastcgi;
    uwsgi_temp_path {run}/temp/uwsgi;
    scgi_temp_path {run}/temp/scgi;
    sendfile on;
    gzip_static on;
    server_tokens off;
    # Request limits: bodies (uploads have their own location below), and how long a
    # client may take to send its headers, or pause while sending a body (then 408).
    client_max_body_size {settings.request_body_max_kb}k;
    client_header_timeout {settings.request_header_timeout_seconds}s;
    client_body_timeout {round(settings.request_body_timeout_seconds * 1000)}ms;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        '' '';
    }}

    upstream shop_backends {{
{upstreams}
        keepalive 32;
    }}

    server {{
        listen {layout.port};
        root {layout.static_dir};

        location ~ ^/({backend_paths})(/|$) {{
{proxy_to_backends}
        }}

        # Product pictures and CSV imports (Reflex's upload endpoint).
        location = /_upload {{
            client_max_body_size {settings.upload_max_mb}m;
{proxy_to_backends}
        }}

        # Asked before each page: the guest cart cookie, if the browser has none yet.
        location = /_page_cookies {{
            internal;
            proxy_pass http://shop_backends/auth/page-cookies;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}

        # Built files with a content hash in their name never change.
        location /assets/ {{
            expires 1y;
            add_header Cache-Control "public, immutable";
            add_header X-Content-Type-Options nosniff;
        }}

        # Public pages the backends answer with their head and first paint filled in
        # (api/storefront_html/), and the files crawlers ask for.
        location ~ {SERVER_RENDERED_PAGES} {{
{proxy_to_backends}
        }}

        # Pages with a parameter (one product, one order) share the app's shell.
{dynamic_pages}

        location / {{
            include page-headers.conf;
            try_files $uri $uri.html $uri/index.html =404;
        }}
        error_page 404 /404.html;
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )
    if found is None:
        raise SetupError("nginx not found: install it with `sudo apt-get install -y nginx`")
    return found


def write_nginx_config(layout: ClusterLayout) -> Path:
    routes_file = layout.web_dir / "routes.json"
    try:
        routes = json.loads(routes_file.read_text())
    except (OSError, ValueError) as error:
        raise SetupError(f"the frontend build left no readable {routes_file}: {error}") from error
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (layout.nginx_dir / "temp" / folder).mkdir(parents=True, exist_ok=True)
    from api.security_headers import security_headers  # reads the shop's settings

    (layout.nginx_dir / "page-headers.conf").write_text(page_headers_snippet(security_headers()))
    config = layout.nginx_dir / "nginx.conf"
    config.write_text(nginx_config(layout, routes))
    check = subprocess.run(
        [nginx_binary(), "-t", "-q", "-c", str(config), "-p", str(layout.nginx_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise SetupError(f"nginx refused {config}: {check.stderr.strip()}")
    return config


def build_frontend(env: dict[str, str], layout: ClusterLayout) -> None:
    """The static frontend, compiled for the public address (its websocket goes to nginx)."""
    layout.log_dir.mkdir(parents=True, exist_ok=True)
    log = layout.log_dir / "frontend-build.log"
    with log.open("wb") as output:
        built = subprocess.run(
            [str(REFLEX), "export", *("--frontend-only", "--no-zip", "--env", "prod")],
            cwd=PROJECT_ROOT,
            env={**env, **layout.reflex_env()},
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if built.returncode != 0 or not (layout.static_dir / "index.html").exists():
        raise SetupError(f"the frontend build failed; see {log}")


def start_nginx(layout: ClusterLayout, config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [nginx_binary(), "-c", str(config), "-p", str(layout.nginx_dir), "-g", "daemon off;"],
        cwd=PROJECT_ROOT,
        stdout=(layout.log_dir / "nginx.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_backend(env: dict[str, str], layout: ClusterLayout, port: int) -> subprocess.Popen[bytes]:
    """One web backend: Reflex's event handlers, the HTTP routes and the API, one process."""
    return subprocess.Popen(
        [
            *(str(REFLEX), "run", "--env", "prod", "--backend-only"),
            *("--backend-host", "127.0.0.1", "--backend-port", str(port)),
        ],
        cwd=PROJECT_ROOT,
        env={
            **env,
            **layout.reflex_env(),
            "GRANIAN_WORKERS": "1",
            "PROMETHEUS_MULTIPROC_DIR": fresh_metrics_dir(f"cluster-web-{port}"),
        },
        stdout=(layout.log_dir / f"web-{port}.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def launch(env: dict[str, str], log_file: Path) -> subprocess.Popen[bytes]:
    """`python -m devstack cluster` in a session of its own (the benches and the fault
    drills run clusters this way); stop it with `shut_down`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "devstack", "cluster"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log_file.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def shut_down(process: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    """SIGTERM to the command, which stops its children in order (they run in sessions of
    their own, so only it can); killed if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
