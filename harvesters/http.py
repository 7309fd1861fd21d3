"""The injected HTTP client: timeouts, retries with backoff, a rate limit, host and size guards.

Every source type talks to the network only through :class:`HttpClient`, so the hygiene rules
(no redirects to other hosts, no private or loopback addresses unless allowed, bounded downloads)
hold for all of them, and tests exercise them against real servers on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from harvesters.base import HarvestError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "ecodata-harvester/0.1 (+https://sthjj.cq.gov.cn)"


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content: bytes
    content_type: str
    location: str = ""

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise HarvestError(f"返回内容不是合法 JSON：{self.url}（{exc}）",
                               f"response is not valid JSON: {self.url} ({exc})",
                               code="harvest_parse_error") from exc


class RateLimiter:
    """At most ``rate`` requests per second (0 = unlimited), shared by threads of one client."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


class HttpClient:
    """A requests session with the harvest network rules applied to every call."""

    def __init__(self, *, timeout: float = 30.0, retries: int = 3, backoff: float = 0.5,
                 rate_limit: float = 0.0, max_bytes: int = 200 * 1024 * 1024,
                 allow_private: bool = False, max_redirects: int = 5) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.limiter = RateLimiter(rate_limit)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, *, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Response:
        """GET ``url``; redirects are followed only within the same host."""
        self.check_url(url)
        current, current_params = url, params
        for _ in range(self.max_redirects + 1):
            resp = self._with_retries(current, current_params, headers)
            if resp.status not in (301, 302, 303, 307, 308):
                return self._checked(resp)
            current = self._redirect_target(current, resp)
            current_params = None
        raise HarvestError(f"重定向次数过多：{url}", f"too many redirects: {url}", code="harvest_http_error")

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HarvestError(f"不支持的地址：{url}", f"unsupported URL: {url}", code="harvest_bad_url")
        if not self.allow_private and is_private_host(parts.hostname):
            raise HarvestError(f"拒绝访问内网或本机地址：{url}（需在来源上明确允许）",
                               f"refusing private or loopback address: {url} (not allowed for this source)",
                               code="harvest_private_address")

    def _redirect_target(self, current: str, resp: Response) -> str:
        target = urljoin(current, resp.location)
        if urlsplit(target).hostname != urlsplit(current).hostname:
            raise HarvestError(f"拒绝跳转到其他主机：{current} → {target}",
                               f"refusing redirect to another host: {current} -> {target}",
                               code="harvest_redirect_refused")
        self.check_url(target)
        return target

    def _with_retries(self, url: str, params: dict[str, Any] | None,
                      headers: dict[str, str] | None) -> Response:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            self.limiter.wait()
            try:
                resp = self._once(url, params, headers)
            except requests.exceptions.SSLError as exc:
                raise HarvestError(f"TLS 证书或握手失败：{url}（{exc}）", f"TLS failure: {url} ({exc})",
                                   code="harvest_tls_error") from exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = exc
                continue
            if resp.status in RETRY_STATUSES and attempt < self.retries:
                continue
            return resp
        raise HarvestError(f"无法连接：{url}（{last}）", f"could not connect: {url} ({last})",
                           code="harvest_connect_error")

    def _once(self, url: str, params: dict[str, Any] | None,
              headers: dict[str, str] | None) -> Response:
        with self.session.get(url, params=params, headers=headers, timeout=self.timeout,
                              allow_redirects=False, stream=True) as r:
            if r.is_redirect:
                return Response(r.url, r.status_code, b"", "", r.headers.get("Location", ""))
            declared = int(r.headers.get("Content-Length") or 0)
            if declared > self.max_bytes:
                raise self._too_large(url)
            body = bytearray()
            for chunk in r.iter_content(65536):
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise self._too_large(url)
            return Response(r.url, r.status_code, bytes(body), r.headers.get("Content-Type", ""))

    def _too_large(self, url: str) -> HarvestError:
        return HarvestError(f"下载超过大小上限 {self.max_bytes} 字节：{url}",
                            f"download exceeds the size limit of {self.max_bytes} bytes: {url}",
                            code="harvest_too_large")

    def _checked(self, resp: Response) -> Response:
        if resp.status >= 400:
            raise HarvestError(f"HTTP {resp.status}：{resp.url}", f"HTTP {resp.status}: {resp.url}",
                               code="harvest_http_error")
        return resp


def is_private_host(host: str) -> bool:
    try:
        addrs = {ai[4][0] for ai in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False  # an unresolvable host fails later with a clear connect error
    for addr in addrs:
        ip = ipaddress.ip_address(str(addr).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified:
            return True
    return False


def client_for(source: Any, **overrides: Any) -> HttpClient:
    """An :class:`HttpClient` configured from a source's options."""
    opts = source.options
    kwargs: dict[str, Any] = {
        "timeout": float(opts.get("timeout", 30)),
        "retries": int(opts.get("retries", 3)),
        "rate_limit": float(opts.get("rate_limit", 0)),
        "max_bytes": int(opts.get("max_bytes", 200 * 1024 * 1024)),
        "allow_private": bool(source.allow_private),
    }
    kwargs.update(overrides)
    return HttpClient(**kwargs)
