"""``recovery-sim``: run one scenario from the command line and write its results.

Any key can be overridden the Hydra way, for example
``recovery-sim policy=apology_compensation delegation=full firm.staff=4``.
A wrong key, a value out of range or of the wrong kind, or a preset or
experiment that does not exist ends the run before it starts with one line on
stderr, exit code 2, and no output folder left behind
(``HYDRA_FULL_ERROR=1`` shows Hydra's own report instead).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path

import hydra
from hydra import compose
from hydra.core.hydra_config import HydraConfig
from hydra.errors import ConfigCompositionException, MissingConfigException, OverrideParseException
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import ConfigAttributeError, ConfigKeyError

from sim.config import (
    PROJECT_ROOT,
    ConfigError,
    SimConfig,
    StudyKind,
    from_hydra,
    preset_path,
    unknown_key,
)
from sim.model import RecoveryModel
from sim.result import Result
from sim.study import run_cell, sweep_cells, swept_keys


def headline_table(s: dict) -> str:
    """The handful of figures a strategist asks for first, as aligned plain text."""
    c = s["config"]
    churn_parts = (
        f"{s['churned_silent']:,} silent, {s['churned_after_complaint']:,} after complaint, "
        f"{s['churned_unprovoked']:,} with no failure"
    )
    rows = [
        ("revenue", f"{s['revenue']:,.0f}", ""),
        ("profit", f"{s['profit']:,.0f}", ""),
        ("recovery cost", f"{s['recovery_cost']:,.0f}", f"compensation paid {s['compensation_paid']:,.0f}"),
        (
            "customers at the end",
            f"{s['active_customers_final']:,}",
            f"from {s['customers_initial']:,}; acquired {s['acquired']:,}",
        ),
        ("churned", f"{s['churned']:,}", churn_parts),
        ("churn rate", _pct(s["churn_rate"]), "of everyone who was a customer"),
        ("failures", f"{s['failures']:,}", f"complaints {s['complaints']:,} ({_pct(s['complaint_rate'])})"),
        (
            "recovery satisfaction",
            _pct(s["recovery_satisfaction"]),
            f"first-contact resolution {_pct(s['first_contact_resolution'])}, "
            f"mean response {_num(s['mean_response_days'])} days",
        ),
        (
            "word of mouth",
            f"{s['wom_negative']:,} bad",
            f"{s['wom_positive']:,} good; {s['public_posts']:,} public posts",
        ),
        ("mean satisfaction", f"{s['mean_satisfaction_final']:.2f}", "of active customers, 0-1"),
    ]
    header = (
        f"policy '{c['policy']['name']}', delegation '{c['delegation']['name']}', "
        f"{s['customers_initial']:,} customers, {s['weeks']} weeks, seed {s['seed']}"
    )
    body = [f"  {name:<22}{value:>14}   {note}".rstrip() for name, value, note in rows]
    types = [f"  {'failure type':<22}{'failures':>14}   complained   left after it"]
    for name, t in s["by_failure_type"].items():
        rate, left = _pct(t["complaint_rate"]), t["churned_after_failure"]
        types.append(f"  {name:<22}{t['failures']:>14,}   {rate:>10}   {left:>13,}")
    return "\n".join([header, *body, "", *types])


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def fail(message: str, run_dir: Path | None) -> None:
    """Print one line, remove the run folder Hydra made for nothing, exit 2."""
    if (
        run_dir is not None
        and run_dir.is_dir()
        and not any((run_dir / name).exists() for name in ("summary.json", "timeseries.parquet"))
    ):
        shutil.rmtree(run_dir, ignore_errors=True)
    print(f"recovery-sim: error: {message}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    """The command: Hydra's app, with the configs Hydra cannot compose refused in one line like ours."""
    wants_hydra_report = os.environ.get("HYDRA_FULL_ERROR") == "1"
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra then raises its errors instead of printing several lines
    try:
        run()
    except (ConfigCompositionException, OverrideParseException) as error:
        if wants_hydra_report:
            raise
        fail(composition_error(error), None)


