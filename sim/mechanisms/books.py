"""The firm's books: every revenue and cost of the week, and profit as what is left (S6, S16, S19).

``recovery_cost`` is compensation + handling + staff: what the recovery
function costs, to set against the revenue it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.world.market_schema import MarketConf
from sim.world.schema import FirmConf

COSTS = ("cost_of_goods", "compensation_paid", "handling_cost", "staff_cost", "acquisition_cost")
LEDGER = ("revenue", *COSTS, "recovery_cost", "profit")


@dataclass
class WeekActivity:
    """What happened this week that costs or earns money."""

    revenue: float
    compensation: float
    complaints: int
    contact_cost: float  # the first contacts' cost, each at its channel's price
    escalated_closed: int
    repeat_contacts: int
    notifications: int
    acquired: int
    marketed: float  # the joiners marketing paid for: the acquired less word of mouth's share
    won_back: int


def weekly_books(
    activity: WeekActivity, market: MarketConf, firm: FirmConf, team: float, fixed: float = 0.0
) -> dict[str, float]:
    """Revenue, each cost, recovery cost and profit of one week, in currency.

    ``team`` is the recovery team's size; ``fixed`` the week's cost of the frontline's authority
    and of keeping the complaint channels open.
    """
    handling = (
        activity.contact_cost
        + firm.escalated_cost * activity.escalated_closed
        + firm.repeat_contact_cost * activity.repeat_contacts
        + firm.notification_cost * activity.notifications
    )
    staff = (
        team * firm.staff_cost_week
        + fixed
        + firm.deescalation * firm.deescalation_cost_week
        + firm.complaint_ease * firm.channel_cost_week
    )
    books = {
        "revenue": activity.revenue,
        "cost_of_goods": activity.revenue * (1.0 - market.gross_margin),
        "compensation_paid": activity.compensation,
        "handling_cost": handling,
        "staff_cost": staff,
        "acquisition_cost": market.acquisition_cost * activity.marketed
        + firm.winback_offer * activity.won_back,
    }
    books["recovery_cost"] = books["compensation_paid"] + handling + staff
    books["profit"] = books["revenue"] - sum(books[c] for c in COSTS)
    return books
