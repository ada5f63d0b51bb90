"""The trainers' page: the paired model, controls and scenarios, pictures, the page, and a real browser."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import fields

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from PIL import Image

from sim.demo import app, browser, controls, netguard, numbers, pictures
from sim.demo.pair import DemoModel, Settings, market_layout, side_config
from sim.demo.scenarios import SCENARIOS
from sim.mechanisms.recovery import team_size
from sim.world.parameter import PROJECT_ROOT, Apology
from sim.world.population import State

# ---------------------------------------------------------------- the paired model


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


MARKET = dict(
    compensation_share=1.5,
    apology_mode="severe_only",
    failure_rate=2.0,
    proactive_notification=0.3,
    customers=500,
    weeks=10,
)


def test_side_config_applies_amount_and_timing_only_where_the_preset_offers_them():
    paid = side_config("compensation", "full", 0.8, 1.0, **MARKET)
    assert paid.policy.compensation == 1.5 and paid.policy.apology is Apology.never
    sorry = side_config("apology", "none", 0.8, 1.0, **MARKET)
    assert sorry.policy.compensation == 0.0 and sorry.policy.apology is Apology.severe_only
    assert sorry.delegation.name == "none" and sorry.failures.rate_multiplier == 2.0
    assert sorry.firm.complaint_ease == 0.8
    default = side_config("none", "partial", 0.5, 1.0, **{**MARKET, "customers": 10_000})
    assert sorry.firm.channel_cost_week == pytest.approx(default.firm.channel_cost_week * 0.05)
    # the recovery team follows the market by itself: a twentieth of the customers, a twentieth of the team
    assert team_size(sorry.firm, 500) == pytest.approx(team_size(default.firm, 10_000) * 0.05)
    assert sorry.firm.staff_cost_week == default.firm.staff_cost_week


def test_a_firms_own_levers_change_that_firm_only():
    model = DemoModel(complaint_ease_b=0.9, team_b=0.5, channels_b="omnichannel", customers=150)
    a, b = (model.firms[s].config.firm for s in ("A", "B"))
    assert (a.complaint_ease, b.complaint_ease) == (0.5, 0.9)
    assert b.staff_per_10k == pytest.approx(a.staff_per_10k / 2)
    channels = {s: model.firms[s].config.channels for s in ("A", "B")}
    assert (channels["A"].name, channels["B"].name) == ("single_desk", "omnichannel")
    assert channels["B"].social.offered and not channels["A"].social.offered
    assert model.settings.side("B") == {
        "policy": "apology_compensation",
        "delegation": "full",
        "complaint_ease": 0.9,
        "team": 0.5,
        "channels": "omnichannel",
    }
    assert "seed" in model.settings.shared() and "team_a" not in model.settings.shared()
    assert Settings().differences(model.settings) == {"complaint_ease_b", "team_b", "channels_b", "customers"}


def test_layout_is_computed_once_and_matches_the_network():
    model = DemoModel(customers=200, seed=3)
    again = DemoModel(customers=200, seed=3, policy_a="apology")
    assert again.positions is model.positions  # cached, not laid out again on reset
    assert model.positions.shape == (model.people, 2) == (model.firms["A"].population.size, 2)
    assert np.isfinite(model.positions).all()
    other = DemoModel(customers=200, seed=4)
    assert market_layout(other.firms["A"].adjacency) is other.positions is not model.positions


# ---------------------------------------------------------------- controls and scenarios


def test_every_setting_has_one_control_that_reads_with_its_unit():
    names = [c.name for c in controls.CONTROLS]
    assert sorted(names) == sorted(f.name for f in fields(Settings) if f.name != "weeks")
    assert set(controls.OFFERS) == {p.stem for p in (PROJECT_ROOT / "configs" / "policy").glob("*.yaml")}
    labels = [c.label for c in controls.CONTROLS]
    assert len(set(labels)) == len(labels)  # a browser finds each by its label
    default = Settings()
    for control in controls.CONTROLS:
        value = getattr(default, control.name)
        if isinstance(control, controls.Choice):
            assert value in control.options
        else:
            assert control.low <= value <= control.high
            assert (value - control.low) / control.step == pytest.approx(
                round((value - control.low) / control.step)
            )
            for x in (control.low, control.high):
                assert any(ch.isalpha() for ch in control.reads(x)), control.name  # a unit, not a bare number


def test_each_scenario_differs_between_the_firms_in_one_lever_only():
    lever = {"iceberg": "complaint_ease", "waiting": "team", "authority": "delegation"}
    assert [s.name for s in SCENARIOS] == list(lever)
    for scenario in SCENARIOS:
        a, b = scenario.settings.side("A"), scenario.settings.side("B")
        assert {key for key in a if a[key] != b[key]} == {lever[scenario.name]}, scenario.name


def run_to_the_end(settings: Settings) -> dict[str, dict[str, float]]:
    model = DemoModel(settings)
    while model.running:
        model.step()
    return model.readings


def test_each_scenario_shows_what_its_words_say():
    """What the words under each button promise, at the page's own market (300 customers, market 42)."""
    end = {s.name: run_to_the_end(s.settings) for s in SCENARIOS}
    a, b = end["iceberg"]["A"], end["iceberg"]["B"]
    assert b["complaints"] > a["complaints"] and b["churned_silent"] < a["churned_silent"]
    assert b["active"] > a["active"]
    a, b = end["waiting"]["A"], end["waiting"]["B"]
    assert b["profit"] == pytest.approx(a["profit"], rel=0.02)  # keeps pace
    assert b["recovery_satisfaction"] < 0.6 * a["recovery_satisfaction"]  # far fewer satisfied
    assert b["wom_negative"] > a["wom_negative"]
    a, b = end["authority"]["A"], end["authority"]["B"]
    assert b["recovery_satisfaction"] > 1.5 * a["recovery_satisfaction"]
    assert b["active"] > a["active"] and b["wom_negative"] < a["wom_negative"]


