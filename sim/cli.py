"""``recovery-sim``: run one scenario from the command line and write its results.

Any key can be overridden the Hydra way, for example
``recovery-sim policy=apology_compensation delegation=full firm.staff=4``.
A wrong key, a value out of range or of the wrong kind, or a preset or
experiment that does not exist ends the run before it starts with one line on
stderr, exit code 2, and no output folder left behind
(``HYDRA_FULL_ERROR=1`` shows Hydra's own report instead).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import signal
import sys
import threading
import time
import typing
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import hydra
from hydra import compose
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import ConfigCompositionException, OverrideParseException
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.collector import paused_while_loading
from sim.dashboard_process import DashboardError, DashboardProcess
from sim.folders import STUDY_RECORD, Owned, StudyLock, check_study_name, claim_new, take_named
from sim.simulation_process import SimulationProcess
from sim.world.config import from_hydra, omegaconf_problem, preset_path
from sim.world.memory import check_fits
from sim.world.overrides import composition_error, unreadable_override
from sim.world.parameter import PROJECT_ROOT, ConfigError, NetworkKind, StudyKind
from sim.world.schema import SimConfig, StudyConf

#: How a study's worker dies under its launcher: joblib's loky, or Submitit's local or Slurm job
#: (module, exception).
WORKER_DEATHS = (
    ("joblib.externals.loky.process_executor", "TerminatedWorkerError"),
    ("submitit.core.utils", "UncompletedJobError"),
)


#: The folder this command works in, once claimed (a run's, or a study's); None before.
OWNED: Owned | None = None
#: Runs that failed in this command's study, and why the report could not be written (if so).
OUTCOME: dict = {"failed": 0, "expected": 0, "report_error": None}
#: How often a study is resumed after a worker died before the command gives up.
RELAUNCHES = 10
#: Whether this process skips the collection at exit (see skip_final_collection).
FROZEN_AT_EXIT = {"registered": False}
#: Whether Ctrl-C was pressed, and whether the run is in its weekly loop (where it stops cleanly).
INTERRUPT = {"seen": False, "between_weeks": False}
#: The process forked as the command starts to simulate a single run beside Hydra, if any.
SIMULATION: SimulationProcess | None = None


def fail(message: str, exit_code: int = 2) -> typing.NoReturn:
    """Print one line, undo what this command wrote for nothing (only that), and exit.

    After a Ctrl-C, the failure is what a library made of it (Hydra turns one into an empty
    composition error): the command was interrupted.
    """
    if INTERRUPT["seen"]:
        interrupted()
    if OWNED is not None and exit_code == 2 and not OWNED.path.joinpath("summary.json").exists():
        OWNED.clean_up()
    print(f"recovery-sim: error: {message}", file=sys.stderr)
    sys.exit(exit_code)


def main() -> None:
    """The command: Hydra's app, with bad input refused in one line and a study that outlives its workers."""
    skip_final_collection()
    gc.freeze()  # the command's modules live as long as it does: the collector skips them (sim.collector)
    wants_hydra_report = os.environ.get("HYDRA_FULL_ERROR") == "1"
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra then raises its errors instead of printing several lines
    signal.signal(signal.SIGINT, on_interrupt)
    if problem := unreadable_override(sys.argv[1:]):
        fail(problem)
    global SIMULATION
    if SimulationProcess.USABLE and may_be_a_run(sys.argv[1:]):
        SIMULATION = SimulationProcess.fork(simulate_handed_over)
    try:
        command(wants_hydra_report, study=SIMULATION is None and may_be_a_study(sys.argv[1:]))
    finally:
        if SIMULATION is not None:
            SIMULATION.stop()  # unused (not a run, or refused), or done


