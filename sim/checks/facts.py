"""The published stylised facts, and how each is measured in the model.

A fact has a band: the mean over replications must fall inside it to pass.
Where a source gives a range (complaint rates) the band is that range; where
it gives a point, the band is the point give or take what differences in
measurement make plausible, stated with the fact. ``observe`` runs the
scenarios one replication needs and returns one value per fact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from sim.checks.fact import Fact, Kind
from sim.checks.held_out import HELD_OUT, held_out_values
from sim.model import RecoveryModel
from sim.result import Result
from sim.world.config import with_values
from sim.world.population import Status
from sim.world.schema import SimConfig

TARP = "TARP (Goodman); Goodman & Newman 2003"
RAGE = "Customer Rage Study 2013, 2015"
TARP_MINOR = (0.37, 0.46, 0.70, 0.95)
TARP_MAJOR = (0.09, 0.19, 0.54, 0.82)
LADDER = ("silent", "unresolved", "resolved", "resolved_quickly")
#: Weeks after a failure at which "bought again" is read: still a customer then.
RETENTION_WEEKS = 26
#: Contagion windows, in weeks before the current one: a neighbour who left lately, and long ago.
RECENT_WEEKS = (1, 4)
FADED_WEEKS = (13, 26)
#: Kriss compares the best and the poorest experiences: the top and bottom tenth by satisfaction.
KRISS_SHARE = 0.10


def ladder_pair(size: str, order_claim: str, tarp: tuple[float, ...]) -> tuple[Fact, Fact]:
    """The two facts of one of TARP's ladders: its order, and its distance to TARP's figures."""
    figures = " / ".join(f"{100 * share:.0f}" for share in tarp)
    order = Fact(
        f"ladder_order_{size}",
        order_claim,
        "every step > 0",
        TARP,
        0.0,
        1.0,
        points=True,
        tolerance=0.05,
        kind=Kind.TARGET,
        group="ladder",
    )
    gap = Fact(
        f"ladder_gap_{size}",
        f"{size.capitalize()} failure: mean gap to TARP's ladder (retention {RETENTION_WEEKS} weeks on,"
        " relative to buyers with no failure, at equal severity)",
        f"{figures}% (gap ≤ 10 pts)",
        TARP,
        0.0,
        0.10,
        points=True,
        aim=0.0,
        kind=Kind.TARGET,
        group="ladder",
    )
    return order, gap


MINOR_LADDER = ladder_pair(
    "minor",
    "Minor failure: retention rises silent < unresolved < resolved < resolved quickly (smallest step shown)",
    TARP_MINOR,
)
MAJOR_LADDER = ladder_pair("major", "Major failure: the same ladder (smallest step shown)", TARP_MAJOR)
PUBLISHED = (
    Fact(
        "complaint_minor",
        "Minor problems complained about",
        "2–5%",
        TARP,
        0.02,
        0.05,
        aim=0.035,
        kind=Kind.INPUT,
        why="complaint.intercept and severity_slope, set by hand to give it",
    ),
    Fact(
        "complaint_serious",
        "Serious problems complained about",
        "50–80%",
        f"{TARP}; Rage 2015",
        0.50,
        0.80,
        aim=0.65,
        kind=Kind.INPUT,
        why="complaint.intercept and severity_slope, set by hand to give it",
    ),
    Fact(
        "recovery_money",
        "Complainants satisfied: compensation only",
        "37% (±5 pts)",
        RAGE,
        0.32,
        0.42,
        aim=0.37,
        kind=Kind.INPUT,
        why="the outcome logit, solved from it at the Rage Study's conditions",
    ),
    Fact(
        "recovery_money_apology",
        "Complainants satisfied: compensation + apology",
        "74% (±5 pts)",
        RAGE,
        0.69,
        0.79,
        aim=0.74,
        kind=Kind.INPUT,
        why="the outcome logit, solved from it at the Rage Study's conditions",
    ),
    MINOR_LADDER[0],
    MAJOR_LADDER[0],
    MINOR_LADDER[1],
    MAJOR_LADDER[1],
    Fact(
        "wom_reach_ratio",
        "People reached per negative story ÷ per positive story",
        "about 2 (1.5–2.5)",
        f"{TARP}; Rage 2015",
        1.5,
        2.5,
        percent=False,
        aim=2.0,
        kind=Kind.INPUT,
        why="people told per story, 10 and 5",
    ),
    Fact(
        "wom_positive_per_negative",
        "Positive stories per negative story, in aggregate",
        "about 3 (2–4)",
        "East, Hammond & Wright 2007",
        2.0,
        4.0,
        percent=False,
        aim=3.0,
        kind=Kind.TARGET,
        group="wom",
    ),
    Fact(
        "contagion_recent",
        f"Churn hazard ratio per neighbour who left in the last {RECENT_WEEKS[1]} weeks",
        "about 1.8 (1.4–2.3)",
        "Nitzan & Libai 2011",
        1.4,
        2.3,
        percent=False,
        aim=1.8,
        kind=Kind.INPUT,
        why="churn.contagion_hazard_ratio, 1.8",
    ),
    Fact(
        "contagion_faded",
        f"Churn hazard ratio per neighbour who left {FADED_WEEKS[0]}–{FADED_WEEKS[1]} weeks ago",
        "faded: about 1 (0.8–1.25)",
        "Nitzan & Libai 2011",
        0.8,
        1.25,
        percent=False,
        aim=1.0,
        kind=Kind.INPUT,
        why="churn.contagion_half_life, 6 weeks",
    ),
    Fact(
        "slower_answer_less_satisfied",
        "Complainants satisfied: change per week longer to an answer",
        "falls (< 0)",
        "Gelbrich & Roschk 2011; Tax, Brown & Chandrashekaran 1998",
        -1.0,
        0.0,
        points=True,
        tolerance=0.05,
        kind=Kind.INPUT,
        why="outcome.days_penalty, assumed; escalated cases also need more contacts",
    ),
    Fact(
        "compensation_beyond_150",
        "Satisfaction with recovery: compensation 200% minus 150% of the loss",
        "adds nothing or backfires (≤ +1 pt)",
        "Gelbrich et al. 2015; Haesevoets et al. 2017",
        -1.0,
        0.01,
        points=True,
        tolerance=0.05,
        kind=Kind.INPUT,
        why="the backfire beyond 150% of the loss",
    ),
    Fact(
        "paradox_share",
        "Complainants left more satisfied than before the failure",
        "rare (≤ 10%)",
        "de Matos et al. 2007; Magnini et al. 2007",
        0.0,
        0.10,
        kind=Kind.INPUT,
        why="outcome.paradox_bonus, given only after a first mild failure mended fast",
    ),
    Fact(
        "paradox_outside_first_mild",
        "… of whom after a later or a serious failure",
        "none (≤ 0.5%)",
        "Magnini et al. 2007; Maxham & Netemeyer 2002",
        0.0,
        0.005,
        kind=Kind.INPUT,
        why="a bonus that can reach only first mild failures",
    ),
    Fact(
        "paradox_size",
        "Satisfaction gained above the pre-failure level, where it happens",
        "small (≤ 0.05 on 0–1)",
        "de Matos et al. 2007",
        0.0,
        0.05,
        percent=False,
        kind=Kind.INPUT,
        why="the bonus's size, 0.02",
    ),
    Fact(
        "paradox_retention_gain",
        f"Retention {RETENTION_WEEKS} weeks after a first mild failure mended fast, "
        "minus retention of all customers",
        "no gain (≤ +2 pts)",
        "de Matos et al. 2007 (no paradox in repurchase)",
        -1.0,
        0.02,
        points=True,
        tolerance=0.05,
        kind=Kind.HELD_OUT,
    ),
    Fact(
        "kriss_spend_ratio",
        "Next year's spend: best tenth of experiences ÷ poorest tenth",
        "about 2.4 (1.8–3.0)",
        "Kriss 2014",
        1.8,
        3.0,
        percent=False,
        aim=2.4,
        kind=Kind.TARGET,
        group="kriss",
    ),
    Fact(
        "kriss_retention_best",
        "One-year retention, best tenth of experiences",
        "74% (±10 pts)",
        "Kriss 2014",
        0.64,
        0.84,
        aim=0.74,
        kind=Kind.TARGET,
        group="kriss",
    ),
    Fact(
        "kriss_retention_poorest",
        "One-year retention, poorest tenth of experiences",
        "43% (±10 pts)",
        "Kriss 2014",
        0.33,
        0.53,
        aim=0.43,
        kind=Kind.TARGET,
        group="kriss",
    ),
)
#: Every fact, input checks first, then calibration targets, then held-out tests: the table's order.
FACTS = tuple(sorted((*PUBLISHED, *HELD_OUT), key=lambda fact: list(Kind).index(fact.kind)))
BY_KEY = {fact.key: fact for fact in FACTS}
#: What experiment=calibrate fits; it refuses the others.
TARGETS = tuple(fact for fact in FACTS if fact.kind is Kind.TARGET)


class ContagionPanel:
    """Customer-weeks and churns, by how many neighbours left lately and long ago, and by degree.

    Counts are capped at ``cap``; a Poisson model of churns on both counts
    (log exposure as offset) gives a hazard ratio per neighbour for each window.
    The number of neighbours who are or were customers (capped at
    ``neighbourhood_cap``) enters as a factor, as Nitzan & Libai control for the size
    of the neighbourhood: a customer among many customers has more friends who
    can leave, and also hears more of their (mostly good) stories.
    """

    def __init__(self, cap: int = 4, neighbourhood_cap: int = 30) -> None:
        self.cap, self.neighbourhood_cap = cap, neighbourhood_cap
        self.exposure = np.zeros((cap + 1, cap + 1, neighbourhood_cap + 1))
        self.churns = np.zeros_like(self.exposure)

    def before_week(self, model: RecoveryModel) -> None:
        """Who is at risk in the coming week, and their neighbours' recent and past departures."""
        pop, week = model.population, model.steps + 1
        left = pop.churn_week

        def neighbours_left(first: int, last: int) -> np.ndarray:
            window = (left >= max(week - last, 0)) & (left <= week - first)  # churn_week is -1 for stayers
            return np.minimum(model.adjacency @ window.astype(np.int32), self.cap).astype(np.int64)

        self._at_risk = pop.members(Status.ACTIVE)
        self._cell = (
            neighbours_left(*RECENT_WEEKS)[self._at_risk],
            neighbours_left(*FADED_WEEKS)[self._at_risk],
            np.minimum(
                model.adjacency @ (pop.status != Status.PROSPECT).astype(np.int64), self.neighbourhood_cap
            )[self._at_risk].astype(np.int64),
        )

    def after_week(self, model: RecoveryModel) -> None:
        """Count the week's exposure and churns in each cell."""
        churned = model.population.status[self._at_risk] == Status.CHURNED
        np.add.at(self.exposure, self._cell, 1)
        np.add.at(self.churns, tuple(index[churned] for index in self._cell), 1)

    def hazard_ratios(self) -> tuple[float, float]:
        """Hazard ratio per recently departed neighbour, and per long-departed one."""
        recent, faded, degree = np.nonzero(self.exposure)
        levels = np.unique(degree)
        factor = (degree[:, None] == levels[None, 1:]).astype(float)  # the lowest degree is the reference
        design = sm.add_constant(np.column_stack([recent, faded, factor]).astype(float))
        fit = sm.GLM(
            self.churns[recent, faded, degree],
            design,
            family=sm.families.Poisson(),
            offset=np.log(self.exposure[recent, faded, degree]),
        ).fit()
        return float(np.exp(fit.params[1])), float(np.exp(fit.params[2]))


