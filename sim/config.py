"""The world's parameters: one dataclass per part of the model, registered with Hydra.

Hydra checks names and types against these dataclasses (a misspelt key fails
with ``Key 'x' not in 'PolicyConf'``). Ranges are declared next to each default
with :func:`bounded` and checked by :func:`validate`, so an out-of-range value
fails before anything runs with one line that names the full key.

Defaults are the default scenario; the YAML files under ``configs/`` only name
the presets (policy, delegation, network) and must agree with these defaults,
which a test checks. Sources for each calibrated figure are in docs/ODD.md.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A configuration value that the model cannot run with; the message is one line."""


def bounded(default: Any, lo: float | None = None, hi: float | None = None, **kw: Any) -> Any:
    """A dataclass field whose allowed range travels with it (checked by :func:`validate`)."""
    return field(default=default, metadata={"lo": lo, "hi": hi}, **kw)


class Apology(Enum):
    """When the firm apologises to a complainant (S11)."""

    never = "never"
    severe_only = "severe_only"
    always = "always"


class NetworkKind(Enum):
    """Shapes of the customers' social network."""

    small_world = "small_world"
    scale_free = "scale_free"
    powerlaw_cluster = "powerlaw_cluster"
    edgelist = "edgelist"


@dataclass
class MarketConf:
    """Who is in the market and how they buy (S1, S21)."""

    customers: int = bounded(10_000, 1)  # active customers at week 0
    prospect_share: float = bounded(0.5, 0.0, 0.95)  # share of network nodes who start as prospects
    purchase_rate: float = bounded(0.35, 0.0, 1.0)  # weekly purchase probability at satisfaction 0.5
    purchase_satisfaction_slope: float = bounded(0.6, 0.0, 5.0)  # log-change per unit satisfaction
    basket_mean: float = bounded(60.0, 0.0)  # currency per purchase at satisfaction 0.5
    basket_satisfaction_slope: float = bounded(0.5, 0.0, 5.0)  # cross-selling with satisfaction
    basket_sd: float = bounded(0.3, 0.0, 2.0)  # log-normal spread of basket value
    gross_margin: float = bounded(0.35, 0.0, 1.0)  # share of revenue left after cost of goods
    service_quality: float = bounded(0.72, 0.0, 1.0)  # mean quality of a purchase without failure
    quality_noise: float = bounded(0.1, 0.0, 1.0)  # sd of experienced quality
    marketing_rate: float = bounded(0.006, 0.0, 1.0)  # weekly conversion hazard of a neutral prospect
    acquisition_cost: float = bounded(80.0, 0.0)  # currency per acquired customer


@dataclass
class CustomerConf:
    """Traits drawn once per customer, and how satisfaction moves (S21)."""

    initial_satisfaction: float = bounded(0.6, 0.0, 1.0)
    initial_satisfaction_sd: float = bounded(0.1, 0.0, 1.0)
    expectation: float = bounded(0.65, 0.0, 1.0)  # expected quality at promise_level 0.5
    expectation_sd: float = bounded(0.1, 0.0, 1.0)
    satisfaction_memory: float = bounded(0.25, 0.0, 1.0)  # weight of a new experience
    disconfirmation_gain: float = bounded(1.5, 0.0, 10.0)  # satisfaction per unit (quality - expectation)
    expectation_adaptation: float = bounded(0.02, 0.0, 1.0)  # expectations drift to experience
    complaint_propensity_sd: float = bounded(0.5, 0.0, 5.0)  # logit spread between customers
    patience_days: float = bounded(7.0, 0.0)  # mean days before a waiting complainant chases
    influence_sd: float = bounded(0.5, 0.0, 3.0)  # log-normal spread of WOM reach
    price_sensitivity_sd: float = bounded(0.3, 0.0, 3.0)  # log-normal spread of the value of money


