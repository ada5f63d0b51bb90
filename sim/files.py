"""Writing result files so that a crash never leaves half of one: temporary name first, then rename."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def partial_name(path: Path) -> Path:
    """The temporary name a file is written under in its folder before it is renamed to ``path``."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half a file.

    A write that fails (or is interrupted) removes what it began.
    """
    temporary = partial_name(path)
    try:
        write(temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def write_json(path: Path, record: dict) -> Path:
    """A JSON record, written atomically."""
    return write_text(path, json.dumps(record, indent=1, allow_nan=False) + "\n")


def write_text(path: Path, text: str) -> Path:
    """A text file (a report), written atomically."""
    write_atomically(path, lambda p: p.write_text(text))
    return path


def write_markdown_report(folder: Path, lines: list[str], figure: str, files: str) -> Path:
    """A study's report.md: its lines, then its figure and a line saying what each file holds."""
    tail = ["", f"![{Path(figure).stem}]({figure})", "", f"Files: {files}", ""]
    return write_text(folder / "report.md", "\n".join([*lines, *tail]))


def write_table(path: Path, frame: pd.DataFrame) -> Path:
    """A table as CSV or Parquet by the file's suffix, written atomically, without the index."""
    if path.suffix == ".csv":
        write_atomically(path, lambda p: frame.to_csv(p, index=False))
    else:
        write_atomically(path, lambda p: frame.to_parquet(p, index=False))
    return path
