"""recovery-sim: what a way of handling unhappy customers does to revenue, churn and reputation.

The public names load on first use (PEP 562), so ``recovery-sim --help`` and a
refused input do not pay for Mesa, pandas and the compiled loops.
"""

from importlib import import_module

from sim.world.compiled import forget_stale_loops

forget_stale_loops()  # first: a module below may call a compiled loop as it is imported

#: Each public name and the module that defines it.
PUBLIC = {
    "ConfigError": "sim.world.parameter",
    "RecoveryModel": "sim.model",
    "Result": "sim.result",
    "SimConfig": "sim.world.schema",
    "outcomes": "sim.connect",
    "parameters": "sim.world.keys",
    "run": "sim.result",
}
__all__ = sorted(PUBLIC)


def __getattr__(name: str) -> object:
    if name not in PUBLIC:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(PUBLIC[name]), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *PUBLIC})
