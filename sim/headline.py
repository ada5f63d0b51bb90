"""A run's headline figures as plain text: what a strategist asks for first, in the terminal."""

from __future__ import annotations

from sim.world.channel_schema import beyond_the_desk


def headline_table(s: dict) -> str:
    """The handful of figures a strategist asks for first, as aligned plain text."""
    c = s["config"]
    churn_parts = (
        f"{s['churned_silent']:,} silent, {s['churned_after_complaint']:,} after complaint, "
        f"{s['churned_unprovoked']:,} with no failure"
    )
    rows = [
        ("revenue", f"{s['revenue']:,.0f}", ""),
        ("profit", f"{s['profit']:,.0f}", ""),
        ("recovery cost", f"{s['recovery_cost']:,.0f}", f"compensation paid {s['compensation_paid']:,.0f}"),
        (
            "customers at the end",
            f"{s['active_customers_final']:,}",
            f"from {s['customers_initial']:,}; acquired {s['acquired']:,}",
        ),
        ("churned", f"{s['churned']:,}", churn_parts),
        ("churn rate", _pct(s["churn_rate"]), "of everyone who was a customer"),
        ("failures", f"{s['failures']:,}", f"complaints {s['complaints']:,} ({_pct(s['complaint_rate'])})"),
        (
            "recovery satisfaction",
            _pct(s["recovery_satisfaction"]),
            f"first-contact resolution {_pct(s['first_contact_resolution'])}, "
            f"mean response {_num(s['mean_response_days'])} days",
        ),
        (
            "word of mouth",
            f"{s['wom_negative']:,} bad",
            f"{s['wom_positive']:,} good; {s['public_posts']:,} public posts",
        ),
        ("mean satisfaction", f"{s['mean_satisfaction_final']:.2f}", "of active customers, 0-1"),
    ]
    channels = c.get("channels", {}).get("name", "single_desk")
    header = (
        f"policy '{c['policy']['name']}', delegation '{c['delegation']['name']}', "
        + ("" if channels == "single_desk" else f"channels '{channels}', ")
        + f"{s['customers_initial']:,} customers, {s['weeks']} weeks, seed {s['seed']}"
    )
    body = [f"  {name:<22}{value:>14}   {note}".rstrip() for name, value, note in rows]
    types = [f"  {'failure type':<22}{'failures':>14}   complained   left after it"]
    for name, t in s["by_failure_type"].items():
        rate, left = _pct(t["complaint_rate"]), t["churned_after_failure"]
        types.append(f"  {name:<22}{t['failures']:>14,}   {rate:>10}   {left:>13,}")
    return "\n".join([header, *body, "", *types, *_channel_rows(s.get("by_channel", {}))])


def _channel_rows(by_channel: dict) -> list[str]:
    """Each channel's share of complaints and how its complainants fared; nothing for the one desk."""
    if not beyond_the_desk(list(by_channel)):
        return []
    rows = ["", f"  {'channel':<22}{'complaints':>14}   first contact   satisfied   days   public posts"]
    for name, k in by_channel.items():
        first, satisfied = _pct(k["first_contact_resolution"]), _pct(k["recovery_satisfaction"])
        rows.append(
            f"  {name:<22}{k['complaints']:>14,}   {first:>13}   {satisfied:>9}   "
            f"{_num(k['mean_response_days']):>4}   {k['public_posts']:>12,}"
        )
    return rows


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"
