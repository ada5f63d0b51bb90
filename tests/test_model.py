"""Whole runs: accounting identities, conservation, determinism, common random numbers, Mesa."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import small

from sim import RecoveryModel, Result, run
from sim.agents import Customer, Firm
from sim.mechanisms.books import COSTS
from sim.metrics import FLOWS
from sim.result import model_summary
from sim.world.network import build_network
from sim.world.parameter import NetworkKind
from sim.world.population import State, Status
from sim.world.schema import NetworkConf

REQUIRED_SUMMARY = [
    "seed",
    "weeks",
    "customers_initial",
    "revenue",
    "profit",
    "compensation_paid",
    "handling_cost",
    "recovery_cost",
    "active_customers_final",
    "acquired",
    "churned_silent",
    "churned_after_complaint",
    "churn_rate",
    "failures",
    "complaints",
    "complaint_rate",
    "recovery_satisfaction",
    "first_contact_resolution",
    "mean_response_days",
    "wom_negative",
    "wom_positive",
    "public_posts",
    "mean_satisfaction_final",
    "config",
]


@pytest.fixture(scope="module")
def busy():
    """A small world with many failures, a thin recovery team and win-back offers: every path is used."""
    return run(
        small(
            weeks=30,
            failures={"rate_multiplier": 4.0},
            firm={
                "staff": 1,
                "cases_per_staff_week": 1.5,
                "winback_offer": 30.0,
                "proactive_notification": 0.5,
            },
            delegation={"first_contact_resolution": 0.3},
        )
    )


def test_summary_has_every_promised_key(busy):
    assert set(REQUIRED_SUMMARY) <= set(busy.summary)
    assert busy.timeseries.shape[0] == 31  # week 0 and 30 weeks


def test_every_path_was_exercised(busy):
    t = busy.summary
    for key in (
        "complaints",
        "silent_failures",
        "resolved_first_contact",
        "repeat_contacts",
        "won_back",
        "notifications",
        "churned_silent",
        "churned_after_complaint",
        "public_posts",
    ):
        assert t[key] > 0, key


def test_profit_is_revenue_less_every_cost_every_week(busy):
    ts = busy.timeseries
    np.testing.assert_allclose(
        ts["profit"], ts["revenue"] - ts[list(COSTS)].sum(axis=1), rtol=1e-12, atol=1e-6
    )
    s = busy.summary
    assert s["profit"] == pytest.approx(s["revenue"] - sum(s[c] for c in COSTS))


def test_people_are_conserved_across_states(busy):
    ts = busy.timeseries
    nodes = ts["active_customers"] + ts["prospects"] + ts["churned_customers"]
    assert nodes.nunique() == 1
    churned = ts["churned_silent"] + ts["churned_after_complaint"] + ts["churned_unprovoked"]
    flow = ts["acquired"] + ts["won_back"] - churned
    np.testing.assert_array_equal(ts["active_customers"].diff().iloc[1:], flow.iloc[1:])
    assert (ts["satisfied_customers"] + ts["unhappy_customers"] == ts["active_customers"]).all()


def test_weekly_rates_are_the_summary_rates_week_by_week(busy):
    ts, s = busy.timeseries, busy.summary
    week = ts.iloc[10]
    assert week["complaint_rate"] == pytest.approx(week["complaints"] / week["failures"])
    answered = week["recovery_satisfied"] + week["recovery_dissatisfied"]
    assert week["mean_response_days"] == pytest.approx(week["response_days_total"] / answered)
    assert s["complaint_rate"] == pytest.approx(ts["complaints"].sum() / ts["failures"].sum())
    churned = week[["churned_silent", "churned_after_complaint", "churned_unprovoked"]].sum()
    assert week["churn_rate"] == pytest.approx(churned / ts.iloc[9]["active_customers"])
    assert np.isnan(ts.iloc[0]["complaint_rate"])  # nothing happens in week 0


def test_weekly_rates_are_exactly_their_definition_in_every_week(busy):
    from sim.metrics import CHURNED, RATES

    ts = busy.timeseries
    for name, (top, bottom) in RATES.items():
        expected = ts[list(top)].sum(axis=1) / ts[list(bottom)].sum(axis=1).where(lambda d: d > 0)
        np.testing.assert_array_equal(ts[name], expected, err_msg=name)  # NaN where nothing was counted
    churned = ts[list(CHURNED)].sum(axis=1) / ts["active_customers"].shift(1).where(lambda d: d > 0)
    np.testing.assert_array_equal(ts["churn_rate"], churned)


def test_flows_by_failure_type_add_up(busy):
    by_type = busy.summary["by_failure_type"]
    assert set(by_type) == {"late_delivery", "service_outage", "billing_error", "defective_product"}
    for key in ("failures", "complaints"):
        assert sum(t[key] for t in by_type.values()) == busy.summary[key]
    blamed = busy.summary["churned_silent"] + busy.summary["churned_after_complaint"]
    assert sum(t["churned_after_failure"] for t in by_type.values()) == blamed
    assert by_type["defective_product"]["complaint_rate"] > by_type["late_delivery"]["complaint_rate"]


def test_every_complaint_is_in_the_log_once(busy):
    log = busy.complaints
    assert len(log) == busy.summary["complaints"]
    closed = log[log["outcome"] != "open"]
    assert (closed["outcome"] == "satisfied").sum() == busy.summary["recovery_satisfied"]
    assert (log["outcome"] == "abandoned").sum() == busy.summary["abandoned"]
    assert (log["outcome"] == "open").sum() == busy.timeseries["queue_length"].iloc[-1]
    escalated = closed[closed["handled"] == "escalated"]
    assert (escalated["response_days"] >= 2.0).all()
    assert set(log["failure_type"]) <= {
        "late_delivery",
        "service_outage",
        "billing_error",
        "defective_product",
    }


def test_the_queue_is_first_in_first_out(busy):
    esc = busy.complaints[busy.complaints["handled"] == "escalated"].copy()
    esc["closed_week"] = esc["week"] + ((esc["response_days"] - 2.0) / 7).round().astype(int)
    order = esc.sort_values(["closed_week", "week"], kind="stable")
    assert order["week"].is_monotonic_increasing


def test_same_seed_gives_byte_identical_files(tmp_path):
    for name in ("a", "b"):
        run(small(), rng=11).save(tmp_path / name, dashboard=False)
    for file in ("summary.json", "timeseries.parquet", "complaints.parquet"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    other = run(small(), rng=12).summary
    assert other["revenue"] != Result.load(tmp_path / "a").summary["revenue"]


def test_result_round_trips_through_files(tmp_path, busy):
    busy.save(tmp_path)
    loaded = Result.load(tmp_path)
    assert loaded.summary == busy.summary
    assert loaded.timeseries.equals(busy.timeseries)
    assert (tmp_path / "dashboard.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob(".*partial"))


def test_a_policy_change_keeps_the_same_customers_and_failures():
    """Common random numbers: the network, the traits and the failure draws do not depend on policy."""
    a = RecoveryModel(small(policy={"name": "none", "compensation": 0.0}), rng=5)
    b = RecoveryModel(small(policy={"name": "both", "apology": "always", "compensation": 1.5}), rng=5)
    assert (a.adjacency != b.adjacency).nnz == 0
    for trait in ("status", "expectation", "complaint_propensity", "patience_days", "influence"):
        np.testing.assert_array_equal(getattr(a.population, trait), getattr(b.population, trait))
    a.step()
    b.step()
    for column in ("customer", "kind", "severity"):
        np.testing.assert_array_equal(
            a.failure_log.columns[column][: a.failure_log.size],
            b.failure_log.columns[column][: b.failure_log.size],
        )
    first_week = [m.datacollector.get_model_vars_dataframe().iloc[1] for m in (a, b)]
    assert first_week[0]["failures"] == first_week[1]["failures"]
    assert first_week[0]["complaints"] == first_week[1]["complaints"]


def test_policies_differ_only_by_their_effect_so_paired_differences_are_tight():
    """Under CRN, the profit gap between two policies varies less across seeds than profit itself."""
    gaps, levels = [], []
    for seed in range(6):
        none = run(small(policy={"compensation": 0.0}), rng=seed).summary["profit"]
        both = run(small(policy={"apology": "always"}), rng=seed).summary["profit"]
        gaps.append(both - none)
        levels.append(none)
    assert np.std(gaps) < 0.5 * np.std(levels)


def test_customers_are_mesa_agents_on_the_network():
    model = RecoveryModel(small(), rng=3)
    customers = model.agents_by_type[Customer]
    assert len(customers) == model.population.size
    assert len(model.agents_by_type[Firm]) == 1
    model.step()
    unhappy = customers.select(lambda c: c.status == Status.ACTIVE and c.satisfaction < 0.5)
    assert len(unhappy) == model.metrics["unhappy_customers"]
    agent = customers.to_list()[7]
    neighbours = {a.row for a in agent.cell.neighborhood.agents}
    assert neighbours == set(model.adjacency[agent.row].indices)
    assert agent.state in {"prospect", "satisfied", "unhappy", "complained", "churned"}


def test_datacollector_and_summary_agree():
    model = RecoveryModel(small(), rng=4)
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.config.weeks + 1
    result = Result.from_model(model)
    for key in FLOWS:
        assert result.summary[key] == pytest.approx(frame[key].sum()), key


def test_the_shipped_real_network_runs():
    result = run(small(network={"kind": "edgelist", "path": "data/networks/karate.edgelist"}))
    assert result.summary["customers_initial"] == 17  # half of Zachary's 34 members
    nodes = result.timeseries[["active_customers", "prospects", "churned_customers"]].sum(axis=1)
    assert (nodes == 34).all()


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "powerlaw_cluster"])
def test_generated_networks_have_the_asked_mean_degree(kind):
    model = RecoveryModel(small(network={"kind": kind}), rng=1)
    mean_degree = model.adjacency.nnz / model.adjacency.shape[0]
    assert mean_degree == pytest.approx(10, rel=0.15)


def test_the_scale_free_network_is_seeded_simple_and_heavy_tailed():
    conf = NetworkConf(kind=NetworkKind.scale_free)
    first, again = (build_network(conf, 5000, np.random.default_rng(7)) for _ in range(2))
    other = build_network(conf, 5000, np.random.default_rng(8))
    assert (first != again).nnz == 0 and (first != other).nnz > 0
    assert first.max() == 1 and first.diagonal().sum() == 0 and (first != first.T).nnz == 0
    degree = np.diff(first.indptr)
    assert degree.min() >= 5 and degree.max() > 10 * degree.mean()  # hubs: Barabási-Albert's power law


def test_results_are_identical_without_mesa_agents(tmp_path):
    """Agents are views of the arrays: sweeps may skip them and lose nothing."""
    run(small(), rng=21, agents=True).save(tmp_path / "with", dashboard=False)
    run(small(), rng=21, agents=False).save(tmp_path / "without", dashboard=False)
    for file in ("summary.json", "timeseries.parquet", "complaints.parquet"):
        assert (tmp_path / "with" / file).read_bytes() == (tmp_path / "without" / file).read_bytes(), file


def test_the_failure_log_records_every_failure_its_ending_and_the_next_purchase(busy):
    log = busy.failures
    assert len(log) == busy.summary["failures"]
    endings = log["ending"].value_counts()
    assert endings.get("silent", 0) == busy.summary["silent_failures"]
    assert endings.drop("silent", errors="ignore").sum() == busy.summary["complaints"]
    answered = (
        busy.summary["recovery_satisfied"] + busy.summary["recovery_dissatisfied"] + busy.summary["abandoned"]
    )
    assert endings.get("pending", 0) == busy.summary["complaints"] - answered
    came_back = log[log["next_purchase_week"] >= 0]
    assert (came_back["next_purchase_week"] > came_back["week"]).all()
    assert log["repurchased"].any() and not log["repurchased"].all()


def test_failure_log_closes_a_failure_at_the_next_purchase_only():
    from sim.mechanisms.failure_log import FailureLog

    log = FailureLog(5)
    log.bought(np.array([0, 1]), 1)  # no failure yet: nothing to close
    rows = log.add(np.array([0, 1]), 1, np.array([0, 1]), np.array([0.2, 0.7]), np.array([False, True]))
    log.bought(np.array([0]), 3)
    log.settle(rows[1:], np.array([3]))
    frame = log.frame(("late", "defect"), horizon=26)
    assert frame["next_purchase_week"].tolist() == [3, -1]
    assert frame["ending"].tolist() == ["silent", "resolved_quickly"]
    assert frame["repurchased"].tolist() == [True, False]


def test_states_agree_with_agents_and_stocks():
    model = RecoveryModel(small(), rng=5, agents=True)
    for _ in range(6):
        model.step()
    states = model.population.states(model.week)
    by_agent = [c.state for c in model.agents_by_type[Customer]]
    assert by_agent == [State(s).name.lower() for s in states]
    counts = np.bincount(states, minlength=len(State))
    assert counts[State.COMPLAINED] > 0
    assert counts[State.PROSPECT] == model.metrics["prospects"]
    assert counts[State.CHURNED] == model.metrics["churned_customers"]
    assert (
        counts[[State.SATISFIED, State.UNHAPPY, State.COMPLAINED]].sum() == model.metrics["active_customers"]
    )


def test_the_summary_records_the_seed_the_run_used():
    """``sim.run(cfg, rng=9)`` runs seed 9: its resolved config must say 9, not the config's own seed."""
    result = run({"weeks": 2, "market": {"customers": 100}, "seed": 42}, rng=9)
    assert result.summary["seed"] == 9
    assert result.summary["config"]["seed"] == 9


