"""``python -m sim.world.params [--write docs/ODD.md]``: the ODD parameter table, generated from the schema.

Each row comes from a field's metadata in sim/world/market_schema.py and schema.py (range, meaning,
unit, source), so the documentation cannot drift from the code; a test checks
that docs/ODD.md holds the current table. ``sim.parameters()`` (sim.world.keys) is the same
table as a DataFrame.
"""

from __future__ import annotations

import argparse
from enum import Enum
from pathlib import Path
from typing import Any

from sim.world.keys import leaves
from sim.world.schema import SimConfig

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _range(meta: dict) -> str:
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        return ""
    return f"{_show(lo) if lo is not None else ''} – {_show(hi) if hi is not None else ''}".strip()


def rows(obj: Any, prefix: str = "") -> list[tuple[str, ...]]:
    """One row per leaf parameter: key, default, range, unit, meaning, source."""
    return [
        (key, _show(value), _range(f.metadata), *(f.metadata.get(k, "") for k in ("unit", "doc", "source")))
        for key, value, f, _ in leaves(obj, prefix)
    ]


def table() -> str:
    """The parameter table as Markdown."""
    lines = ["| key | default | range | unit | meaning | source |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows(SimConfig())]
    return "\n".join(lines)


def write_into(path: Path) -> None:
    """Replace the table between the markers in ``path``."""
    text = path.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{table()}\n{END}{tail}")


def main() -> None:
    """Print the table, or write it into a document between its markers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="document to update between the parameter markers")
    args = parser.parse_args()
    if args.write:
        write_into(args.write)
    else:
        print(table())


if __name__ == "__main__":
    main()
