"""Apply a disclosure Decision to a table: row filters, delay, field actions, aggregation.

Pure and vectorized (pyarrow compute).  It fails closed: a column the decision does not know is
removed (except for the owner), a filter or delay that cannot be enforced raises RedactionError,
and the result is checked to contain no dropped field before it is returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from publish_rules import Decision, FieldAction, RowFilter

_PERIOD_UNITS = {"hour": "hour", "day": "day", "month": "month"}


class RedactionError(ValueError):
    """The decision cannot be applied safely to this table."""


def _numeric(type_: pa.DataType) -> bool:
    return pa.types.is_integer(type_) or pa.types.is_floating(type_) or pa.types.is_decimal(type_)


def _require(table: pa.Table, name: str, why: str) -> pa.ChunkedArray:
    if name not in table.column_names:
        raise RedactionError(f"数据表缺少字段 {name}，无法执行{why} / column {name} missing: cannot apply {why}")
    return table[name]


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column if pa.types.is_string(column.type) else pc.cast(column, pa.string())


def _row_mask(table: pa.Table, row_filter: RowFilter) -> pa.ChunkedArray:
    column = _as_text(_require(table, row_filter.field, f"行过滤 {row_filter.rule_id}"))
    if row_filter.op == "keep_if_in":
        hit = pc.is_in(column, value_set=pa.array(row_filter.values, pa.string()))
        return pc.fill_null(hit, False)
    if row_filter.op == "drop_if_in":
        hit = pc.is_in(column, value_set=pa.array(row_filter.values, pa.string()))
        return pc.invert(pc.fill_null(hit, False))
    if row_filter.op == "drop_if_matches":
        return pc.invert(pc.fill_null(pc.match_substring_regex(column, row_filter.pattern or ""), False))
    if row_filter.op == "drop_if_null":
        return pc.is_valid(column)
    raise RedactionError(f"unknown row filter {row_filter.op}")


def _filter_rows(table: pa.Table, decision: Decision) -> pa.Table:
    for row_filter in decision.row_filters:
        table = table.filter(_row_mask(table, row_filter))
    return table


def _as_time(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        return column
    try:
        return pc.cast(column, pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise RedactionError(f"时间字段无法解析为时间 / time column is not a timestamp: {exc}") from exc


def _cutoff_scalar(column: pa.ChunkedArray, cutoff: datetime) -> pa.Scalar:
    if pa.types.is_date(column.type):
        return pa.scalar(cutoff.replace(tzinfo=None), pa.timestamp("us"))
    if column.type.tz is None:
        # Naive data times are read on the same wall clock as ``now``.
        return pa.scalar(cutoff.replace(tzinfo=None), pa.timestamp("us"))
    if cutoff.tzinfo is None:
        raise RedactionError("数据时间带时区时 now 也必须带时区 / now must be timezone-aware for tz-aware data")
    return pa.scalar(cutoff, pa.timestamp("us", tz=column.type.tz))


def _apply_delay(table: pa.Table, decision: Decision, now: datetime, time_field: str | None) -> pa.Table:
    if decision.delay <= timedelta(0):
        return table
    if time_field is None:
        raise RedactionError("规则要求延迟发布，但未指定时间字段 / a delay needs the time field")
    times = _as_time(_require(table, time_field, "延迟发布"))
    if pa.types.is_date(times.type):
        times = pc.cast(times, pa.timestamp("us"))
    cutoff = _cutoff_scalar(times, now - decision.delay)
    if cutoff.type != times.type:
        times = pc.cast(times, cutoff.type)
    # A row with no time cannot be shown to be old enough, so it stays out.
    return table.filter(pc.fill_null(pc.less_equal(times, cutoff), False))


def _known_columns(table: pa.Table, decision: Decision) -> pa.Table:
    keep = [c for c in table.column_names if c not in decision.dropped_fields
            and (decision.full_access or c in decision.fields)]
    return table.select(keep)


def _group_keys(table: pa.Table, decision: Decision, time_field: str) -> list[str]:
    spec = decision.aggregate
    assert spec is not None
    if spec.group_by is None:
        return [c for c in table.column_names if c != time_field and not _numeric(table[c].type)]
    return [c for c in spec.group_by if c in table.column_names and c != time_field]


def _aggregate(table: pa.Table, decision: Decision, time_field: str | None) -> tuple[pa.Table, dict[str, str]]:
    spec = decision.aggregate
    if spec is None:
        return table, {c: c for c in table.column_names}
    time_field = spec.time_field or time_field
    if time_field is None:
        raise RedactionError("规则要求汇总发布，但未指定时间字段 / aggregation needs the time field")
    bucket = pc.floor_temporal(_as_time(_require(table, time_field, "汇总")), unit=_PERIOD_UNITS[spec.period])
    table = table.set_column(table.column_names.index(time_field), time_field, bucket)
    keys = _group_keys(table, decision, time_field)
    values = [c for c in table.column_names if c not in keys and c != time_field and _numeric(table[c].type)]
    functions = [f for f in ("mean", "min", "max", "count") if f in spec.functions]
    # Single-threaded grouping keeps groups in order of first appearance, so the same input always
    # gives byte-identical output (releases are hashed); a multi-key sort would cost more than the grouping.
    grouped = table.group_by([*keys, time_field], use_threads=False)
    out = grouped.aggregate([(c, f) for c in values for f in functions])
    out = out.select([*keys, time_field, *[f"{c}_{f}" for c in values for f in functions]])
    sources = {c: c for c in (*keys, time_field)} | {f"{c}_{f}": c for c in values for f in functions}
    return out, sources


def _mask(column: pa.ChunkedArray, action: FieldAction) -> pa.ChunkedArray:
    text = _as_text(column)
    length = pc.utf8_length(text)
    hidden = pc.subtract(length, action.keep_first + action.keep_last)
    head = pc.utf8_slice_codeunits(text, 0, action.keep_first)
    tail = pc.utf8_slice_codeunits(text, -action.keep_last) if action.keep_last else pc.utf8_slice_codeunits(
        text, 0, 0)
    stars = pc.binary_repeat(action.mask_char, pc.max_element_wise(hidden, 0))
    partly = pc.binary_join_element_wise(head, stars, tail, "")
    # Too short to hide anything while showing the kept ends: hide every character instead.
    return pc.if_else(pc.greater(hidden, 0), partly, pc.binary_repeat(action.mask_char, length))


def _round(column: pa.ChunkedArray, action: FieldAction) -> pa.ChunkedArray:
    if pa.types.is_integer(column.type):
        return column
    if not _numeric(column.type):
        try:
            column = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise RedactionError(f"取舍字段不是数值 / cannot round a non-numeric column: {exc}") from exc
    return pc.round(column, ndigits=action.decimals)


def _coarsen(column: pa.ChunkedArray, action: FieldAction) -> pa.ChunkedArray:
    return pc.floor_temporal(_as_time(column), unit=_PERIOD_UNITS[action.unit])


_TRANSFORMS = {"mask": _mask, "round": _round, "coarsen": _coarsen}


def _transform_fields(table: pa.Table, decision: Decision, sources: dict[str, str]) -> pa.Table:
    for index, name in enumerate(table.column_names):
        action = decision.fields.get(sources.get(name, name))
        if action is None or action.action not in _TRANSFORMS:
            continue
        if action.action == "coarsen" and _numeric(table[name].type):
            continue  # a statistic derived from a time field is a count, not a time
        table = table.set_column(index, name, _TRANSFORMS[action.action](table[name], action))
    return table


def _assert_no_dropped(table: pa.Table, decision: Decision, sources: dict[str, str]) -> None:
    leaked = [c for c in table.column_names if sources.get(c, c) in decision.dropped_fields]
    if leaked:
        raise RedactionError(f"redaction left dropped fields in the output: {leaked}")


def apply_decision(table: pa.Table, decision: Decision, *, now: datetime,
                   time_field: str | None) -> pa.Table:
    """The table as ``decision``'s audience may receive it; raises RedactionError when unsafe."""
    if not decision.released:
        raise RedactionError(f"决定为 {decision.outcome}，不得发布数据 / outcome {decision.outcome}: no data")
    table = _filter_rows(table, decision)
    table = _apply_delay(table, decision, now, time_field)
    table = _known_columns(table, decision)
    table, sources = _aggregate(table, decision, time_field)
    table = _transform_fields(table, decision, sources)
    _assert_no_dropped(table, decision, sources)
    return table


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def preview(table: pa.Table, decision: Decision, now: datetime, *, time_field: str | None = None,
            sample_rows: int = 5) -> dict[str, Any]:
    """What a release would contain: output fields, row counts, delay, channels and a few rows."""
    base: dict[str, Any] = {"dataset": decision.dataset, "outcome": decision.outcome,
                            "audience": decision.audience.kind, "rows_in": table.num_rows,
                            "delay_seconds": int(decision.delay.total_seconds()),
                            "channels": sorted(decision.channels), "license": decision.license,
                            "aggregate": decision.aggregate.to_dict() if decision.aggregate else None,
                            "ruleset_version": decision.ruleset_version}
    if not decision.released:
        return base | {"fields": [], "row_count": 0, "sample": []}
    out = apply_decision(table, decision, now=now, time_field=time_field)
    fields = [{"name": f.name, "type": str(f.type)} for f in out.schema]
    sample = [{k: _plain(v) for k, v in row.items()} for row in out.slice(0, sample_rows).to_pylist()]
    return base | {"fields": fields, "row_count": out.num_rows, "sample": sample}