def stayed_after(churn_week: np.ndarray, customers: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """Whether each customer was still a customer RETENTION_WEEKS after the given week."""
    left = churn_week[customers]
    return (left < 0) | (left > weeks + RETENTION_WEEKS)


def retention_ladder(
    failures: pd.DataFrame, churn_week: np.ndarray, weeks: int, serious: bool, unharmed: float
) -> np.ndarray:
    """Retention RETENTION_WEEKS after a failure, per ending (silent … resolved quickly), as TARP reads it.

    TARP's figures are the failure's own effect, so each is read as retention
    relative to ``unharmed`` (buyers the same weeks who met no failure), and at
    equal severity: complaints come from the worse failures, so a logistic
    regression on the ending and log severity gives each ending's retention at
    the mean log severity of all failures of this size. NaN where no failure
    ended that way.
    """
    seen = failures[(failures["week"] <= weeks - RETENTION_WEEKS) & (failures["serious"] == serious)]
    stayed = stayed_after(churn_week, seen["customer"].to_numpy(), seen["week"].to_numpy())
    ending = seen["ending"].to_numpy()
    present = [rung for rung in LADDER if (ending == rung).any()]
    log_severity = np.log(seen["severity"].to_numpy())
    rungs = (ending[:, None] == np.array(present[1:])[None, :]).astype(float)  # the first is the reference
    design = sm.add_constant(np.column_stack([rungs, log_severity]), has_constant="add")
    fit = sm.GLM(stayed.astype(float), design, family=sm.families.Binomial()).fit()
    at_mean = np.column_stack(
        [np.ones(len(present)), np.eye(len(present))[:, 1:], np.full(len(present), log_severity.mean())]
    )
    retained = dict(zip(present, fit.predict(at_mean), strict=True))
    return np.array([retained.get(rung, np.nan) for rung in LADDER]) / unharmed


def ladder_facts(model: RecoveryModel, failures: pd.DataFrame, unharmed: float) -> dict[str, float]:
    """Order and distance to TARP of the retention ladders after minor and major failures."""
    failures = failures.assign(serious=failures["severity"] >= model.config.failures.severe_threshold)
    values = {}
    for size, serious, tarp in (("minor", False, TARP_MINOR), ("major", True, TARP_MAJOR)):
        ladder = retention_ladder(
            failures, model.population.churn_week, model.config.weeks, serious, unharmed
        )
        present = np.isfinite(ladder)  # a rung no failure reached is left out
        values[f"ladder_order_{size}"] = float(np.diff(ladder[present]).min())
        values[f"ladder_gap_{size}"] = float(np.abs(ladder - np.array(tarp))[present].mean())
        values.update(
            {f"retention_{size}_{ending}": float(v) for ending, v in zip(LADDER, ladder, strict=True)}
        )
    return values


def paradox_facts(
    model: RecoveryModel, complaints: pd.DataFrame, failures: pd.DataFrame, baseline_retention: float
) -> dict[str, float]:
    """How often, after what and by how much recovery lifts complainants above their pre-failure level.

    A case counts where the answer raised satisfaction and left it above the
    level before the failure; purchases between the failure and the answer
    can lift a customer above that level too, but that is no paradox.
    ``baseline_retention``: the share of all customers still there RETENTION_WEEKS later.
    """
    answered = complaints[complaints["outcome"].isin(["satisfied", "dissatisfied"])]
    gain = answered["satisfaction_after"] - answered["satisfaction_before"]
    lifted = answered["satisfaction_after"] - answered["satisfaction_answered"] > 1e-9
    paradox = (gain > 1e-9) & lifted
    above = answered[paradox]
    firsts = failures.drop_duplicates("customer")  # each customer's first failure
    first_mild = firsts[firsts["severity"] < model.config.failures.severe_threshold]
    key = ["customer", "week"]
    in_first_mild = above.merge(first_mild[key], on=key, how="left", indicator=True)["_merge"] == "both"
    mended = first_mild[first_mild["ending"] == "resolved_quickly"]
    mended = mended[mended["week"] <= model.config.weeks - RETENTION_WEEKS]
    left = model.population.churn_week
    stayed = (left[mended["customer"]] < 0) | (left[mended["customer"]] > mended["week"] + RETENTION_WEEKS)
    return {
        "paradox_share": len(above) / max(len(answered), 1),
        "paradox_outside_first_mild": float((~in_first_mild).mean()) if len(above) else 0.0,
        "paradox_size": float(gain[paradox].mean()) if len(above) else 0.0,
        "paradox_retention_gain": float(np.mean(stayed)) - baseline_retention,
    }


def run_observed(config: SimConfig) -> tuple[RecoveryModel, Result, dict[str, float]]:
    """One run, watched week by week for the facts no summary holds.

    Contagion: the panel of exposures and churns. Kriss: customers ranked by
    satisfaction at mid-run, then their spend and retention over the second
    half (a year at the default 104 weeks). Base retention: the share of
    customers at week RETENTION_WEEKS still there RETENTION_WEEKS later.
    Unharmed retention: the same, for each week's buyers who met no failure
    that week, pooled over the weeks whose RETENTION_WEEKS after fall in the run.
    """
    model = RecoveryModel(config, agents=False)
    pop, panel, middle = model.population, ContagionPanel(), config.weeks // 2
    unharmed: list[np.ndarray] = []
    while model.running:
        spent, logged = pop.spend.copy(), model.failure_log.size
        if model.steps == RETENTION_WEEKS:
            at_risk = pop.members(Status.ACTIVE)
        if model.steps == middle:
            ranked = pop.members(Status.ACTIVE)
            ranked = ranked[np.argsort(pop.satisfaction[ranked], kind="stable")]
            spend_before = pop.spend[ranked].copy()
        panel.before_week(model)
        model.step()
        panel.after_week(model)
        if model.steps <= config.weeks - RETENTION_WEEKS:
            failed = model.failure_log.columns["customer"][logged : model.failure_log.size]
            fine = np.setdiff1d(np.flatnonzero(pop.spend > spent), failed)
            unharmed.append(np.column_stack([fine, np.full(fine.size, model.steps)]))
        if model.steps == 2 * RETENTION_WEEKS:
            baseline = float((pop.status[at_risk] == Status.ACTIVE).mean())
    recent, faded = panel.hazard_ratios()
    tenth = max(1, int(round(KRISS_SHARE * ranked.size)))
    spend = pop.spend[ranked] - spend_before
    stayed = pop.status[ranked] == Status.ACTIVE
    values = {
        "contagion_recent": recent,
        "contagion_faded": faded,
        "kriss_spend_ratio": float(spend[-tenth:].mean() / spend[:tenth].mean()),
        "kriss_retention_best": float(stayed[-tenth:].mean()),
        "kriss_retention_poorest": float(stayed[:tenth].mean()),
        "annual_retention": float(stayed.mean()),
        "baseline_retention": baseline,
        "unharmed_retention": float(stayed_after(pop.churn_week, *np.concatenate(unharmed).T).mean()),
    }
    return model, Result.from_model(model), values


def satisfaction_per_week(complaints: pd.DataFrame) -> float:
    """Least-squares slope of satisfied (1) or not (0) on weeks from complaint to answer (answered cases)."""
    answered = complaints[complaints["outcome"].isin(["satisfied", "dissatisfied"])]
    weeks = answered["response_days"].to_numpy() / 7.0
    if answered.empty or np.ptp(weeks) == 0:
        return np.nan
    return float(np.polyfit(weeks, (answered["outcome"] == "satisfied").to_numpy(float), 1)[0])


def recovery_satisfaction(config: SimConfig) -> float:
    """Share of complainants satisfied by recovery over one run."""
    return Result.from_model(_ran(config), complaints=False).summary["recovery_satisfaction"]


def _ran(config: SimConfig) -> RecoveryModel:
    model = RecoveryModel(config, agents=False)
    model.run_model()
    return model


def observe(config: SimConfig, held_out: bool = True) -> dict[str, float]:
    """Every fact's value in one replication (the seed is ``config.seed``), plus the ladders' rungs.

    ``held_out=False`` skips the runs only the held-out facts need (the
    calibration never looks at them).
    """
    model, result, values = run_observed(with_values(config, {"policy": "compensation"}))
    s = result.summary
    values |= {
        "complaint_minor": s["complaint_rate_minor"],
        "complaint_serious": s["complaint_rate_serious"],
        "recovery_money": s["recovery_satisfaction"],
        "wom_reach_ratio": s["wom_reach_negative"] / s["wom_reach_positive"],
        "wom_positive_per_negative": s["wom_positive_events"] / s["wom_negative_events"],
        "slower_answer_less_satisfied": satisfaction_per_week(result.complaints),
    }
    values |= ladder_facts(model, result.failures, values["unharmed_retention"])
    both = with_values(config, {"policy": "apology_compensation"})
    model_both, result_both, _ = run_observed(both)
    values["recovery_money_apology"] = result_both.summary["recovery_satisfaction"]
    values |= paradox_facts(
        model_both, result_both.complaints, result_both.failures, values["baseline_retention"]
    )
    values["compensation_beyond_150"] = recovery_satisfaction(
        with_values(config, {"policy": "compensation"}, **{"policy.compensation": 2.0})
    ) - recovery_satisfaction(with_values(config, {"policy": "compensation"}, **{"policy.compensation": 1.5}))
    if held_out:
        logs = [result.complaints, result_both.complaints]
        values |= held_out_values(model, result, values["annual_retention"], logs)
    return {"seed": config.seed, **values}
