# Shared settings, path helpers and input functions (no rules here). Ensembles, tables and
# figures come from the package's registry (sparsemotifs.registry), not from lists kept here.
import hashlib
import shlex
from pathlib import Path

from sparsemotifs import registry
from sparsemotifs.contracts import outputs
from sparsemotifs.contracts.names import NULLS as NULL_NAMES
from sparsemotifs.config import validate_config
from sparsemotifs.fingerprint import code_fingerprint
from sparsemotifs.motifs.derive import NETWORK_DERIVATIONS
from sparsemotifs.report import published_data
from sparsemotifs.resources import rule_resources, rule_threads
from sparsemotifs.training.shared_dense import dense_settings_key
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
# The registry of this study: with `variants`, one trained ensemble per variant (the first is the
# subject); every rule's input functions and the statistics commands (--variants) use it.
ENSEMBLES = registry.configure(CFG)
VARIANTS = list(CFG["variants"])
MOTIF_ENSEMBLES = [e.name for e in ENSEMBLES]
TRAINED_ENSEMBLES = [] if IMPORT else [e.name for e in ENSEMBLES if e.kind == "trained"]
# trained ensembles other than the subject: their levels tables join the subject's
OTHER_TRAINED = [e for e in TRAINED_ENSEMBLES if e != registry.SUBJECT]
TABLES = list(outputs.TABLES)
FIGURES = list(outputs.FIGURES)
# weight metrics of every trained ensemble; closed-loop function of the subject (its data are
# the flight task's, so its outputs are controls). An imported study has neither trained levels
# tables nor a dataset to fly, so both stages are off there.
IMPORTED = bool(CFG.get("import_networks"))
WEIGHTS = CFG["weights"]["enabled"] and not IMPORTED
CLOSED_LOOP = CFG["closed_loop"]["enabled"] and not IMPORTED
# the ensembles whose predicted controls are flown: the subject and the other variants (all on
# the flight task; the control task's outputs are not controls)
FLOWN = registry.studied() if CLOSED_LOOP else []
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


def cli_params(*sections, ensemble=None):
    """The one `--params` shape of every command: {"<section>": {...}} as canonical JSON.

    A dotted name passes one subsection ("controls.control_task" -> {"controls": {"control_task":
    ...}}), so a rule reruns when (only) the settings it uses change. With `ensemble`, the
    sections are that ensemble's effective ones (a variant's overrides merged in), so changing
    one variant reruns only its jobs.
    """
    cfg = CFG if ensemble is None else registry.ensemble_config(CFG, ensemble)
    out = {}
    for name in sections:
        head, _, sub = name.partition(".")
        if sub:
            out.setdefault(head, {})[sub] = cfg[head][sub]
        else:
            out[head] = cfg[head]
    return as_json(out)


def cli_threshold():
    """The subject's selection threshold (a variant may override it), drawn in the figures."""
    return registry.ensemble_config(CFG, registry.SUBJECT)["selection"]["threshold"]


def cli_split():
    """The subject's selecting split (a variant may override it): the loss the figures draw."""
    return registry.ensemble_config(CFG, registry.SUBJECT)["selection"]["split"]


def variants_arg():
    """--variants NAME ... for the statistics commands (empty without variants)."""
    return ("--variants " + " ".join(VARIANTS)) if VARIANTS else ""


def data_file(ensemble):
    return results(f"data/{registry.get(ensemble).data}.npz")


def r2_data(ensemble):
    """The dataset `select` reads each output's variance from (per_output_r2 threshold only)."""
    if (
        registry.ensemble_config(CFG, ensemble)["selection"]["threshold_kind"]
        != "per_output_r2"
    ):
        return []
    return [data_file(ensemble)]


