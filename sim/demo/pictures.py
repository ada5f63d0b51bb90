"""What the trainers' page draws: the headline plot, the two markets and the week-by-week trends.

Each picture is one Matplotlib figure per browser, drawn in full once and then
updated in place: what does not move (axes, titles, legends, the network's
ties) is kept as a bitmap, and each week only what moves (people's colours,
the lines, their names) is drawn onto a copy of it (blitting) and sent as a
JPEG. An axis grows in steps of round numbers with room to spare, so the
partial redraw this needs (that axes and any it touches) comes a few times a
run, not every week. Redrawing the old page's five figures from scratch
took about 0.8 s a week; benchmarks/bench_demo.py measures the pictures now.

Sizes are in pixels at 100 dpi and the page shows them unscaled, so the text
is as large on screen as it is set here. Firm A is drawn solid and firm B
dashed, each named at the end of its line, so the two tell apart without
colour; a state keeps one colour everywhere (Okabe-Ito, readable with any
colour vision).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox, IdentityTransform
from PIL import Image

from sim.demo.pair import SIDES, DemoModel
from sim.world.population import State

STATE_COLOURS = {
    State.PROSPECT: "#CCCCCC",
    State.SATISFIED: "#009E73",
    State.UNHAPPY: "#E69F00",
    State.COMPLAINED: "#0072B2",
    State.CHURNED: "#D55E00",
}
STATE_LABELS = {
    State.PROSPECT: "prospect",
    State.SATISFIED: "active, satisfied",
    State.UNHAPPY: "active, unhappy",
    State.COMPLAINED: "complained (last 4 weeks)",
    State.CHURNED: "churned",
}
SIDE_STYLE = {
    "A": {"color": "#332288", "linestyle": "-", "linewidth": 2.5},
    "B": {"color": "#CC6677", "linestyle": (0, (5, 2.5)), "linewidth": 2.5},
}
DPI = 100
#: The page's main column at a 1366-pixel-wide screen, in pixels.
WIDTH = 1000
TEXT = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
}
#: Round numbers an axis grows through (times a power of ten): at most a quarter of it is left empty.
ROUND = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
#: When an axis grows, it grows to a round number above this much more than the data needs: a
#: total that keeps rising then crosses a limit every few weeks rather than every week or two.
HEADROOM = 1.3


def round_up(x: float, least: float) -> float:
    """The smallest round number at or above ``x`` and ``least``."""
    x = max(x, least)
    power = 10.0 ** math.floor(math.log10(x))
    return next(r * power for r in ROUND if r * power >= x * (1 - 1e-12))


def thousands(value: float, _position: int | None = None) -> str:
    """A tick: 250k rather than 250,000, plain below ten thousand."""
    return f"{value / 1000:,.0f}k" if abs(value) >= 10_000 else f"{value:,.0f}"


#: The pictures' file format. A PNG of the page's pictures took 8-15 ms each to encode even at
#: compression level 1, a JPEG at quality 92 without colour subsampling about 2 ms, text as sharp.
FORMAT = "jpeg"


def encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as a JPEG: quality 92 and full-resolution colour keep thin lines and text clean."""
    width, height = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    rgba.convert("RGB").save(out, "JPEG", quality=92, subsampling=0)
    return out.getvalue()


