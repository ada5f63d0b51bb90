"""What a run measures: the names of its weekly metrics and of its summary's figures.

Names only, so that checking a study's ``study.metrics`` (in the command's main process) does
not import the model, Mesa and the compiled loops it never runs.
"""

from __future__ import annotations

from sim.mechanisms.books import LEDGER

#: End-of-week stocks.
STOCKS = (
    "active_customers",
    "prospects",
    "churned_customers",
    "satisfied_customers",
    "unhappy_customers",
    "open_complaints",
    "queue_length",
    "mean_satisfaction",
)
#: What happened during the week: the books, then counts (summed over the run in summary.json).
FLOWS = (
    *LEDGER,
    "purchases",
    "failures",
    "failures_minor",
    "failures_serious",
    "complaints",
    "complaints_minor",
    "complaints_serious",
    "silent_failures",
    "notifications",
    "resolved_first_contact",
    "escalated_closed",
    "cases_closed",
    "recovery_satisfied",
    "recovery_dissatisfied",
    "abandoned",
    "response_days_total",
    "answered_within_target",
    "repeat_contacts",
    "budget_denied",
    "acquired",
    "won_back",
    "churned_silent",
    "churned_after_complaint",
    "churned_unprovoked",
    "wom_negative",
    "wom_positive",
    "wom_negative_events",
    "wom_positive_events",
    "public_posts",
    "public_reads_negative",
)
METRICS = STOCKS + FLOWS
#: Metrics in currency or on a continuous scale; every other metric is a count.
CONTINUOUS_METRICS = frozenset((*LEDGER, "mean_satisfaction", "response_days_total"))

ANSWERED = ("recovery_satisfied", "recovery_dissatisfied")

#: Rates in both summary.json (over the run) and timeseries.parquet (per week):
#: name -> (columns summed above the line, columns summed below it).
RATES = {
    "complaint_rate": (("complaints",), ("failures",)),
    "complaint_rate_minor": (("complaints_minor",), ("failures_minor",)),
    "complaint_rate_serious": (("complaints_serious",), ("failures_serious",)),
    "recovery_satisfaction": (("recovery_satisfied",), (*ANSWERED, "abandoned")),
    "first_contact_resolution": (("resolved_first_contact",), ANSWERED),
    "mean_response_days": (("response_days_total",), ANSWERED),
    "within_target_share": (("answered_within_target",), ANSWERED),
    "silent_defectors_per_complainant": (("churned_silent",), ("complaints",)),
    "wom_reach_negative": (("wom_negative",), ("wom_negative_events",)),
    "wom_reach_positive": (("wom_positive",), ("wom_positive_events",)),
}
CHURNED = ("churned_silent", "churned_after_complaint", "churned_unprovoked")
#: The numeric figures of a run's summary.json, any of which a study may tabulate (``study.metrics``).
SUMMARY_METRICS = (
    *FLOWS,
    "churned",
    "active_customers_final",
    "churn_rate",
    *RATES,
    "mean_satisfaction_final",
    "customers_initial",
)
