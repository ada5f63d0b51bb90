"""What a complainant is given: the written policy's remedy, the frontline's authority, staff's consistency.

The policy is data (S10, S11, S15): a general rule (a share of the loss, and
when to apologise) that a failure type's own procedure may override. The
frontline may close a case on first contact when the remedy is within its
authority (S8); staff follow the written policy with some probability (S7).
Compiled code reads each set of terms by name (``typing.NamedTuple``), so a
term added later cannot shift the others.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from sim.mechanisms.failures import APOLOGY_CODES, Catalogue
from sim.world.parameter import Apology
from sim.world.schema import DelegationConf, PolicyConf

SEVERE_ONLY, ALWAYS = APOLOGY_CODES[Apology.severe_only], APOLOGY_CODES[Apology.always]


class Procedures(NamedTuple):
    """Each failure type's own procedure: compensation share (NaN: policy's), apology code (-1: policy's)."""

    compensation: np.ndarray
    apology: np.ndarray


class GeneralRule(NamedTuple):
    """The policy for types without a procedure of their own."""

    compensation: float
    apology: int
    severe_threshold: float


class Authority(NamedTuple):
    """What the frontline may do on first contact, and how often it manages."""

    compensation_cap: float
    may_apologise: bool
    first_contact_resolution: float
    overgrant: float


def policy_terms(
    policy: PolicyConf, catalogue: Catalogue, severe_threshold: float
) -> tuple[Procedures, GeneralRule]:
    """The written policy as compiled code reads it: the catalogue's own procedures, then the general rule."""
    return (
        Procedures(catalogue.compensation, catalogue.apology),
        GeneralRule(policy.compensation, APOLOGY_CODES[policy.apology], severe_threshold),
    )


@numba.njit(cache=True)
def remedy(kind, severity, loss, procedures, general):  # noqa: ANN001, ANN202
    """What the written policy gives one case: (apology, compensation in currency).

    The one place where a policy is applied; a failure type's own procedure,
    where the catalogue sets one, overrides the general policy (S15).
    """
    share, mode = general.compensation, general.apology
    if not np.isnan(procedures.compensation[kind]):
        share = procedures.compensation[kind]
    if procedures.apology[kind] >= 0:
        mode = procedures.apology[kind]
    apology = mode == ALWAYS or (mode == SEVERE_ONLY and severity >= general.severe_threshold)
    return apology, share * loss


def frontline_authority(delegation: DelegationConf) -> Authority:
    """The delegation as frontline_resolves reads it."""
    cap = np.inf if delegation.compensation_cap is None else delegation.compensation_cap
    return Authority(cap, delegation.may_apologise, delegation.first_contact_resolution, delegation.overgrant)


@numba.njit(cache=True)
def on_channel(authority, share):  # noqa: ANN001, ANN202
    """The authority staff on a channel hold: ``share`` of the delegation's resolution rate and cap (S22)."""
    return Authority(
        authority.compensation_cap * share if share > 0.0 else 0.0,  # an infinite cap times 0 is NaN
        authority.may_apologise and share > 0.0,
        authority.first_contact_resolution * share,
        authority.overgrant,
    )


@numba.njit(cache=True)
def frontline_resolves(apology, compensation, authority, u):  # noqa: ANN001, ANN202
    """Whether the frontline closes a case on first contact: within its authority, and it manages (S8).

    First-contact resolution is about 14% with low empowerment and 70-80% with
    high empowerment (Customer Rage Study 2015; call-centre benchmarks).
    """
    within = compensation <= authority.compensation_cap and (authority.may_apologise or not apology)
    return within and u < authority.first_contact_resolution


@numba.njit(cache=True)
def apply_consistently(apology, compensation, consistency, u_apply, u_improvise):  # noqa: ANN001, ANN202
    """Staff follow the written policy with probability ``consistency`` (S7): (apology, compensation).

    An improvising employee gives at most one of the two remedies, each half the time.
    """
    if u_apply < consistency:
        return apology, compensation
    if u_improvise < 0.5:
        return apology, 0.0
    return False, compensation