def networks_dir(ensemble):
    """The subject's networks live in networks/ (the documented contract), others beside it;
    with import_networks the subject's (and its derived ensembles') are the imported ones; a
    variant trained exactly like an earlier one (TRAINED_LIKE) uses that one's networks.
    """
    if IMPORT and registry.get(ensemble).levels_of == registry.SUBJECT:
        return IMPORT
    owner = registry.get(ensemble).levels_of
    return results(registry.networks_dir(TRAINED_LIKE.get(owner, owner)))


def metrics_file(ensemble, chunk):
    """The training metrics of the chunk whose networks `ensemble` analyses."""
    owner = levels_owner(ensemble)
    return results(f"train/{TRAINED_LIKE.get(owner, owner)}/chunk{chunk}.csv")


def levels_table(ensemble):
    return results(registry.levels_table(ensemble))


def levels_owner(ensemble):
    """Whose training metrics a derived ensemble (random_pruned) analyses."""
    return registry.levels_owner(ensemble)


def chunk_metrics(ensemble):
    return [metrics_file(ensemble, c) for c in CHUNKS]


def other_levels_args(wildcards, input):
    """--control-levels NAME=PATH for each trained ensemble besides the subject."""
    return " ".join(
        f"--control-levels {e}={p}"
        for e, p in zip(OTHER_TRAINED, input.control_levels, strict=True)
    )


def dense_key(ensemble):
    """What `ensemble`'s dense level depends on (its data, network and training settings)."""
    cfg = registry.ensemble_config(CFG, ensemble)
    return dense_settings_key(
        registry.get(ensemble).data, cfg["network"], cfg["training"]
    )


def train_key(ensemble):
    """Everything a trained ensemble's networks depend on: data, network, training, pruning."""
    settings = cli_params("network", "training", "pruning", ensemble=ensemble)
    return f"{registry.get(ensemble).data} {settings}"


def _trained_like():
    """{variant: the earlier trained ensemble it is trained exactly like} (variants that differ
    only in selection): such a variant trains nothing and re-analyses nothing; it selects on
    that ensemble's networks and metrics, and its motif tables are that ensemble's relabelled.
    """
    first = {}
    for e in TRAINED_ENSEMBLES:
        first.setdefault(train_key(e), e)
    return {
        e: first[train_key(e)] for e in TRAINED_ENSEMBLES if first[train_key(e)] != e
    }


TRAINED_LIKE = _trained_like()
# trained ensembles that run the `train` rule
TRAINING = [e for e in TRAINED_ENSEMBLES if e not in TRAINED_LIKE]


def _motif_like():
    """{ensemble: the ensemble whose motif tables are its own, relabelled}: a variant trained
    like another and its per-variant null samples (the same networks, the same draws).
    """
    out = {}
    for e in ENSEMBLES:
        owner = e.levels_of
        if owner in TRAINED_LIKE:
            twin = TRAINED_LIKE[owner]
            out[e.name] = (
                twin if e.name == owner else registry.derived_of(twin, e.base_name)
            )
    return out


MOTIF_LIKE = _motif_like()


def _shared_dense():
    """{trained ensemble: dense key} for those whose dense level another one shares (variants
    that differ only in pruning or selection): it is trained once per chunk (train_dense).
    """
    keys = {e: dense_key(e) for e in TRAINING}
    return {e: k for e, k in keys.items() if list(keys.values()).count(k) > 1}


SHARED_DENSE = _shared_dense()
# the ensemble whose settings the shared dense job uses (the first with that key)
DENSE_OWNER = {k: e for e, k in reversed(list(SHARED_DENSE.items()))}


def dense_file(ensemble, chunk):
    return results(f"train/dense/{SHARED_DENSE[ensemble]}/chunk{chunk}.pt")


def dense_input(wildcards):
    """The shared dense level a training job continues from (none if not shared)."""
    if wildcards.ensemble not in SHARED_DENSE:
        return []
    return [dense_file(wildcards.ensemble, wildcards.chunk)]


