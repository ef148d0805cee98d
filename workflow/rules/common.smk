# Shared settings, path helpers and input functions (no rules here). Ensembles, tables and
# figures come from the package's registry (sparsemotifs.registry), not from lists kept here.
import hashlib
import shlex
from pathlib import Path

from sparsemotifs import registry
from sparsemotifs.contracts.names import NULLS as NULL_NAMES
from sparsemotifs.config import validate_config
from sparsemotifs.fingerprint import code_fingerprint
from sparsemotifs.motifs.derive import NETWORK_DERIVATIONS
from sparsemotifs.resources import rule_resources, rule_threads
from sparsemotifs.workflow_cli import as_json

# The package's own validation adds checks JSON Schema cannot express (increasing cut
# fractions, split fractions summing to 1, ...); it raises before any job is scheduled.
CFG = validate_config(config)

RESULTS = f"results/{CFG['study']}"


def results(path):
    """A path under results/<study>/ (wildcards in single braces)."""
    return f"{RESULTS}/{path}"


def logs(path):
    return f"{RESULTS}/logs/{path}"


def benchmarks(path):
    return f"{RESULTS}/benchmarks/{path}"


# import_networks: DIR analyses the networks in DIR (seed{s}/level{k}.npz), nothing is trained.
IMPORT = CFG.get("import_networks")


def imported_seeds(directory):
    """Seeds of an imported directory, from its seed<s>/ folders (validated when analysed)."""
    seeds = sorted(
        int(p.name[4:])
        for p in Path(directory).glob("seed*")
        if p.is_dir() and p.name[4:].isdigit()
    )
    if not seeds:
        raise ValueError(f"import_networks: {directory} holds no seed<seed>/ folders")
    return seeds


SEEDS = (
    imported_seeds(IMPORT)
    if IMPORT
    else list(range(CFG["first_seed"], CFG["first_seed"] + CFG["seeds"]))
)
CHUNK_SIZE = CFG["training"]["chunk_size"]
CHUNKS = {
    i: SEEDS[start : start + CHUNK_SIZE]
    for i, start in enumerate(range(0, len(SEEDS), CHUNK_SIZE))
}
SHARDS = list(range(CFG.get("simulation", {}).get("shards", 0)))
NULLS = CFG["motifs"]["nulls"]
ENSEMBLES = registry.active(CFG)
MOTIF_ENSEMBLES = [e.name for e in ENSEMBLES]
TRAINED_ENSEMBLES = [] if IMPORT else [e.name for e in ENSEMBLES if e.kind == "trained"]
# trained ensembles other than the subject: their levels tables join the subject's
OTHER_TRAINED = [e for e in TRAINED_ENSEMBLES if e != registry.SUBJECT]
TABLES = list(registry.TABLES)
FIGURES = list(registry.FIGURES)
# weight metrics of every trained ensemble; closed-loop function of the subject (its data are
# the flight task's, so its outputs are controls). An imported study has neither trained levels
# tables nor a dataset to fly, so both stages are off there.
IMPORTED = bool(CFG.get("import_networks"))
WEIGHTS = CFG["weights"]["enabled"] and not IMPORTED
CLOSED_LOOP = CFG["closed_loop"]["enabled"] and not IMPORTED
FUNCTION_FIGURES = (
    ["weights_vs_sparsity", "weights_separation"] if WEIGHTS else []
) + (["closed_loop_vs_sparsity"] if CLOSED_LOOP else [])
FUNCTION_SECTIONS = (
    [results("tables/function_summary.md")] if WEIGHTS or CLOSED_LOOP else []
)


wildcard_constraints:
    shard=r"\d+",
    chunk=r"\d+",
    ensemble="|".join(registry.names()),
    null="|".join(NULL_NAMES),


def cli_params(*sections):
    """The one `--params` shape of every command: {"<section>": {...}} as canonical JSON.

    A dotted name passes one subsection ("controls.control_task" -> {"controls": {"control_task":
    ...}}), so a rule reruns when (only) the settings it uses change.
    """
    out = {}
    for name in sections:
        head, _, sub = name.partition(".")
        if sub:
            out.setdefault(head, {})[sub] = CFG[head][sub]
        else:
            out[head] = CFG[head]
    return as_json(out)


