"""A real pycsw 2.6.2 CSW server for harvest tests, in its own cached virtualenv.

pycsw 2.6.2 (PyPI's newest) needs SQLAlchemy < 2, so it cannot live in the project's environment.
:func:`ensure_venv` builds ``~/.cache/ecodata-test/pycsw-venv`` once (under a file lock, so parallel
test processes never build it twice) and reuses it while its requirement list is unchanged;
:func:`start_server` loads records with ``pycsw-admin.py -c load_records`` into a SQLite repository
and serves pycsw's WSGI app on 127.0.0.1 on a free port in a subprocess.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

REQUIREMENTS = ("pycsw==2.6.2", "SQLAlchemy>=1.4,<2", "OWSLib>=0.28,<0.29")
SERVE_SCRIPT = Path(__file__).with_name("pycsw_serve.py")
STAMP = ".ecodata-requirements"


class PycswUnavailable(RuntimeError):
    """The pycsw environment could not be built or the server did not start."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ecodata-test"


def _clean_env() -> dict[str, str]:
    """The environment for pycsw's processes, without anything pointing at the project's venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def _run(cmd: list[str], what: str, timeout: float = 900) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, env=_clean_env(), timeout=timeout, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise PycswUnavailable(f"{what} failed (exit {done.returncode}): {' '.join(cmd)}\n{tail}")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_venv(venv: Path | None = None) -> Path:
    """The pycsw virtualenv's Python, building the venv first if needed (a minute or two, once)."""
    venv = venv or cache_dir() / "pycsw-venv"
    python = venv / "bin" / "python"
    wanted = "\n".join(REQUIREMENTS)
    with _locked(venv.with_name(venv.name + ".lock")):
        stamp = venv / STAMP
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python
        shutil.rmtree(venv, ignore_errors=True)  # a half-built or outdated venv is rebuilt from scratch
        base = getattr(sys, "_base_executable", sys.executable)
        _run([base, "-m", "venv", str(venv)], "creating the pycsw virtualenv")
        _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
             f"pip install {' '.join(REQUIREMENTS)} (needs network access to PyPI)")
        stamp.write_text(wanted)  # written last: its presence means the venv is complete
    return python


def write_config(path: Path, home: Path, database: Path, *, iso: bool = True) -> Path:
    """A pycsw config; ``iso=False`` leaves out the ISO (apiso) profile, so only csw:Record is served."""
    profiles = "profiles=apiso\n" if iso else ""  # an empty "profiles=" makes pycsw fail on every request
    path.write_text(f"""[server]
home={home}
url=http://127.0.0.1/csw
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=en-US
maxrecords=10
loglevel=WARNING
logfile={home / 'pycsw.log'}
pretty_print=true
domainquerytype=list
domaincounts=false
{profiles}
[manager]
transactions=false
allowed_ips=127.0.0.1

[metadata:main]
identification_title=ecodata harvest test CSW
identification_abstract=pycsw serving third-party ISO 19139 and Dublin Core test records
identification_keywords=test
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=ecodata tests
provider_url=http://127.0.0.1/
contact_name=tests
contact_position=tests
contact_address=none
contact_city=Chongqing
contact_stateorprovince=Chongqing
contact_postalcode=400000
contact_country=CN
contact_phone=+86-23-00000000
contact_fax=+86-23-00000000
contact_email=tests@example.org
contact_url=http://127.0.0.1/
contact_hours=0900h - 1700h
contact_instructions=none
contact_role=pointOfContact

[repository]
database=sqlite:///{database}
table=records

[metadata:inspire]
enabled=false
""", encoding="utf-8")
    return path


def load_records(python: Path, config: Path, folders: list[Path]) -> None:
    admin = str(python.parent / "pycsw-admin.py")
    _run([str(python), admin, "-c", "setup_db", "-f", str(config)], "pycsw-admin.py setup_db")
    for folder in folders:
        _run([str(python), admin, "-c", "load_records", "-f", str(config), "-p", str(folder), "-y"],
             f"pycsw-admin.py load_records {folder}")


@dataclass
class PycswServer:
    url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()


def start_server(python: Path, config: Path, timeout: float = 60) -> PycswServer:
    """Start pycsw on a free 127.0.0.1 port and wait until it answers GetCapabilities."""
    process = subprocess.Popen([str(python), str(SERVE_SCRIPT), str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=_clean_env())
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.isdigit():
        process.kill()
        raise PycswUnavailable(f"pycsw did not start (exit {process.wait()}); see {config.parent / 'pycsw.log'}")
    server = PycswServer(f"http://127.0.0.1:{line}/csw", process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(server.url, params={"service": "CSW", "request": "GetCapabilities"}, timeout=5).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.stop()
    raise PycswUnavailable(f"pycsw on {server.url} did not answer GetCapabilities within {timeout} s")
