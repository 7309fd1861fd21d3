"""Built-in rule kinds, one module each; importing this package registers them."""

from . import aggregate, channels, delay, fields, license, min_aggregation, open, row_filter

BUILTIN_KEYS: tuple[str, ...] = ("open", "fields", "row_filter", "aggregate", "min_aggregation", "delay",
                                 "license", "channels")

__all__ = ["BUILTIN_KEYS", "aggregate", "channels", "delay", "fields", "license", "min_aggregation", "open",
           "row_filter"]
