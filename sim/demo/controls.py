"""What the room can set, in its own words: each control's label, its range and how its value reads.

Data that declares: the page draws a drop-down or a slider for each entry
and never names a setting itself. A firm's own levers are declared once and
shown for each side; the rest is the market both firms share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.demo.pair import SIDES, Settings
from sim.world.parameter import Apology

#: What a firm offers, in the room's words (the presets in configs/policy/).
OFFERS = {
    "none": "nothing",
    "apology": "an apology",
    "compensation": "compensation",
    "apology_compensation": "an apology and compensation",
}
AUTHORITY = {"none": "none", "partial": "partial", "full": "full"}
#: Where a firm takes complaints, in the room's words (the presets in configs/channels/).
CHANNEL_MIXES = {
    "single_desk": "one complaint desk",
    "phone_only": "a phone line only",
    "phone_email": "phone and e-mail",
    "omnichannel": "phone, e-mail, chat and social media",
    "social_first": "social media first, e-mail behind",
}
APOLOGY_WHEN = {Apology.always.value: "always", Apology.severe_only.value: "for severe failures only"}
#: How each firm is drawn: solid and dashed lines tell A from B without colour.
LINE = {"A": "solid line", "B": "dashed line"}


@dataclass(frozen=True)
class Choice:
    """A drop-down: ``options`` maps each value to the words shown."""

    name: str
    label: str
    options: dict[str, str]

    def reads(self, value: str) -> str:
        """The value in words."""
        return self.options[value]


@dataclass(frozen=True)
class Slider:
    """A slider from ``low`` to ``high`` in steps of ``step``; ``reads`` gives the value with its unit."""

    name: str
    label: str
    low: float
    high: float
    step: float
    reads: Callable[[float], str]

    @property
    def whole(self) -> bool:
        """Whole numbers only (people, a seed)."""
        return all(float(x).is_integer() for x in (self.low, self.high, self.step))


Control = Choice | Slider


def _firm(side: str) -> tuple[Control, ...]:
    """One firm's own levers; the setting's name carries the side (``policy_a``)."""
    s, firm = side.lower(), f"firm {side}"
    return (
        Choice(f"policy_{s}", f"What {firm} offers", OFFERS),
        Choice(f"delegation_{s}", f"Firm {side}'s frontline authority", AUTHORITY),
        Slider(
            f"complaint_ease_{s}",
            f"How easy {firm} makes complaining",
            0.0,
            1.0,
            0.05,
            lambda x: f"{x:.2f} of 1",
        ),
        Slider(
            f"team_{s}", f"Firm {side}'s recovery team", 0.25, 2.0, 0.25, lambda x: f"{x:.0%} of the usual"
        ),
        Choice(f"channels_{s}", f"Where {firm} takes complaints", CHANNEL_MIXES),
    )


FIRM_CONTROLS: dict[str, tuple[Control, ...]] = {side: _firm(side) for side in SIDES}
SHARED_CONTROLS: tuple[Control, ...] = (
    Slider(
        "compensation_share",
        "Compensation, where a firm pays",
        0.0,
        2.0,
        0.1,
        lambda x: f"{x:.1f} × the customer's loss",
    ),
    Choice("apology_mode", "Apology, where a firm apologises", APOLOGY_WHEN),
    Slider("failure_rate", "Service failures", 0.0, 5.0, 0.25, lambda x: f"{x:.2f} × the usual rate"),
    Slider(
        "proactive_notification",
        "Failures announced by the firm",
        0.0,
        1.0,
        0.1,
        lambda x: f"{x:.0%} of failures",
    ),
    Slider("customers", "Customers", 100, 1000, 50, lambda x: f"{x:,.0f} people"),
    Slider("seed", "Market", 0, 99, 1, lambda x: f"no. {x:.0f} (people and network)"),
)
CONTROLS: tuple[Control, ...] = (*FIRM_CONTROLS["A"], *FIRM_CONTROLS["B"], *SHARED_CONTROLS)


def firm_label(settings: Settings, side: str) -> str:
    """One firm in a line: 'offers an apology and compensation; full authority at the front line'."""
    own = settings.side(side)
    authority = "no" if own["delegation"] == "none" else AUTHORITY[own["delegation"]]
    return f"offers {OFFERS[own['policy']]}; {authority} authority at the front line"


def firm_details(settings: Settings, side: str) -> str:
    """The firm's other levers, said only where they differ from the usual."""
    own, usual = settings.side(side), Settings().side(side)
    said = []
    if own["complaint_ease"] != usual["complaint_ease"]:
        said.append(f"complaint ease {own['complaint_ease']:.2f} of 1")
    if own["team"] != usual["team"]:
        said.append(f"recovery team {own['team']:.0%} of the usual")
    if own["channels"] != usual["channels"]:
        said.append(f"complaints by {CHANNEL_MIXES[own['channels']]}")
    return ", ".join(said)


def shared_line(settings: Settings) -> str:
    """The settings both firms run under, as one line."""
    shown = [f"{c.label.lower()}: {c.reads(getattr(settings, c.name))}" for c in SHARED_CONTROLS]
    return "Both firms: " + "; ".join(shown) + "."
