"""Activity features: how recently and how often a customer uses the product."""

from .util import RECENCY_CAP_DAYS, clip, round_half_up


def recency_days(row):
    """Days since the last login, capped: beyond the cap a customer is simply "gone"."""
    return clip(row["days_since_last_login"], 0, RECENCY_CAP_DAYS)


def sessions_per_week(row):
    """Sessions per week over the last 30 days."""
    return round_half_up(row["sessions_30d"] / 30 * 7, 2)


def engagement_score(row):
    """A 0-1 engagement score: frequent and recent customers score high.

    @feature engagement_score
    """
    freshness = 1 - recency_days(row) / RECENCY_CAP_DAYS
    frequency = min(1.0, sessions_per_week(row) / 10)
    return round_half_up(0.6 * frequency + 0.4 * freshness, 3)
