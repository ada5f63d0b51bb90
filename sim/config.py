"""The world's parameters: one dataclass per part of the model, registered with Hydra.

Hydra checks names and types against these dataclasses (a misspelt key fails
with ``Key 'x' not in 'PolicyConf'``). Ranges are declared next to each default
with :func:`param` and checked by :func:`validate`, so an out-of-range value
fails before anything runs with one line that names the full key.

Defaults are the default scenario; the YAML files under ``configs/`` only name
the presets (policy, delegation, network) and must agree with these defaults,
which a test checks. Sources for each calibrated figure are in docs/ODD.md.
The free parameters no source pins down take their defaults from
data/calibration.yaml, which ``recovery-sim experiment=calibrate`` writes.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import typing
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A configuration value that the model cannot run with; the message is one line."""


CALIBRATION = PROJECT_ROOT / "data" / "calibration.yaml"
FITTED = "fitted (experiment=calibrate)"


def load_calibration(path: Path = CALIBRATION) -> dict[str, float]:
    """The fitted values, key -> number, from a file written by the calibration study."""
    try:
        data = OmegaConf.to_container(OmegaConf.load(path))
        values = data.get("values") if isinstance(data, dict) else None
        if not isinstance(values, dict):
            raise TypeError("no 'values' mapping")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()):
            raise TypeError("a value is not a number")
    except (
        Exception
    ) as error:  # unreadable, not YAML, or not the shape the study writes: all the same to a user
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ConfigError(
            f"{path} is missing or malformed ({reason}): allowed a 'values' mapping of key: number"
        ) from None
    return values


def _shipped_calibration() -> tuple[dict[str, float], ConfigError | None]:
    """The shipped values, or the problem with their file; :func:`validate` raises the problem.

    Raising at import would end the command line in a traceback; deferred, it
    is the one-line error every bad configuration gets.
    """
    try:
        return load_calibration(), None
    except ConfigError as problem:
        return {}, problem


CALIBRATED, CALIBRATION_PROBLEM = _shipped_calibration()
FITTED_KEYS: list[str] = []  # every key a default was asked for, so validate() can name the missing ones


def fitted_param(key: str, lo: float, hi: float, *, doc: str, unit: str, evidence: str) -> Any:
    """A parameter the calibration study fits: default from data/calibration.yaml, source saying so.

    NaN if the file lacks ``key``; validate() then names it.
    """
    FITTED_KEYS.append(key)
    return param(CALIBRATED.get(key, math.nan), lo, hi, doc=doc, unit=unit, source=f"{FITTED}: {evidence}")


def check_calibration() -> None:
    """Raise the shipped calibration file's problem, if it has one."""
    if CALIBRATION_PROBLEM is not None:
        raise CALIBRATION_PROBLEM
    missing = [key for key in FITTED_KEYS if key not in CALIBRATED]
    if missing:
        raise ConfigError(
            f"{CALIBRATION} has no value for {', '.join(missing)}: allowed a 'values' mapping of every "
            "fitted key"
        )


