"""Every ECODATA_* setting, declared once: name, type, default and help.

The README lists them all (a test checks), and nothing else in the code reads
``os.environ`` for an ``ECODATA_`` name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    type: Callable[[str], Any]
    default: Any
    help: str


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting("ECODATA_HOME", str, "./var", "Folder for the embedded database, search index, files and keys."),
    Setting("ECODATA_DATABASE_URL", str, "",
            "SQLAlchemy URL of the catalogue database; empty means a SQLite file in ECODATA_HOME. "
            "Example: postgresql+psycopg://user@127.0.0.1:5432/ecodata"),
    Setting("ECODATA_SEARCH_URL", str, "",
            "Search backend: empty means the embedded Tantivy index in ECODATA_HOME/search."),
    Setting("ECODATA_REDIS_URL", str, "",
            "Redis URL for RQ job queues (harvest, ingest); empty means jobs run in process."),
    Setting("ECODATA_STORAGE_URL", str, "",
            "Where data files live: empty means ECODATA_HOME/files on local disk; s3://bucket/prefix "
            "for S3-compatible object storage."),
    Setting("ECODATA_S3_ENDPOINT", str, "", "Endpoint URL of the S3-compatible object store."),
    Setting("ECODATA_SECRET_KEY", str, "",
            "Secret for session cookies and CSRF tokens; empty means one generated and kept in ECODATA_HOME."),
    Setting("ECODATA_SITE_URL", str, "http://127.0.0.1:5000",
            "Public base URL, used in DCAT feeds, sitemaps and API links."),
    Setting("ECODATA_SITE_TITLE", str, "重庆市生态环境监测数据开放平台", "Site title shown in the portal."),
    Setting("ECODATA_PUBLISHER_CODE", str, "cq-sthjj",
            "Department code of the catalogue's own publisher (dct:publisher of the DCAT catalogue)."),
    Setting("ECODATA_PUBLISHER_NAME", str, "重庆市生态环境局", "Name of the catalogue's own publisher."),
    Setting("ECODATA_RULES_PATH", str, "",
            "Folder of disclosure-rule YAML files; empty means the rules shipped in publish_rules/rules."),
    Setting("ECODATA_REQUIRE_SERVICES", _bool, False,
            "Tests: a missing PostgreSQL, Redis or corpus becomes a failure instead of a skip."),
    Setting("ECODATA_TEST_DATABASE_URL", str, "postgresql+psycopg://postgres@127.0.0.1:5432/test",
            "Tests: the PostgreSQL database the server-mode tests use."),
    Setting("ECODATA_TEST_REDIS_URL", str, "redis://127.0.0.1:6379/15",
            "Tests: the Redis database the queue tests use."),
    Setting("ECODATA_HARVEST_ALLOW_PRIVATE", _bool, False,
            "Allow harvest sources on private and loopback addresses (the demo and tests set it)."),
    Setting("ECODATA_NOTIFY_WEBHOOK", str, "", "URL that receives a JSON POST when a harvest job fails."),
    Setting("ECODATA_SMTP_URL", str, "",
            "Mail server for harvest failure e-mails: smtp://[user:password@]host[:port], smtp+starttls://… "
            "or smtps://…; empty means no e-mail is sent."),
    Setting("ECODATA_MAIL_FROM", str, "ecodata@localhost", "Sender address of the e-mails ecodata sends."),
    Setting("ECODATA_LOG_LEVEL", str, "INFO", "Logging level."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """Resolved settings.  Build with :func:`load`; tests pass overrides."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    @property
    def home(self) -> Path:
        return Path(self.values["ECODATA_HOME"]).resolve()

    @property
    def database_url(self) -> str:
        url = self.values["ECODATA_DATABASE_URL"]
        return url or f"sqlite:///{self.home / 'ecodata.db'}"

    def with_overrides(self, **overrides: Any) -> Config:
        return Config({**self.values, **overrides})


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in SETTINGS:
        raw = env.get(s.name)
        values[s.name] = s.default if raw is None or raw == "" else s.type(raw)
    for name, value in overrides.items():
        if name not in _BY_NAME:
            raise KeyError(f"unknown setting {name}")
        values[name] = value
    return Config(values)
