"""Before a complaint: the firm may warn first (S17); the customer complains or stays silent (S4, S14)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sim.config import ComplaintConf, FirmConf
from sim.failures import Catalogue


def notify_proactively(kind: np.ndarray, catalogue: Catalogue, firm: FirmConf, u: np.ndarray) -> np.ndarray:
    """Failures the firm detects itself and tells the customer about before they ask (S17)."""
    return catalogue.detectable[kind] & (u < firm.proactive_notification)


def complaint_probability(
    severity: np.ndarray,
    propensity: np.ndarray,
    notified: np.ndarray,
    conf: ComplaintConf,
    complaint_ease: float,
) -> np.ndarray:
    """Chance that a failure is voiced, logistic in severity.

    Calibrated so that about 2-5% complain about a minor problem and 50-80%
    about a serious one where money was lost (Goodman & Newman 2003; TARP;
    Customer Rage Study 2015: 79%). Making complaining easy shifts the logit
    up (S4); customers already informed by the firm complain less (S17).
    """
    z = (
        conf.intercept
        + conf.severity_slope * severity
        + propensity
        + conf.ease_slope * (complaint_ease - 0.5)
        + conf.notified_shift * notified
    )
    return expit(z)


def decide_to_complain(
    severity: np.ndarray,
    propensity: np.ndarray,
    notified: np.ndarray,
    conf: ComplaintConf,
    complaint_ease: float,
    u: np.ndarray,
) -> np.ndarray:
    """True for each failure that is voiced; the rest stay silent."""
    return u < complaint_probability(severity, propensity, notified, conf, complaint_ease)
