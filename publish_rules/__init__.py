"""The disclosure list and its pure decision engine.

``load_ruleset(path) -> RuleSet``; ``evaluate(subject, ruleset, audience) -> Decision``;
``explain(decision) -> str``.  This package is the bottom layer: it imports nothing from catalog,
harvesters or portal, touches no database or network, and reads no clock.
"""

from .draft import DecisionDraft, RuleContext
from .durations import format_duration, parse_duration
from .engine import evaluate
from .explain import explain
from .floor import dataset_level
from .loader import RULES_DIR, Rule, RuleFileError, RuleSet, check_rules, load_ruleset, ruleset_from_documents
from .model import (
    ACTIONS,
    AGG_FUNCTIONS,
    AUDIENCE_KINDS,
    CHANNELS,
    LEVELS,
    PERIODS,
    Aggregate,
    Audience,
    Decision,
    FieldAction,
    FieldSpec,
    GrantScope,
    Reason,
    RowFilter,
    Subject,
)
from .registry import ENTRY_POINT_GROUP, RuleKind, all_kinds, load_plugins, register, rule_kind, unregister
from .schema_check import RuleProblem

__all__ = [
    "ACTIONS", "AGG_FUNCTIONS", "AUDIENCE_KINDS", "CHANNELS", "ENTRY_POINT_GROUP", "LEVELS", "PERIODS",
    "RULES_DIR", "Aggregate", "Audience", "Decision", "DecisionDraft", "FieldAction", "FieldSpec", "GrantScope",
    "Reason", "RowFilter", "Rule", "RuleContext", "RuleFileError", "RuleKind", "RuleProblem", "RuleSet",
    "Subject", "all_kinds", "check_rules", "dataset_level", "evaluate", "explain", "format_duration",
    "load_plugins", "load_ruleset", "parse_duration", "register", "rule_kind", "ruleset_from_documents",
    "unregister",
]
