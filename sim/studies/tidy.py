"""How a study's tables name their columns, so that DuckDB and pandas read each one without quoting.

The tables are tidy: every one with a ``cell`` label has, right after it, a
column per swept key, named after the key with dots as underscores (``policy``,
``delegation``, ``firm_staff``; ``cell_seed`` where the plain name is already a
column of the run, as ``seed`` and ``weeks`` are), holding the value the cell
set: a preset's name, or a number where every cell's value is one. Every other
name is plain too (``config_firm_staff``, ``by_failure_type_billing_error_complaints``).
"""

from __future__ import annotations

import re

import pandas as pd

#: Names the tables give columns of their own (weekly.parquet, summary.csv, paired.csv).
TABLE_COLUMNS = {"cell", "week", "baseline", "runs", "failed", "metric"}


def plain(name: str) -> str:
    """A name SQL reads unquoted: 'firm.staff' -> 'firm_staff' (anything not a letter, digit or _ as _)."""
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


def parse_cell(cell: list[str]) -> dict[str, str]:
    """['policy=none', 'delegation=full'] -> {'policy': 'none', 'delegation': 'full'}."""
    return dict(item.split("=", 1) for item in cell)


def swept_table(records: list[dict], taken: set[str]) -> pd.DataFrame:
    """Per cell label, a column per swept key with the value the cell sets (see the module's docstring).

    ``taken``: the names the tables already use; a swept key whose plain name is one of them
    gets ``cell_`` before it.
    """
    cells = {" ".join(r["cell"]): parse_cell(r["cell"]) for r in records}
    keys = list(dict.fromkeys(key for values in cells.values() for key in values))
    columns = {}
    for key in keys:
        name = plain(key.lstrip("+~"))
        if name in taken or name in columns:
            name = f"cell_{name}"
        values = pd.Series([cells[c].get(key) for c in cells], index=list(cells), dtype=object)
        numbers = pd.to_numeric(values, errors="coerce")
        columns[name] = numbers if numbers.notna().all() else values.astype(str).where(values.notna())
    return pd.DataFrame(columns, index=pd.Index(list(cells), name="cell"))


def with_swept(frame: pd.DataFrame, swept: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the swept columns of its cell label just after that label."""
    if "cell" not in frame.columns:
        return frame
    at = frame.columns.get_loc("cell") + 1
    joined = frame.join(swept, on="cell")
    return joined[[*frame.columns[:at], *swept.columns, *frame.columns[at:]]]
