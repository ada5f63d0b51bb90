"""Two firms in one market: the same customers and failure draws, two recovery policies.

Both sides are full RecoveryModels built from the same seed, so they share
the network, every customer's traits and the random draw each customer gets
each week (common random numbers, see streams.py). Whatever differs between
the two sides is the policy's doing, which is what a room should see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace
from functools import lru_cache, partial
from typing import Any

import igraph
import mesa
import numpy as np
import scipy.sparse as sp

from sim.model import RecoveryModel
from sim.world.config import with_values
from sim.world.population import State
from sim.world.schema import SimConfig

SIDES = ("A", "B")
#: The default scenario's market; the demo scales the firm's fixed weekly costs and capacity to its size.
REFERENCE_CUSTOMERS = 10_000
#: Running totals kept per side, from the model's weekly flows.
TOTALS = (
    "revenue",
    "profit",
    "complaints",
    "churned_silent",
    "churned_after_complaint",
    "recovery_satisfied",
    "cases_closed",
    "wom_negative",
    "wom_positive",
    "public_posts",
)


@dataclass(frozen=True)
class Settings:
    """Everything the page lets a room choose: each firm's levers, then the market both serve.

    What a firm controls comes in pairs (``_a`` for firm A, ``_b`` for firm B):
    what it offers, how much authority its frontline has, how easy it makes
    complaining, the size of its recovery team (1.0: the usual team for the
    market's size) and the channels it takes complaints on (a preset of
    configs/channels/). The rest is shared: how much money where a policy pays,
    when an apology is given where a policy apologises, how often service
    fails, the share of failures announced, the market's size and seed.
    """

    policy_a: str = "none"
    delegation_a: str = "none"
    complaint_ease_a: float = 0.5
    team_a: float = 1.0
    channels_a: str = "single_desk"
    policy_b: str = "apology_compensation"
    delegation_b: str = "full"
    complaint_ease_b: float = 0.5
    team_b: float = 1.0
    channels_b: str = "single_desk"
    compensation_share: float = 1.0
    apology_mode: str = "always"
    failure_rate: float = 1.0
    proactive_notification: float = 0.0
    customers: int = 300
    seed: int = 42
    weeks: int = 104

    def side(self, side: str) -> dict[str, Any]:
        """One firm's own levers, without the side's suffix (policy, delegation, ..., channels)."""
        suffix = "_" + side.lower()
        return {
            f.name.removesuffix(suffix): getattr(self, f.name)
            for f in fields(self)
            if f.name.endswith(suffix)
        }

    def shared(self) -> dict[str, Any]:
        """The market both firms serve and the amounts and timing both policies use."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.endswith(("_a", "_b"))}

    def differences(self, other: Settings) -> set[str]:
        """Names of the settings that differ between this and ``other``."""
        return {f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)}


def side_config(
    policy: str,
    delegation: str,
    complaint_ease: float,
    team: float,
    channels: str = "single_desk",
    *,
    compensation_share: float,
    apology_mode: str,
    failure_rate: float,
    proactive_notification: float,
    customers: int,
    weeks: int,
) -> SimConfig:
    """One firm's world: a policy preset, its amount and timing, the firm's own levers and the shared market.

    The preset says what the firm offers (an apology, money, both or nothing);
    ``compensation_share`` says how much money where it pays, and
    ``apology_mode`` when it apologises where it does. The recovery team
    follows the market's size by itself (``firm.staff_per_10k``, times
    ``team``), and so does the channels' upkeep; the other fixed weekly costs
    shrink with the market here, so a 300-customer demo keeps the default
    scenario's economics per customer.
    """
    base = with_values(SimConfig(), {"policy": policy, "delegation": delegation, "channels": channels})
    scale = customers / REFERENCE_CUSTOMERS
    firm = base.firm
    return with_values(
        base,
        **{
            "policy.compensation": compensation_share if base.policy.compensation > 0 else 0.0,
            "policy.apology": apology_mode if base.policy.apology.value != "never" else "never",
            "failures.rate_multiplier": failure_rate,
            "firm.complaint_ease": complaint_ease,
            "firm.staff_per_10k": firm.staff_per_10k * team,
            "firm.proactive_notification": proactive_notification,
            "firm.channel_cost_week": firm.channel_cost_week * scale,
            "firm.deescalation_cost_week": firm.deescalation_cost_week * scale,
            "market.customers": customers,
            "weeks": weeks,
            "agents": False,
        },
    )