def command(wants_hydra_report: bool, study: bool) -> None:
    """Hydra's app, its errors in one line, a study resumed after its workers died.

    ``study``: the command line may name a study, whose workers' fork server starts first.
    """
    try:
        if study:
            from sim.studies.warm import fork_server_started

            fork_server_started()  # the study's workers load while Hydra starts and the cells are checked
        for attempt in range(RELAUNCHES + 1):
            try:
                run()
                break
            except worker_deaths() as death:
                if OWNED is None or attempt == RELAUNCHES:
                    raise
                resume_after_death(death)
    except BaseException as error:
        if INTERRUPT["seen"]:  # a KeyboardInterrupt, or what a library made of it on the way up (Hydra's
            interrupted()  # composition turns one into a ConfigCompositionException)
        if wants_hydra_report or not isinstance(
            error, ConfigCompositionException | OverrideParseException | OmegaConfBaseException
        ):
            raise
        if isinstance(error, OmegaConfBaseException):  # an interpolation Hydra resolves only as it starts
            fail(str(omegaconf_problem(error)))
        fail(composition_error(error))
    if OUTCOME["report_error"]:
        fail(f"the study's report could not be written: {OUTCOME['report_error']}", exit_code=1)
    if OUTCOME["failed"]:
        fail(
            f"{OUTCOME['failed']} of {OUTCOME['expected']} runs failed; {OWNED.path}/report.md lists them "
            f"(resume with hydra.sweep.dir={OWNED.path} to retry them)",
            exit_code=1,
        )


def may_be_a_run(arguments: list[str]) -> bool:
    """Whether the command line may name a single run: no option (--help, -m, ...) and no experiment.

    A guess, made before Hydra reads the arguments: a wrong one costs only a child ended unused.
    """
    return not any(a.startswith("-") or a.split("=", 1)[0].lstrip("+~") == "experiment" for a in arguments)


def may_be_a_study(arguments: list[str]) -> bool:
    """Whether the command line may name a study on this machine's cores: a sweep, no other launcher.

    A sweep: ``-m``, or an experiment that is one; no other option. A guess, made before Hydra
    reads the arguments (about 0.4 s before the study's checks could tell): a wrong one costs a
    fork server loading on a free core, ended with the command.
    """
    if any(a.startswith("-") and a not in ("-m", "--multirun") for a in arguments):
        return False
    settings = dict(a.lstrip("+~").split("=", 1) for a in arguments if "=" in a)
    if settings.get("hydra/launcher", "joblib") != "joblib":
        return False
    if "-m" in arguments or "--multirun" in arguments or settings.get("hydra.mode") == "MULTIRUN":
        return True
    experiment = PROJECT_ROOT / "configs" / "experiment" / f"{settings.get('experiment', '')}.yaml"
    return "experiment" in settings and experiment.is_file() and "mode: MULTIRUN" in experiment.read_text()


def worker_deaths() -> tuple[type[BaseException], ...]:
    """The WORKER_DEATHS of the launchers this process loaded: none for a run, --help or a refusal.

    Evaluated only when an exception reaches ``except``, so a command that launches no workers
    never imports loky or Submitit (about 0.15 s) just to name what could not happen.
    """
    return tuple(getattr(sys.modules[m], name) for m, name in WORKER_DEATHS if m in sys.modules)


def skip_final_collection() -> None:
    """Leave the objects alive at exit to the operating system, as they are: the process ends anyway.

    At exit Python's collector walks every object still alive (numba's loops, pandas, Hydra,
    Mesa): about half a second of every command and of every study worker, to free memory the
    process is about to give back. Frozen objects are skipped. Files are written and closed
    before then (sim.files), so nothing waits on the collection. Once per process: a study's
    worker runs many jobs.
    """
    if not FROZEN_AT_EXIT["registered"]:
        atexit.register(gc.freeze)  # registered after the libraries' own hooks, so it runs before them
        FROZEN_AT_EXIT["registered"] = True


def on_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C: a run's weeks finish the week they are in and stop; anything else stops at once."""
    INTERRUPT["seen"] = True
    if not INTERRUPT["between_weeks"]:
        raise KeyboardInterrupt


