"""The disclosure rule set a running process uses.

At start-up a malformed rule file stops the process with file, line and reason.  Afterwards the
rules are reloaded when their files change; a reload that fails keeps the previous rule set in
force and remembers the problems.  Every rule set that comes into force is recorded in the audit
log (once per version).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publish_rules import RULES_DIR, RuleFileError, RuleProblem, RuleSet, load_ruleset

from . import audit
from .models.publication import AuditEntry
from .settings import Config

log = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]


def rules_path(config: Config) -> Path:
    configured = config["ECODATA_RULES_PATH"]
    return Path(configured) if configured else RULES_DIR


def _fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((f.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


def record_load(session: Session, ruleset: RuleSet, path: Path) -> None:
    """Audit the rule set coming into force, unless this version is already the last one recorded."""
    last = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "rules.loaded")
                          .order_by(AuditEntry.seq.desc()).limit(1))
    if last is not None and (last.payload or {}).get("version") == ruleset.version:
        return
    audit.append(session, "system:rules", "rules.loaded", "ruleset", ruleset.version[:16],
                 {"version": ruleset.version, "path": str(path), "files": list(ruleset.files),
                  "rules": [r.id for r in ruleset.rules]})


@dataclass
class RulesRuntime:
    path: Path
    sessions: SessionFactory | None = None
    ruleset: RuleSet | None = None
    last_problems: list[RuleProblem] = field(default_factory=list)
    _seen: tuple[tuple[str, int, int], ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> RuleSet:
        """Load the rules or raise RuleFileError: a process must not start on a broken list."""
        with self._lock:
            self._seen = _fingerprint(self.path)
            self.ruleset = load_ruleset(self.path)
            self.last_problems = []
        self._record()
        return self.ruleset

    def reload(self) -> list[RuleProblem]:
        """Load the files again; on any problem keep the rules in force and return the problems."""
        with self._lock:
            self._seen = _fingerprint(self.path)
            try:
                fresh = load_ruleset(self.path)
            except RuleFileError as exc:
                self.last_problems = list(exc.problems)
                for problem in exc.problems:
                    log.error("rule reload refused, previous rules stay in force: %s", problem)
                return self.last_problems
            changed = self.ruleset is None or fresh.version != self.ruleset.version
            self.ruleset, self.last_problems = fresh, []
        if changed:
            self._record()
        return []

    def current(self) -> RuleSet:
        """The rule set in force, reloading first if a rule file changed since the last look."""
        if self.ruleset is None:
            return self.start()
        if _fingerprint(self.path) != self._seen:
            self.reload()
        assert self.ruleset is not None
        return self.ruleset

    def _record(self) -> None:
        if self.sessions is None or self.ruleset is None:
            return
        with self.sessions() as session, session.begin():
            record_load(session, self.ruleset, self.path)


_RUNTIMES: dict[tuple[str, str], RulesRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(config: Config, sessions: SessionFactory | None = None) -> RulesRuntime:
    """The process-wide runtime for this rules folder and database (created and started once)."""
    key = (str(rules_path(config).resolve()), config.database_url)
    with _RUNTIMES_LOCK:
        runtime = _RUNTIMES.get(key)
        if runtime is None:
            runtime = RulesRuntime(rules_path(config), sessions)
            runtime.start()
            _RUNTIMES[key] = runtime
        elif runtime.sessions is None and sessions is not None:
            runtime.sessions = sessions
    return runtime


def forget(config: Config) -> None:
    """Drop the cached runtime (tests that change rule folders between apps)."""
    with _RUNTIMES_LOCK:
        _RUNTIMES.pop((str(rules_path(config).resolve()), config.database_url), None)