class Picture:
    """A figure of ``width`` × ``height`` pixels whose still parts are drawn once and kept as a bitmap.

    Subclasses place their axes themselves (no layout engine, which would
    move them when a label changes) and create what moves as animated
    artists. When an axis must grow, only that axes' patch of the bitmap is
    painted over and drawn again.
    """

    def __init__(self, width: int, height: int) -> None:
        self.figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(self.figure)
        self._background = None
        self._zones: dict[Axes, Bbox] = {}

    def moving(self) -> list[Artist]:
        """The artists drawn each week on top of the still picture."""
        raise NotImplementedError

    def update(self, model: DemoModel) -> list[Axes]:
        """Bring the moving artists to this week; the axes whose limits had to change."""
        raise NotImplementedError

    def render(self, model: DemoModel) -> bytes:
        """This week's picture, encoded (``FORMAT``)."""
        canvas = self.figure.canvas
        grown = self.update(model)
        for artist in self.moving():
            artist.set_animated(True)  # kept out of the still picture
        if self._background is None:
            canvas.draw()
            self._keep(self.figure.axes)
        else:
            canvas.restore_region(self._background)
            if grown:
                redrawn = self._overlapping(grown)
                renderer = canvas.get_renderer()
                for ax in redrawn:
                    self._blank(self._zones[ax])
                for ax in redrawn:
                    ax.draw(renderer)
                self._keep(redrawn)
        for artist in self.moving():
            self.figure.draw_artist(artist)
        return encode(canvas)

    def _overlapping(self, grown: list[Axes]) -> list[Axes]:
        """The axes to draw again: those that grew, and any whose labels reach into their patches."""
        chosen = list(grown)
        for ax in chosen:  # grows while it is walked: a neighbour's neighbour counts too
            chosen += [
                other
                for other in self.figure.axes
                if other not in chosen and self._zones[other].overlaps(self._zones[ax])
            ]
        return chosen

    def _keep(self, drawn: list[Axes]) -> None:
        """Remember the still picture, and where the axes just drawn lie in it with their labels."""
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        self._zones.update({ax: ax.get_tightbbox(renderer) for ax in drawn})
        self._background = canvas.copy_from_bbox(self.figure.bbox)

    def _blank(self, zone: Bbox) -> None:
        """Paint a patch of the picture in the figure's own colour."""
        patch = Rectangle(
            (zone.x0 - 1, zone.y0 - 1),
            zone.width + 2,
            zone.height + 2,
            transform=IdentityTransform(),
            facecolor=self.figure.get_facecolor(),
            edgecolor="none",
        )
        patch.set_figure(self.figure)
        self.figure.draw_artist(patch)


def place(figure: Figure, rows: int, cols: int, left: int, right: int, top: int, bottom: int, gap: tuple):
    """A grid of axes with margins and gaps in pixels (room for labels that never moves)."""
    width, height = figure.bbox.width, figure.bbox.height
    wgap, hgap = gap
    cell_w = (width - left - right - (cols - 1) * wgap) / cols
    cell_h = (height - top - bottom - (rows - 1) * hgap) / rows
    return figure.subplots(
        rows,
        cols,
        squeeze=False,
        gridspec_kw={
            "left": left / width,
            "right": 1 - right / width,
            "top": 1 - top / height,
            "bottom": bottom / height,
            "wspace": wgap / cell_w,
            "hspace": hgap / cell_h,
        },
    )


def _frame(ax: Axes, title: str, weeks: int) -> None:
    """What every plot over the weeks has: a title on the left, the whole run on the x axis."""
    ax.set_title(title, loc="left", fontsize=15, pad=8)
    ax.set_xlim(0, weeks * 1.1)  # the run, and room for the names at the lines' ends
    ax.set_xlabel("week", fontsize=13, labelpad=2)
    ax.tick_params(labelsize=12)
    ax.spines[["top", "right"]].set_visible(False)


