"""Speed of the trainers' page: a week's redraw, a week through the page, and ▶ in a real browser.

Usage: python benchmarks/bench_demo.py [--customers 300 1000] [--weeks 104] [--no-browser]

1. redraw: the page's three pictures brought to each week of a run (sim.demo.pictures.Board),
   timed apart from the model's week;
2. page: a click on Step in the page rendered in this process (the model, the pictures and
   Solara's update of the widgets; no browser);
3. browser: the page served by ``recovery-sim-demo`` and driven in headless chromium at
   1366 × 768: the server's start (it loads or compiles the model's loops first), the first
   Step, and ▶ from week 0 to the end, with the weeks the browser actually showed.
Per-week figures are median / p90 / max over the run's weeks (p90 and max: the weeks an axis grew).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import matplotlib
import numpy as np
import solara

from sim.demo import app, browser, session
from sim.demo.pair import DemoModel, Settings
from sim.demo.pictures import Board

#: Records, in the page, the moment each week appears on screen.
WATCH_WEEKS = """() => {
  window.weeksShown = [];
  const target = document.querySelector('.demo-week');
  new MutationObserver(() => window.weeksShown.push([performance.now(), target.textContent]))
    .observe(target, {childList: true, characterData: true, subtree: true});
}"""


def ms(values: list[float]) -> str:
    """Median, p90 and max in milliseconds, in one table cell."""
    return " / ".join(
        f"{1000 * x:.0f}" for x in (statistics.median(values), np.percentile(values, 90), max(values))
    )


def redraw(customers: int, weeks: int) -> tuple[list[float], list[float], float]:
    """Seconds per week for the model and for the pictures, and for the first drawing of a new run."""
    model = DemoModel(customers=customers, weeks=weeks)
    start = time.perf_counter()
    board = Board(model)
    board.draw(model)
    first = time.perf_counter() - start
    steps, draws = [], []
    while model.running:
        start = time.perf_counter()
        model.step()
        stepped = time.perf_counter()
        board.draw(model)
        steps.append(stepped - start)
        draws.append(time.perf_counter() - stepped)
    return steps, draws, first


def page_steps(customers: int) -> list[float]:
    """Seconds per click on Step in the page rendered here, ``customers`` set and applied as a room would."""
    import ipyvuetify as v  # noqa: PLC0415 (only this part needs the widgets)

    _, rc = solara.render(app.make_page(), handle_error=False)
    if customers != Settings().customers:
        rc.find(v.Slider, label="Customers").widget.v_model = customers
        rc.find(v.Btn, children=["Reset with 1 change"]).widget.click()
    step = rc.find(v.Btn, children=["Step"]).widget
    clicks = []
    for _ in range(Settings().weeks):
        start = time.perf_counter()
        step.click()
        clicks.append(time.perf_counter() - start)
    return clicks


def in_browser(customers: int) -> dict[str, float]:
    """The served page in chromium: server start, first Step, and a whole ▶ play at ``customers``."""
    started = time.perf_counter()
    with browser.served_demo() as url, browser.chromium() as chromium:
        ready = time.perf_counter() - started
        page = browser.open_page(chromium, url)
        if customers != Settings().customers:
            if customers != 1000:
                raise ValueError(
                    "in the browser: 300 customers (the page's default) or 1000 (the slider's end)"
                )
            browser.slide(page, "Customers", "End")
            page.get_by_role("button", name="Reset with 1 change").click()
            page.get_by_text(f"customers: {customers:,} people", exact=False).wait_for()
        start = time.perf_counter()
        browser.step(page)
        first_step = time.perf_counter() - start
        page.get_by_role("button", name="Reset").click()
        browser.wait_for_week(page, 0)
        page.evaluate(WATCH_WEEKS)
        weeks = Settings().weeks
        start = time.perf_counter()
        page.get_by_role("button", name="Play").click()
        browser.wait_for_week(page, weeks, timeout_ms=600_000)
        played = time.perf_counter() - start
        shown = {text for _, text in page.evaluate("window.weeksShown")}
    return {"ready": ready, "first_step": first_step, "played": played, "shown": len(shown), "weeks": weeks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--no-browser", action="store_true", help="skip the part in chromium")
    args = parser.parse_args()
    session.warm_up()  # as the server does before it opens the page
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"Matplotlib {matplotlib.__version__}, Solara {solara.__version__}; play pace "
        f"{app.WEEKS_PER_SECOND:g} weeks/s"
    )
    print("\n| customers | model's week ms | redraw ms | a new run's first drawing ms |")
    print("|---|---|---|---|")
    for customers in args.customers:
        steps, draws, first = redraw(customers, args.weeks)
        print(f"| {customers:,} | {ms(steps)} | {ms(draws)} | {1000 * first:.0f} |")
    print("\n| customers | Step in the page, no browser: ms (median / p90 / max) |")
    print("|---|---|")
    for customers in args.customers:
        print(f"| {customers:,} | {ms(page_steps(customers))} |")
    if args.no_browser or not browser.CHROMIUM.exists():
        return
    print("\n| customers | server ready s | first Step s | ▶ two years s | weeks/s | weeks on screen |")
    print("|---|---|---|---|---|---|")
    for customers in args.customers:
        run = in_browser(customers)
        print(
            f"| {customers:,} | {run['ready']:.1f} | {run['first_step']:.2f} | {run['played']:.1f} | "
            f"{run['weeks'] / run['played']:.1f} | {run['shown']} of {run['weeks']} |"
        )


if __name__ == "__main__":
    main()
