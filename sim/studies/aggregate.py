"""``recovery-sim-report SWEEP_DIR``: a study's tables, figures and report, from its files alone.

Runs at the end of every sweep (a Hydra callback) and stands alone on any
sweep folder, finished, partial or interrupted: it reads ``runs/*.json`` and
``runs/*.parquet`` and rewrites everything else. The tables' columns are named
as ``sim.studies.tidy`` says; the weekly table and the figures are ``sim.studies.drawn``'s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.arguments import OneLineParser
from sim.files import write_json, write_table
from sim.studies.drawn import summary_figures, weekly_outputs
from sim.studies.stats import adjusted_level, mean_ci, paired_difference, recovery_roi
from sim.studies.study import ReportError, finished_runs
from sim.studies.tidy import TABLE_COLUMNS, parse_cell, swept_table, with_swept
from sim.world.parameter import PROJECT_ROOT

PACKAGES = (
    "recovery-sim",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "networkx",
    "hydra-core",
    "statsmodels",
)


#: Metrics that are shares, whose intervals are clipped to [0, 1].
SHARES = {
    "churn_rate",
    "recovery_satisfaction",
    "complaint_rate",
    "first_contact_resolution",
    "within_target_share",
}


def load_records(sweep_dir: Path) -> tuple[list[dict], list[dict]]:
    """Finished and failed run records of a sweep (a run that later succeeded counts once, as finished)."""
    runs = sweep_dir / "runs"
    if not runs.is_dir():
        raise ReportError(f"{sweep_dir} has no runs/ folder: allowed a sweep folder made by recovery-sim")
    if not any((sweep_dir / name).is_file() for name in ("study.json", "multirun.yaml")):
        raise ReportError(
            f"{sweep_dir} holds no study.json or multirun.yaml: allowed a sweep folder made by recovery-sim "
            "(its report is rewritten, so a folder of other files is refused)"
        )
    ok = [read_record(path) for path in sorted(finished_runs(runs))]
    failed = [read_record(path) for path in sorted(runs.glob("*.failed.json"))]
    done = {r["run_id"] for r in ok}
    return ok, [r for r in failed if r["run_id"] not in done]


def read_record(path: Path) -> dict:
    """A run's JSON record, or a ReportError naming the file that is not one."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ReportError(
            f"{path} is not a run record ({error}): allowed the files recovery-sim writes"
        ) from None
    if not isinstance(record, dict) or "run_id" not in record:
        raise ReportError(f"{path} is not a run record (no run_id): allowed the files recovery-sim writes")
    return record


def sweep_order(sweep_dir: Path) -> dict[str, list[str]]:
    """The swept keys and their values in the order the study lists them (from Hydra's multirun.yaml)."""
    path = sweep_dir / "multirun.yaml"
    if not path.exists():
        return {}
    params = (yaml.safe_load(path.read_text()).get("hydra") or {}).get("sweeper", {}).get("params") or {}
    return {key: [v.strip() for v in str(values).split(",")] for key, values in params.items()}


#: The identity of a run in runs.parquet, then its cell label and swept values, then its summary.
IDENTITY = ("run_id", "status", "replication", "seed", "seconds", "error")


def runs_frame(ok: list[dict], failed: list[dict]) -> pd.DataFrame:
    """One row per run: identity, status, cell label, then every summary and config value (config_*)."""
    rows = []
    for record in ok + failed:
        row = {key: record.get(key) for key in IDENTITY}
        row["cell"] = " ".join(record["cell"])
        rows.append((row, record.get("summary") or {}))
    flat = pd.json_normalize([summary for _, summary in rows], sep="_").drop(columns="seed", errors="ignore")
    return pd.concat([pd.DataFrame([row for row, _ in rows]), flat], axis=1)


def order_cells(cells: list[str], order: dict[str, list[str]]) -> list[str]:
    """Cells in the study's order of values, else alphabetically."""

    def rank(cell: str) -> tuple:
        values = parse_cell(cell.split())
        return (*(o.index(values[k]) if values.get(k) in o else len(o) for k, o in order.items()), cell)

    return sorted(dict.fromkeys(cells), key=rank)


