"""The firm's levers and a run's settings, and ``SimConfig``, the whole world, registered with Hydra.

Hydra checks names and types against these dataclasses (a misspelt key fails
with ``Key 'x' not in 'PolicyConf'``). Defaults are the default scenario; the
YAML files under ``configs/`` only name the presets (policy, delegation,
network) and must agree with these defaults, which a test checks. Sources for
each calibrated figure are in docs/ODD.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hydra.core.config_store import ConfigStore

from sim.world.channel_schema import ChannelsConf
from sim.world.market_schema import (
    ChurnConf,
    ComplaintConf,
    CustomerConf,
    FailureConf,
    MarketConf,
    OutcomeConf,
    WomConf,
)
from sim.world.parameter import (
    MONEY,
    PROB,
    SAT,
    SHARE,
    Apology,
    NetworkKind,
    StudyKind,
    param,
)


@dataclass
class PolicyConf:
    """The written recovery policy: data, applied by ``sim.mechanisms.remedies.remedy`` (S10, S11)."""

    name: str = param("compensation", doc="label for tables and figures", unit="text", source="setting")
    apology: Apology = param(Apology.never, doc="never, severe_only or always (S11)", unit="mode")
    compensation: float = param(1.0, 0.0, 2.0, doc="compensation offered", unit="share of loss")


@dataclass
class DelegationConf:
    """What the frontline may do on first contact (S8)."""

    name: str = param("partial", doc="label for tables and figures", unit="text", source="setting")
    first_contact_resolution: float = param(
        0.45,
        0.0,
        1.0,
        doc="share of in-authority cases closed at once",
        unit=SHARE,
        source="Rage 2015; SQM: 14% low vs 70-80% high empowerment",
    )
    compensation_cap: float | None = param(
        30.0, 0.0, 1e6, doc="most the frontline may grant; null: no cap", unit=MONEY
    )
    may_apologise: bool = param(True, doc="the frontline may apologise", unit="flag")
    training_cost_week: float = param(
        300.0,
        0.0,
        1e6,
        doc="cost of selecting, training and paying staff for this authority, per 10,000 customers at start",
        unit=MONEY + "/week",
        source="Bowen & Lawler 1992 (empowerment's costs: selection, training, higher wages); value assumed, "
        "range 0-2,000",
    )
    overgrant: float = param(
        0.1,
        0.0,
        1.0,
        doc="share of the loss the frontline adds to the written policy on first contact, within its cap",
        unit="share of loss",
        source="Bowen & Lawler 1992 (empowerment's costs: 'giveaways and bad decisions'); value assumed, "
        "range 0-0.5",
    )


@dataclass
class FirmConf:
    """The firm's recovery levers and the cost of each (S4-S9, S13, S16-S21)."""

    staff: int | None = param(
        None,
        0,
        10_000,
        doc="recovery team headcount; null: staff_per_10k x customers / 10,000 (S16)",
        unit="people",
    )
    staff_per_10k: float = param(
        1.0,
        0.0,
        1000.0,
        doc="recovery team per 10,000 customers at the start when staff is null: the team follows the market",
        unit="people",
        source="assumption: about 80% busy at the default market (docs/ODD.md 7.5)",
    )
    cases_per_staff_week: float = param(
        12.5,
        0.0,
        1e9,
        doc="escalated cases one person closes (1e9: no queue)",
        unit="cases/week",
        source="assumption: about 3 hours a case (investigation, decision, reply) in a 37.5-hour week; "
        "range 8-25",
    )
    staff_cost_week: float = param(900.0, 0.0, 1e6, doc="cost of one team member", unit=MONEY + "/week")
    first_contact_cost: float = param(
        5.0,
        0.0,
        1e6,
        doc="cost of a frontline contact",
        unit=MONEY,
        source="assumption; for scale, Gartner 2019: a live contact costs $8.01 on average",
    )
    escalated_cost: float = param(25.0, 0.0, 1e6, doc="cost of handling an escalated case", unit=MONEY)
    repeat_contact_cost: float = param(4.0, 0.0, 1e6, doc="cost of a chasing contact (S20)", unit=MONEY)
    first_contact_days: float = param(0.5, 0.0, 365.0, doc="response time on first contact", unit="days")
    escalated_processing_days: float = param(
        2.0, 0.0, 365.0, doc="response time of an escalated case, after the queue", unit="days"
    )
    response_target_days: float = param(
        3.0, 0.0, 365.0, doc="the firm's response-time standard (S9)", unit="days"
    )
    complaint_ease: float = param(0.5, 0.0, 1.0, doc="how easy complaining is made (S4)", unit="level 0-1")
    channel_cost_week: float = param(
        400.0,
        0.0,
        1e6,
        doc="cost of inviting complaints at complaint_ease 1 (signposting, forms, asking), "
        "beside each channel's upkeep",
        unit=MONEY + "/week",
    )
    investigate_blame: bool = param(
        False, doc="investigate who was at fault before answering (S5)", unit="flag"
    )
    blame_delay_days: float = param(5.0, 0.0, 365.0, doc="delay an investigation adds", unit="days")
    blame_customer_fault_share: float = param(
        0.3, 0.0, 1.0, doc="cases found the customer's fault: no compensation", unit=SHARE
    )
    policy_consistency: float = param(1.0, 0.0, 1.0, doc="staff apply the written policy (S7)", unit=PROB)
    proactive_notification: float = param(
        0.0, 0.0, 1.0, doc="share of detectable failures announced (S17)", unit=SHARE
    )
    notification_cost: float = param(0.5, 0.0, 1e6, doc="cost of one notification", unit=MONEY)
    notification_relief: float = param(
        0.4, 0.0, 1.0, doc="share of the felt severity a notice spares", unit=SHARE
    )
    deescalation: float = param(0.0, 0.0, 1.0, doc="de-escalation training (S18)", unit="level 0-1")
    deescalation_effect: float = param(
        0.6, 0.0, 1.0, doc="share of public posts prevented at level 1", unit=SHARE
    )
    deescalation_cost_week: float = param(
        300.0, 0.0, 1e6, doc="training cost at level 1", unit=MONEY + "/week"
    )
    recovery_budget: float | None = param(
        None, 0.0, 1e9, doc="compensation budget per week; null: unlimited (S19)", unit=MONEY + "/week"
    )
    root_cause_learning: float = param(
        0.5, 0.0, 1.0, doc="strength of learning from complaints (S13)", unit="level 0-1"
    )
    learning_max_reduction: float = param(
        0.6, 0.0, 1.0, doc="most of a type's failure rate learning removes", unit=SHARE
    )
    learning_scale: float = param(
        150.0, 1.0, 1e6, doc="complaints about a type for 63% of that reduction", unit="complaints"
    )
    promise_level: float = param(0.5, 0.0, 1.0, doc="what marketing promises (S21)", unit="level 0-1")
    promise_expectation_effect: float = param(
        0.2, 0.0, 1.0, doc="expectation raised per unit of promise above 0.5", unit=SAT
    )
    promise_acquisition_effect: float = param(
        1.0, 0.0, 10.0, doc="log-change of conversion per unit of promise", unit="1/level"
    )
    winback_offer: float = param(0.0, 0.0, 1e6, doc="offer made to recent leavers; 0: none (S6)", unit=MONEY)
    winback_delay_weeks: int = param(4, 1, 520, doc="weeks after leaving that the offer comes", unit="weeks")
    winback_response: float = param(0.1, 0.0, 1.0, doc="acceptance at an offer worth one basket", unit=PROB)


