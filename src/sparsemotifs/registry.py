"""The one registry of ensembles, statistics tables and figures, read by the Snakefile and the
package alike.

An ensemble is a set of networks, one per seed and pruning level, analysed like the others and
labelled by its name in every table (`ensemble` column). Each entry says

  kind       "trained": networks trained and pruned on `data` by the `train` rule;
             "derived": networks made from another ensemble's networks (`source`) by a
             `producer` of the motif stage (`sparsemotifs.motifs.derive.DERIVATIONS`), applied to
             each source file when it is analysed; no files of its own;
             "imported": networks read from a folder of seed{seed}/level{level}.npz (no training).
  data       trained: the dataset it trains on (`data/{data}.npz`, built by a dataset rule).
  source     derived: whose networks it is made from.
  levels_of  whose levels table (status, cut fractions) and selection it shares: itself for
             trained and imported ensembles, the source for derived ones (`levels_owner`).
  producer   how its networks are produced: "train", a derivation name, or "import".
  role       "subject" (the ensemble under study) or "control" (compared against the subject
             by the permutation tests).
  enabled_by dotted config key that switches it on (None: always on).
  draws_by   derived: dotted config key giving how many networks it derives from each source
             network (column `draw` of the motifs table; None: one).
  overrides  config sections replaced for this ensemble (variants of the trained ensemble that
             differ in network/training/pruning/selection; see `ensemble_config`).

Adding an ensemble is one entry here plus its producer, e.g. the control drawn from the degree-
preserving null of every analysed network:

    Ensemble("null_degree", kind="derived", source="trained", producer="null_degree",
             role="control", enabled_by="controls.null_samples", color="#9467bd")

with `null_degree(graph, rng)` in `motifs.derive.DERIVATIONS`; the workflow, the
statistics, the figures and the summary pick it up from here. A trained variant is an entry
with overrides, e.g. `Ensemble("wide", kind="trained", data="flight", role="control",
overrides={"network": {"widths": [10, 24, 24, 24, 16, 7]}})`.

File layout of an ensemble under results/<study>/ (`networks_dir`, `levels_table`,
`metrics_dir`): the subject keeps the documented `networks/` and `tables/levels.csv`; others
live in `<name>/networks/` and `tables/<name>_levels.csv`; derived ensembles use their source's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = ("trained", "derived", "imported")
ROLES = ("subject", "control")


@dataclass(frozen=True)
class Ensemble:
    """One registry entry (see the module docstring)."""

    name: str
    kind: str
    role: str
    data: str | None = None
    source: str | None = None
    producer: str = "train"
    enabled_by: str | None = None
    draws_by: str | None = None
    overrides: Mapping = field(default_factory=dict)
    color: str = "C4"
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.role not in ROLES:
            raise ValueError(f"ensemble {self.name}: kind {self.kind!r} / role {self.role!r}")
        if (self.kind == "trained") != (self.data is not None):
            raise ValueError(f"ensemble {self.name}: a trained ensemble (only) names its data")
        if (self.kind == "derived") != (self.source is not None):
            raise ValueError(f"ensemble {self.name}: a derived ensemble (only) names its source")

    @property
    def levels_of(self) -> str:
        """Whose levels table and selection this ensemble shares."""
        return self.source if self.source is not None else self.name


ENSEMBLES: tuple[Ensemble, ...] = (
    Ensemble(
        "trained",
        kind="trained",
        role="subject",
        data="flight",
        color="#1f77b4",
        description="MLPs trained and iteratively magnitude-pruned on the flight task",
    ),
    Ensemble(
        "random_pruned",
        kind="derived",
        role="control",
        source="trained",
        producer="random_masks_live",
        enabled_by="controls.random_pruned",
        color="#7f7f7f",
        description="uniform random masks with each trained network's live per-layer edge "
        "counts, on its live nodes (a calibration check: its z should be ~N(0, 1))",
    ),
    Ensemble(
        "null_degree",
        kind="derived",
        role="control",
        source="trained",
        producer="null_degree",
        enabled_by="controls.null_samples",
        draws_by="controls.null_samples",
        color="#9467bd",
        description="controls.null_samples draws of the degree-preserving null per trained "
        "network (samples of the null: the convergence verdict's reference)",
    ),
    Ensemble(
        "null_min1",
        kind="derived",
        role="control",
        source="trained",
        producer="null_min1",
        enabled_by="controls.null_samples",
        draws_by="controls.null_samples",
        color="#8c564b",
        description="controls.null_samples draws of fixed_count_min1 per trained network (live "
        "nodes and edge counts kept; descriptive gain and calibration)",
    ),
    Ensemble(
        "magnitude_init",
        kind="derived",
        role="control",
        source="trained",
        producer="magnitude_init",
        enabled_by="controls.magnitude_init",
        color="#17becf",
        description="each trained network's own initial weights pruned by magnitude to its live "
        "per-block edge counts (for i.i.d. inits = random masks in distribution; biases start "
        "at 0, so bias edges are a random subset of its bias count); the reference of ΔZ",
    ),
    Ensemble(
        "control_task",
        kind="trained",
        role="control",
        data="control_task",
        enabled_by="controls.control_task.enabled",
        color="#d62728",
        description="the same training on a random teacher network's outputs",
    ),
)
SUBJECT = "trained"

# Datasets the trained ensembles train on: name -> config section of its task (None = flight).
DATASETS: dict[str, str | None] = {"flight": None, "control_task": "controls.control_task"}

# Tables of the statistics stage (tables/<name>.csv) and figures of the report (figures/<name>.png
# and .pdf), in report order; each has a caption workflow/report/<name>.rst.
TABLES = (
    "convergence",
    "profile_similarity",
    "permutation_tests",
    "dispersion_trend",
    "convergence_per_layer",
    "verdict",
    "calibration",
    "delta_z",
    "delta_z_summary",
)
FIGURES = (
    "loss_vs_sparsity",
    "selected_sparsity",
    "z_selected",
    "z_vs_sparsity",
    "profile_heatmap",
    "published_comparison",
)


def names() -> list[str]:
    """Every registered ensemble name, in canonical (table and figure) order."""
    return [e.name for e in ENSEMBLES]


def get(name: str) -> Ensemble:
    """The entry of `name`; KeyError naming the known ensembles otherwise."""
    for e in ENSEMBLES:
        if e.name == name:
            return e
    raise KeyError(f"unknown ensemble {name!r} (registered: {', '.join(names())})")


def _lookup(cfg: Mapping, dotted: str):
    value = cfg
    for part in dotted.split("."):
        value = (value or {}).get(part) if isinstance(value, Mapping) else None
    return value


def active(cfg: Mapping) -> list[Ensemble]:
    """The ensembles a (validated) study config switches on, in canonical order.

    With `import_networks` the subject's networks are imported: no other ensemble is trained,
    and magnitude_init is off (imported networks have no initial weights of ours).
    """
    on = [e for e in ENSEMBLES if e.enabled_by is None or bool(_lookup(cfg, e.enabled_by))]
    if cfg.get("import_networks"):
        on = [e for e in on if e.kind != "trained" or e.name == SUBJECT]
        on = [e for e in on if e.producer != "magnitude_init"]
    return on


def draws(cfg: Mapping, name: str) -> int:
    """Networks an ensemble derives from each source network under config `cfg` (>= 1)."""
    key = get(name).draws_by
    return max(int(_lookup(cfg, key) or 1), 1) if key else 1


def levels_owner(name: str) -> str:
    """Whose levels table an ensemble's rows join (unknown names own theirs)."""
    try:
        return get(name).levels_of
    except KeyError:
        return name