def resume_after_death(death: BaseException) -> None:
    """A worker died: finish the runs it took with it one by one, then resume the study in its folder."""
    from sim.studies.study import finish_orphans

    print(
        f"recovery-sim: a worker died ({type(death).__name__}); running its runs alone, then going on",
        file=sys.stderr,
    )
    killed = finish_orphans(OWNED.path)
    if killed:
        print(
            f"recovery-sim: {len(killed)} run(s) killed their process again, recorded as failed",
            file=sys.stderr,
        )
    named = f"hydra.sweep.dir={OWNED.path}"
    if named not in sys.argv:
        sys.argv.append(named)


def interrupted() -> typing.NoReturn:
    """Ctrl-C: one line, not a traceback; a study says how to go on, a run leaves nothing half-made."""
    if OWNED is not None and (OWNED.path / STUDY_RECORD).exists():
        print(
            f"recovery-sim: interrupted; finished runs are kept in {OWNED.path}: run the same command with "
            f"hydra.sweep.dir={OWNED.path} to resume",
            file=sys.stderr,
        )
        sys.exit(130)
    if OWNED is not None and (OWNED.path / "summary.json").exists():  # stopped while drawing the picture
        print(f"recovery-sim: interrupted; what the run wrote so far is in {OWNED.path}", file=sys.stderr)
        sys.exit(130)
    if OWNED is not None:
        OWNED.clean_up()
    print("recovery-sim: interrupted; nothing was written", file=sys.stderr)
    sys.exit(130)


@hydra.main(version_base="1.3", config_path=str(PROJECT_ROOT / "configs"), config_name="config")
def run(cfg: DictConfig) -> None:
    """Run the configured scenario, or in a sweep (an experiment) one cell of the study.

    The config was checked, and the folder claimed, by :class:`StudyCallback` before Hydra made it.
    """
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        study_job(cfg, hydra_cfg)
        return
    config = None
    with stopped_in_one_line(lambda: config):
        config = from_hydra(cfg, hydra_cfg.runtime.choices)
        if config.study.kind is not StudyKind.grid:
            search_study(config, run_dir)
            return
    if SIMULATION is None:
        simulate_here(config, run_dir)
    else:  # forked as the command started, it has imported the simulation meanwhile
        try:
            SIMULATION.run((config, run_dir, OWNED))
        except SystemExit:  # the run's process failed, or was killed (out of memory): no half-made folder
            if OWNED is not None and not (OWNED.path / "summary.json").exists():
                OWNED.clean_up()
            raise


@contextmanager
def stopped_in_one_line(config: typing.Callable[[], SimConfig | None]) -> typing.Iterator[None]:
    """A refused config, or a run or study that breaks, ends the command in one line, no half-made folder.

    ``config``: the config as far as it was made (None before), to name the study that stopped.
    """
    try:
        yield
    except ConfigError as error:
        fail(str(error))
    except Exception as error:
        if OWNED is not None:
            OWNED.clean_up()
        made = config()
        what = f"the {made.study.kind.value} study" if made is not None else "the run"
        fail(f"{what} stopped, nothing kept: {type(error).__name__}: {error}", 1)


def simulate_here(config: SimConfig, run_dir: Path) -> None:
    """The run in this process, its dashboard drawn in a process of its own where one can be forked."""
    # Forked as the run starts: Matplotlib loads while the model is built and run (sim.dashboard_process)
    dashboard = DashboardProcess.fork() if config.output.dashboard and DashboardProcess.USABLE else None
    try:
        simulate(config, run_dir, dashboard)
    finally:
        if dashboard is not None:
            dashboard.stop()


def simulate_handed_over(job: tuple[SimConfig, Path, Owned | None]) -> None:
    """The run in the child of sim.simulation_process, ending as the command would have."""
    global OWNED
    config, run_dir, OWNED = job
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back since the fork: here, it is
        simulate_here(config, run_dir)  # handled as the command handles it
    except BaseException:
        if INTERRUPT["seen"]:  # as main() does
            interrupted()
        raise


