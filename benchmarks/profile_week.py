"""Where a week's time goes: cProfile over weeks of the docking setting, grouped by part of the week.

Usage: python benchmarks/profile_week.py [--customers 10000] [--weeks 60]
The figures are under the profiler (slower than a plain run); read them as shares.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import sim
from sim.checks.reference import docking_config

#: Part of the week -> the functions ("file:name") whose cumulative time it is.
PARTS = {
    "this week's random numbers (streams.Draws)": (
        "streams.py:__call__",
        "streams.py:origin",
        "streams.py:origins",
    ),
    "buying, basket, failures, judging, complaining or not": (
        "failures.py:failure_rates",
        "shopping.py:shop",
        "failure_log.py:add",
        "failure_log.py:bought",
    ),
    "the complaint desk": ("recovery.py:handle",),
    "word of mouth": ("wom.py:storytellers", "wom.py:spread_word_of_mouth", "wom.py:fade_attitude"),
    "churn, contagion and the grievance fade": (
        "churn.py:decide_to_churn",
        "churn.py:why_they_left",
        "churn.py:leave",
        "churn.py:expose_neighbours",
        "grievance.py:fade_week",
    ),
    "books and stock metrics": ("books.py:weekly_books", "model.py:_stock_metrics"),
    "joining and win-back": (
        "acquisition.py:acquire",
        "acquisition.py:due_for_winback",
        "acquisition.py:win_back",
    ),
    "the DataCollector": ("model.py:collect",),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=60)
    args = parser.parse_args()
    model = sim.RecoveryModel(
        docking_config(**{"market.customers": args.customers, "weeks": args.weeks + 1}), rng=1, agents=False
    )
    model.step()  # the first week allocates
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    for _ in range(args.weeks):
        model.step()
    profile.disable()
    per_week = (time.perf_counter() - start) / args.weeks * 1e3
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (calls, primitive, own, cumulative, callers)

    def cumulative(functions: tuple[str, ...]) -> float:
        seconds = sum(v[3] for k, v in stats.items() if f"{k[0].rsplit('/', 1)[-1]}:{k[2]}" in functions)
        return seconds / args.weeks * 1e3

    rows = {part: cumulative(functions) for part, functions in PARTS.items()}
    rows["the rest of step (the complaints' intake, masks, the week's counts, Mesa's step)"] = per_week - sum(
        rows.values()
    )
    print(f"{args.customers:,} customers, {args.weeks} weeks: {per_week:.2f} ms a week under the profiler\n")
    print("| part of the week | ms |\n|---|---|")
    for part, ms in sorted(rows.items(), key=lambda row: -row[1]):
        print(f"| {part} | {ms:.2f} |")


if __name__ == "__main__":
    main()
