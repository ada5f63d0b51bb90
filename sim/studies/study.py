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
import multiprocessing
import os
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from sim.files import write_columns, write_json
from sim.folders import STUDY_RECORD, session_token
from sim.studies.warm import load_simulation
from sim.world.config import config_dict, flatten, to_sim_config
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig


class ReportError(RuntimeError):
    """A sweep folder that cannot be reported on; the message is one line."""


def world_of(cfg: SimConfig, data: dict | None = None) -> dict:
    """The parts of a config that decide a run's outcome (not how the study or output is organised).

    ``data``: ``config_dict(cfg)`` when the caller has it.
    """
    world = dict(config_dict(cfg) if data is None else data)
    for setting in ("study", "output", "check_memory"):
        world.pop(setting)
    return world


def run_ids(cfg: SimConfig, data: dict | None = None) -> list[str]:
    """Each replication's short, stable hash of the resolved world and its seed.

    The world is resolved once per cell (about 50 ms through OmegaConf; ``data``, the cell's
    ``config_dict``, when the caller has it) and only the seed changes between replications,
    so the ids are those of each replication's own config, and a study written before still
    resumes.
    """
    world = world_of(cfg, data)
    ids = []
    for replication in range(cfg.study.replications):
        text = json.dumps({**world, "seed": cfg.seed + replication}, sort_keys=True)
        ids.append(hashlib.sha256(text.encode()).hexdigest()[:16])
    return ids


#: Seconds between a worker's progress lines (and one at the end of each cell): reading the runs
#: folder after every run cost a millisecond or more a run, growing with the study.
PROGRESS_EVERY = 1.0


def run_cell(cfg: SimConfig, sweep_dir: Path, cell: list[str], total: int | None) -> dict[str, int]:
    """Run the cell's replications that are not done yet; return counts of done, skipped and failed."""
    runs = sweep_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    session = session_token(sweep_dir)
    counts = {"done": 0, "skipped": 0, "failed": 0}
    # the cell's config as data, made once (about 30 ms through OmegaConf): only the seed changes
    plain = config_dict(cfg)
    ids, said, unsaid = run_ids(cfg, plain), 0.0, False
    for replication, rid in enumerate(ids):
        config = dataclasses.replace(cfg, seed=cfg.seed + replication)
        if (runs / f"{rid}.json").exists() or killed_this_session(runs / f"{rid}.failed.json", session):
            counts["skipped"] += 1
            continue
        about = {"run_id": rid, "cell": cell, "replication": replication, "seed": config.seed}
        data = {**plain, "seed": config.seed}
        write_json(
            runs / f"{rid}.running.json",
            {**about, "pid": os.getpid(), "agents": cfg.study.agents, "config": data},
        )
        counts["done" if run_and_save(config, runs, about, cfg.study.agents, data) else "failed"] += 1
        unsaid = time.monotonic() - said < PROGRESS_EVERY
        if not unsaid:
            print(progress_line(cfg.study.name, sweep_dir, total), file=sys.stderr, flush=True)
            said = time.monotonic()
    if unsaid:  # the cell's last line, after its last run
        print(progress_line(cfg.study.name, sweep_dir, total), file=sys.stderr, flush=True)
    return counts


def run_and_save(config: SimConfig, runs: Path, about: dict, agents: bool, data: dict | None = None) -> bool:
    """One run and its files; a run that raises (while running or saving) leaves its error instead.

    The record keeps the run's seconds (built, run, summarised and saved) and its model's weeks
    alone (``model_seconds``), which benchmarks/bench_policy_grid.py sets the study's time against.
    ``data``: the config as plain data for the summary, when the caller has it (made here if not).
    """
    load_simulation()
    from sim.model import RecoveryModel
    from sim.result import model_summary, weekly_columns, weekly_file_columns

    rid, started = about["run_id"], time.time()
    try:
        model = RecoveryModel(config, agents=agents)
        weeks_began = time.perf_counter()
        model.run_model()
        model_seconds = time.perf_counter() - weeks_began
        columns = weekly_columns(model)  # as Result.from_model has them, without its DataFrame
        summary = model_summary(model, columns, data or config_dict(config))
        write_columns(runs / f"{rid}.parquet", weekly_file_columns(columns))
        write_json(
            runs / f"{rid}.json",
            {
                **about,
                "status": "ok",
                "started": started,
                "seconds": time.time() - started,
                "model_seconds": model_seconds,
                "summary": summary,
            },
        )
    except Exception as error:  # a run that raises must not stop the sweep
        record_failure(runs, about, f"{type(error).__name__}: {error}", traceback.format_exc(), started)
        ok = False
    else:
        (runs / f"{rid}.failed.json").unlink(missing_ok=True)
        ok = True
    (runs / f"{rid}.running.json").unlink(missing_ok=True)
    return ok


