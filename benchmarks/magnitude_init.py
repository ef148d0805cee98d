"""Cost of the magnitude_init control (initial weights pruned by |w|) in the default study.

Per network: regenerating the seed's initial weights and pruning them (the derivation), then
analysing the result under every default null, against the analysis of the network itself in
the same run (the baseline). The control adds one derived ensemble to the motif stage, so its
cost in the default study is about (levels x seeds) such analyses plus one torch import per
motif job; the estimate is printed.
Run: .venv/bin/python benchmarks/magnitude_init.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sparsemotifs.config import validate_config, validate_section
from sparsemotifs.motifs.cli import analyse_file_rows
from sparsemotifs.motifs.graph import load_graph
from sparsemotifs.motifs.init_pruning import magnitude_init

sys.path.insert(0, str(Path(__file__).parent))
from null_samples import NULLS, WIDTHS, network  # noqa: E402


def main() -> int:
    params = validate_section("motifs", {"samples": 100})
    net = validate_section("network", {"widths": list(WIDTHS), "init": "paper"})
    rng = np.random.default_rng(0)
    per_network = []
    with tempfile.TemporaryDirectory() as tmp:
        for density in (0.5, 0.15, 0.06):
            path = network(density, rng, Path(tmp) / f"d{density}")
            graph = load_graph(path)
            start = time.process_time()
            analyse_file_rows(path, ensemble="x", nulls=NULLS, params=params)
            base = time.process_time() - start
            start = time.process_time()
            for _ in range(20):
                magnitude_init(graph, rng, seed=3, network=net)
            derive = (time.process_time() - start) / 20
            start = time.process_time()
            analyse_file_rows(path, ensemble="x", nulls=NULLS, params=params,
                              derivation="magnitude_init", network=net)  # fmt: skip
            full = time.process_time() - start
            per_network.append(full)
            print(f"density {density:.2f}: derivation {derive * 1e3:6.1f} ms, derived + analysed "
                  f"{full:5.2f} s vs the network itself {base:5.2f} s  ratio {full / base:4.2f}")  # fmt: skip
    torch_import = float(
        subprocess.run(
            [sys.executable, "-c", "import time; import torch; print(time.process_time())"],
            check=True, capture_output=True, text=True,
        ).stdout
    )  # fmt: skip
    cfg = validate_config(
        __import__("yaml").safe_load((Path(__file__).parents[1] / "config/config.yaml").read_text())
    )
    networks = cfg["seeds"] * (len(cfg["pruning"]["schedule"]) + 1)
    jobs = -(-cfg["seeds"] // cfg["training"]["chunk_size"]) * len(cfg["motifs"]["nulls"])
    # the benchmark analyses under all three nulls at once; the workflow runs one null per job
    cpu = networks * float(np.mean(per_network)) + jobs * torch_import
    print(f"default study: {networks} networks, {jobs} motif jobs; torch import {torch_import:.1f} s;"
          f" added CPU time ~{cpu:.0f} s, ~{cpu / 2:.0f} s wall on 2 cores")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
