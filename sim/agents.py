"""Mesa agents: each customer is a node of the network and reads its own row of the arrays.

The mechanisms work on whole arrays (see model.py); agents exist so that
``model.agents``, AgentSet queries, the DataCollector and SolaraViz see
ordinary Mesa agents with ordinary attributes. As in Mesa's own examples they
know the model only as a ``mesa.Model`` with the model's arrays
(``population``, ``week``), so agents and model do not import each other.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent, Model
from mesa.discrete_space import Cell, FixedAgent

from sim.world.population import State, Status


class Customer(FixedAgent):
    """A person on the social network: prospect, active customer or churned."""

    def __init__(self, model: Model, cell: Cell, row: int) -> None:
        super().__init__(model)
        self.cell = cell
        self.row = row

    @property
    def status(self) -> Status:
        """Prospect, active or churned."""
        return Status(self.model.population.status[self.row])

    @property
    def satisfaction(self) -> float:
        """Satisfaction with the firm, 0 to 1."""
        return float(self.model.population.satisfaction[self.row])

    @property
    def expectation(self) -> float:
        """Quality the customer expects, 0 to 1."""
        return float(self.model.population.expectation[self.row])

    @property
    def failures_seen(self) -> int:
        """Failures met since the start."""
        return int(self.model.population.failures_seen[self.row])

    @property
    def open_complaints(self) -> int:
        """Complaints waiting for an answer."""
        return int(self.model.population.open_cases[self.row])

    @property
    def state(self) -> str:
        """One word for pictures: prospect, satisfied, unhappy, complained (lately) or churned."""
        return State(self.model.population.states(self.model.week, np.array([self.row]))[0]).name.lower()


class Firm(Agent):
    """The firm: its recovery policy, its complaint desk and its books."""

    def __init__(self, model: Model, desk, books) -> None:
        super().__init__(model)
        self.desk = desk
        self.books = books

    @property
    def policy(self) -> str:
        """Name of the written policy."""
        return self.desk.policy.name

    @property
    def queue_length(self) -> int:
        """Escalated complaints waiting."""
        return len(self.desk.queue)
