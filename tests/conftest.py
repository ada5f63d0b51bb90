"""Shared helpers: small worlds that run in a fraction of a second."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from sim.world.config import to_sim_config
from sim.world.parameter import PROJECT_ROOT
from sim.world.schema import SimConfig


def small(**overrides) -> SimConfig:
    """A 600-customer, 20-week world; ``overrides`` is a nested dict merged on top."""
    base = {"market": {"customers": 600}, "weeks": 20}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return to_sim_config(base)


@pytest.fixture
def hydra_compose():
    """compose(overrides) against the project's configs/, cleaned up afterwards."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(version_base="1.3", config_dir=str(PROJECT_ROOT / "configs")):
        yield lambda overrides=(): compose(config_name="config", overrides=list(overrides))
    GlobalHydra.instance().clear()