# ---------------------------------------------------------------- pictures and numbers


def test_axes_grow_through_round_numbers():
    assert [pictures.round_up(x, 10) for x in (0, 3, 10, 11, 13, 170, 801, 7200)] == [
        10,
        10,
        10,
        12,
        15,
        200,
        1000,
        8000,
    ]


def decoded(image: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(image)), dtype=float)


def test_pictures_drawn_in_place_match_a_fresh_drawing():
    """Weeks drawn onto the kept still picture, axes grown on the way, look like one drawing from scratch."""
    model = DemoModel(customers=200)
    board = pictures.Board(model)
    for _ in range(40):
        model.step()
        drawn = board.draw(model)
    fresh = pictures.Board(model)
    for name, picture in fresh.pictures.items():  # the same axes as the board grew them
        grown = getattr(board.pictures[name], "panels", [])
        for mine, theirs in zip(getattr(picture, "panels", []), grown, strict=True):
            mine.top = theirs.top
            mine.ax.set_ylim(theirs.ax.get_ylim())
    expected = fresh.draw(model)
    for name, image in drawn.items():
        difference = np.abs(decoded(image) - decoded(expected[name]))
        assert difference.mean() < 0.05 and (difference > 40).sum() == 0, name


def test_pictures_are_drawn_at_the_size_the_page_shows_them():
    model = DemoModel(customers=100)
    sizes = {name: decoded(image).shape[:2] for name, image in pictures.Board(model).draw(model).items()}
    assert sizes == {
        "headline": (280, pictures.WIDTH),
        "markets": (460, pictures.WIDTH),
        "trends": (600, 1000),
    }


def test_numbers_show_both_firms_and_their_difference():
    model = DemoModel(failure_rate=4.0)
    for _ in range(8):
        model.step()
    shown = numbers.headline_numbers(model)
    active = {s: sum(model.readings[s][k] for k in ("satisfied", "unhappy", "complained")) for s in "AB"}
    assert shown["Customers kept"] == active
    assert shown["Complaints heard"]["A"] == model.totals["A"]["complaints"] > 0
    counts = np.bincount(model.states("B"), minlength=len(State))
    assert counts[State.CHURNED] == model.firms["B"].metrics["churned_customers"]
    table = numbers.headline_table(model)
    assert table.count("<tr>") == 1 + len(numbers.HEADLINE) and "B − A" in table and "|" not in table
    assert "solid line" in table and "dashed line" in table  # A and B told apart without colour
    assert numbers.number(-1234.0) == "−1,234" and numbers.number(0.256, percent=True) == "26%"
    assert numbers.number(0.05, percent=True, signed=True) == "+5 pts" and numbers.number(float("nan")) == "–"