def composition_error(error: ConfigCompositionException | OverrideParseException) -> str:
    """Hydra's error as one line that names the override and what is allowed."""
    if isinstance(error, OverrideParseException):
        return f"{error.override} cannot be read: {error.message.splitlines()[0]}"
    if isinstance(error, MissingConfigException) and (error.missing_cfg_file or "").count("/") == 1:
        try:
            preset_path(*error.missing_cfg_file.split("/"))
        except ConfigError as refused:
            return str(refused)
    cause = error.__cause__
    misspelt = isinstance(cause, ConfigAttributeError | ConfigKeyError)
    if misspelt and dataclasses.is_dataclass(cause.object_type):
        return str(unknown_key(cause.full_key, cause.object_type))
    what = str(error).splitlines()[0].removeprefix("Error merging override ").rstrip(".")
    if cause is None:
        return what
    why = str(cause).splitlines()[0]
    return f"{what} is refused: {why}"


@hydra.main(version_base="1.3", config_path=str(PROJECT_ROOT / "configs"), config_name="config")
def run(cfg: DictConfig) -> None:
    """Run the configured scenario, or in a sweep (an experiment) one cell of the study."""
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    try:
        config = from_hydra(cfg, hydra_cfg.runtime.choices)
        if hydra_cfg.mode == RunMode.MULTIRUN:
            study_job(config, hydra_cfg)
            return
        if config.study.kind is not StudyKind.grid:
            search_study(config, run_dir)
            return
        model = RecoveryModel(config)
    except ConfigError as error:
        fail(str(error), run_dir)
    show_progress = sys.stderr.isatty()
    while model.running:
        model.step()
        if show_progress:
            print(f"\rweek {model.steps}/{config.weeks}", end="", file=sys.stderr, flush=True)
    if show_progress:
        print("\r", end="", file=sys.stderr)
    result = Result.from_model(model)
    written = result.save(run_dir, dashboard=config.output.dashboard, complaints=config.output.complaints_log)
    print(headline_table(result.summary))
    print(f"written to {run_dir}: {' '.join(p.name for p in written)}")


def search_study(config: SimConfig, run_dir: Path) -> None:
    """An optimisation, sensitivity, validation or calibration study, run in this process on every core."""
    from sim.calibration import calibrate
    from sim.optimise import optimise
    from sim.sensitivity import sensitivity
    from sim.validation import validation

    study = {
        StudyKind.optimise: optimise,
        StudyKind.sensitivity: sensitivity,
        StudyKind.validation: validation,
        StudyKind.calibrate: calibrate,
    }[config.study.kind]
    written = study(config, run_dir)
    print((run_dir / "report.md").read_text().split("## Answer", 1)[-1].split("\n\n|", 1)[0].strip())
    print(f"written to {run_dir}: {' '.join(p.name for p in written)}")


def study_job(config: SimConfig, hydra_cfg) -> None:
    """One cell of a study: its replications, saved run by run into the sweep folder."""
    sweep_dir = Path(hydra_cfg.sweep.dir)
    cells = sweep_cells(OmegaConf.load(sweep_dir / "multirun.yaml"))
    keys = swept_keys(cells, hydra_cfg.sweeper.get("params"))
    cell = [o for o in hydra_cfg.overrides.task if o.split("=", 1)[0].lstrip("+~") in keys]
    counts = run_cell(config, sweep_dir, cell, len(cells) * config.study.replications)
    print(
        f"{' '.join(cell) or 'default'}: {counts['done']} runs done, {counts['skipped']} already done, "
        f"{counts['failed']} failed",
        file=sys.stderr,
    )


class StudyCallback(Callback):
    """Hydra callback: refuse a sweep with a bad cell before it starts; build the report when it ends."""

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        """Check every cell's config before any job starts.

        A value out of range then costs one line, not a folder of half-started jobs: Hydra checks
        only what its schema knows, and only after making the sweep's folder.
        """
        try:
            for cell in sweep_cells(config):
                composed = compose(config_name="config", overrides=cell, return_hydra_config=True)
                choices = dict(composed.hydra.runtime.choices)
                with open_dict(composed):
                    del composed["hydra"]
                from_hydra(composed, choices)
        except ConfigCompositionException as error:
            fail(composition_error(error), None)  # exits: Hydra turns a callback's exceptions into warnings
        except ConfigError as error:
            fail(str(error), None)

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        """Aggregate the sweep folder (also done by ``recovery-sim-report DIR`` at any time)."""
        from sim.aggregate import aggregate

        aggregate(Path(config.hydra.sweep.dir))


if __name__ == "__main__":
    main()