def record_failure(runs: Path, about: dict, error: str, trace: str, started: float, **extra: object) -> None:
    """``<run_id>.failed.json``: the run, its error, and when it started."""
    record = {**about, "status": "failed", "error": error, "traceback": trace, "started": started, **extra}
    write_json(runs / f"{about['run_id']}.failed.json", record)


def record_invalid_cell(runs: Path, cell: list[str], seed: int, replications: int, error: str) -> None:
    """Each run of a cell whose config was refused, recorded as failed (ids from the cell, not the world)."""
    runs.mkdir(parents=True, exist_ok=True)
    for replication in range(replications):
        rid = hashlib.sha256(json.dumps([cell, replication]).encode()).hexdigest()[:16]
        about = {"run_id": rid, "cell": cell, "replication": replication, "seed": seed + replication}
        record_failure(runs, about, f"ConfigError: {error}", "", time.time())


def killed_this_session(failed: Path, session: str | None) -> bool:
    """A run whose process was killed twice in this session: retrying it now would kill a worker again."""
    if not failed.exists():
        return False
    record = json.loads(failed.read_text())
    return bool(record.get("killed")) and record.get("session") == session


def finish_orphans(sweep_dir: Path, target: Callable[[str], None] | None = None) -> list[str]:
    """Runs that were in flight when their worker died: each run again alone, in a process of its own.

    A worker's death (the kernel's out-of-memory killer, a signal) takes every run in flight with
    it, the innocent ones too. Run alone, an innocent run finishes; one that kills its process
    again is recorded as failed, with the signal, and not retried in this session. Returns the
    run ids recorded as killed.
    """
    context = multiprocessing.get_context("spawn")
    killed = []
    for marker in sorted((sweep_dir / "runs").glob("*.running.json")):
        about = json.loads(marker.read_text())
        if not (sweep_dir / "runs" / f"{about['run_id']}.json").exists():
            alone = context.Process(target=target or run_orphan, args=(str(marker),))
            started = time.time()
            alone.start()
            alone.join()
            if alone.exitcode != 0 and not (sweep_dir / "runs" / f"{about['run_id']}.json").exists():
                how = f"signal {-alone.exitcode}" if alone.exitcode < 0 else f"exit code {alone.exitcode}"
                record_failure(
                    sweep_dir / "runs",
                    {k: about[k] for k in ("run_id", "cell", "replication", "seed")},
                    f"its process died ({how}) in a study worker and again when run alone (out of memory?)",
                    "",
                    started,
                    killed=True,
                    session=session_token(sweep_dir),
                )
                killed.append(about["run_id"])
        marker.unlink(missing_ok=True)
    return killed


def run_orphan(marker: str) -> None:
    """A marked run, in a fresh process (the target of :func:`finish_orphans`)."""
    about = json.loads(Path(marker).read_text())
    config = to_sim_config(about.pop("config"))
    agents = about.pop("agents")
    about.pop("pid")
    run_and_save(config, Path(marker).parent, about, agents)


def record_or_match_study(sweep_dir: Path, study: dict) -> None:
    """Write the study's identity into a new folder, or check that a folder to resume holds this study.

    ``study`` is the experiment's name, the settings every cell shares and the cells: resuming
    another study into a folder would merge two questions under one title.
    """
    path = sweep_dir / STUDY_RECORD
    if not path.exists():
        write_json(path, study)
        return
    try:
        before = json.loads(path.read_text())
        if not isinstance(before, dict):
            raise ValueError("not a mapping")
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"hydra.sweep.dir={sweep_dir} has a {STUDY_RECORD} that is not a study record ({error}): allowed "
            "a study folder made by recovery-sim, or a new folder"
        ) from None
    if before.get("experiment") != study["experiment"]:
        what = before.get("experiment")
        raise ConfigError(
            f"hydra.sweep.dir={sweep_dir} holds "
            f"{f'the study experiment={what}' if what else 'a sweep of its own, not an experiment'}: allowed "
            "resuming it with the command that started it, or a new folder"
        )
    old, new = flatten({"settings": before.get("settings", {})}), flatten({"settings": study["settings"]})
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if not changed and before.get("cells") != study["cells"]:
        changed.append("the swept cells")
    if changed:
        shown = ", ".join(c.removeprefix("settings.") for c in changed[:4])
        more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
        raise ConfigError(
            f"hydra.sweep.dir={sweep_dir} was started with other settings ({shown}{more}): allowed "
            "resuming it with the command that started it, or a new folder"
        )


def finished_runs(runs: Path) -> list[Path]:
    """The summaries of finished runs (not failures, nor the markers of runs in flight)."""
    return [p for p in runs.glob("*.json") if not p.name.endswith((".failed.json", ".running.json"))]


def progress_line(name: str, sweep_dir: Path, total: int | None) -> str:
    """'policy_grid: 37/360 runs done, 2 failed, 0:41 elapsed, about 6:10 left', from the files alone."""
    runs = sweep_dir / "runs"
    done, failed = finished_runs(runs), len(list(runs.glob("*.failed.json")))
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