# ---------------------------------------------------------------- the page, rendered in this process


def render_page():
    return solara.render(app.make_page(), handle_error=False)


def shown(rc) -> str:
    """Everything the page's HTML pieces say."""
    return " ".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_page_has_every_control_and_step_advances_both_firms():
    _, rc = render_page()
    labels = {w.label for w in rc.find(v.Select).widgets} | {w.label for w in rc.find(v.Slider).widgets}
    assert {c.label for c in controls.CONTROLS} <= labels
    for control in controls.CONTROLS:  # every value in words, unit included
        assert control.reads(getattr(Settings(), control.name)) in shown(rc) or isinstance(
            control, controls.Choice
        )
    assert "Week 0 of 104" in shown(rc)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "Week 2 of 104" in shown(rc)
    shown_pictures = rc.find(ipywidgets.Image).widgets
    assert len(shown_pictures) == 3 and all(w.format == pictures.FORMAT for w in shown_pictures)


def test_a_control_not_yet_applied_is_marked_until_reset():
    _, rc = render_page()
    rc.find(v.Slider, label="Service failures").widget.v_model = 2.5
    assert "not applied yet: the run shows 1.00 × the usual rate" in shown(rc)
    assert "2.50 × the usual rate" in shown(rc)
    rc.find(v.Select, label="What firm A offers").widget.v_model = "an apology"
    assert "2 changes not applied yet" in shown(rc)
    reset = rc.find(v.Btn, children=["Reset with 2 changes"])
    reset.widget.click()
    assert "not applied yet" not in shown(rc)
    assert "offers an apology;" in shown(rc) and "service failures: 2.50 × the usual rate" in shown(rc)
    assert rc.find(v.Btn, children=["Reset"]).widget


def test_a_scenario_is_one_click_and_plays(monkeypatch):
    monkeypatch.setattr(app, "WEEKS_PER_SECOND", 50.0)
    _, rc = render_page()
    scenario = SCENARIOS[2]
    rc.find(v.Btn, children=[scenario.title]).widget.click()
    assert scenario.watch in shown(rc)
    assert "offers an apology and compensation; no authority at the front line" in shown(rc)
    wait_until(lambda: "Week 104 of 104" in shown(rc))  # played to the end by itself
    wait_until(lambda: bool(rc.find(v.Btn, children=["▶ Play"]).widgets))
    assert rc.find(v.Btn, children=["▶ Play"]).widget.disabled  # nothing left to play


def test_pause_stops_the_play():
    _, rc = render_page()
    rc.find(v.Btn, children=["▶ Play"]).widget.click()
    wait_until(lambda: "Week 2 of" in shown(rc))
    rc.find(v.Btn, children=["❚❚ Pause"]).widget.click()
    time.sleep(0.5)
    paused = shown(rc)
    time.sleep(1.0)
    assert shown(rc) == paused and "Week 104" not in paused


def test_two_pages_in_one_server_have_their_own_firms():
    _, first = render_page()
    _, second = render_page()
    for _ in range(3):
        first.find(v.Btn, children=["Step"]).widget.click()
    second.find(v.Btn, children=["Step"]).widget.click()
    assert "Week 3 of 104" in shown(first) and "Week 1 of 104" in shown(second)


def test_a_play_and_a_reset_at_once_leave_one_run():
    """Reset while ▶ plays: the play stops, the new run starts at week 0 and stays there."""
    _, rc = render_page()
    rc.find(v.Btn, children=["▶ Play"]).widget.click()
    wait_until(lambda: "Week 3 of" in shown(rc))
    threading.Thread(target=rc.find(v.Btn, children=["Reset"]).widget.click).start()
    wait_until(lambda: "Week 0 of" in shown(rc))
    time.sleep(1.0)
    assert "Week 0 of" in shown(rc) and rc.find(v.Btn, children=["▶ Play"]).widgets


# ---------------------------------------------------------------- compiled loops and the network guard


