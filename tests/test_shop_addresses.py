"""Shops cannot send the server to internal addresses: each hop is checked, the configured shop's host is allowed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

from relookx.config import Settings
from relookx.shop.addresses import AddressPolicy, is_internal
from relookx.shop.http import PoliteHttp, ShopError
from relookx.shop.service import make_http


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.hits.append(self.path)
        if self.path.startswith("/go?to="):
            self.send_response(302)
            self.send_header("Location", unquote(self.path.removeprefix("/go?to=")))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        body = b"internal secret" if self.server.internal else b"<html>shop page</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, internal: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.internal = internal
        self.hits: list[str] = []
        self.netloc = f"127.0.0.1:{self.server_address[1]}"
        self.url = f"http://{self.netloc}"
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def sites() -> Iterator[tuple[_Site, _Site]]:
    """A shop on loopback (configured there) and an internal service on another loopback port."""
    shop, internal = _Site(), _Site(internal=True)
    try:
        yield shop, internal
    finally:
        shop.close()
        internal.close()


def http(**kwargs: object) -> PoliteHttp:
    return PoliteHttp(engine=None, timeout_s=2.0, spacing_s=0.0, cache_ttl_s=0.0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "fd00::5", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"])
def test_internal_addresses(address: str) -> None:
    assert is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.69", "2a04:4e42::645"])
def test_public_addresses(address: str) -> None:
    assert not is_internal(address)


def test_the_configured_shop_on_loopback_works(sites: tuple[_Site, _Site]) -> None:
    shop, _ = sites
    assert "shop page" in http().get_text(shop.url + "/page")
    assert "shop page" in http(trusted_hosts=[shop.netloc]).get_text(shop.url + "/page")


def test_redirect_to_another_internal_service_is_refused(sites: tuple[_Site, _Site]) -> None:
    shop, internal = sites
    for client in (http(), http(trusted_hosts=[shop.netloc])):
        with pytest.raises(ShopError, match="internal address") as refused:
            client.get_text(f"{shop.url}/go?to={internal.url}/admin")
        assert refused.value.kind == "blocked"
    assert internal.hits == []  # never asked


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/",
                                    "http://localhost:{port}/", "http://[::1]:{port}/"])
def test_redirects_to_metadata_private_and_named_loopback(sites: tuple[_Site, _Site], target: str) -> None:
    shop, internal = sites
    with pytest.raises(ShopError, match="internal address"):
        http().get_text(f"{shop.url}/go?to={target.format(port=internal.server_address[1])}")
    assert internal.hits == []


def test_unconfigured_internal_host_is_refused_outright(sites: tuple[_Site, _Site]) -> None:
    shop, internal = sites
    with pytest.raises(ShopError, match="internal address"):
        http(trusted_hosts=[shop.netloc]).get_text(internal.url + "/")
    assert internal.hits == []


def test_make_http_trusts_the_configured_shops(sites: tuple[_Site, _Site]) -> None:
    shop, internal = sites
    client = make_http(Settings(shops=f"{shop.url}/, https://Shop.Example:8443"), None)
    assert "shop page" in client.get_text(shop.url + "/p")
    with pytest.raises(ShopError, match="internal address"):
        client.get_text(internal.url + "/")
    policy = AddressPolicy([shop.netloc, "shop.example:8443"])
    assert policy.trusted("SHOP.example:8443") and not policy.trusted("shop.example")