def data_file(ensemble):
    return results(f"data/{registry.get(ensemble).data}.npz")


def networks_dir(ensemble):
    """The subject's networks live in networks/ (the documented contract), others beside it;
    with import_networks the subject's (and its derived ensembles') are the imported ones.
    """
    if IMPORT and registry.get(ensemble).levels_of == registry.SUBJECT:
        return IMPORT
    return results(registry.networks_dir(ensemble))


def levels_table(ensemble):
    return results(registry.levels_table(ensemble))


def levels_owner(ensemble):
    """Whose training metrics a derived ensemble (random_pruned) analyses."""
    return registry.levels_owner(ensemble)


def chunk_metrics(ensemble):
    return [results(f"train/{ensemble}/chunk{c}.csv") for c in CHUNKS]


def other_levels_args(wildcards, input):
    """--control-levels NAME=PATH for each trained ensemble besides the subject."""
    return " ".join(
        f"--control-levels {e}={p}"
        for e, p in zip(OTHER_TRAINED, input.control_levels, strict=True)
    )


def checkpoint_dir(wildcards):
    """Checkpoints are keyed by the chunk's settings so a changed config never resumes stale state."""
    key = hashlib.sha256(
        (train_settings() + " ".join(map(str, CHUNKS[int(wildcards.chunk)]))).encode()
    ).hexdigest()[:12]
    return results(
        f"train/{wildcards.ensemble}/checkpoints/chunk{wildcards.chunk}-{key}"
    )


def train_settings():
    return cli_params("network", "training", "pruning")


def motif_tables(kind):
    return [
        results(f"motifs/{ensemble}/{null}/chunk{c}.{kind}.parquet")
        for ensemble in MOTIF_ENSEMBLES
        for null in NULLS
        for c in CHUNKS
    ]


def signed_motif_tables():
    """Per-chunk signed-motif tables of the trained (not derived) ensembles, if switched on."""
    if CFG["motifs"]["edge_classes"] == "none":
        return []
    return [
        results(f"motifs/{e}/degree_signed/chunk{c}.signed.parquet")
        for e in MOTIF_ENSEMBLES
        if registry.get(e).kind != "derived"
        for c in CHUNKS
    ]


def weight_tables(kind):
    return [
        results(f"weights/{ensemble}/chunk{c}.{kind}")
        for ensemble in TRAINED_ENSEMBLES
        for c in CHUNKS
    ]


def signed_motif_summary_input():
    """The signed-motif table for the summary, when motifs.edge_classes switches it on."""
    if CFG["motifs"]["edge_classes"] == "none":
        return []
    return [results("tables/signed_motifs.csv")]


def derive_arg(wildcards):
    """A derived ensemble's networks are made from its source's files by its producer, as many
    per file as its draws; magnitude_init also needs its source's network settings."""
    entry = registry.get(wildcards.ensemble)
    if entry.kind != "derived":
        return ""
    arg = f"--derive {entry.producer} --draws {registry.draws(CFG, entry.name)}"
    if entry.producer in NETWORK_DERIVATIONS:
        network = registry.ensemble_config(CFG, entry.source)["network"]
        arg = f"{arg} --network {shlex.quote(as_json({'network': network}))}"
    return arg


def final_outputs():
    return (
        [
            results("config.yaml"),
            levels_table(registry.SUBJECT),
            results("tables/motifs.csv"),
            results("summary.md"),
        ]
        + [results(f"tables/{t}.csv") for t in TABLES]
        + [results(f"figures/{f}.png") for f in FIGURES + FUNCTION_FIGURES]
        + (
            [results("tables/signed_motifs.csv")]
            if CFG["motifs"]["edge_classes"] != "none"
            else []
        )
        + ([results("tables/weights.csv")] if WEIGHTS else [])
        + ([results("tables/closed_loop.csv")] if CLOSED_LOOP else [])
    )
