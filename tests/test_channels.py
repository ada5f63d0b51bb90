"""Complaint channels (S22): choice, ease, authority, capacity, public exposure and moving on (issue 25)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.mechanisms.channels import NO_CHANNEL, channel_terms, choose, move_on
from sim.result import Result
from sim.world.channel_schema import CHANNELS
from sim.world.config import configure
from sim.world.parameter import ConfigError

PHONE, EMAIL, CHAT, SOCIAL = (CHANNELS.index(n) for n in ("phone", "email", "chat", "social"))


def terms(preset: str, **values):  # noqa: ANN201
    cfg = configure(channels=preset, **values)
    return channel_terms(cfg.channels, cfg.firm, cfg.complaints)


def shares(t, affinity: float, failed: int, n: int = 4000) -> np.ndarray:  # noqa: ANN001
    """How often each channel is chosen over ``n`` evenly spread uniforms."""
    picks = [choose(t, affinity, failed, u)[0] for u in (np.arange(n) + 0.5) / n]
    return np.bincount(picks, minlength=len(CHANNELS)) / n


def test_the_calibrated_desk_alone_leaves_complaining_exactly_as_it_was():
    channel, ease = choose(terms("single_desk"), 0.9, NO_CHANNEL, 0.3)
    assert (CHANNELS[channel], ease) == ("desk", 0.5)  # exactly: the complaint logit moves by 0.0


@pytest.mark.parametrize("failed", [NO_CHANNEL, 0])
def test_with_the_desk_alone_no_customer_trait_or_history_moves_complaining(failed):
    t = terms("single_desk", **{"channels.fit_weight": 3.0, "channels.avoid_after_failure": 2.0})
    assert [choose(t, a, failed, u) for a in (0.0, 1.0) for u in (0.01, 0.99)] == [(0, 0.5)] * 4


def test_the_desks_calibrated_model_ignores_every_choice_term():
    """Number for number: the choice's terms only matter where there is a choice."""
    shifted = {
        "channels.fit_weight": 3.0,
        "channels.avoid_after_failure": 3.0,
        "channels.public_pull": 3.0,
        "channels.choice_scale": 2.0,
        "channels.digital_affinity": 0.9,
    }
    usual, other = run(seed=7, weeks=52).summary, run(seed=7, weeks=52, **shifted).summary
    assert {k: v for k, v in usual.items() if k != "config"} == {
        k: v for k, v in other.items() if k != "config"
    }


def test_every_channel_opened_makes_complaining_easier_and_a_fitting_one_more_so():
    one = choose(terms("phone_only"), 0.8, NO_CHANNEL, 0.5)[1]
    two = choose(terms("phone_email"), 0.8, NO_CHANNEL, 0.5)[1]
    four = choose(terms("omnichannel"), 0.8, NO_CHANNEL, 0.5)[1]
    assert one < two < four
    phone = terms("phone_only")
    assert choose(phone, 0.0, NO_CHANNEL, 0.5)[1] > choose(phone, 1.0, NO_CHANNEL, 0.5)[1]


def test_customers_pick_channels_that_suit_them():
    t = terms("omnichannel")
    talker, digital = shares(t, 0.05, NO_CHANNEL), shares(t, 0.95, NO_CHANNEL)
    assert talker[PHONE] > 0.5 > digital[PHONE]
    assert digital[CHAT] + digital[SOCIAL] > 0.5 > talker[CHAT] + talker[SOCIAL]
    assert talker.sum() == pytest.approx(1.0) and not talker[~t.offered].any()


def test_a_customer_failed_on_one_channel_tries_another_or_a_public_one_next_time():
    t = terms("omnichannel")
    before, after = shares(t, 0.3, NO_CHANNEL), shares(t, 0.3, PHONE)
    assert after[PHONE] < before[PHONE] / 3
    assert after[SOCIAL] > 2 * before[SOCIAL]
    moves = [move_on(t, 0.3, PHONE, u) for u in (np.arange(1000) + 0.5) / 1000]
    assert PHONE not in moves and len(set(moves)) > 1  # another channel, drawn, not always the same
    assert move_on(terms("phone_only"), 0.3, PHONE, 0.5) == PHONE  # nowhere else to go


def run(customers: int = 5000, seed: int = 1, **values) -> Result:  # noqa: ANN003
    return Result.from_model(_model(customers, seed, **values))