@dataclass
class NetworkConf:
    """The social network customers and prospects live on."""

    kind: NetworkKind = param(
        NetworkKind.small_world,
        doc="small_world, scale_free, powerlaw_cluster or edgelist",
        unit="kind",
        source="setting",
    )
    degree: int = param(10, 1, 1000, doc="mean number of friends (generated networks)", unit="people")
    rewiring: float = param(0.1, 0.0, 1.0, doc="share of ties rewired at random (small_world)", unit=PROB)
    triangle_prob: float = param(
        0.3, 0.0, 1.0, doc="chance a new tie closes a triangle (powerlaw_cluster)", unit=PROB
    )
    path: str | None = param(
        None,
        doc="edge-list file: two node ids per line, '#' comments (edgelist)",
        unit="path",
        source="setting",
    )


@dataclass
class OutputConf:
    """What a command-line run writes besides the tables."""

    dashboard: bool = param(True, doc="write dashboard.png", unit="flag", source="setting")
    complaints_log: bool = param(
        True, doc="write complaints.parquet and failures.parquet", unit="flag", source="setting"
    )


def default_study_metrics() -> list[str]:
    """What every study tabulates per cell; a study may add its own."""
    return ["profit", "revenue", "churn_rate", "recovery_satisfaction", "complaint_rate", "recovery_cost"]


