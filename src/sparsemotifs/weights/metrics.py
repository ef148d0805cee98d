"""Link weights, node strength and layer fluctuation of one network (weighted.md, La Malfa et al.).

Conventions (W_l: n_l x n_{l+1}, source rows; b_l: n_{l+1}; pruned entries are 0 and excluded):
  strength       La Malfa's node strength, signed sums, no normalisation:
                 hidden node i of layer l: sum_j W_l[i, j] + sum_k W_{l-1}[k, i] + b_{l-1}[i];
                 input node: sum_j W_0[i, j] + 1; output node: sum_k W_last[k, j] + b_last[j] + 1
                 (their "+1" stands for the missing side and is kept to reproduce them).
  strength_in    sum_k W_{l-1}[k, i] + b_{l-1}[i] (the bias is an incoming edge); not for inputs.
  strength_out   sum_j W_l[i, j]; not for outputs.
  strength_abs   the same sums over |w| and |b|, without the "+1".
  fluctuation    Y_l = population sd (ddof = 0) of `strength` over the nodes of layer l.
Node layers are numbered 0 (input) .. L (output); weight and bias layers by their block index li
(0 = input -> first hidden), as in the file format. Every node of a layer counts, also one whose
edges were all pruned, so a layer's node count does not change with sparsity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.weights.network import Network

NODE_METRICS = ("strength", "strength_in", "strength_out", "strength_abs")
EDGE_METRICS = ("weight", "bias")
DISTRIBUTION_METRICS = EDGE_METRICS + NODE_METRICS
FLUCTUATION = "fluctuation"
SUMMARY_STATS = ("n", "sd", "min", "q05", "q25", "median", "q75", "q95", "max")
_QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}
TABLE_COLUMNS = ["ensemble", "seed", "level", "layer", "metric", "value", *SUMMARY_STATS]
VALUE_COLUMNS = ["ensemble", "seed", "level", "layer", "metric", "value"]


def in_strength(net: Network) -> list[np.ndarray]:
    """Per non-input layer l = 1..L: incoming weight sums plus the bias (signed)."""
    return [w.sum(axis=0) + b for w, b in zip(net.weights, net.biases, strict=True)]


def out_strength(net: Network) -> list[np.ndarray]:
    """Per non-output layer l = 0..L-1: outgoing weight sums (signed)."""
    return [w.sum(axis=1) for w in net.weights]


def node_strength(net: Network) -> list[np.ndarray]:
    """La Malfa's strength per node layer, input first (see the module docstring)."""
    s_in, s_out = in_strength(net), out_strength(net)
    layers = [s_out[0] + 1.0]
    layers += [s_in[li] + s_out[li + 1] for li in range(net.n_blocks - 1)]
    layers.append(s_in[-1] + 1.0)
    return layers


def abs_strength(net: Network) -> list[np.ndarray]:
    """Strength with |w| and |b| and no "+1": total coupling of each node, per node layer."""
    a_in = [np.abs(w).sum(axis=0) + np.abs(b) for w, b in zip(net.weights, net.biases, strict=True)]
    a_out = [np.abs(w).sum(axis=1) for w in net.weights]
    return [a_out[0]] + [a_in[li] + a_out[li + 1] for li in range(net.n_blocks - 1)] + [a_in[-1]]


def fluctuation(net: Network) -> list[float]:
    """Layer fluctuation Y_l: population sd of La Malfa's strength over each node layer."""
    return [float(np.std(s, ddof=0)) for s in node_strength(net)]


def link_weights(net: Network) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The kept (unmasked) weights and biases of each block, as flat arrays."""
    weights = [w[m] for w, m in zip(net.weights, net.masks, strict=True)]
    biases = [b[m] for b, m in zip(net.biases, net.bias_masks, strict=True)]
    return weights, biases


def metric_values(net: Network) -> dict[str, list[tuple[int, np.ndarray]]]:
    """Every distribution metric as (layer, values) pairs, in the layer numbering of the docstring."""
    weights, biases = link_weights(net)
    return {
        "weight": list(enumerate(weights)),
        "bias": list(enumerate(biases)),
        "strength": list(enumerate(node_strength(net))),
        "strength_in": [(li + 1, s) for li, s in enumerate(in_strength(net))],
        "strength_out": list(enumerate(out_strength(net))),
        "strength_abs": list(enumerate(abs_strength(net))),
    }


def summarize(values: np.ndarray) -> dict[str, float]:
    """Mean (as `value`), population sd, extremes and quantiles; NaN statistics when empty."""
    values = np.asarray(values, dtype=np.float64)
    out = {"value": np.nan, "n": int(values.size)}
    out.update({k: np.nan for k in SUMMARY_STATS if k != "n"})
    if values.size:
        q = np.quantile(values, list(_QUANTILES.values()))
        out.update(value=float(values.mean()), sd=float(values.std(ddof=0)))
        out.update(min=float(values.min()), max=float(values.max()))
        out.update({k: float(v) for k, v in zip(_QUANTILES, q, strict=True)})
    return out


def network_rows(net: Network, key: dict) -> list[dict]:
    """Summary rows (TABLE_COLUMNS) of one network; `key` gives ensemble, seed and level."""
    rows = []
    for metric, layers in metric_values(net).items():
        for layer, values in layers:
            rows.append({**key, "layer": layer, "metric": metric, **summarize(values)})
    for layer, (y, s) in enumerate(zip(fluctuation(net), node_strength(net), strict=True)):
        row = {**key, "layer": layer, "metric": FLUCTUATION, "value": y, "n": int(s.size)}
        rows.append({**{k: np.nan for k in SUMMARY_STATS}, **row})
    return rows


def network_values(net: Network, key: dict) -> pd.DataFrame:
    """Long table (VALUE_COLUMNS) of every kept weight, bias and node metric of one network."""
    layers, metrics, values = [], [], []
    for metric, per_layer in metric_values(net).items():
        for layer, v in per_layer:
            layers.append(np.full(v.size, layer, dtype=np.int64))
            metrics.append(np.full(v.size, DISTRIBUTION_METRICS.index(metric), dtype=np.int8))
            values.append(v.astype(np.float32))
    n = sum(v.size for v in values)
    return pd.DataFrame(
        {
            "ensemble": pd.Categorical.from_codes(np.zeros(n, np.int8), [key["ensemble"]]),
            "seed": np.full(n, key["seed"], dtype=np.int64),
            "level": np.full(n, key["level"], dtype=np.int64),
            "layer": np.concatenate(layers),
            "metric": pd.Categorical.from_codes(np.concatenate(metrics), DISTRIBUTION_METRICS),
            "value": np.concatenate(values),
        }
    )


def weights_json(net: Network) -> dict:
    """The CLI's --json object: strength per node layer and fluctuation per layer."""
    return {
        "widths": net.widths,
        "strength": [s.tolist() for s in node_strength(net)],
        "fluctuation": fluctuation(net),
    }
