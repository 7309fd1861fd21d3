"""Network hygiene of the harvest HTTP client, against a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harvesters.base import HarvestError
from harvesters.http import HttpClient
from portal.demo_sources import FixtureServer


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    srv = FixtureServer().start()
    yield srv
    srv.stop()


def client(**kwargs: object) -> HttpClient:
    kwargs.setdefault("allow_private", True)
    kwargs.setdefault("backoff", 0.01)
    return HttpClient(**kwargs)  # type: ignore[arg-type]


def test_private_and_loopback_addresses_are_refused_unless_allowed(server: FixtureServer) -> None:
    url = server.add_file("a.json", b"{}", "application/json")
    with pytest.raises(HarvestError) as exc:
        HttpClient().get(url)
    assert exc.value.code == "harvest_private_address" and url in exc.value.message_en
    for private in ("http://10.1.2.3/x", "http://192.168.1.1/x", "http://[::1]/x", "http://169.254.169.254/meta"):
        with pytest.raises(HarvestError):
            HttpClient().check_url(private)
    assert client().get(url).json() == {}


def test_redirect_within_the_host_is_followed_and_to_another_host_refused(server: FixtureServer) -> None:
    server.add_file("new.json", b'{"moved": true}', "application/json")
    server.redirects["/old.json"] = "/new.json"
    assert client().get(f"{server.url}/old.json").json() == {"moved": True}
    port = server.url.rsplit(":", 1)[-1]
    server.redirects["/away.json"] = f"http://localhost:{port}/new.json"
    with pytest.raises(HarvestError) as exc:
        client().get(f"{server.url}/away.json")
    assert exc.value.code == "harvest_redirect_refused"


def test_size_limit(server: FixtureServer) -> None:
    url = server.add_file("big.csv", "监测站点,PM2.5\n".encode() * 1000, "text/csv")
    with pytest.raises(HarvestError) as exc:
        client(max_bytes=1000).get(url)
    assert exc.value.code == "harvest_too_large"
    assert len(client(max_bytes=100_000).get(url).content) == len("监测站点,PM2.5\n".encode()) * 1000


def test_retries_with_backoff_then_succeeds(server: FixtureServer) -> None:
    url = server.add_file("flaky.json", b"[1]", "application/json")
    server.failures["/flaky.json"] = 2
    assert client(retries=2).get(url).json() == [1]
    server.failures["/flaky.json"] = 3
    with pytest.raises(HarvestError) as exc:
        client(retries=2).get(url)
    assert exc.value.code == "harvest_http_error" and "503" in exc.value.message_en


def test_timeout_is_a_clear_connect_error(server: FixtureServer) -> None:
    url = server.add_file("slow.json", b"{}", "application/json")
    server.delays["/slow.json"] = 1.5
    with pytest.raises(HarvestError) as exc:
        client(timeout=0.3, retries=0).get(url)
    assert exc.value.code == "harvest_connect_error" and url in exc.value.message_en


def test_rate_limit_spaces_requests(server: FixtureServer) -> None:
    url = server.add_file("r.json", b"{}", "application/json")
    http = client(rate_limit=20)
    for _ in range(5):
        http.get(url)
    assert http.limiter.interval == pytest.approx(0.05)
    assert server.requests.count("/r.json") == 5


def test_tls_failure_names_the_url() -> None:
    with pytest.raises(HarvestError) as exc:
        client(retries=0, timeout=2).get("https://127.0.0.1:9/catalog")
    assert exc.value.code in ("harvest_tls_error", "harvest_connect_error")
    assert "127.0.0.1:9" in exc.value.message_en
