"""The trainers' page on Mesa's SolaraViz; ``recovery-sim-demo`` (sim.demo.serve) serves it.

Controls take effect on Reset, which rebuilds both firms from the same seed,
so the room always compares the two policies on identical customers.
"""

from __future__ import annotations

import os
import sys

from mesa.visualization import Slider, SolaraViz

from sim.demo import pictures
from sim.demo.pair import DemoModel
from sim.demo.serve import main  # noqa: F401 (the command's old home, named by scripts installed before)
from sim.world.parameter import PROJECT_ROOT, Apology

POLICIES = sorted(p.stem for p in (PROJECT_ROOT / "configs" / "policy").glob("*.yaml"))
DELEGATIONS = ["none", "partial", "full"]


def select(label: str, value: str, values: list[str]) -> dict:
    """A drop-down in SolaraViz's own format."""
    return {"type": "Select", "label": label, "value": value, "values": values}


MODEL_PARAMS = {
    "policy_a": select("Firm A: what it offers", "none", POLICIES),
    "delegation_a": select("Firm A: frontline authority", "none", DELEGATIONS),
    "policy_b": select("Firm B: what it offers", "apology_compensation", POLICIES),
    "delegation_b": select("Firm B: frontline authority", "full", DELEGATIONS),
    "compensation_share": Slider("Compensation, where paid (× the loss)", 1.0, 0.0, 2.0, 0.1),
    "apology_mode": select(
        "Apology, where given", Apology.always.value, [Apology.always.value, Apology.severe_only.value]
    ),
    "failure_rate": Slider("Service failures (× usual)", 1.0, 0.0, 5.0, 0.25),
    "complaint_ease": Slider("How easy complaining is", 0.5, 0.0, 1.0, 0.05),
    "proactive_notification": Slider("Failures announced by the firm", 0.0, 0.0, 1.0, 0.1),
    "customers": Slider("Customers", 300, 100, 1000, 50),
    "seed": Slider("Market (seed)", 42, 0, 99, 1),
}

COMPONENTS = [
    pictures.network_view,
    pictures.monitors,
    pictures.customers_by_state,
    pictures.cumulative_profit,
    pictures.complaints_and_silent_churn,
    pictures.satisfaction,
]


def make_page(model: DemoModel | None = None):
    """The whole page around a model (a fresh default one if none is given)."""
    return SolaraViz(
        model if model is not None else DemoModel(),
        components=COMPONENTS,
        model_params=MODEL_PARAMS,
        name="Service recovery: two firms, the same customers",
        play_interval=150,
    )


page = make_page()


if __name__ == "__main__":  # python -m sim.demo.app: the command, in a fresh process (see sim.demo.serve)
    os.execv(sys.executable, [sys.executable, "-m", "sim.demo.serve", *sys.argv[1:]])
