"""recovery-sim: what a way of handling unhappy customers does to revenue, churn and reputation."""

from sim.world.compiled import forget_stale_loops

forget_stale_loops()  # first: a module below may call a compiled loop as it is imported

from sim.connect import outcomes
from sim.model import RecoveryModel
from sim.result import Result, run
from sim.world.keys import parameters
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig

__all__ = ["ConfigError", "RecoveryModel", "Result", "SimConfig", "outcomes", "parameters", "run"]