@dataclass
class FailureType:
    """One entry of the failure catalogue (S15); policy may be set per type."""

    frequency: float = bounded(0.01, 0.0, 1.0)  # probability per purchase
    severity: float = bounded(0.3, 0.0, 1.0)  # mean satisfaction drop
    loss_share: float = bounded(0.2, 0.0, 10.0)  # customer's monetary loss as share of the basket
    detectable: bool = False  # the firm sees it without a complaint (S17)
    compensation: float | None = bounded(None, 0.0, 2.0)  # overrides policy.compensation
    apology: Apology | None = None  # overrides policy.apology


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

    catalogue: dict[str, FailureType] = field(default_factory=default_catalogue)
    rate_multiplier: float = bounded(1.0, 0.0, 20.0)
    severity_spread: float = bounded(0.4, 0.0, 5.0)  # logit sd of severity around the type mean
    severe_threshold: float = bounded(0.5, 0.0, 1.0)  # severity from which a failure is serious


@dataclass
class ComplaintConf:
    """Complain or stay silent: logistic in severity (S4, S14). Goodman & Newman 2003; TARP."""

    intercept: float = bounded(-5.8, -20.0, 20.0)
    severity_slope: float = bounded(10.0, 0.0, 50.0)
    ease_slope: float = bounded(2.0, 0.0, 20.0)  # logit shift per unit of firm.complaint_ease - 0.5
    notified_shift: float = bounded(-1.0, -20.0, 0.0)  # informed customers complain less (S17)


@dataclass
class OutcomeConf:
    """Satisfaction with recovery, logistic and additive in remedies (S10; Rage Study 2013/2015)."""

    intercept: float = bounded(-2.197, -20.0, 20.0)  # nothing given: 10%
    apology_effect: float = bounded(1.578, 0.0, 20.0)  # apology alone: 35%
    compensation_effect: float = bounded(1.665, 0.0, 20.0)  # 100% of loss alone: 37%; both: 74%
    compensation_curvature: float = bounded(3.0, 0.01, 50.0)  # diminishing returns up to 100%
    backfire_threshold: float = bounded(1.5, 0.0, 2.0)  # Gelbrich et al. 2015
    backfire_strength: float = bounded(2.0, 0.0, 50.0)  # logit lost per (share - threshold)^2
    delay_penalty: float = bounded(0.4, 0.0, 20.0)  # logit lost per week beyond the target
    blame_penalty: float = bounded(0.8, 0.0, 20.0)  # investigating fault annoys (S5)
    restore_share: float = bounded(0.8, 0.0, 1.0)  # satisfied: share of the drop restored
    paradox_bonus: float = bounded(0.02, 0.0, 0.5)  # first mild failure, quickly mended
    double_deviation: float = bounded(0.1, 0.0, 1.0)  # dissatisfied: further drop
    chase_penalty: float = bounded(0.02, 0.0, 1.0)  # satisfaction lost per repeat contact (S20)


@dataclass
class ChurnConf:
    """Weekly churn hazard from satisfaction, grievance and churning neighbours (S2, S14)."""

    base_hazard: float = bounded(0.0025, 0.0, 1.0)  # weekly, at satisfaction 0.5
    satisfaction_slope: float = bounded(1.3, 0.0, 20.0)  # Kriss 2014: 74% vs 43% retention
    contagion_hazard_ratio: float = bounded(1.8, 1.0, 10.0)  # per churned neighbour; Nitzan & Libai
    contagion_half_life: float = bounded(6.0, 0.1)  # weeks
    grievance_half_life: float = bounded(4.0, 0.1)  # weeks
    # TARP repurchase after a failure: silent, complained-unresolved, resolved, resolved quickly
    repurchase_minor: list[float] = field(default_factory=lambda: [0.37, 0.46, 0.70, 0.95])
    repurchase_major: list[float] = field(default_factory=lambda: [0.09, 0.19, 0.54, 0.82])
    minor_severity: float = bounded(0.15, 0.01, 1.0)  # severity the minor figures stand for
    major_severity: float = bounded(0.7, 0.01, 1.0)  # severity the major figures stand for
    attribution_weeks: int = bounded(26, 1)  # a churn this soon after a failure is blamed on it