def param(
    default: Any = dataclasses.MISSING,
    lo: float | None = None,
    hi: float | None = None,
    *,
    doc: str,
    unit: str = "",
    source: str = "assumption",
    factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field that carries its range, meaning, unit and source.

    :func:`validate` checks the range; ``python -m sim.params`` prints the
    ODD parameter table from the rest, so docs and code cannot drift apart.
    """
    metadata = {"lo": lo, "hi": hi, "doc": doc, "unit": unit, "source": source}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


class Apology(Enum):
    """When the firm apologises to a complainant (S11)."""

    never = "never"
    severe_only = "severe_only"
    always = "always"


class StudyKind(Enum):
    """What a study does: sweep a grid, search for the best policy, screen, validate or calibrate."""

    grid = "grid"
    optimise = "optimise"
    sensitivity = "sensitivity"
    validation = "validation"
    calibrate = "calibrate"


class NetworkKind(Enum):
    """Shapes of the customers' social network."""

    small_world = "small_world"
    scale_free = "scale_free"
    powerlaw_cluster = "powerlaw_cluster"
    edgelist = "edgelist"


PROB = "probability"
SHARE = "share"
MONEY = "currency"
SAT = "satisfaction (0-1)"
LOGIT = "logit"
KRISS = "Kriss 2014 (HBR)"
RAGE = "Customer Rage Study 2013, 2015"
TARP = "TARP; Goodman & Newman 2003"


@dataclass
class MarketConf:
    """Who is in the market and how they buy (S1, S21)."""

    customers: int = param(
        10_000,
        1,
        10_000_000,
        doc="active customers at week 0 (not used with network=edgelist)",
        unit="people",
        source="setting",
    )
    prospect_share: float = param(
        0.5, 0.0, 0.95, doc="share of network nodes who start as prospects", unit=SHARE
    )
    purchase_rate: float = param(
        0.35, 0.0, 1.0, doc="weekly purchase probability at satisfaction 0.5", unit=PROB
    )
    purchase_satisfaction_slope: float = fitted_param(
        "market.purchase_satisfaction_slope",
        0.0,
        5.0,
        doc="log-change of purchase probability per unit satisfaction",
        unit="1/satisfaction",
        evidence=f"{KRISS}, 2.4x spend best vs poorest",
    )
    basket_mean: float = param(60.0, 0.0, 1e6, doc="basket value at satisfaction 0.5", unit=MONEY)
    basket_satisfaction_slope: float = fitted_param(
        "market.basket_satisfaction_slope",
        0.0,
        5.0,
        doc="log-change of basket value per unit satisfaction (cross-selling)",
        unit="1/satisfaction",
        evidence=f"{KRISS}, 2.4x spend best vs poorest",
    )
    basket_sd: float = param(0.3, 0.0, 2.0, doc="log-normal spread of basket value", unit="log")
    gross_margin: float = param(0.35, 0.0, 1.0, doc="share of revenue left after cost of goods", unit=SHARE)
    service_quality: float = param(0.72, 0.0, 1.0, doc="mean quality of a purchase without failure", unit=SAT)
    quality_noise: float = param(0.1, 0.0, 1.0, doc="sd of experienced quality", unit=SAT)
    marketing_rate: float = param(
        0.006, 0.0, 1.0, doc="weekly conversion hazard of a neutral prospect", unit="1/week"
    )
    acquisition_cost: float = param(80.0, 0.0, 1e6, doc="cost of acquiring one customer", unit=MONEY)


@dataclass
class CustomerConf:
    """Traits drawn once per customer, and how satisfaction moves (S21)."""

    initial_satisfaction: float = param(0.6, 0.0, 1.0, doc="mean satisfaction at joining", unit=SAT)
    initial_satisfaction_sd: float = param(0.1, 0.0, 1.0, doc="spread of satisfaction at joining", unit=SAT)
    expectation: float = param(0.65, 0.0, 1.0, doc="mean expected quality at promise_level 0.5", unit=SAT)
    expectation_sd: float = fitted_param(
        "customer.expectation_sd",
        0.0,
        1.0,
        doc="spread of expected quality between customers",
        unit=SAT,
        evidence=f"{KRISS}, lasting differences in experience",
    )
    satisfaction_memory: float = param(
        0.25, 0.0, 1.0, doc="weight of a new experience in satisfaction", unit=SHARE
    )
    disconfirmation_gain: float = param(
        1.5,
        0.0,
        10.0,
        doc="transaction satisfaction per unit of (quality - expectation)",
        unit="ratio",
        source="Oliver 1980 (expectation-disconfirmation); value assumed",
    )
    expectation_adaptation: float = fitted_param(
        "customer.expectation_adaptation",
        0.0,
        1.0,
        doc="weekly drift of expectation to experience",
        unit=SHARE,
        evidence=f"{KRISS}, lasting differences in experience",
    )
    complaint_propensity_sd: float = param(0.5, 0.0, 5.0, doc="spread of the urge to complain", unit=LOGIT)
    patience_days: float = param(
        7.0, 0.0, 365.0, doc="mean wait before a complainant chases (exponential)", unit="days"
    )
    influence_sd: float = param(0.5, 0.0, 3.0, doc="log-normal spread of word-of-mouth reach", unit="log")
    price_sensitivity_sd: float = param(
        0.3, 0.0, 3.0, doc="log-normal spread of the value of money", unit="log"
    )


@dataclass
class FailureType:
    """One entry of the failure catalogue (S15); policy may be set per type."""

    frequency: float = param(0.01, 0.0, 1.0, doc="probability per purchase", unit=PROB)
    severity: float = param(
        0.3, 0.0, 1.0, doc="mean quality drop; serious from failures.severe_threshold", unit=SAT
    )
    loss_share: float = param(
        0.2, 0.0, 10.0, doc="customer's monetary loss per failure", unit="share of basket"
    )
    detectable: bool = param(False, doc="the firm sees it without a complaint (S17)", unit="flag")
    compensation: float | None = param(
        None, 0.0, 2.0, doc="this type's compensation; null: policy's", unit="share of loss"
    )
    apology: Apology | None = param(None, doc="this type's apology mode; null: policy's", unit="mode")


def default_catalogue() -> dict[str, FailureType]:
    """The four failures every firm meets; minor ones common, serious ones rare."""
    return {
        "late_delivery": FailureType(0.008, 0.15, 0.15, detectable=True),
        "service_outage": FailureType(0.004, 0.25, 0.10, detectable=True),
        "billing_error": FailureType(0.002, 0.60, 0.50),
        "defective_product": FailureType(0.003, 0.70, 1.00),
    }


@dataclass
class FailureConf:
    """How often purchases fail, and how hard (S13, S15)."""

    catalogue: dict[str, FailureType] = param(
        factory=default_catalogue,
        doc="failure types: late_delivery, service_outage, billing_error, "
        "defective_product (frequency, severity, loss_share, detectable)",
        unit="table",
    )
    rate_multiplier: float = param(1.0, 0.0, 20.0, doc="scales every type's frequency", unit="ratio")
    severity_spread: float = param(0.4, 0.0, 5.0, doc="spread of severity around the type's mean", unit=LOGIT)
    severe_threshold: float = param(
        0.5, 0.0, 1.0, doc="severity from which a failure counts as serious", unit=SAT
    )


@dataclass
class ComplaintConf:
    """Complain or stay silent: logistic in severity (S4, S14)."""

    intercept: float = param(
        -5.8,
        -20.0,
        20.0,
        doc="complaint logit at severity 0",
        unit=LOGIT,
        source=TARP + ": minor 2-5%, serious 50-80%",
    )
    severity_slope: float = param(
        10.0,
        0.0,
        50.0,
        doc="complaint logit per unit severity",
        unit=LOGIT,
        source=TARP + "; Rage 2015 (79% when money lost)",
    )
    ease_slope: float = param(
        2.0, 0.0, 20.0, doc="logit shift per unit of firm.complaint_ease above 0.5", unit=LOGIT
    )
    notified_shift: float = param(
        -1.0, -20.0, 0.0, doc="logit shift when the firm warned first (S17)", unit=LOGIT
    )


@dataclass
class OutcomeConf:
    """Satisfaction with recovery, logistic and additive in remedies (S10)."""

    intercept: float = param(
        -2.197,
        -20.0,
        20.0,
        doc="logit when nothing is given: 10%",
        unit=LOGIT,
        source="assumption (Rage Study: most complainants get nothing)",
    )
    apology_effect: float = param(
        1.578,
        0.0,
        20.0,
        doc="logit gain of an apology: alone 35%",
        unit=LOGIT,
        source="Abeler et al. 2009 (indirect)",
    )
    compensation_effect: float = param(
        1.665,
        0.0,
        20.0,
        doc="logit gain of 100% of the loss: alone 37%, with apology 74%",
        unit=LOGIT,
        source=RAGE,
    )
    compensation_curvature: float = param(
        3.0, 0.01, 50.0, doc="diminishing returns up to 100% of the loss", unit="1/share"
    )
    backfire_threshold: float = param(
        1.5,
        0.0,
        2.0,
        doc="compensation beyond which more backfires",
        unit="share of loss",
        source="Gelbrich et al. 2015; Haesevoets et al. 2017",
    )
    backfire_strength: float = param(
        2.0, 0.0, 50.0, doc="logit lost per (share - threshold) squared", unit=LOGIT
    )
    delay_penalty: float = param(
        0.4, 0.0, 20.0, doc="logit lost per week beyond the response target", unit=LOGIT
    )
    blame_penalty: float = param(0.8, 0.0, 20.0, doc="logit lost when fault is investigated (S5)", unit=LOGIT)
    restore_share: float = param(
        0.8, 0.0, 1.0, doc="share of the satisfaction drop a good recovery restores", unit=SHARE
    )
    paradox_bonus: float = param(
        0.02,
        0.0,
        0.5,
        doc="satisfaction above the pre-failure level after a first mild failure mended quickly",
        unit=SAT,
        source="de Matos et al. 2007; Magnini et al. 2007: rare and small",
    )
    double_deviation: float = fitted_param(
        "outcome.double_deviation",
        0.0,
        1.0,
        doc="further satisfaction drop after a failed recovery",
        unit=SAT,
        evidence=f"{TARP}, retention ladder",
    )
    chase_penalty: float = param(0.02, 0.0, 1.0, doc="satisfaction lost per repeat contact (S20)", unit=SAT)


@dataclass
class ChurnConf:
    """Weekly churn hazard from satisfaction, grievance and churning neighbours (S2, S14)."""

    base_hazard: float = fitted_param(
        "churn.base_hazard",
        0.0,
        1.0,
        doc="weekly churn hazard at satisfaction 0.5",
        unit="1/week",
        evidence=f"{KRISS}, retention 74% vs 43%",
    )
    satisfaction_slope: float = fitted_param(
        "churn.satisfaction_slope",
        0.0,
        20.0,
        doc="log-change of the base hazard per unit dissatisfaction",
        unit="1/satisfaction",
        evidence=f"{KRISS}, retention 74% vs 43%",
    )
    contagion_hazard_ratio: float = param(
        1.8,
        1.0,
        10.0,
        doc="hazard ratio per recently churned neighbour",
        unit="ratio",
        source="Nitzan & Libai 2011",
    )
    contagion_half_life: float = param(
        6.0,
        0.1,
        520.0,
        doc="fading of a churned neighbour's influence",
        unit="weeks",
        source="Nitzan & Libai 2011: decays within months",
    )
    grievance_half_life: float = param(
        4.0, 0.1, 520.0, doc="fading of the excess hazard after a failure", unit="weeks"
    )
    repurchase_minor: list[float] = param(
        factory=lambda: [0.37, 0.46, 0.70, 0.95],
        doc="repurchase after a minor failure: silent, unresolved, resolved, resolved quickly",
        unit=PROB,
        source=TARP,
    )
    repurchase_major: list[float] = param(
        factory=lambda: [0.09, 0.19, 0.54, 0.82],
        doc="repurchase after a major failure: silent, unresolved, resolved, resolved quickly",
        unit=PROB,
        source=TARP,
    )
    minor_severity: float = fitted_param(
        "churn.minor_severity",
        0.01,
        1.0,
        doc="severity the minor figures stand for",
        unit=SAT,
        evidence=f"{TARP}, retention ladder",
    )
    major_severity: float = fitted_param(
        "churn.major_severity",
        0.01,
        1.0,
        doc="severity the major figures stand for",
        unit=SAT,
        evidence=f"{TARP}, retention ladder",
    )
    attribution_weeks: int = param(
        26, 1, 520, doc="a churn this soon after a failure is counted as caused by it", unit="weeks"
    )


@dataclass
class WomConf:
    """Word of mouth to neighbours and public posts (S1, S2, S12, S18)."""

    negative_reach: float = param(
        10.0, 0.0, 1000.0, doc="people told per negative event", unit="people", source=TARP
    )
    positive_reach: float = param(
        5.0, 0.0, 1000.0, doc="people told per positive event", unit="people", source=TARP
    )
    negative_effect: float = param(0.02, 0.0, 1.0, doc="hearer's satisfaction drop per bad story", unit=SAT)
    positive_effect: float = param(0.01, 0.0, 1.0, doc="hearer's satisfaction gain per good story", unit=SAT)
    prospect_negative: float = param(
        0.5, 0.0, 10.0, doc="prospect's attitude drop per bad story", unit="attitude"
    )
    prospect_positive: float = param(
        0.25, 0.0, 10.0, doc="prospect's attitude gain per good story", unit="attitude"
    )
    attitude_half_life: float = param(8.0, 0.1, 520.0, doc="fading of what a prospect heard", unit="weeks")
    attitude_slope: float = param(
        1.0, 0.0, 10.0, doc="log-change of conversion per unit attitude", unit="1/attitude"
    )
    silent_tell: float = param(
        0.5, 0.0, 1.0, doc="a silent sufferer tells with probability severity x this", unit=PROB
    )
    unresolved_tell: float = param(0.9, 0.0, 1.0, doc="a complainant left dissatisfied tells", unit=PROB)
    recovered_tell: float = param(0.5, 0.0, 1.0, doc="a complainant satisfied by recovery praises", unit=PROB)
    churn_tell: float = param(0.2, 0.0, 1.0, doc="a leaver tells", unit=PROB)
    delight_threshold: float = param(
        0.7, 0.0, 1.0, doc="satisfaction from which a purchase delights", unit=SAT
    )
    delight_tell: float = fitted_param(
        "wom.delight_tell",
        0.0,
        1.0,
        doc="a delighted buyer tells",
        unit=PROB,
        evidence="East, Hammond & Wright 2007, positive WOM ~3x as common",
    )
    post_dissatisfied: float = param(
        0.45,
        0.0,
        1.0,
        doc="public post after a failed recovery",
        unit=PROB,
        source="Rage Study 2013-2023: ~30% of complainants post",
    )
    post_satisfied: float = param(
        0.1, 0.0, 1.0, doc="public post after a good recovery", unit=PROB, source="Rage Study 2013-2023"
    )
    public_reach: int = param(
        100, 0, 100_000, doc="random people beyond the network who read a post", unit="people"
    )
    public_weight: float = param(
        0.3, 0.0, 1.0, doc="effect of a post relative to a friend's story", unit="ratio"
    )


@dataclass
class PolicyConf:
    """The written recovery policy: data, applied by ``sim.recovery.remedy`` (S10, S11)."""

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


@dataclass
class FirmConf:
    """The firm's recovery levers and the cost of each (S4-S9, S13, S16-S21)."""

    staff: int = param(2, 0, 10_000, doc="recovery team headcount (S16)", unit="people")
    cases_per_staff_week: float = param(
        25.0, 0.0, 1e9, doc="escalated cases one person closes (1e9: no queue)", unit="cases/week"
    )
    staff_cost_week: float = param(900.0, 0.0, 1e6, doc="cost of one team member", unit=MONEY + "/week")
    first_contact_cost: float = param(5.0, 0.0, 1e6, doc="cost of a frontline contact", unit=MONEY)
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
        400.0, 0.0, 1e6, doc="upkeep of complaint channels at ease 1", unit=MONEY + "/week"
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
        doc="grid (a Hydra sweep), optimise, sensitivity, validation or calibrate",
        unit="kind",
        source="setting",
    )
    trials: int = param(
        40, 1, 100_000, doc="optimise, calibrate: trials of the search", unit="trials", source="setting"
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
        doc="sensitivity, calibrate: key -> [low, high] explored",
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
        doc="sensitivity: policy presets compared at every sampled point",
        unit="presets",
        source="setting",
    )