def _model(customers: int, seed: int, **values):  # noqa: ANN001, ANN003, ANN202
    from sim.model import RecoveryModel

    model = RecoveryModel(
        configure(**{"market.customers": customers, "seed": seed, "agents": False, **values}), agents=False
    )
    model.run_model()
    return model


@pytest.mark.slow
def test_opening_an_easy_channel_raises_complaints_and_lowers_silent_churn():
    """Paired seeds (common random numbers), 10 runs a side: each seed moves the same way, and on average."""
    easy_chat = {"channels.chat.offered": True, "channels.chat.ease": 0.8}
    rate, silent = [], []
    for seed in range(10):
        base = run(seed=seed, channels="phone_only").summary
        more = run(seed=seed, channels="phone_only", **easy_chat).summary
        rate.append(more["complaint_rate"] - base["complaint_rate"])
        silent.append(more["churned_silent"] / more["failures"] - base["churned_silent"] / base["failures"])
    rate, silent = np.array(rate), np.array(silent)
    assert (rate > 0).all() and rate.mean() > 0.02
    # silent leavers per failure fall; the paired t statistic is far past any usual threshold
    assert silent.mean() < 0 and silent.mean() / (silent.std(ddof=1) / np.sqrt(silent.size)) < -4


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_public_channels_unresolved_complaints_reach_more_people_than_a_private_ones(seed):
    """One desk, same seed, in private or in public: the same complaints until word of mouth differs.

    A failed answer is posted in private one time in five here (pinned, so that a recalibration of
    the chance cannot make the test pass or fail), and always in public.
    """
    pinned = {"weeks": 52, "wom.post_dissatisfied": 0.2}
    private = run(seed=seed, **pinned).summary
    public = run(seed=seed, **pinned, **{"channels.desk.public": True}).summary

    def per_unresolved(s: dict, key: str) -> float:
        return s[key] / (s["recovery_dissatisfied"] + s["abandoned"])

    assert abs(public["complaints"] - private["complaints"]) < 0.05 * private["complaints"]
    # in public, every answer is seen: at least one post per failed answer (good answers add praise)
    assert public["public_posts"] >= public["recovery_dissatisfied"] > 0
    assert per_unresolved(public, "public_posts") > 3 * per_unresolved(private, "public_posts")
    # people who read a complaint left unresolved, in public rather than among friends
    assert per_unresolved(public, "public_reads_negative") > 3 * per_unresolved(
        private, "public_reads_negative"
    )


def test_a_customer_who_gives_up_on_a_public_channel_leaves_a_post_wherever_they_go():
    """Social media first with a small team: complainants kept waiting on social move to e-mail."""
    r = run(seed=4, channels="social_first", **{"firm.staff_per_10k": 0.3, "wom.post_dissatisfied": 0.0})
    social = r.summary["by_channel"]["social"]
    assert social["moved_away"] > 10
    log = r.complaints
    left_social = log[(log["channel"] == "social") & (log["answered_on"] != "social")]
    assert len(left_social) == social["moved_away"]
    # no private chance to post at all here: every post on social's complaints is the public thread's
    assert social["public_posts"] >= social["moved_away"] + (left_social["outcome"] == "satisfied").sum()


def test_a_customer_failed_on_one_channel_comes_back_on_another():
    """In the complaint log: after a failed answer the next complaint more often takes another channel.

    Only complaints made after the previous one was answered count: before, the customer did not know.
    """
    log = pd.concat(
        [run(customers=20_000, seed=s, channels="omnichannel").complaints.assign(seed=s) for s in (1, 2, 3)]
    )
    log = log.sort_values(["seed", "customer", "week"], kind="stable")
    following = log.groupby(["seed", "customer"]).shift(-1)
    answered_before = following["week"] > log["week"] + log["response_days"] / 7
    moved = (following["channel"] != log["channel"])[answered_before]
    failed = (log["outcome"] == "dissatisfied")[answered_before]
    assert failed.sum() >= 20 and (~failed).sum() >= 60
    assert moved[failed].mean() > moved[~failed].mean() + 0.2


def test_kept_waiting_a_customer_moves_to_another_channel_and_remembers_the_one_that_failed():
    from sim.mechanisms.channels import NO_CHANNEL

    model = _model(5000, 3, channels="omnichannel", **{"firm.staff_per_10k": 0.2})
    log = Result.from_model(model).complaints
    moved = log[log["channel"] != log["answered_on"]]
    by = Result.from_model(model).summary["by_channel"]
    assert (
        len(moved) == sum(c["moved_away"] for c in by.values()) == sum(c["moved_in"] for c in by.values()) > 0
    )
    assert (moved["repeat_contacts"] >= 1).all()  # a move is a chase
    # those still unanswered and unresolved at the end remember the channel they left
    failed = model.population.failed_channel
    waiting = log[(log["outcome"] == "open") & (log["channel"] != log["answered_on"])]
    last = waiting.groupby("customer")["channel"].last()
    assert (failed[last.index.to_numpy()] == [CHANNELS.index(c) for c in last]).all()
    assert (failed >= NO_CHANNEL).all()