class Lines:
    """A reading over the weeks on one axes, firm A solid and firm B dashed, each named at its end.

    ``value`` gives the plotted series of one side; with ``gap`` one line
    shows B − A around a zero line instead, so two close totals do not hide
    each other.
    """

    def __init__(
        self,
        ax: Axes,
        title: str,
        value: Callable[[DemoModel, str], np.ndarray],
        weeks: int,
        least: float = 10.0,
        percent: bool = False,
        gap: bool = False,
    ) -> None:
        self.ax, self.value, self.least, self.percent, self.gap = ax, value, least, percent, gap
        self.top = None
        _frame(ax, title, weeks)
        ax.grid(alpha=0.3)
        if percent:
            ax.set_ylim(0, 100)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        if gap:
            ax.axhline(0.0, color="#555555", linewidth=1)
            for y, va, words in ((0.97, "top", "B ahead"), (0.03, "bottom", "A ahead")):
                ax.text(0.02, y, words, transform=ax.transAxes, va=va, fontsize=13, color="#555555")
            self.lines = {"B − A": ax.plot([], [], color="#222222", linewidth=2.5, animated=True)[0]}
            self.names = {}  # the title names the one line
        else:
            self.lines = {side: ax.plot([], [], **SIDE_STYLE[side], animated=True)[0] for side in SIDES}
            self.names = {
                side: ax.text(0, 0, side, fontsize=15, fontweight="bold", animated=True) for side in SIDES
            }

    def artists(self) -> list[Artist]:
        """The lines and their names."""
        return [*self.lines.values(), *self.names.values()]

    def update(self, model: DemoModel) -> bool:
        """New data for the lines; True if the y axis had to grow."""
        series = {side: np.asarray(self.value(model, side), dtype=float) for side in SIDES}
        if self.gap:
            series = {"B − A": series["B"] - series["A"]}
        weeks = np.arange(len(next(iter(series.values()))))
        for key, y in series.items():
            self.lines[key].set_data(weeks, y)
        ends = {key: float(y[-1]) for key, y in series.items() if np.isfinite(y[-1])}
        upper = max(ends, key=lambda key: (ends[key], key), default=None)  # on a tie, B above
        for key, name in self.names.items():  # the higher name sits above its line's end, the lower below
            name.set_visible(key in ends)
            if key in ends:
                name.set_position((weeks[-1] + 1.5, ends[key]))
                name.set_verticalalignment("bottom" if key == upper else "top")
        if self.percent:
            return False
        finite = [np.nanmax(np.abs(y)) for y in series.values() if np.isfinite(y).any()]
        extreme = max(finite, default=0.0)
        if self.top is not None and extreme * 1.02 <= self.top:
            return False
        self.top = round_up(extreme * HEADROOM, self.least)
        self.ax.set_ylim(-self.top if self.gap else 0.0, self.top)
        return True


def _readings(name: str, scale: float = 1.0) -> Callable[[DemoModel, str], np.ndarray]:
    """One side's reading over the weeks."""
    return lambda model, side: np.asarray(model.history(side, name), dtype=float) * scale


class Headline(Picture):
    """The plot above the fold: customers each firm keeps, and how far B's profit is ahead of A's."""

    def __init__(self, model: DemoModel, width: int = WIDTH, height: int = 280) -> None:
        super().__init__(width, height)
        kept, profit = place(self.figure, 1, 2, left=60, right=10, top=34, bottom=46, gap=(80, 0))[0]
        weeks = model.weeks
        self.panels = [
            Lines(kept, "Customers kept", _readings("active"), weeks),
            Lines(profit, "Profit to date: firm B minus firm A", _readings("profit"), weeks, 1000, gap=True),
        ]

    def moving(self) -> list[Artist]:
        """Both panels' lines and names."""
        return [a for panel in self.panels for a in panel.artists()]

    def update(self, model: DemoModel) -> list[Axes]:
        """Every panel, each growing its own axis."""
        return [panel.ax for panel in self.panels if panel.update(model)]


class Markets(Picture):
    """The market twice, side by side, every person coloured by their state at each firm."""

    COLOURS = np.array([STATE_COLOURS[State(s)] for s in range(len(State))])

    def __init__(self, model: DemoModel, width: int = WIDTH, height: int = 460) -> None:
        super().__init__(width, height)
        pos = model.positions
        edges = model.firms["A"].adjacency.tocoo()
        upper = edges.row < edges.col
        segments = np.stack([pos[edges.row[upper]], pos[edges.col[upper]]], axis=1)
        size = 28 if model.people <= 800 else 12
        self.dots = {}
        for ax, side in zip(place(self.figure, 1, 2, 5, 5, 34, 40, (20, 0))[0], SIDES, strict=True):
            ax.add_collection(LineCollection(segments, colors="#DDDDDD", linewidths=0.4, zorder=0))
            colours = self.COLOURS[model.states(side)]
            self.dots[side] = ax.scatter(pos[:, 0], pos[:, 1], s=size, c=colours, linewidths=0, animated=True)
            ax.set_title(f"Firm {side}", fontsize=15, fontweight="bold")  # the table above says what it does
            ax.set_axis_off()
            ax.set_aspect("equal")
        handles = [
            Line2D([], [], marker="o", ls="", markersize=10, color=STATE_COLOURS[s], label=STATE_LABELS[s])
            for s in State
        ]
        self.figure.legend(
            handles=handles,
            loc="lower center",
            ncol=5,
            frameon=False,
            fontsize=13,
            columnspacing=1.2,
            handletextpad=0.2,
        )

    def moving(self) -> list[Artist]:
        """The people."""
        return list(self.dots.values())

    def update(self, model: DemoModel) -> list[Axes]:
        """Each person's colour at each firm; nothing grows."""
        for side, dots in self.dots.items():
            dots.set_facecolors(self.COLOURS[model.states(side)])
        return []


