"""The market's parameters: who buys, what fails, who complains, how recovery, churn and word of mouth work.

One dataclass per part of the model, with each field's range, unit and source
(:func:`sim.world.parameter.param`). The firm's levers and the run's settings
are in ``sim.world.schema``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.world.parameter import (
    KRISS,
    LOGIT,
    MONEY,
    PROB,
    RAGE,
    SAT,
    SHARE,
    TARP,
    Apology,
    fitted_param,
    param,
)


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
        doc="drift of expectation towards each purchase's quality",
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
    days_penalty: float = param(
        0.25,
        0.0,
        2.0,
        doc="logit lost per week from complaint to resolution, felt from the first day (procedural justice)",
        unit=LOGIT,
        source="Orsingher, Valentini & de Angelis 2010 (meta-analysis: procedural justice the weakest "
        "of the three); value assumed, sensitivity range 0.1-0.5",
    )
    contact_penalty: float = param(
        0.35,
        0.0,
        2.0,
        doc="logit lost per contact beyond the first: a hand-off or a chase",
        unit=LOGIT,
        source="SQM Group: satisfaction drops ~15% per additional contact (0.25-0.5 logit at 37-74%)",
    )
    reference_days: float = param(
        7.0,
        0.0,
        365.0,
        doc="days to resolution of the Rage Study's complainants, where its 37% and 74% hold",
        unit="days",
        source="assumption (Rage Study: most cases take several contacts), sensitivity range 2-21",
    )
    reference_contacts: float = param(
        2.0,
        1.0,
        20.0,
        doc="contacts the Rage Study's complainants needed, where its 37% and 74% hold",
        unit="contacts",
        source="assumption (SQM: about half of contacts are not resolved at the first); range 1-4",
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
