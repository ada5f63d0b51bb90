"""recovery-sim: what a way of handling unhappy customers does to revenue, churn and reputation."""

from sim.config import ConfigError, SimConfig
from sim.model import RecoveryModel
from sim.result import Result, run

__all__ = ["ConfigError", "RecoveryModel", "Result", "SimConfig", "run"]
