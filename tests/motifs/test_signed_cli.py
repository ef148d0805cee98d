"""`motifs count|zscore --edge-classes`, `--null degree_signed`, `motifs thresholds`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sparsemotifs.cli import main
from sparsemotifs.motifs.counts import MOTIFS
from sparsemotifs.motifs.signed import MOTIF_EDGES, load_coloured, zambra_thresholds
from tests.motifs.signed_helpers import brute_force_coloured
from tests.motifs.test_cli import _write_net


def _lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("bias", [False, True])
def test_count_sign_keys_match_brute_force_and_sum_to_plain(tmp_path, capsys, bias):
    files = [tmp_path / f"n{i}.npz" for i in range(2)]
    for i, f in enumerate(files):
        _write_net(f, i, widths=(4, 5, 4, 3), density=0.5)
        arrays = dict(np.load(f))
        rng = np.random.default_rng(i)
        for li in range(3):  # weights in mask orientation, with biases
            arrays[f"weight_{li}"] = rng.normal(size=arrays[f"mask_{li}"].shape)
            arrays[f"bias_{li}"] = rng.normal(size=arrays[f"mask_{li}"].shape[1])
        np.savez(f, **arrays)
    flags = ["--bias-nodes"] if bias else []
    assert main(["motifs", "count", *map(str, files), *flags, "--per-layer", "--edge-classes", "sign", "--json"]) == 0  # fmt: skip
    out = _lines(capsys)
    for f, obj in zip(files, out, strict=True):
        graph = load_coloured(f)
        ref = brute_force_coloured(graph if bias else graph.without_bias())
        for m in MOTIFS:
            e = MOTIF_EDGES[m]
            ks = [obj[f"{m}|pos={k}"] for k in range(e + 1)]
            assert ks == [sum(v for (_, c), v in ref[m].items() if c[1] == k) for k in range(e + 1)]
            assert sum(ks) == obj[m]
            assert (
                sum(obj["per_layer"][f"{m}|pos={k}"][0] for k in range(e + 1))
                == obj["per_layer"][m][0]
            )
        assert obj["classes"]["scheme"] == "sign"
    main(["motifs", "count", str(files[0]), *flags, "--json"])
    plain = _lines(capsys)[0]
    assert all(plain[m] == out[0][m] for m in MOTIFS) and "bi_fan|pos=0" not in plain


def _weighted_net(path, seed):
    rng = np.random.default_rng(seed)
    widths = (5, 12, 10, 4)
    arrays = {}
    for li in range(3):
        shape = (widths[li], widths[li + 1])
        mask = rng.random(shape) < 0.4
        arrays[f"mask_{li}"] = mask.astype(np.uint8)
        arrays[f"weight_{li}"] = np.where(mask, rng.normal(size=shape), 0.0)
        arrays[f"bias_mask_{li}"] = (rng.random(shape[1]) < 0.6).astype(np.uint8)
        arrays[f"bias_{li}"] = rng.normal(size=shape[1])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


def test_zambra_classes_pool_the_files_and_accept_given_thresholds(tmp_path, capsys):
    files = [tmp_path / f"n{i}.npz" for i in range(3)]
    pooled = np.concatenate(
        [
            a[f"weight_{li}"][a[f"mask_{li}"] > 0]
            for i, f in enumerate(files)
            for a in [_weighted_net(f, i)]
            for li in range(3)
        ]
    )
    expected = zambra_thresholds(pooled, 0.3)
    assert main(["motifs", "thresholds", *map(str, files), "--zambra-band", "0.3", "--json"]) == 0
    th = _lines(capsys)[0]["thresholds"]
    assert th["b0"] == pytest.approx(expected.b0) and th["hi"] == pytest.approx(expected.hi)
    args = ["motifs", "count", *map(str, files), "--bias-nodes", "--edge-classes", "zambra"]
    assert main([*args, "--zambra-band", "0.3", "--json"]) == 0
    fitted = _lines(capsys)
    assert main([*args, "--zambra-thresholds", json.dumps({"thresholds": th}), "--json"]) == 0
    given = _lines(capsys)
    assert fitted == given
    obj = fitted[0]
    keys = [k for k in obj if k.startswith("bi_fan|")]
    assert len(keys) == 15 and "bi_fan|sneg=0,mild=0,spos=4" in keys
    assert sum(obj[k] for k in keys) == obj["bi_fan"]
    # the band is deleted: fewer edges than the masks hold
    arrays = dict(np.load(files[0]))
    n_mask = sum(
        int(arrays[f"mask_{li}"].sum() + arrays[f"bias_mask_{li}"].sum()) for li in range(3)
    )
    assert obj["edges"] == sum(sum(c) for c in obj["classes"]["class_edges"]) < n_mask
    # one file alone is fitted to its own weights: different thresholds
    main(
        [
            "motifs",
            "count",
            str(files[0]),
            "--edge-classes",
            "zambra",
            "--zambra-band",
            "0.3",
            "--json",
        ]
    )
    assert _lines(capsys)[0]["classes"]["thresholds"]["b0"] != pytest.approx(expected.b0)


def test_zscore_degree_signed_json_and_determinism(tmp_path, capsys):
    f = tmp_path / "n.npz"
    _weighted_net(f, 5)
    args = ["motifs", "zscore", str(f), "--bias-nodes", "--null", "degree_signed", "--samples", "40", "--seed", "2", "--json"]  # fmt: skip
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main([*args, "--edge-classes", "sign"]) == 0
    assert capsys.readouterr().out == first  # sign is the default scheme
    obj = json.loads(first)
    assert "NaN" not in first
    assert obj["bi_fan|pos=2"]["sp"] is not None and obj["edges|pos=1"]["z"] is None
    assert obj["bi_fan"]["count"] == sum(obj[f"bi_fan|pos={k}"]["count"] for k in range(5))
    assert set(obj["bi_fan|pos=2"]) == {"count", "null_mean", "null_sd", "z", "p", "sp"}
    assert main([*args[:-1], "--edge-classes", "zambra", "--json"]) == 0
    z = _lines(capsys)[0]
    assert "bi_parallel|sneg=0,mild=2,spos=2" in z and z["classes"]["scheme"] == "zambra"


def test_signed_errors_exit_2_naming_the_file(tmp_path, capsys):
    f = tmp_path / "noweights.npz"
    np.savez(f, mask_0=np.ones((2, 2)), mask_1=np.ones((2, 1)))
    assert main(["motifs", "count", str(f), "--edge-classes", "sign", "--json"]) == 2
    err = capsys.readouterr()
    assert "noweights.npz" in err.err and "weight_0" in err.err and err.out == ""
    g = tmp_path / "nobias.npz"
    np.savez(g, mask_0=np.ones((2, 2)), weight_0=np.ones((2, 2)), bias_mask_0=np.ones(2))
    assert (
        main(["motifs", "count", str(g), "--bias-nodes", "--edge-classes", "sign", "--json"]) == 2
    )
    assert "bias_0" in capsys.readouterr().err
    h = tmp_path / "n.npz"
    _weighted_net(h, 0)
    assert main(["motifs", "zscore", str(h), "--null", "degree", "--edge-classes", "sign"]) == 2
    assert "degree_signed" in capsys.readouterr().err
    assert main(["motifs", "count", str(h), "--edge-classes", "zambra", "--zambra-thresholds", '{"lo": 1}']) == 2  # fmt: skip
    assert "lo, b0, b1, hi" in capsys.readouterr().err


def test_count_reports_balanced_cycles(tmp_path, capsys):
    f = tmp_path / "n.npz"
    _weighted_net(f, 3)
    main(["motifs", "count", str(f), "--bias-nodes", "--edge-classes", "sign", "--json"])
    obj = _lines(capsys)[0]
    for m in ("bi_fan", "bi_parallel"):
        assert obj[f"{m}|balanced"] == sum(obj[f"{m}|pos={k}"] for k in (0, 2, 4))


def test_signed_table_rows_match_the_zscore_command(tmp_path, capsys):
    import pandas as pd

    paths = [tmp_path / f"seed{s}" / "level3.npz" for s in (1, 2)]
    for i, p in enumerate(paths):
        _weighted_net(p, 10 + i)
    out = tmp_path / "signed.csv"
    params = json.dumps({"motifs": {"samples": 30, "edge_classes": "sign", "seed": 4}})
    args = ["motifs", "signed-table", *map(str, paths), "--ensemble", "trained"]
    assert main([*args, "--params", params, "--out", str(out)]) == 0
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert set(table["seed"]) == {1, 2} and set(table["null"]) == {"degree_signed"}
    one = table[table["seed"] == 1].set_index("key")
    assert one.loc["bi_fan", "colour"] == "" or pd.isna(one.loc["bi_fan", "colour"])
    assert (
        one.loc["bi_fan|pos=2", "colour"] == "pos=2"
        and one.loc["bi_fan|pos=2", "motif"] == "bi_fan"
    )
    assert (
        one.loc[[f"bi_fan|pos={k}" for k in range(5)], "count"].sum() == one.loc["bi_fan", "count"]
    )
    assert np.isnan(one.loc["edges|pos=1", "z"]) and np.isfinite(one.loc["bi_fan|pos=2", "sp"])
    # the same numbers as the single-file route with the same seeds
    from sparsemotifs.config import validate_section
    from sparsemotifs.motifs.signed_cli import signed_file_rows

    rows = signed_file_rows(
        paths[0],
        ensemble="trained",
        params=validate_section("motifs", json.loads(params)["motifs"]),
    )
    ref = {r["key"]: r for r in rows}
    assert ref["bi_parallel|pos=2"]["null_mean"] == pytest.approx(
        one.loc["bi_parallel|pos=2", "null_mean"]
    )
    # switched off: refused with exit 2 and no output
    bad = tmp_path / "bad.csv"
    assert (
        main(
            [*args, "--params", json.dumps({"motifs": {"edge_classes": "none"}}), "--out", str(bad)]
        )
        == 2
    )
    assert "edge_classes" in capsys.readouterr().err and not bad.exists()


def test_signed_table_with_zambra_classes_needs_and_uses_the_fit(tmp_path, capsys):
    import pandas as pd

    paths = [tmp_path / f"seed{s}" / "level2.npz" for s in (1, 2)]
    for i, p in enumerate(paths):
        _weighted_net(p, 20 + i)
    th = tmp_path / "th.json"
    assert main(["motifs", "thresholds", *map(str, paths), "--zambra-band", "0.3",
                 "--out", str(th)]) == 0  # fmt: skip
    params = json.dumps({"motifs": {"samples": 20, "edge_classes": "zambra", "seed": 1}})
    args = ["motifs", "signed-table", *map(str, paths), "--ensemble", "trained", "--params", params]
    out = tmp_path / "z.csv"
    assert main([*args, "--out", str(out)]) == 2  # no fit given: refused, nothing written
    assert "--zambra-thresholds" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--zambra-thresholds", str(th), "--out", str(out)]) == 0
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert set(table["edge_classes"]) == {"zambra"}
    one = table[table["seed"] == 1].set_index("key")
    comps = [k for k in one.index if k.startswith("bi_fan|")]
    assert len(comps) == 15 and "bi_fan|sneg=2,mild=0,spos=2" in comps
    assert one.loc[comps, "count"].sum() == one.loc["bi_fan", "count"]
    # the same counts as `motifs count` with the same thresholds
    assert main(["motifs", "count", str(paths[0]), "--bias-nodes", "--edge-classes", "zambra",
                 "--zambra-thresholds", str(th), "--json"]) == 0  # fmt: skip
    counted = _lines(capsys)[0]
    assert all(counted[k] == one.loc[k, "count"] for k in comps)


def test_thresholds_pool_dense_files_and_initial_weights(tmp_path, capsys):
    from sparsemotifs.motifs.init_pruning import initial_weights

    network = {"widths": [5, 12, 10, 4], "activation": "tanh", "init": "paper"}
    dense = [tmp_path / f"seed{s}" / "level0.npz" for s in (3, 4)]
    pruned = tmp_path / "seed3" / "level5.npz"
    nets = [_weighted_net(p, 30 + i) for i, p in enumerate([*dense, pruned])]
    pooled = [nets[i][f"weight_{li}"][nets[i][f"mask_{li}"] > 0] for i in (0, 1) for li in range(3)]
    pooled += [w.ravel() for s in (3, 4) for w in initial_weights(s, network)]
    expected = zambra_thresholds(np.concatenate(pooled), 0.55)
    files = [*map(str, dense), str(pruned)]
    init = json.dumps({"network": network})
    assert main(["motifs", "thresholds", *files, "--dense-only", "--initial", init]) == 0
    got = _lines(capsys)[0]
    assert got["n_files"] == 2 and got["initial_seeds"] == 2
    assert got["n_weights"] == sum(p.size for p in pooled)
    for key in ("lo", "b0", "b1", "hi"):
        assert got["thresholds"][key] == pytest.approx(getattr(expected, key))
    assert main(["motifs", "thresholds", str(pruned), "--dense-only"]) == 2
    assert "no level-0 file" in capsys.readouterr().err
