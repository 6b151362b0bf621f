"""`./shop cluster`'s pieces: the nginx configuration it writes, and the page-cookie route
nginx asks before serving a page from disk."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import build_http_app
from api.security_headers import security_headers
from backend.settings import get_settings
from devstack import cluster

ROUTES = ["index", "cart", "products/[product_id]", "orders/[number]", "admin/products/new", "404"]


@pytest.mark.parametrize(
    ("route", "pattern"),
    [
        ("products/[product_id]", r"^/products/[^/]+/?$"),
        ("admin/accounts/[user_id]", r"^/admin/accounts/[^/]+/?$"),
        ("docs/[[...splat]]", r"^/docs/.*/?$"),
        ("cart", None),
        ("admin/products/new", None),
    ],
)
def test_dynamic_routes_become_nginx_patterns(route: str, pattern: str | None) -> None:
    assert cluster.route_pattern(route) == pattern


def _written(layout: cluster.ClusterLayout) -> str:
    (layout.web_dir / "build" / "client").mkdir(parents=True)
    (layout.web_dir / "routes.json").write_text(json.dumps(ROUTES))
    return cluster.write_nginx_config(layout).read_text()


@pytest.mark.parametrize("backends", [1, 3])
def test_the_written_configuration_passes_nginx_own_check(tmp_path: Path, backends: int) -> None:
    layout = cluster.ClusterLayout.of(3999, backends, 1)
    layout = cluster.ClusterLayout(3999, layout.backend_ports, 1, root=tmp_path)

    config = _written(layout)  # write_nginx_config runs `nginx -t` and raises if refused

    for port in layout.backend_ports:
        assert f"server 127.0.0.1:{port} " in config
    assert config.count("server 127.0.0.1:") == backends
    assert r"location ~ ^/products/[^/]+/?$" in config
    headers = (tmp_path / "nginx" / "page-headers.conf").read_text()
    for name, _ in security_headers():
        assert f"add_header {name.decode()} " in headers
    assert "auth_request /_page_cookies;" in headers


def test_nginx_forwards_the_visitors_address_and_the_backends_trust_only_it(
    tmp_path: Path,
) -> None:
    layout = cluster.ClusterLayout(3999, (8101,), 1, root=tmp_path)
    config = _written(layout)
    # nginx appends the address it got the request from; the backends read the header
    # only from nginx (right-most hop first), so what a client wrote there is ignored.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert cluster.backend_trusted_proxies([]) == "127.0.0.1"
    assert cluster.backend_trusted_proxies(["10.0.0.0/8"]) == "10.0.0.0/8,127.0.0.1"
    assert cluster.backend_trusted_proxies(["127.0.0.1"]) == "127.0.0.1"


def test_nginx_applies_the_request_limits_the_backends_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind nginx the same limits hold (it buffers bodies before a backend sees them):
    bodies, uploads, and how long headers and a pausing body may take (then 408)."""
    for name, value in {
        "REQUEST_BODY_MAX_KB": "512",
        "UPLOAD_MAX_MB": "7",
        "REQUEST_HEADER_TIMEOUT_SECONDS": "9",
        "REQUEST_BODY_TIMEOUT_SECONDS": "2.5",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        layout = cluster.ClusterLayout(3999, (8101,), 1, root=tmp_path)
        config = _written(layout)
    finally:
        get_settings.cache_clear()

    http_block = config.split("server {")[0]
    assert "client_max_body_size 512k;" in http_block
    assert "client_header_timeout 9s;" in http_block
    assert "client_body_timeout 2500ms;" in http_block
    upload = config.split("location = /_upload {")[1].split("}")[0]
    assert "client_max_body_size 7m;" in upload
    assert "proxy_pass http://shop_backends;" in upload


def test_nginx_sends_every_server_rendered_page_to_the_backends() -> None:
    """A public page the backends render (api/storefront_html) but nginx served from the
    static files would reach crawlers empty: every route must match the pattern."""
    from api.storefront_html.routes import router

    paths = {getattr(route, "path", "") for route in router.routes}
    assert "/collections/{slug}" in paths
    for path in paths:
        sample = re.sub(r"\{[^}]+\}", "x1", path)
        assert re.match(cluster.SERVER_RENDERED_PAGES, sample), path


def test_a_missing_frontend_build_is_one_clear_error(tmp_path: Path) -> None:
    layout = cluster.ClusterLayout(3999, (8101,), 1, root=tmp_path)
    with pytest.raises(cluster.SetupError, match=r"routes\.json"):
        cluster.write_nginx_config(layout)


def test_process_counts_are_bounded() -> None:
    with pytest.raises(cluster.SetupError):
        cluster.ClusterLayout.of(3000, 0, 2)
    with pytest.raises(cluster.SetupError):
        cluster.ClusterLayout.of(3000, 2, 17)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
        yield client


async def test_the_page_cookie_route_hands_out_a_cart_cookie_once(http: httpx.AsyncClient) -> None:
    first = await http.get("/auth/page-cookies")
    assert first.status_code == 204
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    name, _, rest = cookie.partition("=")
    token = rest.split(";")[0]

    again = await http.get("/auth/page-cookies", headers={"cookie": f"{name}={token}"})
    assert again.status_code == 204
    assert "set-cookie" not in again.headers

    forged = await http.get("/auth/page-cookies", headers={"cookie": f"{name}=made-up"})
    assert forged.headers["set-cookie"].split(";")[0] != f"{name}=made-up"
