"""Vectorized versions of the row features, for scoring whole frames at once."""

import numpy as np
import pandas as pd


def sessions_per_week_vec(df: pd.DataFrame) -> pd.Series:
    """Sessions per week over the last 30 days; the same values as activity.sessions_per_week."""
    scaled = df["sessions_30d"] / 30 * 7 * 100
    whole = np.floor(scaled)
    # Ties toward +infinity, like util.round_half_up (np.round rounds ties to even).
    whole = whole + (scaled - whole >= 0.5)
    return whole / 100
