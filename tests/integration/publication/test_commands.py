"""The publication demo and the ``rules explain`` / ``publish`` commands on a real ECODATA_HOME."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from catalog import publication_demo as scenarios


@pytest.fixture
def demo_home(config, monkeypatch):
    from catalog.service import Catalog
    from portal.demo import build_catalogue

    monkeypatch.setenv("ECODATA_HOME", str(config.home))
    catalog = Catalog(config)
    catalog.start()
    build_catalogue(catalog, echo=lambda _m: None)
    catalog.close()
    return config.home


def test_publication_demo_releases_the_four_scenarios(demo_home) -> None:
    from portal.cli import main

    runner = CliRunner()
    built = runner.invoke(main, ["publish", "demo"])
    assert built.exit_code == 0, built.output
    lines = {line.split(":")[0]: line for line in built.output.splitlines()}
    assert "'public': 'release'" in lines[scenarios.AIR]
    assert "'public': 'metadata_only'" in lines[scenarios.RADIATION]
    assert "'public': 'deny'" in lines[scenarios.HEALTH] and "'government': 'deny'" in lines[scenarios.HEALTH]
    assert "grant " in built.output
    verified = runner.invoke(main, ["verify"])
    assert verified.exit_code == 0, verified.output
    explained = runner.invoke(main, ["rules", "explain", scenarios.POLLUTION])
    assert explained.exit_code == 0, explained.output
    assert "contact_phone: 删除" in explained.output and "pollution-source-daily" in explained.output
    as_owner = runner.invoke(main, ["rules", "explain", scenarios.POLLUTION, "--as", "sthjj-editor"])
    assert "contact_phone: 保留" in as_owner.output and "owner" in as_owner.output
    refreshed = runner.invoke(main, ["publish", "refresh"])
    assert refreshed.exit_code == 0 and f"{scenarios.AIR}: release 2" in refreshed.output