@dataclass
class StudyConf:
    """How a sweep is run and compared (``recovery-sim experiment=NAME``); not part of the world."""

    name: str = param(
        "single", doc="study name: results go to results/<name>/<time>/", unit="text", source="setting"
    )
    replications: int = param(
        1,
        1,
        10_000,
        doc="paired replications per cell (seeds seed .. seed+n-1)",
        unit="runs",
        source="setting",
    )
    baseline: list[str] = param(
        factory=lambda: ["policy=none", "delegation=none"],
        doc="overrides that pick the cell every other is compared with",
        unit="overrides",
        source="setting",
    )
    within: list[str] = param(
        factory=list,
        doc="swept keys inside which cells are compared (e.g. network)",
        unit="keys",
        source="setting",
    )
    metrics: list[str] = param(
        factory=default_study_metrics, doc="summary keys tabulated per cell", unit="keys", source="setting"
    )
    agents: bool = param(
        False, doc="build Mesa agents in study runs (same results, slower)", unit="flag", source="setting"
    )
    kind: StudyKind = param(
        StudyKind.grid,
        doc="a Hydra grid, optimise, sensitivity, robustness, validation, calibrate, calibration_check",
        unit="kind",
        source="setting",
    )
    trials: int = param(
        40,
        1,
        100_000,
        doc="optimise, calibrate, calibration_check: trials of each search",
        unit="trials",
        source="setting",
    )
    trial_replications: int = param(
        3,
        1,
        1000,
        doc="optimise, calibrate: seeds each trial is scored on (the same for all)",
        unit="runs",
        source="setting",
    )
    confirm_replications: int = param(
        30, 2, 1000, doc="optimise: fresh seeds that confirm the best few", unit="runs", source="setting"
    )
    confirm_top: int = param(
        3, 1, 100, doc="optimise: how many of the best trials are confirmed", unit="trials", source="setting"
    )
    parameters: dict[str, list[float]] = param(
        factory=dict,
        doc="sensitivity, robustness, calibrate: key -> [low, high] explored",
        unit="ranges",
        source="setting",
    )
    trajectories: int = param(
        10,
        2,
        1000,
        doc="sensitivity: Morris trajectories (runs = trajectories x (keys + 1) x policies)",
        unit="trajectories",
        source="setting",
    )
    policies: list[str] = param(
        factory=lambda: ["none", "apology", "compensation", "apology_compensation"],
        doc="sensitivity, robustness: policy presets compared at every sampled point",
        unit="presets",
        source="setting",
    )
    delegations: list[str] = param(
        factory=lambda: ["none", "partial", "full"],
        doc="robustness: delegation presets, each with every policy",
        unit="presets",
        source="setting",
    )
    scenarios: int = param(
        64, 2, 100_000, doc="robustness: scenarios of the Latin hypercube", unit="scenarios", source="setting"
    )


@dataclass
class SimConfig:
    """Everything one run needs. ``SimConfig()`` is the default scenario."""

    seed: int = param(42, 0, 2**32 - 1, doc="seed of every random number", unit="integer", source="setting")
    weeks: int = param(104, 1, 2600, doc="length of the run", unit="weeks", source="setting")
    agents: bool = param(
        True,
        doc="build a Mesa agent per person (views of the arrays: results are the same "
        "without them; turn off for very large markets); recovery-sim, which reads none, skips them",
        unit="flag",
        source="setting",
    )
    check_memory: bool = param(
        True,
        doc="refuse a market the machine's memory cannot hold (sim/world/memory.py); false: try anyway",
        unit="flag",
        source="setting",
    )
    market: MarketConf = field(default_factory=MarketConf)
    customer: CustomerConf = field(default_factory=CustomerConf)
    failures: FailureConf = field(default_factory=FailureConf)
    complaints: ComplaintConf = field(default_factory=ComplaintConf)
    outcome: OutcomeConf = field(default_factory=OutcomeConf)
    churn: ChurnConf = field(default_factory=ChurnConf)
    wom: WomConf = field(default_factory=WomConf)
    policy: PolicyConf = field(default_factory=PolicyConf)
    delegation: DelegationConf = field(default_factory=DelegationConf)
    channels: ChannelsConf = field(default_factory=ChannelsConf)
    firm: FirmConf = field(default_factory=FirmConf)
    network: NetworkConf = field(default_factory=NetworkConf)
    output: OutputConf = field(default_factory=OutputConf)
    study: StudyConf = field(default_factory=StudyConf)


def register_configs() -> None:
    """Put the schemas in Hydra's ConfigStore; group files start with ``defaults: [<schema>]``."""
    cs = ConfigStore.instance()
    cs.store(name="schema", node=SimConfig)
    cs.store(group="policy", name="schema_policy", node=PolicyConf)
    cs.store(group="delegation", name="schema_delegation", node=DelegationConf)
    cs.store(group="network", name="schema_network", node=NetworkConf)
    cs.store(group="channels", name="schema_channels", node=ChannelsConf)


register_configs()
