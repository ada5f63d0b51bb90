"""A study job: one cell of a Hydra sweep, its replications run in turn, each saved on its own.

Hydra sweeps the cells (policy x delegation, compensation levels, ...); each
job loops over its replications, because a job costs Hydra about a quarter of
a second and a run of the default market about half a second. Replication r
uses seed ``seed + r`` in every cell, so cells are compared on the same
customers and failures (common random numbers).

Every run writes ``runs/<run_id>.parquet`` (its weeks) and then
``runs/<run_id>.json`` (its summary), each under a temporary name first; the
JSON marks the run done. A run that raises leaves ``runs/<run_id>.failed.json``
with the error and the job goes on, so Hydra's end-of-sweep callback still
runs. The run id hashes the resolved world and the seed: running a study again
into the same folder skips what is done and retries what failed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from sim.config import SimConfig, config_dict
from sim.files import write_json, write_table
from sim.result import run


def world_of(cfg: SimConfig) -> dict:
    """The parts of a config that decide a run's outcome (not how the study or output is organised)."""
    world = config_dict(cfg)
    for setting in ("study", "output", "check_memory"):
        world.pop(setting)
    return world


def run_id(cfg: SimConfig) -> str:
    """A short, stable hash of the resolved world and seed."""
    text = json.dumps(world_of(cfg), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_cell(cfg: SimConfig, sweep_dir: Path, cell: list[str], total: int | None) -> dict[str, int]:
    """Run the cell's replications that are not done yet; return counts of done, skipped and failed."""
    runs = sweep_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for replication in range(cfg.study.replications):
        config = dataclasses.replace(cfg, seed=cfg.seed + replication)
        rid = run_id(config)
        record, failed = runs / f"{rid}.json", runs / f"{rid}.failed.json"
        if record.exists():
            counts["skipped"] += 1
            continue
        about = {"run_id": rid, "cell": cell, "replication": replication, "seed": config.seed}
        started = time.time()
        try:
            result = run(config, agents=cfg.study.agents, complaints=False)
        except Exception as error:  # a run that raises must not stop the sweep
            write_json(
                failed,
                {
                    **about,
                    "status": "failed",
                    "error": f"{type(error).__name__}: {error}",
                    "traceback": traceback.format_exc(),
                    "started": started,
                },
            )
            counts["failed"] += 1
        else:
            write_table(runs / f"{rid}.parquet", result.timeseries)
            write_json(
                record,
                {
                    **about,
                    "status": "ok",
                    "started": started,
                    "seconds": time.time() - started,
                    "summary": result.summary,
                },
            )
            failed.unlink(missing_ok=True)
            counts["done"] += 1
        print(progress_line(cfg.study.name, sweep_dir, total), file=sys.stderr, flush=True)
    return counts


def progress_line(name: str, sweep_dir: Path, total: int | None) -> str:
    """'policy_grid: 37/360 runs done, 2 failed, 0:41 elapsed, about 6:10 left', from the files alone."""
    runs = sweep_dir / "runs"
    done = [p for p in runs.glob("*.json") if not p.name.endswith(".failed.json")]
    failed = len(list(runs.glob("*.failed.json")))
    start = (sweep_dir / "multirun.yaml").stat().st_mtime if (sweep_dir / "multirun.yaml").exists() else None
    line = f"{name}: {len(done)}/{total or '?'} runs done"
    if failed:
        line += f", {failed} failed"
    if start is not None:
        elapsed = time.time() - start
        line += f", {clock(elapsed)} elapsed"
        fresh = sum(p.stat().st_mtime >= start for p in done)
        if total and fresh:
            line += f", about {clock(elapsed / fresh * max(0, total - len(done) - failed))} left"
    return line


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss or m:ss."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def sweep_cells(config: DictConfig) -> list[list[str]]:
    """Each job's overrides, from the study's sweeper params and the command line (its multirun config).

    Expanded as Hydra's basic sweeper, which the joblib and submitit launchers run under, expands them.
    """
    params = [
        f"{key}={values}" for key, values in (OmegaConf.select(config, "hydra.sweeper.params") or {}).items()
    ]
    overrides = OverridesParser.create().parse_overrides([*params, *config.hydra.overrides.task])
    [cells] = BasicSweeper.split_arguments(overrides, max_batch_size=None)
    return cells


def swept_keys(cells: list[list[str]], sweeper_params: dict | None) -> set[str]:
    """The keys that name a cell: the study's sweeper params and any key whose value differs between cells."""
    values = defaultdict(set)
    for cell in cells:
        for override in cell:
            key, _, value = override.partition("=")
            values[key.lstrip("+~")].add(value)
    return set(sweeper_params or {}) | {key for key, seen in values.items() if len(seen) > 1}
