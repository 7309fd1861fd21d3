"""The README documents every setting and the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from catalog.settings import SETTINGS

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README]
    assert missing == []


def test_no_setting_in_the_readme_is_unknown() -> None:
    import re

    names = set(re.findall(r"`(ECODATA_[A-Z0-9_]+)`", README))
    assert names - {s.name for s in SETTINGS} == set()


def test_two_commands() -> None:
    assert "make demo" in README and "make test" in README
