"""What each workflow job asks of its executor (threads, CPUs, memory, runtime, GPUs).

The numbers live in the study's config (`resources` section, schema defaults sized for the default
study) so that a cluster profile holds only site settings: Snakemake replaces a whole profile key
(`default-resources`, `set-resources`, `set-threads`) when the same option is given on the command
line, so per-rule requests kept in a profile are lost as soon as a user adds an account there.

CPUs are always the job's thread count (`cpus_per_task`, which the SLURM executor plugin maps to
`--cpus-per-task` and prefers over `cpus_per_gpu`), and training's threads are a study setting
(`training.threads`), so a job never runs more threads than it was given CPUs and a local run
trains with the same thread count as a cluster run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# Workflow rule -> its section of `resources` (both dataset rules share one).
RULE_SECTIONS = {
    "simulate": "simulate",
    "dataset": "dataset",
    "control_dataset": "dataset",
    "train": "train",
    "motifs": "motifs",
    "signed_motifs": "signed_motifs",
    "weights": "weights",
    "weights_compare": "weights_compare",
    "closed_loop": "closed_loop",
}


def _section(cfg: Mapping, rule: str) -> Mapping:
    try:
        return cfg["resources"][RULE_SECTIONS[rule]]
    except KeyError as err:
        raise KeyError(
            f"no resources for rule {rule!r} (known: {', '.join(RULE_SECTIONS)})"
        ) from err


def rule_threads(cfg: Mapping, rule: str) -> int:
    """Threads (and so CPUs) of one job of `rule`: training.threads for train, else 1."""
    _section(cfg, rule)
    return int(cfg["training"]["threads"]) if rule == "train" else 1


def gpu_request(cfg: Mapping) -> int:
    """GPUs per training job: resources.train.gpu, none when training.device is cpu."""
    if cfg["training"]["device"] == "cpu":
        return 0
    return int(cfg["resources"]["train"]["gpu"])


def _per_attempt(base: int) -> Callable:
    """Attempt n (a job restarted by --restart-times) asks n times the base value."""

    def scaled(wildcards, attempt):
        return int(base) * int(attempt)

    return scaled


def rule_resources(cfg: Mapping, rule: str) -> dict:
    """The `resources:` of `rule` (a validated config with defaults filled in): mem_mb and
    runtime (minutes) growing with the attempt, cpus_per_task = the job's threads, and for
    train the GPU count."""
    section = _section(cfg, rule)
    out = {
        "mem_mb": _per_attempt(section["mem_mb"]),
        "runtime": _per_attempt(section["runtime"]),
        "cpus_per_task": rule_threads(cfg, rule),
    }
    if rule == "train":
        out["gpu"] = gpu_request(cfg)
    return out


def evaluated(resources: Mapping, attempt: int = 1) -> dict:
    """`rule_resources` with the per-attempt values computed (for tests and documentation)."""
    return {k: (v(None, attempt) if callable(v) else v) for k, v in resources.items()}
