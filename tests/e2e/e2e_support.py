"""Helpers for the browser tests: the portal process, browser pages, screenshots and axe-core checks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
ECODATA = Path(sys.executable).parent / "ecodata"
PASSWORD = "ecodata-demo"
APPLICANT = "zhang-yanjiu"   # a member of the public with an account, not in any department


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Portal:
    url: str
    home: Path
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(ECODATA), *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=600, check=True, input=stdin)
        return done.stdout


def has_command(site: Portal, name: str) -> bool:
    done = subprocess.run([str(ECODATA), name, "--help"], env=site.env, cwd=ROOT, capture_output=True, timeout=120)
    return done.returncode == 0


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"portal exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url + "/robots.txt", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"portal did not start:\n{log.read_text()[-3000:]}")


def new_page(browser: Any, portal: Portal, **options: Any) -> Any:
    """A fresh browser context (its own cookies: one signed-in person) and a tab in it."""
    settings: dict[str, Any] = {"base_url": portal.url, "locale": "zh-CN", "accept_downloads": True,
                                "viewport": {"width": 1280, "height": 900},
                                # axe is injected as an inline script, which the site's CSP forbids
                                "bypass_csp": True}
    settings.update(options)
    context = browser.new_context(**settings)
    tab = context.new_page()
    tab.set_default_timeout(20000)
    return tab


def sign_in(page: Any, username: str) -> None:
    page.goto("/user/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/workspace**")


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the current page (WCAG 2.1 A/AA rules)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Any) -> None:
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
