"""The one error the standards calculators raise for unusable input."""

from __future__ import annotations

from catalog.errors import EcodataError


class StandardsInputError(EcodataError):
    """Input a calculator cannot evaluate: unknown pollutant, missing column, wrong time type."""

    status = 422
    code = "standards_input"