def baselines(cells: pd.DataFrame, study: dict) -> dict[str, str | None]:
    """For each cell, the cell it is compared with: the baseline cell sharing its ``within`` values."""
    wanted = set(study["baseline"])
    within = study.get("within") or []
    result = {}
    for cell in cells["cell"]:
        parts = parse_cell(cell.split())
        group = {k: parts.get(k) for k in within}
        matches = [
            other
            for other in cells["cell"]
            if wanted <= set(other.split())
            and all(parse_cell(other.split()).get(k) == v for k, v in group.items())
        ]
        result[cell] = matches[0] if matches else None
    return result


def by_cell(ok: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each cell's finished runs indexed by replication, made once: paired_values looks them up per metric."""
    return {cell: frame.set_index("replication") for cell, frame in ok.groupby("cell", sort=False)}


def paired_values(
    cells: dict[str, pd.DataFrame], cell: str, base: str, metric: str
) -> tuple[np.ndarray, np.ndarray]:
    """A metric in a cell and in its baseline, aligned by replication (``cells``: :func:`by_cell`)."""
    a = cells[cell][metric] if cell in cells else pd.Series(dtype=float)
    b = cells[base][metric] if base in cells else pd.Series(dtype=float)
    both = a.index.intersection(b.index)
    return a.loc[both].to_numpy(float), b.loc[both].to_numpy(float)


def cell_table(
    runs: pd.DataFrame, cells: list[str], base_of: dict, metrics: list[str], paired: pd.DataFrame
) -> pd.DataFrame:
    """summary.csv: per cell, mean and 95% interval of each metric, whether it differs from its baseline, ROI.

    ``{metric}_distinguishable_from_baseline`` is paired.csv's ``distinguishable``, copied (empty
    for a cell with no baseline or that is one). Recovery ROI (profit gained per unit of extra
    recovery cost, with an interval at the adjusted level) is given only where the extra
    recovery cost is distinguishable from zero: a ratio over a cost that may be nothing is no
    measure.
    """
    ok = runs[runs["status"] == "ok"]
    indexed = by_cell(ok)
    verdicts = paired.set_index(["cell", "metric"])
    rows = []
    for cell in cells:
        mine = runs[runs["cell"] == cell]
        row = {
            "cell": cell,
            "baseline": base_of[cell],
            "runs": int((mine["status"] == "ok").sum()),
            "failed": int((mine["status"] == "failed").sum()),
        }
        for metric in metrics:
            e = mean_ci(ok.loc[ok["cell"] == cell, metric])
            low, high = np.clip([e.low, e.high], 0, 1) if metric in SHARES else (e.low, e.high)
            row.update({f"{metric}_mean": e.mean, f"{metric}_low": low, f"{metric}_high": high})
        for metric in metrics:
            known = (cell, metric) in verdicts.index
            row[f"{metric}_distinguishable_from_baseline"] = (
                bool(verdicts.loc[(cell, metric), "distinguishable"]) if known else None
            )
        cost = verdicts.loc[(cell, "recovery_cost")] if (cell, "recovery_cost") in verdicts.index else None
        roi = None
        if cost is not None and cost["distinguishable"]:
            d_profit = np.subtract(*paired_values(indexed, cell, base_of[cell], "profit"))
            d_cost = np.subtract(*paired_values(indexed, cell, base_of[cell], "recovery_cost"))
            roi = recovery_roi(d_profit, d_cost, level=adjusted_level(int(cost["comparisons"])))
        row.update(
            {
                "recovery_roi_mean": roi.mean if roi else np.nan,
                "recovery_roi_low": roi.low if roi else np.nan,
                "recovery_roi_high": roi.high if roi else np.nan,
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


#: paired.csv's columns: the rule's adjusted interval, p and verdict first, the unadjusted ones after.
PAIRED_COLUMNS = (
    "metric",
    "cell",
    "baseline",
    "pairs",
    "comparisons",
    "mean_difference",
    "ci_low_adjusted",
    "ci_high_adjusted",
    "p_adjusted",
    "distinguishable",
    "ci_low",
    "ci_high",
    "p_value",
)


def paired_table(runs: pd.DataFrame, cells: list[str], base_of: dict, metrics: list[str]) -> pd.DataFrame:
    """paired.csv: every cell minus its baseline, per metric, under the one rule of ``sim.studies.stats``.

    ``comparisons`` is k, the number of cells compared with that baseline; ``ci_low_adjusted``,
    ``ci_high_adjusted`` and ``p_adjusted`` hold for the k together, and ``distinguishable`` says
    whether the adjusted interval excludes zero. ``ci_low``, ``ci_high`` and ``p_value`` are each
    comparison on its own (95%), for researchers; the report does not use them.
    """
    indexed = by_cell(runs[runs["status"] == "ok"])
    compared = {cell: base for cell, base in base_of.items() if base is not None and base != cell}
    k = pd.Series(list(compared.values()), dtype=object).value_counts().to_dict()
    rows = []
    for metric in metrics:
        for cell in cells:
            if cell not in compared:
                continue
            base = compared[cell]
            d = paired_difference(*paired_values(indexed, cell, base, metric), comparisons=k[base])
            rows.append(
                {
                    "metric": metric,
                    "cell": cell,
                    "baseline": base,
                    "pairs": d.estimate.n,
                    "comparisons": d.comparisons,
                    "mean_difference": d.estimate.mean,
                    "ci_low_adjusted": d.adjusted.low,
                    "ci_high_adjusted": d.adjusted.high,
                    "p_adjusted": d.p_adjusted,
                    "distinguishable": d.distinguishable,
                    "ci_low": d.estimate.low,
                    "ci_high": d.estimate.high,
                    "p_value": d.p_value,
                }
            )
    return pd.DataFrame(rows, columns=list(PAIRED_COLUMNS))  # the columns even when no cell has a baseline


def git_commit() -> str:
    """The commit the code ran from, '+dirty' if it had uncommitted changes, or 'unknown'."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def manifest(sweep_dir: Path, ok: list[dict], failed: list[dict], cells: int, replications: int) -> dict:
    """What ran, from what code, when, and how it went."""
    multirun = sweep_dir / "multirun.yaml"
    overrides = []
    if multirun.exists():
        overrides = (
            (yaml.safe_load(multirun.read_text()).get("hydra") or {}).get("overrides", {}).get("task", [])
        )
    starts = [r["started"] for r in ok + failed if r.get("started")]
    ends = [r["started"] + r.get("seconds", 0) for r in ok if r.get("started")]

    def stamp(t: float | None) -> str | None:
        return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") if t else None

    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "study": sweep_dir.parent.name,
        "command": " ".join(["recovery-sim", *overrides]),
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "packages": versions,
        "started": stamp(min(starts, default=None)),
        "ended": stamp(max(ends, default=None)),
        "runs_expected": cells * replications,
        "runs_done": len(ok),
        "runs_failed": len(failed),
        "failures": [
            {"run_id": r["run_id"], "cell": " ".join(r["cell"]), "error": r["error"]} for r in failed
        ],
        "reported": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def aggregate(sweep_dir: Path, elsewhere: Elsewhere | None = None) -> list[Path]:
    """Rewrite every table, figure and the report of a sweep folder; return what was written.

    ``elsewhere``: runs a function in another process and returns its Future (a study's idle
    workers, at the end of a study): the runs' weeks are read, written and drawn there, and
    the summary's figures drawn (``sim.studies.drawn``), while this process does the rest.
    Without it, or where the process it ran in died, all is done here.

    Every file but report.md is written in a folder of this call's own first, and moved into
    place once all of them are: a report that cannot be made (a run's file unreadable, a
    Ctrl-C before the files are moved) leaves the one before it as it was.
    """
    from sim.studies.report import write_report

    sweep_dir = Path(sweep_dir)
    ok, failed = load_records(sweep_dir)
    if not ok and not failed:
        raise ReportError(f"{sweep_dir}/runs has no run records yet: allowed a sweep with at least one run")
    runs = runs_frame(ok, failed)
    study = (ok[0] if ok else {}).get("summary", {}).get("config", {}).get("study") or {
        "name": sweep_dir.parent.name,
        "baseline": [],
        "within": [],
        "metrics": [],
        "replications": 1,
    }
    name = study.get("name", sweep_dir.parent.name)
    order = sweep_order(sweep_dir)
    cells = order_cells(list(runs["cell"]), order)
    labels = [{"cell": r["cell"]} for r in ok + failed]  # all swept_table reads
    with staging_folder(sweep_dir) as staging:
        weekly_args = (
            sweep_dir,
            staging,
            [{key: r[key] for key in ("run_id", "cell", "replication")} for r in ok],
            labels,
            list(runs.columns),
            name,
            cells,
        )
        weeks = (elsewhere or here)(weekly_outputs, *weekly_args)
        base_of = baselines(runs.drop_duplicates("cell"), study)
        metrics = [m for m in study["metrics"] if m in runs.columns]
        paired = paired_table(runs, cells, base_of, metrics)
        summary = cell_table(runs, cells, base_of, metrics, paired)
        figure_args = (staging, name, summary, paired, cells)
        drawn = (elsewhere or here)(summary_figures, *figure_args) if ok else None
        weekly_columns, weekly_written = settled(weeks, weekly_outputs, weekly_args)
        summary_drawn = settled(drawn, summary_figures, figure_args) if drawn else []
        swept = swept_table(labels, {*runs.columns, *weekly_columns, *TABLE_COLUMNS})
        runs, summary, paired = (with_swept(t, swept) for t in (runs, summary, paired))
        info = manifest(sweep_dir, ok, failed, len(cells), study.get("replications", 1))
        staged = [
            write_table(staging / "runs.parquet", runs),
            weekly_written[0],
            write_table(staging / "summary.csv", summary),
            write_table(staging / "paired.csv", paired),
            write_json(staging / "manifest.json", info),
            *weekly_written[1:],
            *summary_drawn,
        ]
        written = [publish(path, sweep_dir) for path in staged]
    figures = [path for path in written if path.suffix == ".png"]
    written.append(write_report(sweep_dir, study, summary, paired, runs, info, figures, order))
    return written


@contextmanager
def staging_folder(sweep_dir: Path) -> Iterator[Path]:
    """A folder of this process's own in the sweep folder, removed with what is left in it."""
    staging = sweep_dir / f".report.{os.getpid()}.partial"
    staging.mkdir(exist_ok=True)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staged: Path, sweep_dir: Path) -> Path:
    """A staged file moved to its place in the sweep folder."""
    return Path(shutil.move(staged, sweep_dir / staged.name))


def settled(done: Future, function: Callable, args: tuple) -> object:
    """What ``done`` holds, or ``function(*args)`` made here if the process that ran it died.

    An error of the work itself that names a file (``ReportError``) is raised as it is; anything
    else (a worker killed, its pool broken, or a fault of the drawing itself, which then raises
    here a second time) has the work done again in this process.
    """
    try:
        return done.result()
    except ReportError:
        raise
    except Exception:
        return function(*args)


#: Runs a function with its arguments somewhere and returns the Future of its result.
Elsewhere = Callable[..., Future]


def here(function: Callable, *args: object) -> Future:
    """Run ``function(*args)`` now, in this process (an error is raised at once); its result as a Future."""
    done: Future = Future()
    done.set_result(function(*args))
    return done


def main() -> None:
    """Command line: recovery-sim-report SWEEP_DIR."""
    parser = OneLineParser(
        prog="recovery-sim-report",
        description="Rebuild a study's tables, figures and report from its run files.",
    )
    parser.add_argument("sweep_dir", type=Path, help="a folder results/<study>/<time>/ made by recovery-sim")
    args = parser.parse_args()
    try:
        written = aggregate(args.sweep_dir)
    except ReportError as error:
        print(f"recovery-sim-report: error: {error}", file=sys.stderr)
        sys.exit(2)
    print(f"wrote {len(written)} files in {args.sweep_dir}: {' '.join(p.name for p in written)}")


if __name__ == "__main__":
    main()
