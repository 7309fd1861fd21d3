"""Tell someone when a harvest job fails.

Two channels, both optional and both best effort (a dead webhook or mail server must never turn one
failure into two): a JSON webhook (per source, plus ECODATA_NOTIFY_WEBHOOK for every source), and an
e-mail to the source's addresses through the SMTP server in ECODATA_SMTP_URL.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from catalog.errors import EcodataError
from catalog.service import Catalog

log = logging.getLogger(__name__)
SMTP_TIMEOUT = 10
SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


def notify_failure(catalog: Catalog, source: str, job_id: str, error: dict[str, Any],
                   notify: dict[str, Any]) -> None:
    site = catalog.config["ECODATA_SITE_URL"].rstrip("/")
    payload = {"event": "harvest_job_failed", "source": source, "job_id": job_id, "error": error,
               "site": site, "report_url": f"{site}/workspace/harvest/job/{job_id}",
               "email": notify.get("email")}
    _post_webhooks(catalog, notify, payload)
    recipients = email_recipients(notify.get("email"))
    if recipients:
        _send_mail(catalog, recipients, payload)


def _post_webhooks(catalog: Catalog, notify: dict[str, Any], payload: dict[str, Any]) -> None:
    urls = [u for u in (notify.get("webhook"), catalog.config["ECODATA_NOTIFY_WEBHOOK"]) if u]
    for url in dict.fromkeys(urls):
        try:
            requests.post(url, json=payload, timeout=10)
        except requests.RequestException as exc:
            log.warning("harvest failure webhook %s unreachable: %s", url, exc)


def email_recipients(value: Any) -> list[str]:
    """Addresses from a comma/semicolon separated string or a list, blanks dropped."""
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    return [a.strip() for a in items if str(a).strip()]


def failure_message(payload: dict[str, Any], sender: str, recipients: list[str]) -> EmailMessage:
    error = payload["error"] or {}
    msg = EmailMessage()
    msg["Subject"] = f"【数据采集失败】{payload['source']} · harvest job failed"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg.set_content(
        f"采集来源 {payload['source']} 的采集作业 {payload['job_id']} 失败。\n"
        f"原因：{error.get('message', '')}\n"
        f"作业报告：{payload['report_url']}\n\n"
        f"Harvest job {payload['job_id']} of source {payload['source']} failed.\n"
        f"Reason: {error.get('message_en', error.get('message', ''))}\n"
        f"Error code: {error.get('code', '')}\n"
        f"Report: {payload['report_url']}\n")
    return msg


def smtp_endpoint(url: str) -> tuple[str, str, int, str | None, str | None]:
    """(scheme, host, port, user, password) from smtp://, smtp+starttls:// or smtps:// URLs."""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise EcodataError(f"ECODATA_SMTP_URL 无法识别：{url}（应为 smtp://主机:端口）",
                           f"ECODATA_SMTP_URL must look like smtp://host:port, smtp+starttls:// or smtps://; "
                           f"got {url}", code="bad_setting")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.scheme, parts.hostname, parts.port or SMTP_SCHEMES[parts.scheme], user, password


def _send_mail(catalog: Catalog, recipients: list[str], payload: dict[str, Any]) -> None:
    url = catalog.config["ECODATA_SMTP_URL"]
    if not url:
        log.warning("harvest job %s failed and %s should be e-mailed, but ECODATA_SMTP_URL is not set",
                    payload["job_id"], ", ".join(recipients))
        return
    try:
        scheme, host, port, user, password = smtp_endpoint(url)
        message = failure_message(payload, catalog.config["ECODATA_MAIL_FROM"], recipients)
        smtp_class = smtplib.SMTP_SSL if scheme == "smtps" else smtplib.SMTP
        with smtp_class(host, port, timeout=SMTP_TIMEOUT) as smtp:
            if scheme == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
            if user:
                smtp.login(user, password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException, EcodataError) as exc:
        log.warning("harvest failure e-mail to %s not sent: %s", ", ".join(recipients), exc)