def run_python(code: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_warm_up_compiles_every_loop_the_page_reaches():
    """After the server's warm-up, no scenario or setting of the page compiles anything (a fresh process)."""
    out = run_python(
        """
        import json, sys
        from numba.core.registry import CPUDispatcher
        from sim.demo.session import warm_up
        from sim.demo.pair import DemoModel, Settings
        from sim.demo.scenarios import SCENARIOS

        def compiled():
            return {f"{n}.{a}": len(f.signatures) for n, m in list(sys.modules.items()) if n.startswith("sim")
                    for a, f in vars(m).items() if isinstance(f, CPUDispatcher)}

        warm_up()
        before = compiled()
        runs = [s.settings for s in SCENARIOS] + [
            Settings(),
            Settings(customers=1000, seed=7),
            Settings(policy_a="apology", delegation_a="partial", policy_b="compensation", team_a=2.0,
                     apology_mode="severe_only", failure_rate=5.0, proactive_notification=1.0, customers=150),
            Settings(failure_rate=0.0, complaint_ease_a=0.0, complaint_ease_b=0.0, customers=100),
        ]
        for settings in runs:
            model = DemoModel(settings)
            for _ in range(60):
                model.step()
        after = compiled()
        print(json.dumps({"loops": len(before), "new": {k: v for k, v in after.items() if v != before[k]}}))
        """
    )
    result = json.loads(out.splitlines()[-1])
    assert result["loops"] > 20 and result["new"] == {}


def test_the_network_guard_refuses_other_machines_and_allows_this_one(tmp_path):
    log = tmp_path / "outside.log"
    out = run_python(
        f"""
        import socket, urllib.request
        from pathlib import Path
        from sim.demo.netguard import block_network
        block_network(Path({str(log)!r}))
        listener = socket.create_server(("127.0.0.1", 0))
        socket.create_connection(listener.getsockname(), timeout=5).close()  # this machine: allowed
        for attempt in (
            lambda: urllib.request.urlopen("https://cdn.jsdelivr.net/npm/katex", timeout=5),
            lambda: socket.create_connection(("192.0.2.1", 80), timeout=5),
            lambda: socket.socket().connect(("192.0.2.1", 80)),
            lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53)),
        ):
            try:
                attempt()
                print("went out")
            except OSError:
                print("refused")
        """,
        timeout=60,
    )
    assert out.split() == ["refused"] * 4
    lines = log.read_text().splitlines()
    assert lines[0] == netguard.INSTALLED
    assert lines[1:] == [
        "lookup 'cdn.jsdelivr.net'",
        "lookup '192.0.2.1'",
        "connect ('192.0.2.1', 80)",
        "sendto ('192.0.2.1', 53)",
    ]
    assert netguard.is_local("127.0.0.1") and netguard.is_local("::1") and netguard.is_local("localhost")
    assert not netguard.is_local("10.0.0.1") and not netguard.is_local("cdn.jsdelivr.net")


# ---------------------------------------------------------------- the page served to a real browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the browser tests, its network blocked: its address, the guard's log, and chromium."""
    if not browser.CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{browser.CHROMIUM} is missing in CI: .ci/run installs it with apt-get")
        pytest.skip(f"{browser.CHROMIUM} not installed (apt-get install chromium)")
    log = tmp_path_factory.mktemp("demo") / "outside.log"
    with browser.served_demo(guard_log=log) as url, browser.chromium() as chromium:
        yield url, log, chromium


@pytest.mark.slow
@pytest.mark.browser
def test_served_page_in_chromium(served, tmp_path):
    url, _, chromium = served
    page = browser.open_page(chromium, url)
    for control in controls.CONTROLS:
        assert page.get_by_text(control.label, exact=True).count() >= 1, control.label
    # at a projector's 1366 × 768, both firms' headline numbers and one plot without scrolling
    assert browser.in_view(page, ".demo-headline") and browser.in_view(page, ".demo-picture")
    assert page.locator(".demo-headline td").first.evaluate("e => getComputedStyle(e).fontSize") == "19px"
    assert page.locator(".demo-headline td:nth-child(2)").first.evaluate(
        "e => getComputedStyle(e).fontSize"
    ) == ("30px")
    # a busy market, so that four weeks bring complaints; the changes are marked until Reset
    browser.slide(page, "Service failures")
    page.get_by_text("5.00 × the usual rate", exact=True).wait_for()  # the value, with its unit
    for side in "AB":
        browser.slide(page, f"How easy firm {side} makes complaining")
        page.locator(".demo-changed", has_text=f"How easy firm {side}").get_by_text("1.00 of 1").wait_for()
    page.get_by_text("3 changes not applied yet", exact=False).wait_for()
    assert page.locator(".demo-changed").count() == 3
    page.get_by_role("button", name="Reset with 3 changes").click()
    page.get_by_text("service failures: 5.00 × the usual rate", exact=False).wait_for()
    assert page.locator(".demo-changed").count() == 0
    browser.step(page, 4)
    different = browser.numbers(page)
    assert int(different["Complaints heard"][0]) > 0
    assert different["Complainants satisfied"][2] != "+0 pts"

    # the same policy on both sides: the same customers give the same numbers
    browser.choose(page, "What firm A offers", "an apology and compensation")
    browser.choose(page, "Firm A's frontline authority", "full")
    page.get_by_role("button", name="Reset with 2 changes").click()
    browser.wait_for_week(page, 0)
    page.locator(".demo-firm").first.filter(has_text="offers an apology and compensation").wait_for()
    firms = page.locator(".demo-firm").all_inner_texts()
    assert (
        firms
        == ["offers an apology and compensation; full authority at the front line; complaint ease 1.00 of 1"]
        * 2
    )
    browser.step(page, 4)
    same = browser.numbers(page)
    assert same != different
    assert all(diff in ("+0", "+0 pts") for _, _, diff in same.values()), same
    assert not page.errors and not page.outside
    shot = tmp_path / "demo.png"
    page.screenshot(path=str(shot))
    assert Image.open(shot).size == (1366, 768)


@pytest.mark.slow
@pytest.mark.browser
def test_two_browsers_step_independently(served):
    """Two participants, each in a browser context of their own, step at once; a reload starts afresh."""
    url, _, chromium = served
    first, second = browser.open_page(chromium, url), browser.open_page(chromium, url)
    for _ in range(3):  # clicks interleaved, as in a room
        first.get_by_role("button", name="Step").click()
        second.get_by_role("button", name="Step").click()
    browser.wait_for_week(first, 3)
    browser.wait_for_week(second, 3)
    browser.step(second, 2)
    assert (browser.week(first), browser.week(second)) == (3, 5)
    browser.choose(second, "What firm B offers", "nothing")
    second.get_by_role("button", name="Reset with 1 change").click()
    browser.wait_for_week(second, 0)
    second.locator(".demo-firm").last.filter(has_text="offers nothing").wait_for()
    assert (
        browser.week(first) == 3
        and "apology and compensation" in first.locator(".demo-headline").inner_text()
    )
    first.reload()
    browser.wait_for_week(first, 0)  # a fresh run, not the previous visitor's week
    assert browser.week(second) == 0
    assert [firm.split(";")[0] for firm in second.locator(".demo-firm").all_inner_texts()] == [
        "offers nothing"
    ] * 2


@pytest.mark.slow
@pytest.mark.browser
def test_each_scenario_is_one_click_and_plays(served):
    url, _, chromium = served
    page = browser.open_page(chromium, url)
    for scenario in SCENARIOS:
        page.get_by_role("button", name=scenario.title).click()
        page.get_by_text(scenario.watch[:60], exact=False).wait_for()
        browser.wait_for_week(page, 5, timeout_ms=30_000, or_later=True)  # playing by itself
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    browser.step(page)  # Step works again once paused
    assert not page.errors and not page.outside


@pytest.mark.slow
@pytest.mark.browser
def test_a_two_year_play_reaches_the_end(served):
    """▶ runs the two years by itself and hands the button back (how fast: benchmarks/bench_demo.py)."""
    url, _, chromium = served
    page = browser.open_page(chromium, url)
    page.get_by_role("button", name="Play").click()
    browser.wait_for_week(page, 104, timeout_ms=180_000)
    assert page.get_by_role("button", name="Play").is_disabled()
    assert not page.errors and not page.outside


@pytest.mark.slow
@pytest.mark.browser
def test_nothing_leaves_the_machine(served):
    """Run last in this file: the server's guard log after every browser test above, and a page of its own."""
    url, log, chromium = served
    page = browser.open_page(chromium, url)
    browser.step(page, 2)
    page.get_by_role("button", name=SCENARIOS[0].title).click()
    browser.wait_for_week(page, 3, timeout_ms=30_000, or_later=True)
    page.reload()
    browser.wait_for_week(page, 0)
    assert log.read_text().splitlines() == [netguard.INSTALLED]  # the server tried no other machine
    assert page.outside == [] and page.errors == []  # nor did the browser; no console errors
