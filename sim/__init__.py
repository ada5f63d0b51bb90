"""recovery-sim: what a way of handling unhappy customers does to revenue, churn and reputation."""

from sim.compiled import forget_stale_loops

forget_stale_loops()  # first: a module below may call a compiled loop as it is imported

from sim.config import ConfigError, SimConfig
from sim.model import RecoveryModel
from sim.result import Result, run

__all__ = ["ConfigError", "RecoveryModel", "Result", "SimConfig", "run"]