def simulate(config: SimConfig, run_dir: Path, dashboard: DashboardProcess | None) -> None:
    """One run: set up, its weeks (Ctrl-C stops it between two), its files, its headline.

    ``dashboard``: the process that draws dashboard.png, if one was forked; without it the
    picture, if the config asks for it, is drawn here.
    """
    with stopped_in_one_line(lambda: config):
        # The simulation's modules load when a run needs them: --help, a refused input and a finished
        # study cell stay quick. What loads here lives as long as the process (sim.collector).
        with paused_while_loading():
            from sim.headline import headline_table
            from sim.model import RecoveryModel
            from sim.result import Result

            progress = Progress.for_run(config)
            progress.say(
                f"setting up {config.market.customers:,} customers on a {config.network.kind.value} network"
            )
            # Nothing this command prints or writes reads the Mesa agents (views of the arrays, the same
            # results without them), and building them is a third of a default run's time; the memory
            # check counts only what is built.
            model = RecoveryModel(config, agents=False)
        progress.say("set up")
    show_progress = sys.stderr.isatty() and not progress.on
    INTERRUPT["between_weeks"] = True
    while model.running and not INTERRUPT["seen"]:
        model.step()
        if show_progress:
            print(f"\rweek {model.steps}/{config.weeks}", end="", file=sys.stderr, flush=True)
        if model.steps % Progress.WEEKS == 0 or not model.running:
            progress.say(f"week {model.steps}/{config.weeks}")
    if show_progress:
        print("\r", end="", file=sys.stderr)
    INTERRUPT["between_weeks"] = False
    if INTERRUPT["seen"]:
        raise KeyboardInterrupt
    progress.say("writing the results")
    result = Result.from_model(model)
    picture = run_dir / "dashboard.png"
    if dashboard is not None:
        dashboard.draw(result.timeseries, result.summary, picture)  # drawn while the other files are written
    drawn_here = config.output.dashboard and dashboard is None
    written = result.save(run_dir, dashboard=drawn_here, complaints=config.output.complaints_log)
    if dashboard is not None:
        try:
            written.append(dashboard.finish(picture))
        except DashboardError as error:
            fail(f"{picture.name} could not be drawn: {error}", exit_code=1)
    progress.say("written")
    print(headline_table(result.summary))
    print(f"written to {run_dir}: {' '.join(p.name for p in written)}")


class Progress:
    """Lines on stderr for a long run, so that a run of minutes shows it is alive.

    Its stages and every WEEKS weeks, as ``recovery-sim: week 52/104, 38 s`` (seconds
    since the set-up began), on a terminal or not. Runs below FROM customers (seconds
    long) print nothing new: their output stays as it was.
    """

    FROM = 1_000_000
    WEEKS = 13

    def __init__(self, on: bool) -> None:
        self.on, self.start = on, time.perf_counter()

    @classmethod
    def for_run(cls, config: SimConfig) -> Progress:
        """On for a generated market of FROM customers or more."""
        generated = config.network.kind is not NetworkKind.edgelist
        return cls(generated and config.market.customers >= cls.FROM)

    def say(self, what: str) -> None:
        """One line, with the seconds so far, if on."""
        if self.on:
            print(
                f"recovery-sim: {what}, {time.perf_counter() - self.start:.0f} s", file=sys.stderr, flush=True
            )


def search_study(config: SimConfig, run_dir: Path) -> None:
    """An optimisation, sensitivity, validation or calibration study, run in this process on every core."""
    from sim.checks.calibration import calibrate, calibration_check
    from sim.checks.validation import DOC, validation
    from sim.studies.optimise import optimise
    from sim.studies.robustness import robustness
    from sim.studies.sensitivity import sensitivity

    study = {
        StudyKind.optimise: optimise,
        StudyKind.sensitivity: sensitivity,
        StudyKind.robustness: robustness,
        StudyKind.validation: partial(validation, doc=DOC if is_shipped_validation(config) else None),
        StudyKind.calibrate: calibrate,
        StudyKind.calibration_check: calibration_check,
    }[config.study.kind]
    written = study(config, run_dir)
    print((run_dir / "report.md").read_text().split("## Answer", 1)[-1].split("\n\n|", 1)[0].strip())
    print(f"written to {run_dir}: {' '.join(p.name for p in written)}")