def test_a_channel_without_authority_or_capacity_resolves_nothing_on_first_contact():
    s = run(seed=2, channels="phone_email", **{"channels.email.authority": 0.0}).summary
    assert s["by_channel"]["email"]["first_contact_resolution"] == 0
    assert s["by_channel"]["phone"]["first_contact_resolution"] > 0
    s = run(seed=2, channels="phone_only", **{"channels.phone.capacity_per_10k": 0.0}).summary
    assert s["resolved_first_contact"] == 0 and s["complaints"] > 0


def test_each_channel_costs_its_contacts_and_its_upkeep():
    base = run(seed=4, weeks=26, channels="phone_only").summary
    dear = run(seed=4, weeks=26, channels="phone_only", **{"channels.phone.contact_cost": 50.0}).summary
    assert dear["handling_cost"] - base["handling_cost"] == pytest.approx(45.0 * base["complaints"])
    kept = run(seed=4, weeks=26, channels="phone_only", **{"channels.phone.upkeep_week": 1150.0}).summary
    assert kept["staff_cost"] - base["staff_cost"] == pytest.approx(1000.0 * 26 * 5000 / 10_000)


def test_by_channel_adds_up_and_agrees_with_the_complaint_log():
    r = run(seed=5, channels="omnichannel", **{"firm.staff_per_10k": 0.5})
    by, log = r.summary["by_channel"], r.complaints
    assert set(by) == {"phone", "email", "chat", "social"}
    assert sum(c["complaints"] for c in by.values()) == r.summary["complaints"] == len(log)
    for name, c in by.items():
        own = log[log["channel"] == name]
        assert c["complaints"] == len(own) == c["answered"] + c["abandoned"] + c["open"]
        assert c["abandoned"] == (own["outcome"] == "abandoned").sum()
        assert c["open"] == (own["outcome"] == "open").sum()
        assert c["answered"] == own["outcome"].isin(["satisfied", "dissatisfied"]).sum()
        answered = own[own["outcome"].isin(["satisfied", "dissatisfied"])]
        assert c["recovery_satisfaction"] == pytest.approx((answered["outcome"] == "satisfied").mean())
        assert c["first_contact_resolution"] == pytest.approx((answered["handled"] == "first_contact").mean())


def test_when_a_channel_cannot_take_every_contact_it_takes_them_as_they_arrive():
    """Rationed first contacts go to no group first: not to low customer numbers (the network's hubs)."""
    log = run(
        customers=10_000,
        seed=8,
        channels="phone_only",
        delegation="full",
        **{"channels.phone.capacity_per_10k": 4.0},
    ).complaints
    first = log.loc[log["handled"] == "first_contact", "customer"]
    escalated = log.loc[log["handled"] == "escalated", "customer"]
    assert len(first) > 100 and len(escalated) > 100
    assert abs(first.median() - escalated.median()) < 0.15 * log["customer"].median()


def test_a_firm_must_offer_a_channel():
    with pytest.raises(ConfigError, match="no channel is offered"):
        configure(**{"channels.desk.offered": False})


def test_the_headline_shows_each_channel_only_when_the_firm_has_more_than_the_desk():
    from sim.headline import headline_table

    desk = headline_table(run(seed=6, weeks=26).summary)
    mixed = headline_table(run(seed=6, weeks=26, channels="phone_email").summary)
    assert "channel" not in desk and "channels '" not in desk
    assert "channels 'phone_email'" in mixed
    rows = [line.split() for line in mixed.splitlines() if line.strip().startswith(("phone ", "email "))]
    assert [r[0] for r in rows] == ["phone", "email"]


def test_the_dashboard_names_each_channel_only_when_the_firm_has_more_than_the_desk():
    from sim.dashboard import channel_lines

    assert channel_lines(run(seed=6, weeks=26).summary) == []
    lines = channel_lines(run(seed=6, weeks=26, channels="phone_email").summary)
    assert "phone_email" in lines[0] and [line.split(":")[0] for line in lines[1:]] == ["phone", "email"]
