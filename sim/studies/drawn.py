"""The parts of a study's report done in its idle workers: the weekly table, and every figure.

Reading every run's weeks (``runs/<run_id>.parquet``) into weekly.parquet and drawing the
figures is most of a report's time, and needs little of what the rest computes: at the end
of a study each is done in one of the study's idle workers (``sim.studies.aggregate``), the
weekly table and figure in one, the summary's figures in the other, while the command's
process writes the tables and the report. So this module imports no statistics, and
Matplotlib only where a figure is drawn: the command's process never loads it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.files import write_table
from sim.studies.study import ReportError
from sim.studies.tidy import TABLE_COLUMNS, swept_table, with_swept


def weekly_frame(sweep_dir: Path, ok: list[dict]) -> pd.DataFrame:
    """One row per finished run per week: run, cell label, replication, then the run's weekly metrics.

    The files are read and joined as Arrow tables and made a DataFrame once: a DataFrame per
    file cost about 3 ms, a second for policy_grid's 360 runs. Each is read on one thread: for
    a table this small Arrow's threads cost more than they save (0.55 s against 0.32 s).
    """
    if not ok:
        return pd.DataFrame()
    tables = []
    for r in ok:
        path = sweep_dir / "runs" / f"{r['run_id']}.parquet"
        try:
            with pq.ParquetFile(path) as file:
                tables.append(file.read(use_threads=False))
        except (OSError, pa.ArrowException) as error:
            reason = next(iter(str(error).splitlines()), type(error).__name__)
            raise ReportError(
                f"{path} is not a run's weekly table ({reason}): allowed the files recovery-sim writes "
                "(run the study again in its folder to make the run anew, after removing runs/"
                f"{r['run_id']}.json)"
            ) from None
    weeks = [table.num_rows for table in tables]
    weekly = pa.concat_tables(tables, promote_options="default").to_pandas()
    identity = pd.DataFrame(
        {
            "run_id": np.repeat([r["run_id"] for r in ok], weeks).astype(object),
            "cell": np.repeat([" ".join(r["cell"]) for r in ok], weeks).astype(object),
            "replication": np.repeat([r["replication"] for r in ok], weeks).astype(np.int64),
        }
    )
    return pd.concat([identity, weekly.drop(columns=identity.columns, errors="ignore")], axis=1)


def weekly_outputs(
    sweep_dir: Path,
    out: Path,
    ok: list[dict],
    labels: list[dict],
    taken: list[str],
    name: str,
    cells: list[str],
) -> tuple[list[str], list[Path]]:
    """weekly.parquet and weekly.png, from the runs in ``sweep_dir``, written in ``out``.

    Returns the weekly table's own columns, and the files written.

    ``ok``: the finished runs' ids, cells and replications; ``labels``: every run's cell label;
    ``taken``: the runs table's columns (the swept columns' names avoid them and the weekly
    table's own, which the command's process names its tables' swept columns by).
    """
    from sim.studies.figures import draw_weekly

    weekly = weekly_frame(sweep_dir, ok)
    swept = swept_table(labels, {*taken, *weekly.columns, *TABLE_COLUMNS})
    written = [write_table(out / "weekly.parquet", with_swept(weekly, swept))]
    if ok:
        written.append(draw_weekly(out, name, weekly, cells))
    return list(weekly.columns), written


def summary_figures(
    out: Path, name: str, summary: pd.DataFrame, paired: pd.DataFrame, cells: list[str]
) -> list[Path]:
    """forest.png, frontier.png and heatmap.png or curve.png in ``out`` (``figures.draw_study_figures``)."""
    from sim.studies.figures import draw_study_figures

    return draw_study_figures(out, name, summary, paired, cells)