def is_shipped_validation(config: SimConfig) -> bool:
    """Whether a validation study runs at the experiment's own setting: only then may it rewrite the docs.

    A study at other settings (a smaller market, fewer seeds) would replace the published
    facts table with numbers nobody chose to publish.
    """
    from sim.checks.validation import DOC
    from sim.studies.study import world_of

    if not DOC.exists():
        return False
    shipped = checked(
        compose(config_name="config", overrides=["experiment=validation"], return_hydra_config=True)
    )
    same_world = world_of(shipped) == world_of(config)
    return same_world and shipped.study.replications == config.study.replications


def study_job(cfg: DictConfig, hydra_cfg) -> None:
    """One cell of a study: its replications, saved run by run into the sweep folder.

    A cell whose config no longer holds (its edge-list file gone since the study was checked)
    records each of its runs as failed, as a run that raises does, and the study goes on.
    """
    from sim.studies.study import record_invalid_cell, run_cell, sweep_cells, swept_keys

    skip_final_collection()  # a study's worker process, too
    sweep_dir = Path(hydra_cfg.sweep.dir)
    # The cells as on_multirun_start recorded them (JSON: about 40 ms less a job than multirun.yaml)
    record = sweep_dir / STUDY_RECORD
    cells = json.loads(record.read_text())["cells"] if record.exists() else None
    cells = cells or sweep_cells(OmegaConf.load(sweep_dir / "multirun.yaml"))
    keys = swept_keys(cells, hydra_cfg.sweeper.get("params"))
    cell = [o for o in hydra_cfg.overrides.task if o.split("=", 1)[0].lstrip("+~") in keys]
    replications = int(cfg.study.replications)
    try:
        config = from_hydra(cfg, hydra_cfg.runtime.choices)
    except ConfigError as error:
        record_invalid_cell(sweep_dir / "runs", cell, int(cfg.seed), replications, str(error))
        print(f"{' '.join(cell) or 'default'}: {replications} runs failed: {error}", file=sys.stderr)
        return
    counts = run_cell(config, sweep_dir, cell, len(cells) * config.study.replications)
    print(
        f"{' '.join(cell) or 'default'}: {counts['done']} runs done, {counts['skipped']} already done, "
        f"{counts['failed']} failed",
        file=sys.stderr,
    )


