"""A failed harvest job tells the source's contacts: a JSON webhook and an e-mail through a real SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from catalog.service import Catalog
from harvesters.notify import email_recipients, smtp_endpoint

from .conftest import Harvest


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _closed_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server hook)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failed_job_posts_webhook_and_sends_mail(catalog: Catalog, harvest: Harvest,
                                                 smtp_inbox: tuple[_Inbox, int],
                                                 webhook: tuple[list[dict[str, Any]], str]) -> None:
    inbox, port = smtp_inbox
    hooks, hook_url = webhook
    catalog.config = catalog.config.with_overrides(ECODATA_SMTP_URL=f"smtp://127.0.0.1:{port}",
                                                   ECODATA_MAIL_FROM="harvest@ecodata.cq.gov.cn")
    harvest.source("down-ckan", "ckan", f"http://127.0.0.1:{_closed_port()}/",
                   notify={"email": "ops@sthjj.cq.gov.cn; 数据科 <data@sthjj.cq.gov.cn>", "webhook": hook_url})

    report = harvest.run("down-ckan")

    assert report["status"] == "failed"
    assert len(hooks) == 1
    assert hooks[0]["event"] == "harvest_job_failed" and hooks[0]["source"] == "down-ckan"
    assert hooks[0]["job_id"] == report["id"] and hooks[0]["error"]["code"]
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert inbox.envelopes[0][0] == "harvest@ecodata.cq.gov.cn"
    assert sorted(inbox.envelopes[0][1]) == ["data@sthjj.cq.gov.cn", "ops@sthjj.cq.gov.cn"]
    assert "数据采集失败" in mail["Subject"] and "down-ckan" in mail["Subject"]
    body = mail.get_content()
    assert report["id"] in body and f"/workspace/harvest/job/{report['id']}" in body
    assert hooks[0]["error"]["message"] in body


def test_mail_server_down_does_not_break_the_job_report(catalog: Catalog, harvest: Harvest) -> None:
    catalog.config = catalog.config.with_overrides(ECODATA_SMTP_URL=f"smtp://127.0.0.1:{_closed_port()}")
    harvest.source("down-ckan-2", "ckan", f"http://127.0.0.1:{_closed_port()}/",
                   notify={"email": "ops@sthjj.cq.gov.cn"})
    report = harvest.run("down-ckan-2")
    assert report["status"] == "failed" and report["error"]["code"]


def test_smtp_settings_are_parsed_or_refused() -> None:
    assert smtp_endpoint("smtp://127.0.0.1:2525") == ("smtp", "127.0.0.1", 2525, None, None)
    assert smtp_endpoint("smtps://u%40x:p%3Aw@mail.cq.gov.cn") == ("smtps", "mail.cq.gov.cn", 465, "u@x", "p:w")
    assert smtp_endpoint("smtp+starttls://mail.cq.gov.cn")[2] == 587
    with pytest.raises(Exception, match="ECODATA_SMTP_URL"):
        smtp_endpoint("mail.cq.gov.cn:25")
    assert email_recipients("a@x.cn; b@x.cn,, ") == ["a@x.cn", "b@x.cn"]
    assert email_recipients(["a@x.cn", " "]) == ["a@x.cn"]
    assert email_recipients(None) == []