@dataclass
class SimConfig:
    """Everything one run needs. ``SimConfig()`` is the default scenario."""

    seed: int = param(42, 0, 2**32 - 1, doc="seed of every random number", unit="integer", source="setting")
    weeks: int = param(104, 1, 2600, doc="length of the run", unit="weeks", source="setting")
    agents: bool = param(
        True,
        doc="build a Mesa agent per person (views of the arrays: results are the same "
        "without them; turn off for very large markets)",
        unit="flag",
        source="setting",
    )
    check_memory: bool = param(
        True,
        doc="refuse a market the machine's memory cannot hold (sim/memory.py); false: try anyway",
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


register_configs()


def _check_fields(obj: Any, prefix: str) -> None:
    """Refuse a value of the wrong kind or outside its declared range, naming the full key.

    Hydra checks kinds on the command line; a ``SimConfig`` built in Python gets no such check,
    and a string or an infinity there would otherwise fail weeks later, deep in a compiled loop.
    """
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value, key = getattr(obj, f.name), f"{prefix}{f.name}"
        kind = _plain_kind(hints[f.name])
        if value is None and kind is not hints[f.name]:
            continue  # an optional value left unset
        if not _is_kind(value, kind):
            raise ConfigError(f"{key}={value!r} is refused: allowed {_kind_name(kind, f.metadata)}")
        if dataclasses.is_dataclass(value):
            _check_fields(value, key + ".")
        elif isinstance(value, dict):
            for name, item in value.items():
                if dataclasses.is_dataclass(item):
                    _check_fields(item, f"{key}.{name}.")
        elif kind in (int, float):
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            if math.isnan(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
                raise ConfigError(f"{key}={value} is out of range: allowed {_describe(lo, hi)}")


def _plain_kind(hint: Any) -> Any:
    """``float | None`` -> float; ``list[str]`` -> list; anything else as it is."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if type(None) in typing.get_args(hint) and len(args) == 1:
        return _plain_kind(args[0])
    return typing.get_origin(hint) or hint


def _is_kind(value: Any, kind: Any) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _kind_name(kind: Any, metadata: Any) -> str:
    lo, hi = metadata.get("lo"), metadata.get("hi")
    if kind is int:
        return f"an integer from {_describe(lo, hi)}"
    if kind is float:
        return f"a number from {_describe(lo, hi)}"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(m.value for m in kind)
    return {bool: "true or false", str: "a text", list: "a list", dict: "a mapping"}.get(
        kind, f"a {getattr(kind, '__name__', kind)}"
    )


def _describe(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo} to {hi}"
    return f">= {lo}" if lo is not None else f"<= {hi}"


def _check_ladder(name: str, values: list[float]) -> None:
    if len(values) != 4 or not all(0.0 < v <= 1.0 for v in values):
        raise ConfigError(
            f"churn.{name}={values} is malformed: allowed four probabilities in (0, 1] "
            "(silent, unresolved, resolved, resolved quickly)"
        )


def validate(cfg: SimConfig) -> SimConfig:
    """Check ranges and the relations between values; raise ConfigError with one line."""
    check_calibration()
    _check_fields(cfg, "")
    if not cfg.failures.catalogue:
        raise ConfigError("failures.catalogue is empty: allowed one or more failure types")
    total = sum(t.frequency for t in cfg.failures.catalogue.values()) * cfg.failures.rate_multiplier
    if total > 1.0:
        raise ConfigError(
            f"failures: frequencies x rate_multiplier sum to {total:.3g} per purchase: allowed <= 1"
        )
    _check_ladder("repurchase_minor", cfg.churn.repurchase_minor)
    _check_ladder("repurchase_major", cfg.churn.repurchase_major)
    if cfg.churn.minor_severity >= cfg.churn.major_severity:
        raise ConfigError(
            f"churn.minor_severity={cfg.churn.minor_severity} must be below "
            f"churn.major_severity={cfg.churn.major_severity}"
        )
    if cfg.network.kind is NetworkKind.edgelist:
        if not cfg.network.path:
            raise ConfigError("network.path is missing: allowed a path to an edge-list file")
        resolve_path(cfg.network.path)
    return cfg


def resolve_path(path: str) -> Path:
    """The edge-list file ``path`` names (working directory first, then the project root), checked.

    The whole check (a regular, readable text file whose every line is an
    edge) runs here, at validation, so a bad file is refused before the run
    makes its folder. It lives in sim.network, imported here because
    sim.network imports this module.
    """
    from sim.network import check_edgelist

    return check_edgelist(path)


def reject_unknown_keys(node: Any, prefix: str = "") -> None:
    """Refuse keys the schema does not know (Hydra's ``+key=value`` slips past the schema)."""
    if not isinstance(node, DictConfig):
        return
    schema = OmegaConf.get_type(node)
    if dataclasses.is_dataclass(schema):
        allowed = {f.name for f in dataclasses.fields(schema)}
        for key in node:
            if key not in allowed:
                raise unknown_key(f"{prefix}{key}", schema)
    for key in node:
        reject_unknown_keys(node._get_node(key), f"{prefix}{key}.")


def unknown_key(full_key: str, schema: type) -> ConfigError:
    """The error for a key its section's dataclass lacks, naming the keys it has."""
    allowed = ", ".join(sorted(f.name for f in dataclasses.fields(schema)))
    return ConfigError(f"{full_key} is not a parameter: allowed {allowed}")


def preset_path(group: str, name: str) -> Path:
    """configs/<group>/<name>.yaml, or a ConfigError naming the presets the group has."""
    folder = PROJECT_ROOT / "configs" / group
    path = folder / f"{name}.yaml"
    if "/" in name or name.startswith(".") or not path.is_file():
        allowed = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise ConfigError(f"{group}={name} does not exist: allowed {allowed}")
    return path


def preset(group: str, name: str) -> dict:
    """A preset's values from configs/<group>/<name>.yaml (e.g. policy/apology), without its defaults list."""
    values = OmegaConf.to_container(OmegaConf.load(preset_path(group, name)))
    values.pop("defaults", None)
    return values


def with_values(cfg: SimConfig, presets: dict[str, str] | None = None, **dotted: Any) -> SimConfig:
    """A copy of ``cfg`` with presets applied (``{"policy": "apology"}``), then dotted keys set.

    ``with_values(cfg, {"delegation": "full"}, **{"policy.compensation": 1.2})``
    """
    try:
        conf = OmegaConf.structured(cfg)
        for group, name in (presets or {}).items():
            conf = OmegaConf.merge(conf, {group: preset(group, name)})
        for key, value in dotted.items():
            if OmegaConf.select(conf, key, default=KeyError) is KeyError:
                raise _missing_key(conf, key)
            OmegaConf.update(conf, key, plain(value), merge=False)
    except OmegaConfBaseException as error:
        raise omegaconf_problem(error) from None
    return to_sim_config(conf)


def _missing_key(conf: DictConfig, key: str) -> ConfigError:
    """A dotted key the config lacks, with the keys of the deepest section that exists."""
    section, node = key, None
    while "." in section and not isinstance(node, DictConfig):
        section = section.rsplit(".", 1)[0]
        node = OmegaConf.select(conf, section, default=None)
    schema = OmegaConf.get_type(node if isinstance(node, DictConfig) else conf)
    if dataclasses.is_dataclass(schema):
        return unknown_key(key, schema)
    allowed = ", ".join(sorted(str(k) for k in (node if isinstance(node, DictConfig) else conf)))
    return ConfigError(f"{key} is not a parameter: allowed {allowed}")


def omegaconf_problem(error: OmegaConfBaseException) -> ConfigError:
    """OmegaConf's error as the one line every bad configuration gets, from Python as from the CLI."""
    if isinstance(error, ConfigAttributeError | ConfigKeyError) and dataclasses.is_dataclass(
        error.object_type
    ):
        return unknown_key(error.full_key, error.object_type)
    why = (str(error).strip().splitlines() or [type(error).__name__])[0]
    key = getattr(error, "full_key", None)
    return ConfigError(f"{key} is refused: {why}" if key else why)


def to_sim_config(cfg: DictConfig | SimConfig | dict | None = None) -> SimConfig:
    """Turn a Hydra config, a nested dict of overrides or None into a validated SimConfig."""
    if cfg is None:
        cfg = SimConfig()
    try:
        if isinstance(cfg, dict):
            cfg = OmegaConf.merge(OmegaConf.structured(SimConfig), plain(cfg))
        if isinstance(cfg, DictConfig):
            reject_unknown_keys(cfg)
            cfg = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as error:
        raise omegaconf_problem(error) from None
    if not isinstance(cfg, SimConfig):
        raise ConfigError(f"config of type {type(cfg).__name__}: allowed SimConfig, dict or None")
    return validate(cfg)


def plain(value: Any) -> Any:
    """NumPy scalars (from ``np.linspace`` or a sampler) as the Python numbers OmegaConf accepts."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value.item() if hasattr(value, "item") and type(value).__module__ == "numpy" else value


def checked_seed(value: Any, name: str = "rng") -> int:
    """A seed given beside a config (``sim.run(rng=7)``): a whole number in range, never truncated."""
    seed = next(f for f in dataclasses.fields(SimConfig) if f.name == "seed").metadata
    lo, hi = seed["lo"], seed["hi"]
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{name}={value!r} is refused: allowed an integer from {lo} to {hi}")
    return int(value)


def from_hydra(cfg: DictConfig, choices: dict) -> SimConfig:
    """A config Hydra composed, validated, with its experiment checked.

    The experiment is optional in the defaults list, so Hydra runs the default world for one it
    cannot find.
    """
    if choices.get("experiment") is not None:
        preset_path("experiment", choices["experiment"])
    return to_sim_config(cfg)


def config_dict(cfg: SimConfig) -> dict:
    """The resolved config as plain JSON-ready data (enums as their names)."""
    return OmegaConf.to_container(OmegaConf.structured(cfg), enum_to_str=True)