def checkpoint_dir(wildcards):
    """Checkpoints are keyed by the chunk's settings so a changed config never resumes stale state."""
    key = hashlib.sha256(
        (
            train_settings(wildcards.ensemble)
            + " ".join(map(str, CHUNKS[int(wildcards.chunk)]))
        ).encode()
    ).hexdigest()[:12]
    return results(
        f"train/{wildcards.ensemble}/checkpoints/chunk{wildcards.chunk}-{key}"
    )


def train_settings(ensemble):
    """The training sections as `ensemble` sees them (its variant's overrides merged in)."""
    return cli_params("network", "training", "pruning", ensemble=ensemble)


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


def full_samples_arg(wildcards, input):
    """motifs.samples_other_levels: the metrics and the selections that name each seed's
    selected levels, which keep the full samples: the analysed ensemble's and those of the
    variants trained like it (their motif tables are its own, relabelled). Imported networks:
    full samples everywhere."""
    if CFG["motifs"]["samples_other_levels"] is None or IMPORT:
        return ""
    owner = levels_owner(wildcards.ensemble)
    readers = [owner] + [v for v, like in TRAINED_LIKE.items() if like == owner]
    selections = " ".join(
        f"--selection {shlex.quote(cli_params('selection', ensemble=e))}"
        for e in readers
    )
    return f"--metrics {input.metrics} {selections}"


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
        + [
            results("tables/published_comparison.csv"),
            results("tables/published_choices.csv"),
        ]
        + [results(f"figures/{f}.png") for f in PUBLISHED_FIGURES]
        + ([results("tables/closed_loop.csv")] if CLOSED_LOOP else [])
        + (
            [results("tables/width_scaling.csv"), results("figures/width_scaling.png")]
            if WIDTH_SCALING
            else []
        )
    )


# ---- the published study (workflow/rules/published.smk) ------------------------------------
# our trained ensembles of the flight task, each next to the published one
COMPARED_ENSEMBLES = [e for e in TRAINED_ENSEMBLES if registry.get(e).data == "flight"]
REFERENCE_NETWORK = CFG["report"]["reference_network"]["enabled"]
PUBLISHED_FIGURES = list(outputs.PUBLISHED_FIGURES)
if not REFERENCE_NETWORK:
    PUBLISHED_FIGURES.remove("reference_network_z")
PUBLISHED_SECTIONS = [
    results("tables/published_summary.md"),
    results("tables/published_choices.md"),
]
# the first hidden width of every compared ensemble; the width-scaling table and figure exist
# only when the study compares more than one width (e.g. config/scaling.yaml)
HIDDEN_WIDTHS = {
    e: registry.ensemble_config(CFG, e)["network"]["widths"][1]
    for e in COMPARED_ENSEMBLES
}
WIDTH_SCALING = len(set(HIDDEN_WIDTHS.values())) > 1


def reference_data_arg():
    """--reference-data only when the config changes the default, so that the environment
    variable SPARSEMOTIFS_REFERENCE_DATA can still redirect the default."""
    value = CFG["report"]["reference_data"]
    return (
        ""
        if value == published_data.DEFAULT_DIR
        else f"--reference-data {shlex.quote(value)}"
    )


def reference_network_args():
    rn = CFG["report"]["reference_network"]
    return " ".join(
        [
            f"--samples {rn['samples']} --samples-other {rn['samples_other_levels']}",
            f"--selected-cut {rn['selected_cut']} --seed {CFG['motifs']['seed']}",
        ]
        + [f"--cut {c}" for c in rn["levels"]]
    )


def published_ensemble_args(levels_paths):
    """--levels/--networks/--selection NAME=... of every compared ensemble."""
    out = []
    for e, path in zip(COMPARED_ENSEMBLES, levels_paths, strict=True):
        sel = registry.ensemble_config(CFG, e)["selection"]
        out += [
            f"--levels {e}={path}",
            f"--networks {e}={networks_dir(e)}",
            f"--selection {e}={sel['split']},{sel['threshold']},{sel['rule']}",
        ]
    return " ".join(out)
