"""Browser-test fixtures: the real portal (waitress) on 127.0.0.1 with the demo catalogue, and
Debian's headless Chromium driven by Playwright.  Nothing is downloaded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_support import (  # noqa: E402 - the helpers live next to this file
    APPLICANT,
    CHROMIUM,
    CHROMIUM_ARGS,
    ECODATA,
    PASSWORD,
    ROOT,
    Portal,
    free_port,
    has_command,
    new_page,
    wait_up,
)


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    home = tmp_path_factory.mktemp("e2e-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECODATA_")}
    env.update(ECODATA_HOME=str(home), ECODATA_SITE_URL=url, ECODATA_SECRET_KEY="e2e-secret",
               ECODATA_HARVEST_ALLOW_PRIVATE="1", ECODATA_LOG_LEVEL="WARNING")
    site = Portal(url, home, env)
    site.cli("demo", "--no-serve", "--host", "127.0.0.1", "--port", str(port))
    if has_command(site, "publish"):
        site.cli("publish", "demo")   # released datasets and a grant, when publication is installed
    site.cli("user", "create", APPLICANT, "--fullname", "西南大学资源环境学院张研究员", "--password-stdin",
             stdin=PASSWORD + "\n")
    log = home / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(ECODATA), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_up(url, proc, log)
        yield site
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# Module scope: Playwright's sync API keeps an event loop running in the main thread while it is
# open, which would break every later test that calls asyncio.run() (the HJ 212 receiver tests).
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make e2e-deps` (tests/e2e/install-browser.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, portal: Portal) -> Iterator[Any]:
    tab = new_page(browser, portal)
    yield tab
    tab.context.close()