@dataclass
class WomConf:
    """Word of mouth to neighbours and public posts (S1, S2, S12, S18). TARP; Rage Study."""

    negative_reach: float = bounded(10.0, 0.0)  # people told per negative event
    positive_reach: float = bounded(5.0, 0.0)  # people told per positive event
    negative_effect: float = bounded(0.02, 0.0, 1.0)  # hearer's satisfaction drop per message
    positive_effect: float = bounded(0.01, 0.0, 1.0)
    prospect_negative: float = bounded(0.5, 0.0, 10.0)  # prospect attitude drop per message
    prospect_positive: float = bounded(0.25, 0.0, 10.0)
    attitude_half_life: float = bounded(8.0, 0.1)  # weeks
    attitude_slope: float = bounded(1.0, 0.0, 10.0)  # log-change of conversion per unit attitude
    silent_tell: float = bounded(0.5, 0.0, 1.0)  # silent sufferers tell with prob. severity * this
    unresolved_tell: float = bounded(0.9, 0.0, 1.0)
    recovered_tell: float = bounded(0.5, 0.0, 1.0)  # satisfied complainants praise the firm
    churn_tell: float = bounded(0.2, 0.0, 1.0)
    delight_threshold: float = bounded(0.7, 0.0, 1.0)  # satisfaction from which a purchase delights
    delight_tell: float = bounded(0.2, 0.0, 1.0)
    post_dissatisfied: float = bounded(0.45, 0.0, 1.0)  # public post after a failed recovery
    post_satisfied: float = bounded(0.1, 0.0, 1.0)  # some post even when mended
    public_reach: int = bounded(100, 0)  # random people beyond the network who see a post
    public_weight: float = bounded(0.3, 0.0, 1.0)  # effect of a post relative to a friend


@dataclass
class PolicyConf:
    """The written recovery policy: data, applied by ``sim.recovery.remedies`` (S10, S11)."""

    name: str = "compensation"
    apology: Apology = Apology.never
    compensation: float = bounded(1.0, 0.0, 2.0)  # share of the customer's loss


@dataclass
class DelegationConf:
    """What the frontline may do on first contact (S8). Rage 2015; SQM benchmarks."""

    name: str = "partial"
    first_contact_resolution: float = bounded(0.45, 0.0, 1.0)  # share resolved within authority
    compensation_cap: float | None = bounded(30.0, 0.0)  # currency; null = no cap
    may_apologise: bool = True


@dataclass
class FirmConf:
    """The firm's recovery levers and the cost of each (S4-S9, S13, S16-S21)."""

    staff: int = bounded(2, 0)  # recovery team headcount (S16)
    cases_per_staff_week: float = bounded(25.0, 0.0)
    staff_cost_week: float = bounded(900.0, 0.0)  # per head
    first_contact_cost: float = bounded(5.0, 0.0)
    escalated_cost: float = bounded(25.0, 0.0)
    repeat_contact_cost: float = bounded(4.0, 0.0)  # S20
    first_contact_days: float = bounded(0.5, 0.0)
    escalated_processing_days: float = bounded(2.0, 0.0)
    response_target_days: float = bounded(3.0, 0.0)  # S9
    complaint_ease: float = bounded(0.5, 0.0, 1.0)  # S4
    channel_cost_week: float = bounded(400.0, 0.0)  # complaint channels' upkeep at ease 1
    investigate_blame: bool = False  # S5
    blame_delay_days: float = bounded(5.0, 0.0)
    blame_customer_fault_share: float = bounded(0.3, 0.0, 1.0)  # no compensation for these
    policy_consistency: float = bounded(1.0, 0.0, 1.0)  # staff apply the written policy (S7)
    proactive_notification: float = bounded(0.0, 0.0, 1.0)  # share of detectable failures (S17)
    notification_cost: float = bounded(0.5, 0.0)
    notification_relief: float = bounded(0.4, 0.0, 1.0)  # share of the drop avoided
    deescalation: float = bounded(0.0, 0.0, 1.0)  # S18
    deescalation_effect: float = bounded(0.6, 0.0, 1.0)  # share of public posts prevented at 1
    deescalation_cost_week: float = bounded(300.0, 0.0)  # training at level 1
    recovery_budget: float | None = bounded(None, 0.0)  # currency per week; null = unlimited (S19)
    root_cause_learning: float = bounded(0.5, 0.0, 1.0)  # S13
    learning_max_reduction: float = bounded(0.6, 0.0, 1.0)  # of a type's failure rate
    learning_scale: float = bounded(150.0, 1.0)  # complaints per type for 63% of that reduction
    promise_level: float = bounded(0.5, 0.0, 1.0)  # S21
    promise_expectation_effect: float = bounded(0.2, 0.0, 1.0)
    promise_acquisition_effect: float = bounded(1.0, 0.0, 10.0)
    winback_offer: float = bounded(0.0, 0.0)  # currency offered to recent churners; 0 = off (S6)
    winback_delay_weeks: int = bounded(4, 1)
    winback_response: float = bounded(0.1, 0.0, 1.0)  # acceptance at an offer of one basket