def test_the_recovery_budget_counts_money_paid_not_claims_refused():
    """A claim is refused only when paying it would pass the week's budget; a refused claim uses none of it.

    Compensation is the full loss here, so a refused claim asked for its loss: in every week with a
    refusal, what was paid plus the smallest refused claim must exceed the budget.
    """
    budget = 150.0
    result = run({"market": {"customers": 4000}, "weeks": 30, "firm": {"recovery_budget": budget}}, rng=3)
    log = result.complaints[result.complaints["outcome"].isin(["satisfied", "dissatisfied"])].copy()
    log["closed"] = log["week"] + log["response_days"] // 7
    paid = log.groupby("closed")["compensation"].sum()
    smallest_refused = log[log["budget_denied"]].groupby("closed")["loss"].min()
    assert len(smallest_refused) > 3  # the budget binds in this market
    assert (paid <= budget + 1e-9).all()
    assert (paid[smallest_refused.index] + smallest_refused > budget).all()


def test_a_market_that_empties_still_writes_its_summary(tmp_path):
    """Every customer gone: the final mean satisfaction is null in summary.json, not a NaN JSON refuses."""
    result = run(
        **{"market.customers": 3, "churn.base_hazard": 1.0, "market.marketing_rate": 0.0, "weeks": 5}
    )
    assert result.summary["active_customers_final"] == 0
    result.save(tmp_path / "run", dashboard=False)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["mean_satisfaction_final"] is None


def test_a_network_reused_from_an_earlier_run_of_the_seed_gives_that_runs_results():
    """Cells of a study share each seed's network (sim.world.network.shared_network): no other effect."""
    from sim.world import network

    network.KEPT.clear()
    first = RecoveryModel(small(policy={"apology": "always"}), rng=11, agents=False)
    again = RecoveryModel(small(), rng=11, agents=False)
    assert again.adjacency is first.adjacency  # the cell after reused the seed's network
    again.run_model()
    network.KEPT.clear()
    fresh = RecoveryModel(small(), rng=11, agents=True)  # built anew, Mesa's agents on it too
    fresh.run_model()
    assert again.adjacency is not fresh.adjacency
    assert model_summary(again, config=False) == model_summary(fresh, config=False)
    with pytest.raises(ValueError, match="read-only"):
        again.adjacency.indices[0] = 1
