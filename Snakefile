# sparsemotifs: simulate hawkmoth flight -> train and prune seeded MLP ensembles -> motif
# statistics against null models -> convergence across seeds, with controls -> report.
# Run: `make run` (default study) or `snakemake --configfile config/paper.yaml` (profiles/ apply).

from snakemake.utils import min_version, validate

min_version("9.0")


# The default study unless config files are given (`--configfile A.yaml [overlay.yaml ...]`);
# `--config seeds=100` overrides flat keys on top of either.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/motifs.smk"
include: "workflow/rules/function.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/published.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
