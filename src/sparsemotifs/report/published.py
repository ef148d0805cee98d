"""Published reference numbers (Zahn, Daniel & Kutz 2024), as data, so our results can be
shown next to them. Transcribed from /work/shared/reference/paper_protocol.md ("Published
results"), which takes them from the authors' published result files (380 networks at their
optimum) and corrects the shifted 3rd-order column labels of their table.
"""

from __future__ import annotations

import pandas as pd

SOURCE = (
    "Zahn, Daniel & Kutz 2024, 'Motif distribution and function of sparse deep neural networks' "
    "(arXiv 2403.00974); values from the authors' published result files (380 networks at their "
    "optimum) as summarised in paper_protocol.md"
)

# z at the optimum: motif -> (mean, sd, median, share of networks in the stated direction).
# None = not reported. The 3rd-order converging count of the original code duplicated the
# 2nd-order one (C(n,2) instead of C(n,3)), so no published value is given for it.
PUBLISHED_Z: dict[str, dict] = {
    "diverging_2": {"mean": 18.2, "sd": 4.4, "median": None, "direction": "over, every network"},
    "converging_2": {"mean": 16.3, "sd": 3.1, "median": None, "direction": "over, every network"},
    "chain_2": {"mean": -15.6, "sd": 4.5, "median": None, "direction": "under, 99.7 %"},
    "diverging_3": {"mean": 20.8, "sd": 5.8, "median": None, "direction": "over, every network"},
    "chain_3": {"mean": None, "sd": None, "median": -10.9, "direction": "under, 96 %"},
    "bi_fan": {"mean": 19.7, "sd": 3.9, "median": None, "direction": "over, every network"},
    "bi_parallel": {"mean": 27.4, "sd": 5.4, "median": None, "direction": "over, every network"},
}

# The paper's chain z-scores were computed from connected endpoint pairs: our statistic of that
# name is the closer comparison (apart from the null model).
PAPER_CHAIN_STATISTIC = {"connected_pairs_2": "chain_2", "connected_pairs_3": "chain_3"}

# Optimal (selected) cut fraction -> number of networks, out of 400 trained.
OPTIMAL_LEVEL_COUNTS: dict[float, int] = {
    0.65: 2,
    0.75: 18,
    0.85: 4,
    0.90: 1,
    0.91: 73,
    0.92: 84,
    0.93: 214,
    0.94: 4,
}
OPTIMAL_LEVEL_TOTAL = 400

# Share of networks with loss under the threshold at a cut fraction (none beyond 0.94).
SHARE_UNDER_THRESHOLD: dict[float, float] = {0.90: 0.87, 0.93: 0.53, 0.94: 0.01}

WEIGHTS_KEPT_AT_OPTIMUM = 0.07  # "about 7 % of the weights remain"
MEDIAN_MSE = {"dense_train": 4.8e-4, "optimum": 7.7e-4, "one_level_beyond": 4.5e-3}
SPREAD_OF_Z = {0.85: (8.0, 10.0), 0.93: (3.0, 3.0)}  # sd of z across networks, approximate

METHOD_DIFFERENCES = (
    "Published: chains counted as connected endpoint pairs (non-zero entries of mask products), "
    "z against a non-uniform fixed-count null that forces an extra edge on every node. "
    "Ours: exact path counts, z under a uniform layered fixed-count null (closed form) and a "
    "layer-wise degree-preserving null; values are not expected to agree for chains."
)


def published_z_table() -> pd.DataFrame:
    """One row per motif: published mean, sd, median and direction of the z-scores."""
    rows = [{"motif": motif, **values} for motif, values in PUBLISHED_Z.items()]
    return pd.DataFrame(rows, columns=["motif", "mean", "sd", "median", "direction"])


def optimal_level_share() -> pd.Series:
    """Share of the 400 published networks whose optimum is at each cut fraction."""
    counts = pd.Series(OPTIMAL_LEVEL_COUNTS, name="share")
    return counts / OPTIMAL_LEVEL_TOTAL