def derived_from(owner: str) -> list[str]:
    """Registered ensembles (other than `owner`) that share `owner`'s levels and selection."""
    return [e.name for e in ENSEMBLES if e.levels_of == owner and e.name != owner]


def controls() -> list[str]:
    """Names of the control ensembles, each compared against the subject."""
    return [e.name for e in ENSEMBLES if e.role == "control"]


def color(name: str, default: str = "C4") -> str:
    """Plot colour of an ensemble."""
    try:
        return get(name).color
    except KeyError:
        return default


def networks_dir(name: str) -> str:
    """Folder of an ensemble's level files, relative to results/<study>/."""
    owner = get(name).levels_of
    return "networks" if owner == SUBJECT else f"{owner}/networks"


def levels_table(name: str) -> str:
    """An ensemble's levels table, relative to results/<study>/ (derived: its source's)."""
    owner = get(name).levels_of
    return "tables/levels.csv" if owner == SUBJECT else f"tables/{owner}_levels.csv"


def ensemble_config(cfg: Mapping, name: str) -> dict:
    """The study config as one ensemble sees it: its overrides replace whole keys of sections."""
    out = copy.deepcopy(dict(cfg))
    for section, values in get(name).overrides.items():
        out[section] = {**out.get(section, {}), **copy.deepcopy(dict(values))}
    return out
