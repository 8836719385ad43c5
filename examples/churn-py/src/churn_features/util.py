"""Shared helpers for the churn features."""

import math

#: Days after which a customer counts as gone for recency purposes.
RECENCY_CAP_DAYS = 90

#: Average days in a month, used to turn day counts into months.
DAYS_PER_MONTH = 30.44


def clip(x, lo, hi):
    """Limits a value to [lo, hi]."""
    return min(max(x, lo), hi)


def safe_div(numerator, denominator):
    """Division that returns 0 instead of raising when the denominator is 0."""
    if denominator == 0:
        return 0.0
    return numerator / denominator


def round_half_up(x, ndigits):
    """Rounds to `ndigits` decimals with ties toward +infinity.

    The feature store was filled by a pipeline that rounded this way; Python's built-in round()
    rounds ties to even (round(0.125, 2) == 0.12) and would disagree with history.
    """
    scale = 10**ndigits
    scaled = x * scale
    whole = math.floor(scaled)
    if scaled - whole >= 0.5:
        whole += 1
    return whole / scale
