"""The trainers' page, a plain Solara page; ``recovery-sim-demo`` (sim.demo.serve) serves it.

Every browser gets its own pair of firms: the model is made inside the page
component, and Solara keeps a component's state per browser session, so two
participants step their own weeks and a reload starts a fresh run. (Mesa's
SolaraViz kept the model in one module-level value that every browser
shared until someone pressed Reset.)

The controls change what the next run will be; Reset applies them and starts
again from week 0, with both firms on the same customers. A control that
differs from the run on screen says so until then. A scenario button sets
every control, resets and plays in one click.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import solara

from sim.demo import controls, numbers
from sim.demo.pair import SIDES, Settings
from sim.demo.pictures import FORMAT
from sim.demo.scenarios import SCENARIOS
from sim.demo.serve import main  # noqa: F401 (the command's old home, named by scripts installed before)
from sim.demo.session import Session

TITLE = "Service recovery: two firms, the same customers"
#: How fast ▶ plays: two years in about 17 s. A week's drawing takes a few tens of ms at 300
#: customers (benchmarks/bench_demo.py); on a machine too busy to draw every week in time, the
#: play keeps its pace and shows every other week.
WEEKS_PER_SECOND = 6.0
CSS = (Path(__file__).parent / "page.css").read_text()


@solara.component
def Layout(children: list | None = None):  # noqa: N802 (a Solara component)
    """The page alone: no app bar, navigation or footer of Solara's own."""
    return solara.Column(children=children or [], gap="0px", style={"padding": "0"})


@solara.component
def Page():  # noqa: N802 (a Solara component)
    """The page: a bar of buttons, the scenarios and controls on the left, the two firms on the right."""
    session = solara.use_memo(Session, [])  # one per browser session, made when the page is opened
    chosen = solara.use_reactive(session.model.settings)  # what the controls say now
    applied = solara.use_reactive(session.model.settings)  # what the run on screen was made with
    frame = solara.use_reactive(0)  # counts changes of the run on screen: the pictures follow it
    playing = solara.use_reactive(False)
    scenario = solara.use_reactive("")

    def restart(settings: Settings, play: bool = False, name: str = "") -> None:
        playing.set(False)
        session.restart(settings)
        chosen.set(settings)
        applied.set(settings)
        scenario.set(name)
        frame.set(frame.value + 1)
        playing.set(play)

    def step() -> None:
        if session.step():
            frame.set(frame.value + 1)

    now_playing = playing.value

    def play(cancel: threading.Event) -> None:
        """Weeks at a steady pace; a week drawn late is caught up by drawing the next two as one."""
        if not now_playing:
            return
        run, first, started = session.run, session.model.week, time.perf_counter()
        try:
            while not cancel.is_set():
                due = first + 1 + int((time.perf_counter() - started) * WEEKS_PER_SECOND)
                moved = False
                while session.model.week < due and session.step(run):
                    moved = True
                if not moved:
                    break  # the run is over, or another has started
                frame.set(frame.value + 1)  # draws the week, in this thread
                next_week = started + (session.model.week - first) / WEEKS_PER_SECOND
                cancel.wait(max(0.0, next_week - time.perf_counter()))
        finally:
            if not cancel.is_set():
                playing.set(False)  # the run is over (or failed: the ▶ button is back either way)

    solara.use_thread(play, dependencies=[now_playing], intrusive_cancel=False)

    solara.Title(TITLE)
    solara.Style(CSS)
    TopBar(session, frame, playing, chosen, applied, step, restart)
    with solara.Row(gap="0px", classes=["demo-body"]):
        with solara.Column(gap="0px", classes=["demo-side"]):
            Scenarios(scenario, restart)
            Controls(chosen, applied)
        with solara.Column(gap="0px", classes=["demo-main"]):
            Main(session, frame, applied)


@solara.component
def TopBar(session, frame, playing, chosen, applied, step, restart):  # noqa: N802 (a Solara component)
    """Title, the week, and the buttons that move the run: always at the top, even scrolled down."""
    week, weeks = session.model.week, session.model.weeks
    _ = frame.value  # drawn again with every week
    over = week >= weeks
    pending = len(chosen.value.differences(applied.value))
    with solara.Row(classes=["demo-bar"], gap="12px", style={"align-items": "center"}):
        solara.HTML("div", TITLE, classes=["demo-title"])
        solara.HTML("div", f"Week {week} of {weeks}", classes=["demo-week"])
        solara.Button(
            "Step", on_click=step, disabled=playing.value or over, color="primary", classes=["demo-button"]
        )
        solara.Button(
            "❚❚ Pause" if playing.value else "▶ Play",
            on_click=lambda: playing.set(not playing.value),
            disabled=over and not playing.value,
            color="primary",
            classes=["demo-button"],
        )
        solara.Button(
            f"Reset with {pending} change{'s' * (pending != 1)}" if pending else "Reset",
            on_click=lambda: restart(chosen.value),
            color="warning" if pending else "primary",
            outlined=not pending,
            classes=["demo-button"],
        )