@dataclass
class NetworkConf:
    """The social network customers and prospects live on."""

    kind: NetworkKind = NetworkKind.small_world
    degree: int = bounded(10, 1)  # mean degree (small_world, scale_free, powerlaw_cluster)
    rewiring: float = bounded(0.1, 0.0, 1.0)  # small_world
    triangle_prob: float = bounded(0.3, 0.0, 1.0)  # powerlaw_cluster
    path: str | None = None  # edgelist: whitespace-separated node pairs, '#' comments


@dataclass
class OutputConf:
    """What a command-line run writes besides the tables."""

    dashboard: bool = True
    complaints_log: bool = True


@dataclass
class SimConfig:
    """Everything one run needs. ``SimConfig()`` is the default scenario."""

    seed: int = bounded(42, 0)
    weeks: int = bounded(104, 1)
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


def register_configs() -> None:
    """Put the schemas in Hydra's ConfigStore; group files start with ``defaults: [<schema>]``."""
    cs = ConfigStore.instance()
    cs.store(name="schema", node=SimConfig)
    cs.store(group="policy", name="schema_policy", node=PolicyConf)
    cs.store(group="delegation", name="schema_delegation", node=DelegationConf)
    cs.store(group="network", name="schema_network", node=NetworkConf)


register_configs()


def _check_ranges(obj: Any, prefix: str) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            _check_ranges(value, key + ".")
        elif isinstance(value, dict):
            for name, item in value.items():
                if dataclasses.is_dataclass(item):
                    _check_ranges(item, f"{key}.{name}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            if math.isnan(value) or (lo is not None and value < lo) or (
                hi is not None and value > hi
            ):
                raise ConfigError(f"{key}={value} is out of range: allowed {_describe(lo, hi)}")


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
    _check_ranges(cfg, "")
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
    """Find a data file from the working directory or, failing that, the project root."""
    candidate = Path(path).expanduser()
    for p in (candidate, PROJECT_ROOT / candidate):
        if p.is_file():
            return p
    raise ConfigError(f"network.path={path} does not exist: allowed a readable edge-list file")


def to_sim_config(cfg: DictConfig | SimConfig | dict | None = None) -> SimConfig:
    """Turn a Hydra config, a nested dict of overrides or None into a validated SimConfig."""
    if cfg is None:
        cfg = SimConfig()
    if isinstance(cfg, dict):
        cfg = OmegaConf.merge(OmegaConf.structured(SimConfig), cfg)
    if isinstance(cfg, DictConfig):
        cfg = OmegaConf.to_object(cfg)
    if not isinstance(cfg, SimConfig):
        raise ConfigError(f"config of type {type(cfg).__name__}: allowed SimConfig, dict or None")
    return validate(cfg)


def config_dict(cfg: SimConfig) -> dict:
    """The resolved config as plain JSON-ready data (enums as their names)."""
    return OmegaConf.to_container(OmegaConf.structured(cfg), enum_to_str=True)
