"""Wall time of the command line as a user meets it: --help, a refused input, and the default run.

Usage: python benchmarks/bench_cli.py [repeats, default 5] [source tree ...]
Each command runs `repeats` times in a fresh process from a temporary folder;
the median is printed. Then the default run again, `repeats` times, split into
its parts by timestamps taken inside the process (medians of each part).

Given source trees (checkouts of other commits, each holding sim/ and configs/),
every measurement alternates between them (the package imported from each through
PYTHONPATH), so that a machine whose load changes meets each alike. Run the default
run once from each tree first: the first run after an edit under sim/ recompiles
the loops (sim/world/compiled.py).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "recovery-sim --help": ["--help"],
    "a refused input (market.customers=-1)": ["market.customers=-1"],
    "the default run, files and dashboard included": [],
}

#: The default run's parts, in order: each ends at the first of its points that the run reaches
#: (where it first reaches it, or for "last" where it last does), after the part before it; a
#: point reached no later (in another process, beside the part before) or not at all (code of
#: another commit) is left out. A point is (module, function, "start" | "end" | "last"),
#: function None for the module's import.
DASHBOARD = "sim.dashboard_process"
PARTS = (
    ("Python, Hydra and the command's modules", [("sim.cli", "main", "start")]),
    (
        "Hydra composes the config, the checks, the folder",
        [
            ("sim.simulation_process", "SimulationProcess.run", "start"),
            (DASHBOARD, "DashboardProcess.fork", "start"),
            ("sim.model", None, "start"),
        ],
    ),
    (
        "the simulation's modules imported (from the start, in the run's own process if it has one)",
        [("sim.cli", "simulate_here", "start"), ("sim.model", None, "end")],
    ),
    ("pandas imported, the dashboard's own process forked", [(DASHBOARD, "DashboardProcess.fork", "end")]),
    ("Mesa, numba and the model's modules imported", [("sim.model", None, "end")]),
    (
        "the model built (compiled loops loaded from numba's cache)",
        [("sim.model", "RecoveryModel.__init__", "end")],
    ),
    ("104 weeks (and the rest of the loops loaded)", [("sim.model", "RecoveryModel.step", "last")]),
    ("the summary and tables", [("sim.result", "Result.from_model", "end")]),
    ("the files written (and the dashboard, where drawn here)", [("sim.result", "Result.save", "end")]),
    ("waiting for the dashboard's own process", [(DASHBOARD, "DashboardProcess.finish", "end")]),
    ("the headline printed", [("sim.headline", "headline_table", "end")]),
)

#: Runs the command in the measured process, timestamping the PARTS' points (time.time(), as JSON
#: in BENCH_MARKS.<pid>, one file per process: the command's, and the run's own if it has one).
#: Only wraps functions and watches imports; changes nothing else.
HARNESS = r"""
import builtins, inspect, json, os, sys, time

points, marks = json.loads(os.environ["BENCH_POINTS"]), {}

def mark(point):
    key = "|".join(map(str, point))
    if point[2] == "last" or key not in marks:
        marks[key] = time.time()

def dump():
    with open(f"{os.environ['BENCH_MARKS']}.{os.getpid()}", "w") as out:
        json.dump(marks, out)

def timed(function, start, end):
    def wrapper(*args, **kwargs):
        if start: mark(start)
        try:
            return function(*args, **kwargs)
        finally:
            if end: mark(end)
    return wrapper

def wrap(module):
    if module.__name__ == "sim.simulation_process":  # the run's own process ends without exit hooks
        serve = module.serve
        def serving(*args, **kwargs):
            try:
                return serve(*args, **kwargs)
            finally:
                dump()
        module.serve = serving
    for point in points:
        if point[0] != module.__name__ or point[1] is None or point[1] == "main":
            continue
        *owners, name = point[1].split(".")
        owner = module
        for part in owners:
            owner = getattr(owner, part, None)
        raw = inspect.getattr_static(owner, name, None)
        if raw is None:  # code of another commit
            continue
        start = point if point[2] == "start" else None
        end = point if point[2] != "start" else None
        if isinstance(raw, classmethod):
            setattr(owner, name, classmethod(timed(raw.__func__, start, end)))
        else:
            setattr(owner, name, timed(raw, start, end))

watched = {point[0] for point in points} | {"sim.simulation_process"}
importing = builtins.__import__

def watching(name, *args, **kwargs):
    fresh = name in watched and name not in sys.modules
    if fresh:
        mark((name, None, "start"))
    module = importing(name, *args, **kwargs)
    if fresh and name in sys.modules:
        mark((name, None, "end"))
        wrap(sys.modules[name])
    return module

builtins.__import__ = watching
import sim.cli
try:
    mark(("sim.cli", "main", "start"))
    sys.argv = ["recovery-sim"]
    sim.cli.main()
finally:
    dump()
"""


def one_run(arguments: list[str], tree: str | None) -> float:
    """Wall seconds of one fresh run of the command, with ``sim`` from ``tree`` if given."""
    program = str(Path(sys.executable).with_name("recovery-sim"))
    env = dict(os.environ, PYTHONPATH=tree) if tree else None
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([program, *arguments], cwd=folder, capture_output=True, env=env)
        return time.perf_counter() - start


def parts_of_one_run(tree: str | None) -> dict[str, float]:
    """Seconds of each of the default run's PARTS (those found), then exit and total."""
    points = [point for _, alternatives in PARTS for point in alternatives]
    with tempfile.TemporaryDirectory() as folder:
        marks_file = Path(folder) / "marks.json"
        env = dict(os.environ, BENCH_POINTS=json.dumps(points), BENCH_MARKS=str(marks_file))
        if tree:
            env["PYTHONPATH"] = tree
        run_in = Path(folder) / "run"
        run_in.mkdir()
        began = time.time()
        subprocess.run([sys.executable, "-c", HARNESS], cwd=run_in, env=env, capture_output=True, check=True)
        ended = time.time()
        marks: dict[str, float] = {}
        for process in Path(folder).glob("marks.json.*"):  # a point in both processes: where it was first
            for key, at in json.loads(process.read_text()).items():
                last = key.endswith("|last")
                marks[key] = (max if last else min)(at, marks.get(key, at))
    seconds, before = {}, began
    for label, alternatives in PARTS:
        found = [marks[key] for key in ("|".join(map(str, p)) for p in alternatives) if key in marks]
        if found and found[0] > before:
            seconds[label], before = found[0] - before, found[0]
    seconds["exit"] = ended - before
    seconds["in all"] = ended - began
    return seconds


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    trees = sys.argv[2:] or [None]
    print(f"load average before: {load()}")
    for name, arguments in COMMANDS.items():
        times = {tree: [] for tree in trees}
        for _ in range(repeats):
            for tree in trees:
                times[tree].append(one_run(arguments, tree))
        for tree, values in times.items():
            where = f" [{tree}]" if tree else ""
            median = statistics.median(values)
            print(f"{name}{where}: median {median:.2f} s over {repeats} (min {min(values):.2f} s)")
    print(f"load average: {load()}")
    parts = {tree: [] for tree in trees}
    for _ in range(repeats):
        for tree in trees:
            parts[tree].append(parts_of_one_run(tree))
    for tree, runs in parts.items():
        where = f" [{tree}]" if tree else ""
        print(f"the default run part by part{where} (medians of {repeats}, so they need not add up):")
        for label in [label for label, _ in PARTS] + ["exit", "in all"]:
            values = [run[label] for run in runs if label in run]
            if values:
                print(f"  {label:<92} {statistics.median(values):5.2f}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