def market_layout(adjacency: sp.spmatrix) -> np.ndarray:
    """Positions of the market's people, computed once per network and reused on every reset.

    The cache is keyed on the ties themselves, so the picture always shows
    the network the firms run on.
    """
    ties = sp.triu(adjacency, k=1).tocoo()
    edges = np.column_stack([ties.row, ties.col]).astype(np.int64)
    return _layout(adjacency.shape[0], edges.tobytes())


@lru_cache(maxsize=32)
def _layout(nodes: int, edges: bytes) -> np.ndarray:
    """Fruchterman-Reingold in igraph's C code, started from a circle so it is the same every time.

    Well under a second for a thousand people.
    """
    graph = igraph.Graph(n=nodes, edges=np.frombuffer(edges, dtype=np.int64).reshape(-1, 2).tolist())
    angle = np.linspace(0.0, 2.0 * np.pi, graph.vcount(), endpoint=False)
    start = np.column_stack([np.cos(angle), np.sin(angle)]).tolist()
    positions = np.asarray(graph.layout_fruchterman_reingold(seed=start, niter=500).coords)
    positions.flags.writeable = False
    return positions


def reading(model: DemoModel, side: str, name: str) -> float:
    """DataCollector reporter: one side's current value of a reading (picklable, unlike a lambda)."""
    return model.readings[side][name]


class DemoModel(mesa.Model):
    """Firm A and firm B serve copies of one market, built from one ``Settings``.

    ``DemoModel(customers=150)`` changes one setting from the defaults;
    ``DemoModel(settings)`` takes them all.
    """

    def __init__(self, settings: Settings | None = None, **changes: Any) -> None:
        settings = replace(settings or Settings(), **changes)
        seed = int(settings.seed)
        super().__init__(rng=seed)
        self.settings = settings
        shared = settings.shared()
        del shared["seed"]  # the model's, not the world's
        shared.update(customers=int(shared["customers"]), weeks=int(shared["weeks"]))
        self.firms = {
            side: RecoveryModel(side_config(**settings.side(side), **shared), rng=seed, agents=False)
            for side in SIDES
        }
        self.positions = market_layout(self.firms["A"].adjacency)
        self.totals = {side: Counter() for side in SIDES}
        self.readings = {side: self._read(side) for side in SIDES}
        self.datacollector = mesa.DataCollector(
            model_reporters={
                f"{name} {side}": partial(reading, side=side, name=name)
                for side in SIDES
                for name in self.readings[side]
            }
        )
        self.datacollector.collect(self)

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.steps

    @property
    def weeks(self) -> int:
        """Weeks in the whole run."""
        return self.firms["A"].config.weeks

    @property
    def people(self) -> int:
        """Everyone in the market: customers and prospects."""
        return self.positions.shape[0]

    def history(self, side: str, name: str) -> list[float]:
        """One side's reading from week 0 to now (the DataCollector's own list: do not change it)."""
        return self.datacollector.model_vars[f"{name} {side}"]

    def step(self) -> None:
        """One week for both firms, then what each side now reads."""
        for side, firm in self.firms.items():
            firm.step()
            self.totals[side].update({name: firm.metrics[name] for name in TOTALS})
            self.readings[side] = self._read(side)
        self.datacollector.collect(self)
        self.running = all(firm.running for firm in self.firms.values())

    def states(self, side: str) -> np.ndarray:
        """Every person's State at one firm."""
        firm = self.firms[side]
        return firm.population.states(firm.week)

    def _read(self, side: str) -> dict[str, float]:
        """What the page shows of one side this week: people by state, running totals, satisfaction."""
        firm, totals = self.firms[side], self.totals[side]
        counts = np.bincount(self.states(side), minlength=len(State))
        closed = totals["cases_closed"]
        active = int(counts[State.SATISFIED] + counts[State.UNHAPPY] + counts[State.COMPLAINED])
        return {
            **{state.name.lower(): int(counts[state]) for state in State},
            "active": active,
            **{name: totals[name] for name in TOTALS},
            "mean_satisfaction": firm.metrics["mean_satisfaction"],
            "recovery_satisfaction": totals["recovery_satisfied"] / closed if closed else float("nan"),
        }
