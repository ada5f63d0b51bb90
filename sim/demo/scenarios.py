"""Three ready scenarios for a room, each one click and one lesson in under a minute of play.

Each pits two firms that differ in one lever only, on the same customers, so
whatever differs between the two columns is that lever's doing. The words
under each button say what to watch. They were read off two-year runs at the
page's default market (300 customers, market 42), which tests/test_demo.py
checks, and hold in direction at markets 0 to 3 and 7 too; how large a
difference is varies from market to market (half the team satisfied 14% of
complainants against 28% at market 42, 27% against 45% at market 3; full
authority 77% against 28% at market 42, 64% against 50% at market 7).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.demo.pair import Settings


@dataclass(frozen=True)
class Scenario:
    """A named setting of the page and what it shows."""

    name: str
    title: str
    watch: str
    settings: Settings


GOOD_RECOVERY = dict(policy_a="apology_compensation", policy_b="apology_compensation")

SCENARIOS = (
    Scenario(
        "iceberg",
        "The iceberg: make complaining easy",
        "Both firms apologise and pay, with full frontline authority. Firm A makes complaining hard, "
        "firm B easy. B hears more complaints, yet fewer customers leave it without a word and it keeps "
        "more of them: most unhappy customers never complain, they leave, and only a complaint gives a "
        "firm the chance to win them back.",
        Settings(
            **GOOD_RECOVERY,
            delegation_a="full",
            delegation_b="full",
            complaint_ease_a=0.1,
            complaint_ease_b=0.9,
        ),
    ),
    Scenario(
        "waiting",
        "The cost of waiting: half the team",
        "Both firms apologise and pay, and every case goes to the recovery team. Firm B runs it with half "
        "the people. Its profit keeps pace, since it pays half the wages, but complainants wait: far fewer "
        "are satisfied and more bad stories are told, a cost the books do not show within two years.",
        Settings(**GOOD_RECOVERY, delegation_a="none", delegation_b="none", team_b=0.5),
    ),
    Scenario(
        "authority",
        "Authority at the front line",
        "Both firms apologise and pay. Firm A's frontline may decide nothing, so every case waits for the "
        "recovery team; firm B's may settle a case on first contact. B satisfies more of its "
        "complainants, keeps more customers and hears fewer bad stories.",
        Settings(**GOOD_RECOVERY, delegation_a="none", delegation_b="full"),
    ),
)
