"""Churn-model features, one function per feature; each takes one customer row (a dict)."""

from .activity import engagement_score, recency_days, sessions_per_week
from .customer import monthly_spend, plan_tier, spend_per_session, tenure_months, tickets_per_month

__all__ = [
    "engagement_score",
    "monthly_spend",
    "plan_tier",
    "recency_days",
    "sessions_per_week",
    "spend_per_session",
    "tenure_months",
    "tickets_per_month",
]
