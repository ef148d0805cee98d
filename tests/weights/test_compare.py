"""Symmetrised KL of Gaussian KDEs against the closed form; the loss-bin and ensemble comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sparsemotifs.weights.compare import compare_table, kde_on_grid, loss_bins, symmetric_kl


def closed_form_symmetric_kl(m0, s0, m1, s1):
    def kl(ma, sa, mb, sb):
        return np.log(sb / sa) + (sa**2 + (ma - mb) ** 2) / (2 * sb**2) - 0.5

    return kl(m0, s0, m1, s1) + kl(m1, s1, m0, s0)


@pytest.mark.parametrize(
    ("m1", "s1"), [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (0.5, 1.25), (0.0, 1.2), (1.0, 0.8)]
)
def test_kde_kl_matches_closed_form(m1, s1):
    rng = np.random.default_rng(1)
    n = 20000
    a, b = rng.normal(0.0, 1.0, n), rng.normal(m1, s1, n)
    # A Gaussian KDE of a Gaussian sample is (nearly) Gaussian with variance s^2 (1 + f^2),
    # f = Scott's factor n^(-1/5); compare with the closed form for the smoothed densities.
    f2 = n ** (-0.4)
    expected = closed_form_symmetric_kl(0.0, np.sqrt(1 + f2), m1, s1 * np.sqrt(1 + f2))
    got = symmetric_kl(a, b)
    # the KDE's light tails bias the divergence upward, never downward, by a few percent here
    assert got == pytest.approx(expected, abs=0.01, rel=0.1)


@pytest.mark.parametrize("n", [7, 300, 4000])
def test_binned_kde_equals_direct_evaluation(n):
    rng = np.random.default_rng(n)
    sample = np.concatenate([rng.normal(0, 1, n - n // 3), rng.normal(4, 0.3, n // 3)])
    kde = sps.gaussian_kde(sample)
    h = np.sqrt(kde.covariance[0, 0])
    grid = np.linspace(sample.min() - 4 * h, sample.max() + 4 * h, 2048)
    direct = kde(grid)
    binned = kde_on_grid(sample, kde, grid)
    assert np.abs(binned - direct).max() < 2e-3 * direct.max()


def test_kl_degenerate_is_nan():
    assert np.isnan(symmetric_kl(np.array([1.0]), np.array([0.0, 1.0])))
    assert np.isnan(symmetric_kl(np.ones(5), np.array([0.0, 1.0])))


def test_loss_bins_by_rank():
    b = loss_bins(pd.Series([0.5, 0.1, 0.3, 0.2, 0.9, 0.4]), 3)
    assert list(b) == [2, 0, 1, 0, 2, 1]


def _tables(shift_poor: float):
    """12 seeds; the 4 with the highest loss have strength values shifted by `shift_poor`."""
    rng = np.random.default_rng(0)
    values, table, levels = [], [], []
    for seed in range(12):
        loss = 0.01 * (seed + 1)
        shift = shift_poor if seed >= 8 else 0.0
        for metric in ("weight", "strength"):
            v = rng.normal(shift if metric == "strength" else 0.0, 1.0, 200)
            values.append(
                pd.DataFrame(
                    {"ensemble": "trained", "seed": seed, "level": 0, "layer": 1,
                     "metric": metric, "value": v}
                )
            )  # fmt: skip
        table.append(
            {"ensemble": "trained", "seed": seed, "level": 0, "layer": 1,
             "metric": "fluctuation", "value": 1.0 + shift + 0.01 * rng.normal()}
        )  # fmt: skip
        levels.append({"seed": seed, "level": 0, "loss_test": loss, "status": "ok"})
    return pd.concat(values), pd.DataFrame(table), {"trained": pd.DataFrame(levels)}


def test_compare_separates_only_what_differs():
    values, table, losses = _tables(shift_poor=2.0)
    out = compare_table(values, table, losses, n_bins=3, n_perm=10)
    by = out.set_index("metric")
    assert set(out["comparison"]) == {"loss_bins"}
    assert by.loc["strength", "networks_a"] == 4 and by.loc["strength", "networks_b"] == 4
    assert by.loc["strength", "kl"] > 3.0 and by.loc["strength", "kl_ratio"] > 5
    assert by.loc["fluctuation", "kl_ratio"] > 5
    assert by.loc["weight", "kl"] < 0.2
    assert by.loc["weight", "kl_ratio"] < 5


def test_compare_between_ensembles():
    values, table, losses = _tables(shift_poor=0.0)
    other = values.copy()
    other["ensemble"] = "control_task"
    other.loc[other.metric == "weight", "value"] += 3.0
    t2 = table.copy()
    t2["ensemble"] = "control_task"
    out = compare_table(
        pd.concat([values, other]), pd.concat([table, t2]),
        {**losses, "control_task": losses["trained"]}, n_perm=5,
    )  # fmt: skip
    ens = out[out.comparison == "ensembles"].set_index("metric")
    assert ens.loc["weight", "kl"] > 5 and ens.loc["strength", "kl"] < 0.2
    assert (ens["ensemble_a"] == "trained").all() and (ens["ensemble_b"] == "control_task").all()


def test_compare_with_a_named_reference_and_the_ensemble_column():
    """With variants the subject is not called `trained`: every other ensemble is compared with
    the named reference, and each row names the ensemble it is about."""
    values, table, losses = _tables(shift_poor=0.0)
    rename = {"trained": "paper"}
    values, table = values.replace(rename), table.replace(rename)
    other, t2 = values.assign(ensemble="xavier"), table.assign(ensemble="xavier")
    other.loc[other.metric == "weight", "value"] += 3.0
    out = compare_table(
        pd.concat([values, other]), pd.concat([table, t2]),
        {"paper": losses["trained"], "xavier": losses["trained"]}, n_perm=5, reference="paper",
    )  # fmt: skip
    assert out.columns[0] == "ensemble"
    ens = out[out.comparison == "ensembles"]
    assert len(ens) and (ens["ensemble_a"] == "paper").all() and (ens["ensemble"] == "xavier").all()
    assert ens.set_index("metric").loc["weight", "kl"] > 5
    bins = out[out.comparison == "loss_bins"]
    assert (bins["ensemble"] == bins["ensemble_a"]).all() and set(bins["ensemble"]) == {
        "paper",
        "xavier",
    }
    # without the reference named, there is no `trained` to compare with: no ensemble rows
    assert "ensembles" not in set(
        compare_table(pd.concat([values, other]), pd.concat([table, t2]), {}, n_perm=5)[
            "comparison"
        ]
    )