class StudyCallback(Callback):
    """Hydra callback: check everything and claim the folder before Hydra makes one; report at the end.

    Hydra calls ``on_run_start`` and ``on_multirun_start`` in this process before it creates the
    run or sweep folder, so a refusal here leaves nothing behind. Hydra turns a callback's
    exceptions into warnings, so a refusal exits itself with the one line.
    """

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        """One run (or a search study): check its config, then claim a new folder for it."""
        global OWNED
        try:
            cfg = checked(config)
            check_fits(cfg, agents=False)  # the command builds no Mesa agents (run() below)
            if cfg.study.kind is not StudyKind.grid:
                check_search_study(cfg)
            OWNED = claim(config, "run")
        except ConfigError as error:
            fail(str(error))
        except Exception as error:  # Hydra would turn it into a warning and run among whatever is there
            fail(f"the run could not start: {type(error).__name__}: {error}")

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        """Check every cell and the study's options, then claim (or reopen and lock) the study's folder."""
        from sim.studies.checked import forget, note_cells, note_composed
        from sim.studies.study import finished_runs, record_or_match_study, run_ids, sweep_cells, swept_keys
        from sim.studies.warm import start_workers

        global OWNED
        try:
            cells, cell_ids = sweep_cells(config), []
            runs = study_runs(config)
            loader = GlobalHydra.instance().config_loader()
            forget()
            if runs is not None and not runs.is_dir():
                start_workers(config)  # a new study: every cell has runs to do
            for cell in cells:
                composed = loader.load_sweep_config(config, list(cell))  # as the cell's job would
                note_composed(cell, composed, config)
                cfg = checked(composed)
                check_fits(cfg, agents=cfg.study.agents)
                cell_ids.append(run_ids(cfg))
                if runs is not None and any(not (runs / f"{rid}.json").exists() for rid in cell_ids[-1]):
                    start_workers(config)  # a cell with runs to do: workers load while the rest are checked
            ids = [rid for each in cell_ids for rid in each]
            check_study_options(cfg.study, cells, swept_keys(cells, config.hydra.sweeper.get("params")))
            OWNED = claim(config, "sweep")
            record_or_match_study(OWNED.path, study_identity(config, cells))
            StudyLock.take(OWNED.path).begin_session(OWNED.path)
            for orphan in (OWNED.path / "runs").glob("*.running.json"):
                orphan.unlink()  # in flight when an earlier session died; run again below
            done = {p.name.removesuffix(".json") for p in finished_runs(OWNED.path / "runs")}
            note_cells(cells, [sum(rid not in done for rid in each) for each in cell_ids])  # for the sweeper
            if nothing_to_do(OWNED.path, ids):
                print(
                    f"{cfg.study.name}: all {len(ids)} runs are done and report.md is up to date, nothing to "
                    f"run (recovery-sim-report {OWNED.path} rebuilds the report)",
                    file=sys.stderr,
                )
                sys.exit(0)
        except ConfigCompositionException as error:
            fail(composition_error(error))
        except ConfigError as error:
            fail(str(error))
        except Exception as error:  # Hydra would turn it into a warning and run among whatever is there
            fail(f"the study could not start: {type(error).__name__}: {error}")
        OUTCOME["expected"] = len(cells) * cfg.study.replications
        # While the workers run, this process only waits for them: it loads what the report needs
        # meanwhile, which was the first second of the report after the last run.
        REPORT_MODULES["loader"] = threading.Thread(target=load_report_modules, daemon=True)
        REPORT_MODULES["loader"].start()

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        """Aggregate the sweep folder (also done by ``recovery-sim-report DIR`` at any time)."""
        if REPORT_MODULES["loader"] is not None:
            REPORT_MODULES["loader"].join()
        from sim.studies.aggregate import ReportError, aggregate, load_records
        from sim.studies.warm import in_a_worker, workers_ready

        try:
            aggregate(Path(config.hydra.sweep.dir), in_a_worker if workers_ready() else None)
        except ReportError as error:
            OUTCOME["report_error"] = str(error)
        except Exception as error:  # Hydra would turn it into a warning and exit 0
            OUTCOME["report_error"] = f"{type(error).__name__}: {next(iter(str(error).splitlines()), '')}"
        OUTCOME["failed"] = len(load_records(Path(config.hydra.sweep.dir))[1])


#: The thread that loads the report's modules while a study's workers run.
REPORT_MODULES: dict[str, threading.Thread | None] = {"loader": None}


def load_report_modules() -> None:
    """SciPy's statistics and the report's modules, the collector paused (sim.collector).

    The figures are drawn in the study's workers (``sim.studies.drawn``): no Matplotlib here.
    """
    with paused_while_loading():
        from sim.studies import aggregate, report  # noqa: F401


def study_runs(config: DictConfig) -> Path | None:
    """The runs folder of the study's folder (a study to resume has one), or None if it cannot be named yet.

    A bad ``hydra.sweep.dir`` is refused where the folder is claimed, in one line.
    """
    try:
        return Path(str(OmegaConf.select(config, "hydra.sweep.dir"))) / "runs"
    except OmegaConfBaseException:
        return None


def nothing_to_do(folder: Path, ids: list[str]) -> bool:
    """Every run of the study is done and its report was written after the last of them.

    Running a finished study again then costs its checks only: Hydra's jobs would each
    find their runs done, and the report would come out the same.
    """
    report = folder / "report.md"
    records = [folder / "runs" / f"{rid}.json" for rid in ids]
    if not report.exists() or not all(record.exists() for record in records):
        return False
    return report.stat().st_mtime_ns >= max(record.stat().st_mtime_ns for record in records)


def checked(composed: DictConfig) -> SimConfig:
    """The world a composed config (Hydra's part included) describes, validated."""
    choices = dict(composed.hydra.runtime.choices)
    world = composed.copy()
    with open_dict(world):
        del world["hydra"]
    return from_hydra(world, choices)


