"""Bad input, from Python and from the command line: one clear line, and nothing else touched.

Each row is a mistake a careless user or a hostile input makes, with the start of the one line it
must get. The command-line rows also check that nothing outside the run's own new folder changed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import processes_in

import sim
from sim.folders import StudyLock, session_token
from sim.studies.study import finish_orphans, finished_runs, killed_this_session
from sim.world import memory
from sim.world.config import config_dict, with_values
from sim.world.schema import SimConfig

INF = float("inf")

PYTHON_CASES = [
    ({"weeks": "ten"}, "weeks is refused: Value 'ten' of type 'str' could not be converted to Integer"),
    ({"weeks": 10**9}, "weeks=1000000000 is out of range: allowed 1 to 2600"),
    ({"policy": {"compensaton": 1}}, "policy.compensaton is not a parameter: allowed apology, compensation"),
    ({"policy": {"apology": "sometimes"}}, "policy.apology is refused: Invalid value 'sometimes'"),
    ({"market": {"basket_mean": INF}}, "market.basket_mean=inf is out of range: allowed 0.0 to 1000000.0"),
    ({"market": {"basket_mean": 1e308}}, "market.basket_mean=1e+308 is out of range"),
    ({"market": {"basket_mean": math.nan}}, "market.basket_mean=nan is out of range"),
    ({"delegation": {"compensation_cap": INF}}, "delegation.compensation_cap=inf is out of range"),
    ({"firm": {"winback_offer": INF}}, "firm.winback_offer=inf is out of range"),
    ({"wom": {"negative_reach": INF}}, "wom.negative_reach=inf is out of range"),
    ({"churn": {"contagion_half_life": INF}}, "churn.contagion_half_life=inf is out of range"),
    ({"market": {"customers": 10**12}}, "market.customers=1000000000000 is out of range"),
    ({"seed": -1}, "seed=-1 is out of range: allowed 0 to 4294967295"),
]


@pytest.mark.parametrize(("overrides", "expected"), PYTHON_CASES)
def test_python_refuses_a_bad_config_with_the_clis_one_line(overrides, expected):
    with pytest.raises(sim.ConfigError) as refused:
        sim.run(overrides)
    assert str(refused.value).startswith(expected)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: SimConfig(weeks="ten"), "weeks='ten' is refused: allowed an integer from 1 to 2600"),
        (lambda: SimConfig(weeks=4.5), "weeks=4.5 is refused: allowed an integer"),
        (lambda: SimConfig(agents="yes"), "agents='yes' is refused: allowed true or false"),
        (
            lambda: SimConfig(market={"customers": 5}),
            "market={'customers': 5} is refused: allowed a MarketConf",
        ),
        (
            lambda: with_values(SimConfig(), **{"policy.compensaton": 1}),
            "policy.compensaton is not a parameter",
        ),
        (
            lambda: with_values(SimConfig(), **{"nothing.here": 1}),
            "nothing.here is not a parameter: allowed agents",
        ),
        (lambda: with_values(SimConfig(), {"policy": "generous"}), "policy=generous does not exist: allowed"),
    ],
)
def test_a_config_built_in_python_is_checked_for_kind_as_well_as_range(make, expected):
    with pytest.raises(sim.ConfigError, match="^" + expected.replace("(", r"\(").replace("[", r"\[")):
        sim.run(make())


@pytest.mark.parametrize("rng", [-5, "abc", 7.9, True, 2**40])
def test_a_seed_must_be_a_whole_number_in_range_never_truncated(rng):
    with pytest.raises(sim.ConfigError, match=rf"^rng={rng!r} is refused: allowed an integer from 0 to"):
        sim.run({"weeks": 1, "market": {"customers": 50}}, rng=rng)


def test_agents_must_be_said_with_a_flag():
    with pytest.raises(sim.ConfigError, match=r"^agents='yes' is refused: allowed True, False or None"):
        sim.run({"weeks": 1, "market": {"customers": 50}}, agents="yes")


def test_numpy_numbers_are_taken_as_the_numbers_they_are():
    config = {
        "weeks": np.int64(2),
        "market": {"customers": 60},
        "failures": {"rate_multiplier": np.float64(0.9)},
    }
    result = sim.run(config, rng=np.int64(3))
    assert result.summary["weeks"] == 2 and result.summary["seed"] == 3
    assert result.summary["config"]["failures"]["rate_multiplier"] == 0.9


def test_every_number_has_a_finite_range():
    """inf, 1e308 or 10**12 is refused for every numeric key, not only for those someone thought of."""
    unbounded = []

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            if typing.get_origin(hint) in (list, dict):
                continue  # ladders and lists are checked whole (test_config)
            kind = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
            if dataclasses.is_dataclass(kind[0]):
                walk(kind[0], f"{prefix}{f.name}.")
            elif kind[0] in (int, float):
                lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
                if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
                    unbounded.append(prefix + f.name)

    walk(SimConfig, "")
    walk(sim.world.market_schema.FailureType, "failures.catalogue.<type>.")
    assert not unbounded


def test_a_market_too_large_for_the_machine_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setattr(memory, "machine_bytes", lambda: 8e9)
    with pytest.raises(
        sim.ConfigError,
        match=r"^market.customers=2000000 with Mesa agents needs about .* GB and this machine has 8.0 GB",
    ):
        sim.RecoveryModel({"market": {"customers": 2_000_000}})
    with pytest.raises(sim.ConfigError, match="check_memory=false to try anyway"):
        sim.RecoveryModel({"market": {"customers": 8_000_000}}, agents=False)  # about 6.8 GB


def test_the_memory_estimate_is_on_the_high_side_of_what_a_run_takes():
    """The estimate against the measured peaks it was fitted to (sim/world/memory.py): never below them."""
    measured = {
        (200_000, 10, False): 0.45e9,
        (200_000, 40, False): 0.63e9,
        (1_000_000, 10, False): 0.91e9,
        (1_000_000, 40, False): 2.11e9,
        (10_000_000, 10, False): 6.76e9,
        (500_000, 10, True): 2.94e9,
    }
    for (customers, degree, agents), peak in measured.items():
        cfg = with_values(SimConfig(), **{"market.customers": customers, "network.degree": degree})
        assert peak <= memory.bytes_needed(cfg, agents) <= 1.5 * peak


# ---------------------------------------------------------------------------------------------
# From the command line: one line, exit code 2, and nothing that was there before touched.

RECOVERY_SIM = str(Path(sys.executable).with_name("recovery-sim"))
TINY = ["market.customers=150", "weeks=3"]
SWEEP = ["-m", "policy=none,apology", "study.name=mine", 'study.baseline=["policy=none"]', *TINY]


def recovery_sim(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RECOVERY_SIM, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below ``root``: its size and modification time."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.fixture
def someones_files(tmp_path: Path) -> Path:
    """A working folder with a user's own files in it, and an earlier run's results."""
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "results" / "runs" / "earlier").mkdir(parents=True)
    (tmp_path / "results" / "runs" / "earlier" / "summary.json").write_text("{}\n")
    (tmp_path / "results" / "old.txt").write_text("keep\n")
    (tmp_path / "bad.edgelist").write_text("0 1\n2\n")
    return tmp_path


CLI_CASES = [
    (
        "hydra.run.dir=. policy.compensation=-1",
        "policy.compensation=-1.0 is out of range: allowed 0.0 to 2.0",
    ),
    ("hydra.run.dir=results policy.compensation=5", "policy.compensation=5.0 is out of range"),
    ("hydra.run.dir=.", "hydra.run.dir=. is not empty: allowed a new or empty folder"),
    ("hydra.run.dir=results", "hydra.run.dir=results is not empty: allowed a new or empty folder"),
    ("hydra.run.dir=notes.txt", "hydra.run.dir=notes.txt is not a folder: allowed a new or empty folder"),
    ("market.basket_mean=inf", "market.basket_mean=inf is out of range: allowed 0.0 to 1000000.0"),
    ("market.basket_mean=1e308", "market.basket_mean=1e+308 is out of range"),
    ("delegation.compensation_cap=inf", "delegation.compensation_cap=inf is out of range"),
    ("firm.winback_offer=inf", "firm.winback_offer=inf is out of range"),
    ("wom.negative_reach=inf", "wom.negative_reach=inf is out of range"),
    ("churn.contagion_half_life=inf", "churn.contagion_half_life=inf is out of range"),
    ("churn.contagion_half_life=nan", "churn.contagion_half_life=nan is out of range"),
    (
        "market.customers=1000000000000",
        "market.customers=1000000000000 is out of range: allowed 1 to 10000000",
    ),
    ("weeks=1000000000", "weeks=1000000000 is out of range: allowed 1 to 2600"),
    ("seed=-1", "seed=-1 is out of range: allowed 0 to 4294967295"),
    (
        "market.customers=10000000 network.degree=100",  # about 117 GB: more than any machine here
        "market.customers=10000000 needs about",
    ),
    ("network=edgelist network.path=bad.edgelist", "network.path=bad.edgelist line 2 is malformed"),
    ("pólicy=x", "pólicy=x cannot be read: allowed key=value, with a key of ASCII letters"),
    ("=5", "=5 cannot be read: allowed key=value"),
    ("policy.compensation=1,2", "policy.compensation=1,2 is ambiguous: allowed a sweep with -m"),
    ("hydra.run.dir=/proc/new", "hydra.run.dir=/proc/new cannot be made (No such file or directory)"),
    (
        "experiment=../../../etc/passwd",
        "experiment=../../../etc/passwd does not exist: allowed apology_timing",
    ),
    ("experiment=optimise_policy study.name=../x", "study.name=../x is refused: allowed a plain name"),
    (f"{shlex.join(SWEEP)} study.name=../../x", "study.name=../../x is refused: allowed a plain name"),
    ("-m policy=none,apology study.name=x", "study.baseline=[policy=none, delegation=none] picks no cell"),
    (
        "-m policy=none,apology study.name=x study.baseline=[policy=generous]",
        "study.baseline=[policy=generous]",
    ),
    (
        f"{shlex.join(SWEEP)} study.within=[network]",
        "study.within=[network] is not a swept key: allowed policy",
    ),
    (
        f"{shlex.join(SWEEP)} study.metrics=[profit,joy]",
        "study.metrics=[joy] is not a summary figure: allowed",
    ),
    (
        f"{shlex.join(SWEEP)} hydra.sweep.dir=.",
        "hydra.sweep.dir=. is not empty: allowed a new or empty folder, or a study folder (study.json)",
    ),
    (f"{shlex.join(SWEEP)} firm.staff=2,-1", "firm.staff=-1 is out of range"),
    (f"{shlex.join(SWEEP)} study.metrics=[]", "study.metrics=[] is empty: allowed one or more of"),
    ("hydra.output_subdir=/tmp", "hydra.output_subdir is set by recovery-sim: allowed hydra.run.dir"),
    (f"{shlex.join(SWEEP)} hydra.sweep.subdir=../../notes", "hydra.sweep.subdir is set by recovery-sim"),
    ("hydra.run.dir=${oops}", "the run could not start: InterpolationKeyError: Interpolation key 'oops'"),
    (f"{shlex.join(SWEEP)} hydra.sweep.dir=${{oops}}", "InterpolationKeyError: Interpolation key 'oops'"),
    (
        "experiment=sensitivity study.policies=[none,bogus]",
        "study.policies=[none, bogus]: policy=bogus does not exist: allowed apology",
    ),
    (
        "experiment=robustness study.delegations=[none,most]",
        "study.delegations=[none, most]: delegation=most does not exist: allowed full",
    ),
    (
        "experiment=robustness study.parameters={wom.negative_effect:[0.1,0.01]}",
        "study.parameters.wom.negative_effect=[0.1, 0.01] is malformed: allowed [low, high], low < high",
    ),
]


@pytest.mark.parametrize(("command", "expected"), CLI_CASES)
def test_the_command_line_refuses_bad_input_in_one_line_and_touches_nothing(
    someones_files, command, expected
):
    before = snapshot(someones_files)
    done = recovery_sim(someones_files, *shlex.split(command))
    assert done.returncode == 2, done.stderr[-1500:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("recovery-sim: error: "), done.stderr[-1500:]
    assert expected in lines[0]
    assert snapshot(someones_files) == before


def test_runs_started_in_the_same_second_get_folders_of_their_own(tmp_path):
    started = [
        subprocess.Popen(
            [RECOVERY_SIM, *TINY, f"seed={seed}"], cwd=tmp_path, stdout=subprocess.PIPE, text=True
        )
        for seed in (1, 2, 3)
    ]
    assert [p.wait(timeout=300) for p in started] == [0, 0, 0]
    folders = sorted((tmp_path / "results" / "runs").iterdir())
    assert len(folders) == 3
    seeds = {json.loads((f / "summary.json").read_text())["seed"] for f in folders}
    assert seeds == {1, 2, 3}
    for folder in folders:  # each folder's own record of its command matches its own results
        seed = json.loads((folder / "summary.json").read_text())["seed"]
        assert f"seed={seed}" in (folder / ".hydra" / "overrides.yaml").read_text()


def test_an_empty_folder_named_for_a_run_is_used_and_kept(tmp_path):
    (tmp_path / "here").mkdir()
    assert recovery_sim(tmp_path, *TINY, "hydra.run.dir=here").returncode == 0
    assert (tmp_path / "here" / "summary.json").exists()


def test_a_study_folder_takes_only_the_study_that_made_it(tmp_path):
    sweep = tmp_path / "study"
    assert recovery_sim(tmp_path, *SWEEP, f"hydra.sweep.dir={sweep}").returncode == 0
    before = snapshot(tmp_path)
    for other, expected in [
        (["experiment=apology_timing", *TINY], "holds a sweep of its own, not an experiment"),
        ([*SWEEP, "market.customers=200"], "was started with other settings (market.customers)"),
        (
            [SWEEP[0], "policy=none,compensation", *SWEEP[2:]],
            "was started with other settings (the swept cells)",
        ),
    ]:
        done = recovery_sim(tmp_path, *other, f"hydra.sweep.dir={sweep}")
        assert done.returncode == 2 and expected in done.stderr and len(done.stderr.splitlines()) == 1
    assert snapshot(tmp_path) == before
    again = recovery_sim(tmp_path, *SWEEP, f"hydra.sweep.dir={sweep}")  # the same study resumes
    assert again.returncode == 0 and "all 2 runs are done and report.md is up to date" in again.stderr


def test_one_process_at_a_time_runs_a_study_folder(tmp_path):
    sweep = tmp_path / "study"
    assert recovery_sim(tmp_path, *SWEEP, f"hydra.sweep.dir={sweep}").returncode == 0
    holder = StudyLock.take(sweep)  # as another recovery-sim working in it would
    holder.begin_session(sweep)
    try:
        done = recovery_sim(tmp_path, *SWEEP, f"hydra.sweep.dir={sweep}")
    finally:
        os.close(holder.handle)
        StudyLock.held.clear()
    assert done.returncode == 2
    assert f"is being run by process {os.getpid()}: allowed one recovery-sim at a time" in done.stderr
    assert (sweep / "study.json").exists()  # the refused command removed nothing


def kill_myself(marker: str) -> None:
    """Stands for a run that takes its process down (as the out-of-memory killer would)."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_run_that_kills_its_process_again_alone_is_recorded_and_not_retried_in_the_session(tmp_path):
    sweep = tmp_path / "study"
    assert recovery_sim(tmp_path, *SWEEP, "study.replications=2", f"hydra.sweep.dir={sweep}").returncode == 0
    [record, *_] = sorted(finished_runs(sweep / "runs"))
    about = json.loads(record.read_text())
    record.unlink()  # this run was in flight when its worker died
    config = SimConfig(seed=about["seed"])
    marker = {**{k: about[k] for k in ("run_id", "cell", "replication", "seed")}, "pid": 1, "agents": False}
    (sweep / "runs" / f"{about['run_id']}.running.json").write_text(
        json.dumps({**marker, "config": config_dict(config)})
    )
    assert finish_orphans(sweep, target=kill_myself) == [about["run_id"]]
    failed = json.loads((sweep / "runs" / f"{about['run_id']}.failed.json").read_text())
    assert failed["killed"] and "signal 9" in failed["error"]
    assert not list((sweep / "runs").glob("*.running.json"))
    assert killed_this_session(sweep / "runs" / f"{about['run_id']}.failed.json", session_token(sweep))
    (sweep / ".lock").write_text("1 a-later-session\n")  # a new command retries it
    assert not killed_this_session(sweep / "runs" / f"{about['run_id']}.failed.json", session_token(sweep))


