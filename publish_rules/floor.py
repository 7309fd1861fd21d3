"""The dataset's own 开放属性 / 共享属性 as a floor under every rule, and who may therefore receive data.

Rules only lower the openness level; these functions make sure that no rule can open a dataset
beyond what its own attributes allow (a 不予开放 dataset never becomes public).
"""

from __future__ import annotations

from .model import LEVELS, Audience, Subject

_FROM_OPEN = {"无条件开放": "public", "有条件开放": "conditional", "不予开放": "none"}
_FROM_SHARE = {"无条件共享": "government", "有条件共享": "conditional", "不予共享": "none"}


def dataset_level(subject: Subject) -> str:
    """The widest openness the dataset's attributes allow (unknown values count as closed)."""
    by_open = _FROM_OPEN.get(subject.open_type, "none")
    by_share = _FROM_SHARE.get(subject.share_type, "none")
    return max(by_open, by_share, key=LEVELS.index)


def at_least(level: str, needed: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(needed)


def may_receive(subject: Subject, audience: Audience, level: str, share_with: frozenset[str] | None) -> bool:
    """Whether this audience may receive the data at this (already floored) level."""
    if audience.kind == "public":
        return level == "public" and subject.open_type == "无条件开放"
    if audience.kind == "government":
        department_ok = share_with is None or audience.department in share_with
        attributes_ok = subject.share_type == "无条件共享" or subject.open_type == "无条件开放"
        return at_least(level, "government") and department_ok and attributes_ok
    if audience.kind == "grant":
        by_open = subject.open_type != "不予开放"
        by_share = audience.department is not None and subject.share_type != "不予共享"
        return at_least(level, "conditional") and (by_open or by_share)
    return False


def may_list(subject: Subject, audience: Audience, level: str) -> bool:
    """Whether the audience may at least see the metadata (and so apply for access)."""
    if not at_least(level, "conditional"):
        return False
    if subject.open_type != "不予开放":
        return True
    in_government = audience.kind == "government" or (audience.kind == "grant" and audience.department)
    return bool(in_government) and subject.share_type != "不予共享"
