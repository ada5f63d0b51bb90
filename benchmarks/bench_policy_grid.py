"""End-to-end time of the policy_grid study: 12 cells x 30 replications x 10,000 customers x 104 weeks.

Usage: python benchmarks/bench_policy_grid.py [extra overrides, e.g. study.replications=5]
Runs `recovery-sim experiment=policy_grid` (all local cores) into a temporary
folder, aggregation and figures included, and prints the wall-clock time beside
the simulation's own: the sum of the runs' model weeks (``RecoveryModel.run_model``,
each run's ``model_seconds``) divided by the cores. Their ratio is the study's
overhead (issue 24: at most 1.5). Then where the rest went, from the files' times:
the checks before Hydra writes multirun.yaml, the workers' start until the first run,
the runs (each run's time beside its model's), and the report (when each of its files was written,
after the last run: weekly.parquet and weekly.png come from a worker, the rest from the command).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench_study import timed


def phases(sweep: Path, started: float, seconds: float) -> list[tuple[str, float]]:
    """Where the wall time went, from the times the study's files were written (seconds since the start)."""
    records = [json.loads(p.read_text()) for p in (sweep / "runs").glob("*.json")]
    records = [r for r in records if r.get("status") == "ok"]
    cores = os.cpu_count()
    swept = (sweep / "multirun.yaml").stat().st_mtime - started
    first = min(r["started"] for r in records) - started
    last = max(r["started"] + r["seconds"] for r in records) - started
    report = (sweep / "report.md").stat().st_mtime - started
    tail = sorted((p.stat().st_mtime - started, p.name) for p in sweep.iterdir() if p.suffix in OUTPUTS)
    return [
        ("checks and composition until multirun.yaml", swept),
        ("workers start, until the first run starts", first - swept),
        ("runs, first start to last end", last - first),
        ("  each run's model weeks, summed / cores", sum(r["model_seconds"] for r in records) / cores),
        ("  each run's whole time, summed / cores", sum(r["seconds"] for r in records) / cores),
        ("last run's end to report.md", report - last),
        *((f"  {name} written", at - last) for at, name in tail if at > last and name != "report.md"),
        ("after report.md until the command exits", seconds - report),
    ]


#: The report's files, whose times show where the report's time went.
OUTPUTS = {".parquet", ".csv", ".png", ".json"}


def main() -> None:
    started = time.time()
    seconds, sweep = timed(["experiment=policy_grid", *sys.argv[1:]], "hydra.sweep.dir")
    records = [json.loads(p.read_text()) for p in (sweep / "runs").glob("*.json")]
    model = sum(r.get("model_seconds", 0.0) for r in records) / os.cpu_count()
    parts = phases(sweep, started, seconds)
    shutil.rmtree(sweep.parent)
    print(
        f"policy_grid: {len(records)} runs on {os.cpu_count()} cores, end to end {seconds:.1f} s "
        f"({seconds / max(len(records), 1):.2f} s per run); sum of run_model / cores {model:.1f} s; "
        f"ratio {seconds / model:.2f} (target at most 1.5)"
    )
    for name, value in parts:
        print(f"  {name:45s} {value:6.1f} s")
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
