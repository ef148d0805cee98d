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
  overrides  config sections merged over the study's for this ensemble (variants of the trained
             ensemble that differ in network/training/pruning/selection; see `ensemble_config`).
  per_variant (derived from trained) made from every variant of a study with variants.
  base       the base entry's name of such a per-variant copy.

Variants (the study config's top-level `variants`, {name: {section: {...}}}) replace the
`trained` entry by one trained entry per variant, in the config's order: the FIRST variant is the
subject (it keeps the documented `networks/` and `tables/levels.csv`; random_pruned is made from
it), every other variant is a control compared against it by the permutation tests and shown
beside it in the figures and the summary. All variants train on the same data. A derived
control marked `per_variant` (the null samples null_degree and null_min1: the verdict of each
variant is against samples of its own null; magnitude_init: each variant's own initial weights,
so ΔZ is per initialisation scheme) is made from every variant, `<variant>_<name>`;
`studied()` lists the ensembles judged on their own, `derived_of(variant, name)` finds a
variant's copy and `comparisons()` the pairs of the permutation tests. `active(cfg)` returns them; a process that reads names (the Snakefile, the statistics
commands) calls `configure(cfg)` or `use_variants(names)` first, so that `get`, `SUBJECT`,
`networks_dir`, ... know them.

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
from dataclasses import dataclass, field, replace

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
    per_variant: bool = False
    base: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.role not in ROLES:
            raise ValueError(f"ensemble {self.name}: kind {self.kind!r} / role {self.role!r}")
        if (self.kind == "trained") != (self.data is not None):
            raise ValueError(f"ensemble {self.name}: a trained ensemble (only) names its data")
        if (self.kind == "derived") != (self.source is not None):
            raise ValueError(f"ensemble {self.name}: a derived ensemble (only) names its source")
        if self.per_variant and self.kind != "derived":
            raise ValueError(f"ensemble {self.name}: only a derived ensemble is made per variant")

    @property
    def base_name(self) -> str:
        """The base registry's name of this entry (a per-variant copy's template)."""
        return self.base or self.name

    @property
    def levels_of(self) -> str:
        """Whose levels table and selection this ensemble shares."""
        return self.source if self.source is not None else self.name