@solara.component
def Scenarios(scenario, restart):  # noqa: N802 (a Solara component)
    """Three ready lessons, one click each; the one running says what to watch."""
    solara.HTML("h2", "What to try", classes=["demo-heading"])
    for item in SCENARIOS:
        active = scenario.value == item.name
        solara.Button(
            item.title,
            on_click=lambda item=item: restart(item.settings, play=True, name=item.name),
            color="primary",
            outlined=not active,
            classes=["demo-scenario"],
        )
        if active:
            solara.HTML("div", item.watch, classes=["demo-watch"])


@solara.component
def Controls(chosen, applied):  # noqa: N802 (a Solara component)
    """Each firm's levers, then the market both share; a control not yet applied is marked."""
    solara.HTML("h2", "Settings", classes=["demo-heading"])
    pending = chosen.value.differences(applied.value)
    if pending:
        solara.HTML(
            "div",
            f"{len(pending)} change{'s' * (len(pending) != 1)} not applied yet: press Reset to run with "
            f"{'them' if len(pending) > 1 else 'it'}.",
            classes=["demo-pending-note"],
        )
    for side in SIDES:
        solara.HTML("h3", f"Firm {side} ({controls.LINE[side]})", classes=["demo-subheading"])
        for control in controls.FIRM_CONTROLS[side]:
            ControlView(control, chosen, applied)
    solara.HTML("h3", "Both firms", classes=["demo-subheading"])
    for control in controls.SHARED_CONTROLS:
        ControlView(control, chosen, applied)


@solara.component
def ControlView(control: controls.Control, chosen, applied):  # noqa: N802 (a Solara component)
    """One control, its value in words with its unit, and a mark if the run on screen has another value."""
    value = getattr(chosen.value, control.name)
    running = getattr(applied.value, control.name)
    changed = value != running

    def set_value(new) -> None:
        chosen.set(replace(chosen.value, **{control.name: new}))

    with solara.Column(gap="0px", classes=["demo-control", *(["demo-changed"] if changed else [])]):
        if isinstance(control, controls.Choice):
            words = {shown: key for key, shown in control.options.items()}
            solara.Select(
                control.label,
                values=list(control.options.values()),
                value=control.reads(value),
                on_value=lambda shown: set_value(words[shown]),
                dense=True,
            )
        else:
            solara.HTML(
                "div",
                f'<span class="demo-name">{control.label}</span>'
                f'<span class="demo-value">{control.reads(value)}</span>',
                classes=["demo-slider-head"],
            )
            slider = solara.SliderInt if control.whole else solara.SliderFloat
            slider(
                control.label,
                value=int(value) if control.whole else float(value),
                min=control.low,
                max=control.high,
                step=control.step,
                on_value=set_value,
                thumb_label=False,
            )
        if changed:
            solara.HTML(
                "div", f"not applied yet: the run shows {control.reads(running)}", classes=["demo-was"]
            )


@solara.component
def Main(session, frame, applied):  # noqa: N802 (a Solara component)
    """The headline numbers and plot (above the fold at 1366 × 768), then the markets and the trends."""
    images = solara.use_memo(session.draw, [frame.value])
    model = session.model
    solara.HTML("div", numbers.headline_table(model), classes=["demo-headline"])
    solara.Image(images["headline"], format=FORMAT, classes=["demo-picture"])
    solara.HTML("div", controls.shared_line(applied.value), classes=["demo-settings"])
    solara.HTML("h2", "The same people at the two firms", classes=["demo-heading"])
    solara.Image(images["markets"], format=FORMAT, classes=["demo-picture"])
    solara.HTML("h2", "Week by week", classes=["demo-heading"])
    solara.Image(images["trends"], format=FORMAT, classes=["demo-picture"])
    solara.HTML("h2", "All the numbers", classes=["demo-heading"])
    solara.HTML("div", numbers.full_table(model), classes=["demo-full"])


def make_page():
    """The page in its layout, as the server shows it (tests render this)."""
    return Layout(children=[Page()])


if __name__ == "__main__":  # python -m sim.demo.app: the command, in a fresh process (see sim.demo.serve)
    os.execv(sys.executable, [sys.executable, "-m", "sim.demo.serve", *sys.argv[1:]])
