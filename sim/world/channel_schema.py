"""The doors a firm opens to complaints (S22): each channel's ease, speed, hours, cost, authority, audience.

A firm offers some of five channels. ``desk`` is the model's one abstract
complaint desk, on which it was calibrated (every published figure it fits is
about complaints whatever their channel); the other four are the channels
firms actually choose between. Each has its own defaults, so opening one is a
single switch (``channels.chat.offered=true``); the presets in
``configs/channels/`` name common mixes. How a customer picks among the
offered channels is ``sim.mechanisms.channels``; ODD §7.10 gives the rule and
its sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.world.parameter import MONEY, SHARE, param

RAGE_2013 = "Customer Rage Study 2013 (phone 11x as likely as the web for complaints)"
RAGE_2020 = (
    "Customer Rage Study 2020 (55% expect a company response to a complaint posted on social media; "
    "49% never get one)"
)


@dataclass
class ChannelConf:
    """One channel through which customers complain."""

    offered: bool = param(False, doc="the firm takes complaints here", unit="flag", source="setting")
    ease: float = param(
        0.5,
        0.0,
        1.0,
        doc="how easy customers find complaining here, on complaint_ease's scale (S4)",
        unit="level 0-1",
        source="assumption; range 0.3-0.8",
    )
    digital: float | None = param(
        None,
        0.0,
        1.0,
        doc="how digital the channel is (phone 0, social 1): customers prefer channels near their own "
        "digital affinity; null: suits everyone alike",
        unit="level 0-1",
        source="assumption",
    )
    response_days: float | None = param(
        None,
        0.0,
        365.0,
        doc="answer time on first contact; null: firm.first_contact_days",
        unit="days",
        source="assumption; for social media see ODD 7.10 (Lithium 2013, Socialbakers 2013)",
    )
    open_share: float = param(
        1.0,
        0.0,
        1.0,
        doc="share of the week the channel answers; a contact out of hours waits channels.closed_wait_days",
        unit=SHARE,
        source="assumption; office hours are about 0.3",
    )
    contact_cost: float | None = param(
        None,
        0.0,
        1e6,
        doc="cost of a first contact here; null: firm.first_contact_cost",
        unit=MONEY,
        source="assumption; for scale, Gartner 2019: a live contact costs $8.01 on average",
    )
    upkeep_week: float = param(
        0.0,
        0.0,
        1e6,
        doc="cost of keeping the channel open, per 10,000 customers at the start",
        unit=MONEY + "/week",
        source="assumption; range 0-300",
    )
    authority: float = param(
        1.0,
        0.0,
        1.0,
        doc="share of the delegation's first-contact resolution and of its cap that staff here hold (S8): "
        "both scale, so 0.5 resolves far fewer than half as many; 0: every case escalates",
        unit=SHARE,
        source="assumption; range 0-1",
    )
    public: bool = param(
        False,
        doc="complaints here are seen by everyone: every answer, good or bad, is a public post (S12)",
        unit="flag",
        source="setting (S12, S22)",
    )
    capacity_per_10k: float | None = param(
        None,
        0.0,
        1e9,
        doc="first contacts a week the channel's staff take, per 10,000 customers at the start; "
        "the rest are escalated; null: no limit",
        unit="contacts/week",
        source="setting",
    )


def desk() -> ChannelConf:
    """The calibrated abstract desk: neutral to every customer, the firm's own speed and cost."""
    return ChannelConf(offered=True)


def phone() -> ChannelConf:
    """A call centre: easy for those who like talking, answered in the call once the line is open."""
    return ChannelConf(ease=0.6, digital=0.0, response_days=0.1, open_share=0.35, upkeep_week=150.0)


def email() -> ChannelConf:
    """Written complaints: always open, answered within a day or two, often passed to the back office."""
    return ChannelConf(ease=0.45, digital=0.6, response_days=1.5, authority=0.5, upkeep_week=60.0)


def chat() -> ChannelConf:
    """Live chat on the firm's site: fast, digital, staffed half the week."""
    return ChannelConf(
        ease=0.6, digital=0.8, response_days=0.05, open_share=0.5, authority=0.5, upkeep_week=100.0
    )


def social() -> ChannelConf:
    """The firm's social-media accounts: a complaint and its answer are public."""
    return ChannelConf(
        ease=0.5,
        digital=1.0,
        response_days=0.5,
        open_share=0.7,
        authority=0.5,
        public=True,
        upkeep_week=100.0,
    )


@dataclass
class ChannelsConf:
    """Which channels the firm offers, and how customers choose among them (S4, S8, S9, S12, S20, S22)."""

    name: str = param("single_desk", doc="label for tables and figures", unit="text", source="setting")
    desk: ChannelConf = param(factory=desk, doc="the calibrated abstract complaint desk", unit="channel")
    phone: ChannelConf = param(factory=phone, doc="telephone", unit="channel", source=RAGE_2013)
    email: ChannelConf = param(factory=email, doc="e-mail and web form", unit="channel")
    chat: ChannelConf = param(factory=chat, doc="live chat", unit="channel")
    social: ChannelConf = param(factory=social, doc="social media (public)", unit="channel", source=RAGE_2020)
    choice_scale: float = param(
        0.1,
        0.01,
        10.0,
        doc="spread of channel choice (logit scale on ease): small, customers take the best channel; "
        "it also sets how much easier each channel opened makes complaining (at most scale x log n)",
        unit="level 0-1",
        source="assumption; range 0.05-0.3",
    )
    fit_weight: float = param(
        0.3,
        0.0,
        5.0,
        doc="ease lost per unit of distance between a customer's digital affinity and a channel's",
        unit="level 0-1",
        source="assumption; range 0-0.6",
    )
    digital_affinity: float = param(
        0.35,
        0.01,
        0.99,
        doc="customers' mean digital affinity (Beta, concentration 4)",
        unit="level 0-1",
        source="assumption; for scale, " + RAGE_2013,
    )
    avoid_after_failure: float = param(
        0.3,
        0.0,
        5.0,
        doc="ease lost, next time, on the channel that failed the customer (S20)",
        unit="level 0-1",
        source="assumption; range 0-0.6",
    )
    public_pull: float = param(
        0.2,
        0.0,
        5.0,
        doc="ease a public channel gains for a customer failed before: going public for leverage (S12)",
        unit="level 0-1",
        source="assumption; range 0-0.4",
    )
    closed_wait_days: float = param(
        1.0,
        0.0,
        30.0,
        doc="mean wait of a contact made while its channel is closed",
        unit="days",
        source="assumption: overnight or over a weekend; range 0.5-2",
    )


#: The channels in a fixed order: a case's channel is its index here.
CHANNELS = ("desk", "phone", "email", "chat", "social")


def beyond_the_desk(names: list[str]) -> bool:
    """Whether a firm with these channels has any but the calibrated desk: only then do channels differ."""
    return any(name != "desk" for name in names)


def offered_channels(conf: ChannelsConf) -> tuple[str, ...]:
    """The names of the channels the firm offers, in CHANNELS order."""
    return tuple(name for name in CHANNELS if getattr(conf, name).offered)
