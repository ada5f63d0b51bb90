"""The trainers' page: the paired model, the page's widgets, and the page served to a real browser."""

from __future__ import annotations

import os

import ipyvue
import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim.demo import browser, pictures
from sim.demo.app import MODEL_PARAMS, make_page
from sim.demo.pair import DemoModel, market_layout, side_config
from sim.mechanisms.recovery import team_size
from sim.world.parameter import Apology
from sim.world.population import State


def test_same_policy_on_both_sides_gives_identical_firms():
    model = DemoModel(policy_a="apology", delegation_a="partial", policy_b="apology", delegation_b="partial")
    for _ in range(20):
        model.step()
    assert model.readings["A"] == model.readings["B"]
    assert np.array_equal(model.states("A"), model.states("B"))


def test_different_policies_share_customers_and_first_failures():
    model = DemoModel(
        policy_a="none", delegation_a="none", policy_b="apology_compensation", delegation_b="full"
    )
    a, b = (model.firms[s] for s in ("A", "B"))
    assert (a.adjacency != b.adjacency).nnz == 0
    assert np.array_equal(a.population.complaint_propensity, b.population.complaint_propensity)
    model.step()  # week 1: nobody has been treated differently yet
    assert np.array_equal(a.population.failures_seen, b.population.failures_seen)
    for _ in range(30):
        model.step()
    assert model.readings["A"]["recovery_satisfaction"] < model.readings["B"]["recovery_satisfaction"]


def test_side_config_applies_amount_and_timing_only_where_the_preset_offers_them():
    common = dict(
        compensation_share=1.5,
        apology_mode="severe_only",
        failure_rate=2.0,
        complaint_ease=0.8,
        proactive_notification=0.3,
        customers=500,
        weeks=10,
    )
    paid = side_config("compensation", "full", **common)
    assert paid.policy.compensation == 1.5 and paid.policy.apology is Apology.never
    sorry = side_config("apology", "none", **common)
    assert sorry.policy.compensation == 0.0 and sorry.policy.apology is Apology.severe_only
    assert sorry.delegation.name == "none" and sorry.failures.rate_multiplier == 2.0
    default = side_config("none", "partial", **{**common, "customers": 10_000})
    assert sorry.firm.channel_cost_week == pytest.approx(default.firm.channel_cost_week * 0.05)
    # the recovery team follows the market by itself: a twentieth of the customers, a twentieth of the team
    assert team_size(sorry.firm, 500) == pytest.approx(team_size(default.firm, 10_000) * 0.05)
    assert sorry.firm.staff_cost_week == default.firm.staff_cost_week


def test_layout_is_computed_once_and_matches_the_network():
    model = DemoModel(customers=200, seed=3)
    again = DemoModel(customers=200, seed=3, policy_a="apology")
    assert again.positions is model.positions  # cached, not laid out again on reset
    assert model.positions.shape == (model.firms["A"].population.size, 2)
    assert np.isfinite(model.positions).all()
    other = DemoModel(customers=200, seed=4)
    assert market_layout(other.firms["A"].adjacency) is other.positions is not model.positions


def test_monitors_show_both_firms_and_their_difference():
    model = DemoModel(failure_rate=4.0)
    for _ in range(8):
        model.step()
    numbers = pictures.headline_numbers(model)
    active = {s: sum(model.readings[s][k] for k in ("satisfied", "unhappy", "complained")) for s in "AB"}
    assert numbers["Active customers"] == active
    assert numbers["Complaints"]["A"] == model.totals["A"]["complaints"] > 0
    counts = np.bincount(model.states("B"), minlength=len(State))
    assert counts[State.CHURNED] == model.firms["B"].metrics["churned_customers"]


def render_page(model: DemoModel):
    return solara.render(solara.AppLayout(children=[make_page(model)]), handle_error=False)


def test_page_has_every_control_and_step_advances_both_firms():
    _, rc = render_page(DemoModel(customers=150))
    labels = {w.label for w in rc.find(v.Select).widgets} | {w.label for w in rc.find(v.Slider).widgets}
    wanted = {p["label"] if isinstance(p, dict) else p.label for p in MODEL_PARAMS.values()}
    assert wanted <= labels
    assert "Week 0 of 104" in shown_text(rc)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "Week 2 of 104" in shown_text(rc)


def shown_text(rc) -> str:
    """Everything the page's Markdown shows, as HTML."""
    grid = rc.find(ipyvue.VueTemplate).widget  # SolaraViz's grid of components; the monitors are one
    templates = [item.template for item in grid.items if isinstance(item, v.VuetifyTemplate)]
    return " ".join(getattr(t, "template", t) for t in templates)


def test_reset_rebuilds_with_the_chosen_policy():
    _, rc = render_page(DemoModel(customers=150))
    rc.find(v.Select, label="Firm A: what it offers").widget.v_model = "apology"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert "<strong>A</strong>: apology · none delegation" in shown_text(rc)


@pytest.mark.slow
@pytest.mark.browser
def test_served_page_in_chromium(tmp_path):
    if not browser.CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{browser.CHROMIUM} is missing in CI: .ci/run installs it with apt-get")
        pytest.skip(f"{browser.CHROMIUM} not installed (apt-get install chromium)")
    with browser.served_demo() as url, browser.browser_page() as page:
        page.goto(url)
        browser.wait_for_week(page, 0)
        for params in MODEL_PARAMS.values():
            label = params["label"] if isinstance(params, dict) else params.label
            assert page.get_by_text(label, exact=True).count() >= 1, label
        # a busy market, so that four weeks bring complaints
        browser.slide(page, "Service failures (× usual)")
        browser.slide(page, "How easy complaining is")
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("failures 5.00× usual", exact=False).wait_for()
        browser.step(page, 4)
        different = browser.monitor_table(page)
        assert int(different["Complaints"][0]) > 0
        assert different["Complainants satisfied by recovery"][2] != "+0.0 pts"

        # the same policy on both sides: the same customers give the same numbers
        browser.choose(page, "Firm A: what it offers", "apology_compensation")
        browser.choose(page, "Firm A: frontline authority", "full")
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("A: apology_compensation", exact=False).wait_for()
        browser.step(page, 4)
        same = browser.monitor_table(page)
        assert same != different
        assert all(diff in ("+0", "+0.0 pts") for _, _, diff in same.values()), same
        shot = tmp_path / "demo.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