@pytest.mark.slow
def test_a_study_survives_a_killed_worker_and_loses_no_run(tmp_path):
    """SIGKILL a worker in the middle of a run, as the out-of-memory killer would: the study goes on."""
    sweep = tmp_path / "study"
    command = [RECOVERY_SIM, *SWEEP, "market.customers=2000", "weeks=30", "study.replications=4"]
    study = subprocess.Popen(
        [*command, f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed, deadline = None, time.time() + 240
    while killed is None and time.time() < deadline and study.poll() is None:
        for marker in (sweep / "runs").glob("*.running.json") if (sweep / "runs").is_dir() else []:
            try:
                killed = json.loads(marker.read_text())["pid"]
            except (OSError, ValueError):
                continue  # being written or just removed
            os.kill(killed, signal.SIGKILL)
            break
        time.sleep(0.005)
    _, err = study.communicate(timeout=300)
    assert killed is not None, "no run was seen in flight"
    assert study.returncode == 0, err[-2000:]
    assert "a worker died (TerminatedWorkerError); running its runs alone, then going on" in err
    manifest = json.loads((sweep / "manifest.json").read_text())
    assert (manifest["runs_done"], manifest["runs_failed"]) == (8, 0)


def interrupt(cwd: Path, args: list[str], when: Callable[[], bool]) -> subprocess.CompletedProcess:
    """Start recovery-sim, press Ctrl-C (SIGINT to its process group) once ``when()`` holds."""
    started = subprocess.Popen(
        [RECOVERY_SIM, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 120
    while not when() and time.time() < deadline and started.poll() is None:
        time.sleep(0.05)
    os.killpg(started.pid, signal.SIGINT)
    out, err = started.communicate(timeout=120)
    return subprocess.CompletedProcess(started.args, started.returncode, out, err)


def test_ctrl_c_stops_a_run_in_one_line_and_leaves_no_half_made_folder(tmp_path):
    log = tmp_path / "results" / "runs"
    done = interrupt(tmp_path, ["market.customers=20000", "weeks=2600", "agents=false"], lambda: log.is_dir())
    assert done.returncode == 130
    assert done.stderr.strip() == "recovery-sim: interrupted; nothing was written"
    assert not (tmp_path / "results").exists()  # the run's folder and the folders made for it


def test_ctrl_c_keeps_a_studys_finished_runs_and_says_how_to_resume(tmp_path):
    sweep = tmp_path / "study"
    runs = sweep / "runs"
    args = [*SWEEP, "study.replications=40", f"hydra.sweep.dir={sweep}"]
    done = interrupt(tmp_path, args, lambda: runs.is_dir() and len(finished_runs(runs)) >= 2)
    assert done.returncode == 130
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        f"recovery-sim: interrupted; finished runs are kept in {sweep}: run the same command with "
        f"hydra.sweep.dir={sweep} to resume"
    )
    assert "Traceback" not in done.stderr
    assert len(finished_runs(runs)) >= 2


def fork_server(pid: int) -> Path | None:
    """The command ``pid``'s workers' fork server (its /proc folder), once it has started one."""
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                return Path(f"/proc/{child}")
    except OSError:  # the command or the server has just ended
        pass
    return None


def loading(server: Path | None) -> bool:
    """Whether a fork server is loading: NumPy is the first library its preload (alone) brings in."""
    try:
        return server is not None and "numpy" in (server / "maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="the workers' fork server is Linux's")
@pytest.mark.parametrize("moment", ["started", "loading"])
def test_ctrl_c_while_the_workers_load_is_one_line_and_leaves_nothing(tmp_path, moment):
    """The fork server loads while the cells are checked; Ctrl-C then is the command's alone."""
    ready = {"started": lambda server: server is not None, "loading": loading}[moment]
    started = subprocess.Popen(
        [RECOVERY_SIM, *SWEEP, f"hydra.sweep.dir={tmp_path / 'study'}"], cwd=tmp_path,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline and started.poll() is None and not ready(fork_server(started.pid)):
        time.sleep(0.002)
    assert ready(fork_server(started.pid))
    os.killpg(started.pid, signal.SIGINT)
    _, err = started.communicate(timeout=120)
    assert started.returncode == 130
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("recovery-sim: interrupted")
    deadline = time.time() + 2
    while time.time() < deadline and processes_in(tmp_path):
        time.sleep(0.02)
    assert processes_in(tmp_path) == []


def test_a_fork_server_whose_command_has_already_ended_leaves_without_loading():
    """A command killed before its server began loading: the server must not load (and live) for nothing."""
    code = "import sim.studies.preload; print('loaded')"
    not_its_command = {**os.environ, "RECOVERY_SIM_FORK_SERVER_OF": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=not_its_command, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "")


def test_a_folder_with_a_broken_study_record_is_refused_and_left_as_it_was(someones_files):
    folder = someones_files / "mine"
    folder.mkdir()
    (folder / "study.json").write_text("hello\n")
    (folder / "report.md").write_text("my own report\n")
    before = snapshot(someones_files)
    done = recovery_sim(someones_files, *SWEEP, f"hydra.sweep.dir={folder}")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "has a study.json that is not a study record" in done.stderr
    assert snapshot(someones_files) == before


def test_two_runs_racing_for_one_named_folder_never_mix_their_files(tmp_path):
    (tmp_path / "out").mkdir()
    started = [
        subprocess.Popen(
            [RECOVERY_SIM, *TINY, f"seed={seed}", "hydra.run.dir=out"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        if False
        else subprocess.Popen(
            [RECOVERY_SIM, *TINY, f"seed={seed}", "hydra.run.dir=out"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    finished = [(p.wait(timeout=300), p.stderr.read()) for p in started]
    assert sorted(code for code, _ in finished) == [0, 2], finished
    [winner] = [seed for seed, (code, _) in zip((1, 2), finished, strict=True) if code == 0]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["seed"] == winner
    assert f"seed={winner}" in (tmp_path / "out" / ".hydra" / "overrides.yaml").read_text()


def test_a_result_is_never_saved_over_another(tmp_path):
    (tmp_path / "summary.json").write_text("MINE\n")
    with pytest.raises(FileExistsError, match="already holds summary.json: allowed a new folder"):
        sim.run({"weeks": 1, "market": {"customers": 50}}).save(tmp_path)
    assert (tmp_path / "summary.json").read_text() == "MINE\n"


def test_the_report_command_rewrites_only_study_folders(tmp_path):
    report = str(Path(sys.executable).with_name("recovery-sim-report"))
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "a.json").write_text("{}")
    (tmp_path / "report.md").write_text("mine\n")
    done = subprocess.run([report, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "holds no study.json or multirun.yaml" in done.stderr
    assert (tmp_path / "report.md").read_text() == "mine\n"
    (tmp_path / "study.json").write_text("{}")
    (tmp_path / "runs" / "a.json").write_text("not json")
    done = subprocess.run([report, str(tmp_path)], capture_output=True, text=True)
    assert (
        done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "is not a run record" in done.stderr
    )
    done = subprocess.run([report], capture_output=True, text=True)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1


@pytest.mark.slow
def test_a_validation_study_at_other_settings_leaves_the_published_facts_alone(tmp_path):
    docs = Path(sim.__file__).resolve().parents[1] / "docs"
    before = {p: p.read_bytes() for p in [docs / "validation.md", *(docs / "validation").iterdir()]}
    tiny = ["experiment=validation", "market.customers=600", "study.replications=2", "weeks=60"]
    done = recovery_sim(tmp_path, *tiny)
    assert done.returncode == 0, done.stderr[-1500:]
    assert {p: p.read_bytes() for p in before} == before


def test_an_empty_composition_error_still_reads_as_one_line():
    """Hydra makes an empty ConfigCompositionException of a Ctrl-C while it composes (the command then says
    it was interrupted, sim.cli.fail); naming it must not raise on the way."""
    from hydra.errors import ConfigCompositionException

    from sim.world.overrides import composition_error

    assert composition_error(ConfigCompositionException("")) == "ConfigCompositionException"
    empty_cause = ConfigCompositionException("Error merging override a=1")
    empty_cause.__cause__ = KeyboardInterrupt()
    assert composition_error(empty_cause) == "a=1 is refused: KeyboardInterrupt"