def claim(config: DictConfig, mode: str) -> Owned:
    """The folder of this run or sweep: the one the user named (new or empty), else a new one of our own.

    A claimed name replaces Hydra's in the config, and in the overrides a sweep's jobs are composed
    from, so every job writes where the study is.
    """
    key = f"hydra.{mode}.dir"
    named = any(o.split("=", 1)[0].lstrip("+~") == key for o in config.hydra.overrides.hydra)
    wanted = Path(str(OmegaConf.select(config, key)))
    if named and mode == "sweep" and (wanted / STUDY_RECORD).exists():
        owned = Owned.found(wanted)  # a study to resume: record_or_match_study checks it
    elif named and mode == "sweep":
        allowed = f"allowed a new or empty folder, or a study folder ({STUDY_RECORD}) to resume"
        owned = take_named(wanted, key, allowed)
    elif named:
        owned = take_named(wanted, key)
    else:
        owned = claim_new(wanted)
        with read_write(config.hydra), open_dict(config.hydra):
            OmegaConf.update(config, key, str(owned.path))
            config.hydra.overrides.hydra.append(f"{key}={owned.path}")
    StudyLock.take(owned.path)  # before anything is written: a command that loses the race removes nothing
    if owned.made_here is False and mode == "run" and any(owned.path.iterdir()):
        raise ConfigError(f"{key}={wanted} is not empty: allowed a new or empty folder")  # filled meanwhile
    return owned


def check_search_study(cfg: SimConfig) -> None:
    """A search study's name and the options it reads, checked before its folder exists."""
    check_study_name(cfg.study.name)
    if cfg.study.kind in (StudyKind.sensitivity, StudyKind.robustness):
        from sim.studies.sensitivity import problem

        problem(cfg)
        lists = {"policies": ("policy", cfg.study.policies)}
        if cfg.study.kind is StudyKind.robustness:
            lists["delegations"] = ("delegation", cfg.study.delegations)
        for key, (group, names) in lists.items():
            for name in names:
                try:
                    preset_path(group, name)
                except ConfigError as error:
                    raise ConfigError(f"study.{key}=[{', '.join(names)}]: {error}") from None


def check_study_options(study: StudyConf, cells: list[list[str]], swept: set[str]) -> None:
    """A study's name, baseline, ``within`` keys and metrics, checked before its folder exists."""
    from sim.metrics import SUMMARY_METRICS

    check_study_name(study.name)
    if not any(set(study.baseline) <= set(cell) for cell in cells):
        example = ",".join(f'"{o}"' for o in cells[0] if o.split("=", 1)[0] in swept) or f'"{cells[0][0]}"'
        raise ConfigError(
            f"study.baseline=[{', '.join(study.baseline)}] picks no cell of this sweep: allowed the "
            f"overrides of one of its cells, such as 'study.baseline=[{example}]'"
        )
    unknown = [key for key in study.within if key not in swept]
    if unknown:
        raise ConfigError(
            f"study.within=[{', '.join(unknown)}] is not a swept key: "
            f"allowed {', '.join(sorted(swept)) or 'none'}"
        )
    unknown = [metric for metric in study.metrics if metric not in SUMMARY_METRICS]
    if not study.metrics:
        raise ConfigError(f"study.metrics=[] is empty: allowed one or more of {', '.join(SUMMARY_METRICS)}")
    if unknown:
        raise ConfigError(
            f"study.metrics=[{', '.join(unknown)}] is not a summary figure: "
            f"allowed {', '.join(SUMMARY_METRICS)}"
        )


def study_identity(config: DictConfig, cells: list[list[str]]) -> dict:
    """What makes a study the study it is: its experiment, the settings all cells share, and its cells."""
    settings = config.copy()
    with open_dict(settings):
        del settings["hydra"]
    return {
        "experiment": config.hydra.runtime.choices.get("experiment"),
        "settings": OmegaConf.to_container(settings, resolve=True, enum_to_str=True),
        "cells": cells,
    }


if __name__ == "__main__":
    main()
