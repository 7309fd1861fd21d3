"""A real pycsw server loaded with the corpus's ISO 19139 and Dublin Core records, once per session."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SUPPORT = Path(__file__).resolve().parents[2] / "support" / "pycsw_server.py"


def _support() -> ModuleType:
    if "pycsw_server" not in sys.modules:
        spec = importlib.util.spec_from_file_location("pycsw_server", SUPPORT)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["pycsw_server"] = module
        spec.loader.exec_module(module)
    return sys.modules["pycsw_server"]


@pytest.fixture(scope="session")
def csw_corpus(corpora: Path) -> Path:
    return corpora / "csw" / "pycsw"


@pytest.fixture(scope="session")
def pycsw_home(tmp_path_factory: pytest.TempPathFactory, csw_corpus: Path) -> Path:
    support = _support()
    try:
        python = support.ensure_venv()
        home = tmp_path_factory.mktemp("pycsw")
        config = support.write_config(home / "pycsw.cfg", home, home / "records.db")
        support.load_records(python, config, [csw_corpus / "iso19139-records", csw_corpus / "cite-dc-records"])
    except support.PycswUnavailable as exc:
        pytest.fail(f"the pycsw test server could not be prepared: {exc}")
    return home


def _serve(home: Path, *, iso: bool) -> Iterator[str]:
    support = _support()
    config = support.write_config(home / f"pycsw-{'iso' if iso else 'dc'}.cfg", home, home / "records.db", iso=iso)
    try:
        server = support.start_server(support.ensure_venv(), config)
    except support.PycswUnavailable as exc:
        pytest.fail(f"the pycsw test server did not start: {exc}")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def pycsw_url(pycsw_home: Path) -> Iterator[str]:
    """pycsw with the ISO (apiso) profile: serves gmd:MD_Metadata and csw:Record."""
    yield from _serve(pycsw_home, iso=True)


@pytest.fixture(scope="session")
def pycsw_dc_url(pycsw_home: Path) -> Iterator[str]:
    """The same records from a pycsw without the ISO profile: only csw:Record output."""
    yield from _serve(pycsw_home, iso=False)
