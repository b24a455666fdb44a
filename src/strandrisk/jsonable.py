"""JSON-ready values of result tables: floats, and null where a value is missing (NaN).

``json.dumps(..., allow_nan=False)`` refuses NaN, and a missing value (no IRR, no debt, no
break-even) is ``null`` in every ``--json`` object: one rule for the engine's ``as_json``
methods and the CLI's tables.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pandas as pd

__all__ = ["json_number", "json_rows"]


def json_number(v: Any) -> float | None:
    """Return ``v`` as a float, or None where it is missing (None or NaN).

    Parameters
    ----------
    v : number, None or NaN
        A table cell. [its unit]
    """
    return None if v is None or pd.isna(v) else float(v)


def _key(label: Hashable) -> str:
    return ".".join(str(x) for x in label) if isinstance(label, tuple) else str(label)


def json_rows(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Return a table as ``{row: {column: value}}``, a MultiIndex row as ``"a.b"``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Numeric columns. [their units]
    """
    return {
        _key(label): {str(k): json_number(v) for k, v in row.items()}
        for label, row in frame.iterrows()
    }