BASE_ENSEMBLES: tuple[Ensemble, ...] = (
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
        per_variant=True,
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
        per_variant=True,
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
        per_variant=True,
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
DEFAULT_SUBJECT = "trained"
# The entries and subject of the study this process works on (`configure`); the base registry
# until a config with variants is configured.
ENSEMBLES: tuple[Ensemble, ...] = BASE_ENSEMBLES
SUBJECT = DEFAULT_SUBJECT
VARIANTS: tuple[str, ...] = ()

# Sections a variant may override, and plot colours of the variants after the first.
VARIANT_SECTIONS = ("network", "training", "pruning", "selection")
VARIANT_COLORS = ("#2ca02c", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#9467bd")
VARIANT_NAME = r"^[a-z][a-z0-9_]*$"

# Datasets the trained ensembles train on: name -> config section of its task (None = flight).
DATASETS: dict[str, str | None] = {"flight": None, "control_task": "controls.control_task"}


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


def variant_entries(variants: Mapping | None) -> tuple[Ensemble, ...]:
    """The registry of a study with `variants` ({name: overrides}; empty or None: the base one).

    The `trained` entry becomes one trained entry per variant (the first the subject, the others
    controls). A control derived from `trained` with `per_variant` (the null samples: each
    variant's verdict needs samples of its own null) is made from every variant and named
    `<variant>_<name>`, in the variants' order; any other derived control (random_pruned, a
    calibration check of the method) is made from the subject only and keeps its name.
    """
    if not variants:
        return BASE_ENSEMBLES
    names_ = list(variants)
    base = get_base(DEFAULT_SUBJECT)
    out: list[Ensemble] = []
    for e in BASE_ENSEMBLES:
        if e.name == DEFAULT_SUBJECT:
            for i, name in enumerate(names_):
                out.append(
                    replace(
                        base,
                        name=name,
                        role="subject" if i == 0 else "control",
                        overrides=copy.deepcopy(dict(variants[name] or {})),
                        color=base.color if i == 0 else VARIANT_COLORS[(i - 1) % 7],
                        description=f"variant {name!r} of the trained ensemble"
                        + (" (the subject)" if i == 0 else ""),
                    )
                )
        elif e.source == DEFAULT_SUBJECT and e.per_variant:
            for i, name in enumerate(names_):
                own = base.color if i == 0 else VARIANT_COLORS[(i - 1) % 7]
                out.append(
                    replace(
                        e,
                        name=derived_name(name, e.name, True),
                        source=name,
                        base=e.name,
                        color=_tint(own, TINTS.get(e.name, 0.6)),
                        description=f"{e.description} (of variant {name!r})",
                    )
                )
        elif e.source == DEFAULT_SUBJECT:
            out.append(replace(e, source=names_[0]))
        else:
            out.append(e)
    seen: set[str] = set()
    clash = sorted(n for n in (e.name for e in out) if n in seen or seen.add(n))
    clash += sorted(set(names_) & {e.name for e in BASE_ENSEMBLES if e.name != DEFAULT_SUBJECT})
    if clash:
        raise ValueError(f"variant name(s) {sorted(set(clash))} clash with registered ensembles")
    return tuple(out)


# how much paler than its variant each per-variant control is drawn
TINTS = {"null_degree": 0.45, "null_min1": 0.7, "magnitude_init": 0.25}


def _tint(color: str, amount: float) -> str:
    """`color` (#rrggbb) mixed with white: a variant's null samples in a paler shade of it."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def derived_name(variant: str, base: str, with_variants: bool) -> str:
    """Name of the per-variant copy of derived control `base` made from `variant`."""
    return f"{variant}_{base}" if with_variants else base


def studied() -> list[str]:
    """The trained ensembles each judged on its own (verdict, calibration, comparisons): the
    subject and the other variants, in order (without variants: the subject alone)."""
    return [SUBJECT, *(v for v in VARIANTS if v != SUBJECT)]


def derived_of(source: str, base: str) -> str | None:
    """The ensemble derived from `source` by the base registry's control `base`, if registered
    (the subject's random_pruned; every studied variant's null_degree and null_min1)."""
    for e in ENSEMBLES:
        if e.kind == "derived" and e.source == source and e.base_name == base:
            return e.name
    return None


def comparisons() -> list[tuple[str, str]]:
    """(ensemble, control) pairs of the permutation tests: the subject against every control
    except other variants' derived ones; every other variant against its own derived controls
    and the trained controls that are not variants (control_task)."""
    studied_ = studied()
    pairs = []
    for name in studied_:
        for e in ENSEMBLES:
            if e.role != "control" or e.name == name:
                continue
            own = e.kind == "derived" and e.source == name
            other_trained = e.kind != "derived" and e.name not in studied_
            if own or other_trained or (name == SUBJECT and e.kind != "derived"):
                pairs.append((name, e.name))
    return pairs


def get_base(name: str) -> Ensemble:
    """The base registry's entry of `name` (without variants)."""
    return next(e for e in BASE_ENSEMBLES if e.name == name)


def configure(cfg: Mapping) -> list[Ensemble]:
    """Make this process's registry the one of study config `cfg`; return its active entries."""
    global ENSEMBLES, SUBJECT, VARIANTS
    ENSEMBLES = variant_entries(cfg.get("variants"))
    VARIANTS = tuple(cfg.get("variants") or ())
    SUBJECT = next(e.name for e in ENSEMBLES if e.role == "subject")
    return active(cfg)


def use_variants(variant_names: list[str] | None) -> None:
    """`configure` from the variant names alone (the statistics commands need no overrides)."""
    configure({"variants": {n: {} for n in variant_names or []}})


def active(cfg: Mapping) -> list[Ensemble]:
    """The ensembles a (validated) study config switches on, in canonical order (with variants).

    With `import_networks` the subject's networks are imported: no other ensemble is trained,
    and magnitude_init is off (imported networks have no initial weights of ours).
    """
    entries = variant_entries(cfg.get("variants"))
    on = [e for e in entries if e.enabled_by is None or bool(_lookup(cfg, e.enabled_by))]
    if cfg.get("import_networks"):
        subject = next(e.name for e in entries if e.role == "subject")
        on = [e for e in on if e.kind != "trained" or e.name == subject]
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
    """The study config as one ensemble sees it: its overrides merged (recursively) over it.

    A variant's `training: {early_stopping: {rule: none}}` keeps the study's other stopping
    settings; a list (widths, schedule) is replaced whole.
    """
    from sparsemotifs.config import deep_merge  # config validates variants with this registry

    entry = next((e for e in variant_entries(cfg.get("variants")) if e.name == name), None)
    return deep_merge(cfg, (entry or get(name)).overrides)
