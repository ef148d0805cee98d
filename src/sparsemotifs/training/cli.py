"""`sparsemotifs train` (one chunk of seeds) and `sparsemotifs select` (the study's levels)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sparsemotifs.config import ConfigError, parse_params
from sparsemotifs.dataset import load_training_data
from sparsemotifs.io import write_table

log = logging.getLogger(__name__)

TRAIN_SECTIONS = ("network", "training", "pruning")


def register(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train and iteratively prune a chunk of seeded networks",
        description="Train the networks of the given seeds together (batched), prune them level by "
        "level and retrain. Writes DIR/seed{seed}/level{k}.npz for every network and level, then "
        "the metrics table (written last: it marks the chunk as complete). A killed job resumes "
        "from its last completed level (checkpoint) with identical results.",
    )
    p.add_argument("--data", required=True, help="training data .npz (sparsemotifs dataset)")
    p.add_argument(
        "--seeds", required=True, nargs="+", type=int, help="network seeds of this chunk"
    )
    p.add_argument("--out-dir", help="directory for seed{seed}/level{k}.npz (required)")
    p.add_argument("--metrics", help="metrics table (.parquet, or .csv) (required)")
    p.add_argument(
        "--dense-out",
        default=None,
        metavar="FILE",
        help="train the dense level only and write its state to FILE (no level files, no "
        "metrics): a dense level shared by variants that differ only in pruning or selection",
    )
    p.add_argument(
        "--dense-from",
        default=None,
        metavar="FILE",
        help="continue from a dense level written by --dense-out (refused unless its seeds, "
        "data, network and training settings are this job's); its level-0 rows and files are "
        "this job's level 0",
    )
    p.add_argument(
        "--params",
        default="{}",
        help='JSON object with the config sections {"network": ..., "training": ..., "pruning": ...}',
    )
    p.add_argument(
        "--threads", type=int, default=None, help="torch threads (overrides training.threads)"
    )
    p.add_argument(
        "--gpus",
        type=int,
        default=0,
        help="GPUs this job was given by its scheduler (resources.train.gpu): with a GPU requested, "
        "finding no CUDA device is an error, whatever training.device says (auto included)",
    )
    p.add_argument(
        "--cpu-fallback",
        action="store_true",
        help="with --gpus > 0 and no CUDA device, train on the CPU with a warning instead of failing",
    )
    p.add_argument(
        "--checkpoint-dir",
        default=None,
        help="where the per-level checkpoint lives (default: OUT_DIR/.checkpoint); removed after "
        "the metrics are written. Keep it outside the rule's declared outputs: Snakemake deletes "
        "the outputs of an incomplete job before rerunning it",
    )
    p.set_defaults(func=run_train)

    s = sub.add_parser(
        "select",
        help="pick each network's optimally sparse level",
        description="Concatenate chunk metrics and mark, per seed, the optimally sparse level "
        "(selection.threshold on selection.split, rule first_failure or last_pass); flags selected "
        "networks with an output node that no input reaches (dead_output).",
    )
    s.add_argument("metrics", nargs="+", help="metrics tables written by `sparsemotifs train`")
    s.add_argument("--out", required=True, help="levels table (.csv or .parquet)")
    s.add_argument("--params", default="{}", help='JSON object {"selection": {...}}')
    s.add_argument(
        "--ensemble",
        default=None,
        help="ensemble name written as the table's first column `ensemble` (omitted: no column)",
    )
    s.add_argument(
        "--networks-dir",
        default=None,
        help="directory with seed{seed}/level{k}.npz: recheck dead outputs of selected levels",
    )
    s.set_defaults(func=run_select)


def run_train(args: argparse.Namespace) -> int:
    # torch is imported here, not at module level, so other subcommands start fast
    import torch

    from sparsemotifs.training.device import resolve_device
    from sparsemotifs.training.trainer import EnsembleTrainer, configure_threads

    sections = parse_params(args.params, TRAIN_SECTIONS)
    if args.dense_out is None and (args.out_dir is None or args.metrics is None):
        raise ConfigError("--out-dir and --metrics are required (unless --dense-out FILE)")
    if args.dense_out is not None and args.dense_from is not None:
        raise ConfigError("--dense-out and --dense-from exclude each other")
    if args.threads is not None:
        if args.threads < 1:
            raise ConfigError(f"--threads must be >= 1, got {args.threads}")
        sections["training"]["threads"] = args.threads
    configure_threads(sections["training"]["threads"])
    # Resolved before any data are read, so a GPU job without a GPU fails within seconds.
    device = resolve_device(
        sections["training"]["device"], gpus=args.gpus, cpu_fallback=args.cpu_fallback
    )
    sections["training"]["device"] = device.type
    data = load_training_data(args.data)
    checkpoint_dir = args.checkpoint_dir
    if checkpoint_dir is None and args.out_dir is not None:
        checkpoint_dir = str(Path(args.out_dir) / ".checkpoint")
    trainer = EnsembleTrainer(
        data,
        args.seeds,
        sections["network"],
        sections["training"],
        sections["pruning"],
        out_dir=args.out_dir,
        checkpoint_dir=checkpoint_dir,
        lr_overrides=sections["training"]["lr_overrides"],
        dense_from=args.dense_from,
        dense_out=args.dense_out,
    )
    log.info(
        "training seeds %s on %s with %d torch threads (%d GPU(s) requested): %d levels, "
        "batch %d, at most %d steps per level",
        args.seeds,
        trainer.device,
        torch.get_num_threads(),
        args.gpus,
        trainer.n_levels,
        trainer.batch,
        trainer.step_cap,
    )
    # The device and thread count that produced the numbers (both may change float results).
    metrics = trainer.run().assign(device=trainer.device.type, threads=torch.get_num_threads())
    if args.dense_out is not None:  # written by run(), like a checkpoint (atomically)
        trainer.remove_checkpoint()
        log.info("wrote the dense level of seeds %s to %s", args.seeds, args.dense_out)
        return 0
    write_table(metrics, args.metrics)
    trainer.remove_checkpoint()
    log.info(
        "wrote %s (%d rows) and level files under %s", args.metrics, len(metrics), args.out_dir
    )
    return 0


def run_select(args: argparse.Namespace) -> int:
    from sparsemotifs.training.selection import flag_dead_outputs, read_metrics, select_levels

    selection = parse_params(args.params, ("selection",))["selection"]
    metrics = read_metrics(args.metrics)
    levels = flag_dead_outputs(select_levels(metrics, selection), args.networks_dir)
    if args.ensemble is not None:
        levels.insert(0, "ensemble", args.ensemble)
    write_table(levels, args.out)
    chosen = levels[levels["selected"]]
    log.info(
        "wrote %s: %d of %d networks selected (%d with a dead output); median selected cut %.2f",
        args.out,
        len(chosen),
        levels["seed"].nunique(),
        int(chosen["dead_output"].sum()),
        float(chosen["cut_fraction"].median()) if len(chosen) else float("nan"),
    )
    return 0