class Trends(Picture):
    """Week by week: customers by state at each firm, recovery, complaints, silent leavers, satisfaction."""

    SHOWN = (State.SATISFIED, State.UNHAPPY, State.COMPLAINED, State.CHURNED)

    def __init__(self, model: DemoModel, width: int = WIDTH, height: int = 600) -> None:
        super().__init__(width, height)
        axes = place(self.figure, 2, 3, left=60, right=10, top=70, bottom=46, gap=(70, 80))
        weeks = model.weeks
        self.stacks = {side: axes[0, i] for i, side in enumerate(SIDES)}
        for side, ax in self.stacks.items():
            _frame(ax, f"Firm {side}: customers by state", weeks)
            ax.set_ylim(0, model.people)
        self.polys = {
            side: [
                ax.add_collection(
                    PolyCollection([], facecolors=STATE_COLOURS[s], animated=True), autolim=False
                )
                for s in self.SHOWN
            ]
            for side, ax in self.stacks.items()
        }
        self.panels = [
            Lines(
                axes[0, 2],
                "Complainants satisfied",
                _readings("recovery_satisfaction", 100),
                weeks,
                percent=True,
            ),
            Lines(axes[1, 0], "Complaints heard", _readings("complaints"), weeks),
            Lines(axes[1, 1], "Left without complaining", _readings("churned_silent"), weeks),
            Lines(
                axes[1, 2],
                "Customers' satisfaction",
                _readings("mean_satisfaction", 100),
                weeks,
                percent=True,
            ),
        ]
        handles = [Patch(color=STATE_COLOURS[s], label=STATE_LABELS[s]) for s in self.SHOWN]
        self.figure.legend(handles=handles, loc="upper center", ncol=4, frameon=False, fontsize=13)

    def moving(self) -> list[Artist]:
        """The stacked areas, the lines and their names."""
        return [*self.polys["A"], *self.polys["B"], *(a for panel in self.panels for a in panel.artists())]

    def update(self, model: DemoModel) -> list[Axes]:
        """New outlines for the stacked areas, new data for the lines."""
        for side, polys in self.polys.items():
            upper = np.cumsum([model.history(side, s.name.lower()) for s in self.SHOWN], axis=0, dtype=float)
            lower = np.vstack([np.zeros_like(upper[0]), upper[:-1]])
            weeks = np.arange(upper.shape[1], dtype=float)
            for poly, top, bottom in zip(polys, upper, lower, strict=True):
                outline = np.concatenate(
                    [np.column_stack([weeks, top]), np.column_stack([weeks, bottom])[::-1]]
                )
                poly.set_verts([outline])
        return [panel.ax for panel in self.panels if panel.update(model)]


class Board:
    """Every picture of one browser's page, made for one model and drawn again each week."""

    def __init__(self, model: DemoModel) -> None:
        self.pictures = {"headline": Headline(model), "markets": Markets(model), "trends": Trends(model)}

    def draw(self, model: DemoModel) -> dict[str, bytes]:
        """Each picture, encoded, by name."""
        return {name: picture.render(model) for name, picture in self.pictures.items()}
