"""Importing networks: torch checkpoints to level files, and the levels table of a directory."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import prune

from sparsemotifs.contracts.network_import import import_checkpoint, imported_levels
from sparsemotifs.io import InputError, load_npz
from sparsemotifs.motifs.graph import load_graph


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 4), nn.Tanh(), nn.Linear(4, 2))


def test_pruned_checkpoint_round_trip(tmp_path):
    model = _model()
    for layer in (model[0], model[2], model[4]):
        prune.random_unstructured(layer, "weight", amount=0.5)
    prune.random_unstructured(model[2], "bias", amount=0.5)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    out = import_checkpoint(tmp_path / "model.pt", tmp_path / "nets", seed=3, level=2)
    assert out == tmp_path / "nets" / "seed3" / "level2.npz"
    arrays = load_npz(out)
    for li, layer in enumerate((model[0], model[2], model[4])):
        mask = layer.weight_mask.numpy().T.astype(bool)
        np.testing.assert_array_equal(arrays[f"mask_{li}"].astype(bool), mask)
        np.testing.assert_allclose(arrays[f"weight_{li}"], layer.weight.detach().numpy().T)
    np.testing.assert_array_equal(arrays["bias_mask_1"], model[2].bias_mask.numpy())
    assert arrays["bias_mask_0"].all()  # an unpruned bias: every bias edge present
    assert load_graph(out).widths == (5, 6, 4, 2)


def test_plain_module_needs_allow_pickle(tmp_path):
    model = _model()
    with torch.no_grad():
        model[0].weight[0, :] = 0.0
    torch.save(model, tmp_path / "model.pt")
    with pytest.raises(InputError, match="allow-pickle"):
        import_checkpoint(tmp_path / "model.pt", tmp_path / "nets")
    out = import_checkpoint(tmp_path / "model.pt", tmp_path / "nets", allow_pickle=True)
    assert not load_npz(out)["mask_0"][:, 0].any()  # zero weights = absent edges (mask is .T)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.update({"2.weight": torch.ones(4, 5)}), "takes 5 inputs"),
        (lambda s: s.update({"0.weight_orig": s.pop("0.weight")}), "without 0.weight_mask"),
        (
            lambda s: s.update(
                {"0.weight_orig": s.pop("0.weight"), "0.weight_mask": torch.full((6, 5), 0.5)}
            ),
            "0/1",
        ),
        (lambda s: s.clear(), "no Linear layer"),
    ],
)
def test_bad_checkpoints_are_refused_naming_the_file(tmp_path, edit, message):
    state = dict(_model().state_dict())
    edit(state)
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(InputError, match=message) as err:
        import_checkpoint(tmp_path / "bad.pt", tmp_path / "nets")
    assert "bad.pt" in str(err.value)
    assert not (tmp_path / "nets").exists() or not any((tmp_path / "nets").rglob("*.npz"))


def test_imported_levels_table(tmp_path):
    model = _model()
    for level, amount in enumerate((0.0, 0.5)):
        for layer in (model[0], model[2], model[4]):
            prune.l1_unstructured(layer, "weight", amount=amount)
        torch.save(model.state_dict(), tmp_path / f"m{level}.pt")
        import_checkpoint(tmp_path / f"m{level}.pt", tmp_path / "nets", seed=1, level=level)
    (tmp_path / "nets" / "notes.txt").write_text("ignored")
    lv = imported_levels(tmp_path / "nets")
    assert list(lv["level"]) == [0, 1] and list(lv["selected"]) == [False, True]
    total = 5 * 6 + 6 * 4 + 4 * 2
    kept = sum(
        int(load_npz(tmp_path / "nets/seed1/level1.npz")[f"mask_{i}"].sum()) for i in range(3)
    )
    assert lv.loc[1, "cut_fraction"] == pytest.approx(1 - kept / total)
    assert lv["loss_val"].isna().all() and (lv["status"] == "ok").all()
    with pytest.raises(InputError, match="no network files"):
        imported_levels(tmp_path / "nets" / "seed1")


def test_cli_import_and_bad_file_exit_2(tmp_path):
    from tests.conftest import run_cli

    prune.random_unstructured((m := _model())[0], "weight", amount=0.3)
    torch.save(m.state_dict(), tmp_path / "model.pt")
    ok = run_cli(
        "networks", "import", tmp_path / "model.pt", "--out", tmp_path / "d", "--seed", "4"
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "d" / "seed4" / "level0.npz").is_file()
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    bad = run_cli("networks", "import", tmp_path / "junk.pt", "--out", tmp_path / "e")
    assert bad.returncode == 2 and "junk.pt" in bad.stderr
    assert not (tmp_path / "e").exists()


def test_networks_list_still_needs_dir(tmp_path):
    from tests.conftest import run_cli

    res = run_cli("networks", "list", tmp_path / "chunk0.csv")
    assert res.returncode == 2 and "--dir is required" in res.stderr
