"""Customer features: tenure, spend, plan and support load."""

import math

from .util import DAYS_PER_MONTH, clip, safe_div

PLAN_TIERS = {"basic": "low", "pro": "mid", "enterprise": "high"}


def tenure_months(row):
    """Whole months since the customer signed up."""
    return math.floor(row["tenure_days"] / DAYS_PER_MONTH)


def monthly_spend(row):
    """What the customer pays per month, in dollars (never negative)."""
    return clip(row["monthly_spend"], 0.0, 10_000.0)


def spend_per_session(row):
    """Spend per session over the last 30 days."""
    return safe_div(monthly_spend(row), row["sessions_30d"])


def plan_tier(row):
    """The pricing tier the plan belongs to."""
    return PLAN_TIERS.get(row["plan"], "unknown")


def tickets_per_month(row):
    """Support tickets per month of tenure; customers without a ticket record count as zero."""
    tickets = row["support_tickets"]
    if tickets is None:
        tickets = 0
    return safe_div(tickets, max(1, tenure_months(row)))
