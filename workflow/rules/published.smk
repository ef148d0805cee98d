# The reference study's published data next to ours (config `report`): the comparison table,
# figures and summary section, and the reference pipeline's own network under every null. When
# the data are absent both jobs still finish, with a note naming `report.reference_data`.


localrules:
    reference_network,
    published_comparison,
    published_choices,
    width_scaling,


rule reference_network:
    output:
        report(
            results("tables/reference_network.csv"),
            caption="../report/reference_network.rst",
            category="Published study",
        ),
    log:
        logs("reference_network.log"),
    benchmark:
        benchmarks("reference_network.tsv")
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        data=reference_data_arg(),
        settings=reference_network_args(),
        code=code_fingerprint("published reference-network"),
    shell:
        "sparsemotifs published reference-network {params.data} {params.settings}"
        " --out {output} > {log} 2>&1"


rule published_comparison:
    input:
        levels=[levels_table(e) for e in COMPARED_ENSEMBLES],
        motifs=results("tables/motifs.csv"),
        reference=(results("tables/reference_network.csv") if REFERENCE_NETWORK else []),
    output:
        **{
            f: report(
                results(f"figures/{f}.png"),
                caption=f"../report/{f}.rst",
                category="Published study",
            )
            for f in PUBLISHED_FIGURES
        },
        table=report(
            results("tables/published_comparison.csv"),
            caption="../report/published_comparison_table.rst",
            category="Published study",
        ),
        pdfs=expand(results("figures/{f}.pdf"), f=PUBLISHED_FIGURES),
        section=results("tables/published_summary.md"),
    log:
        logs("published_comparison.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        data=reference_data_arg(),
        ours=lambda wildcards, input: published_ensemble_args(input.levels),
        reference=lambda wildcards, input: (
            f"--reference-network {input.reference}" if input.reference else ""
        ),
        figures=lambda wildcards, output: str(Path(output.pdfs[0]).parent),
        code=code_fingerprint("published compare"),
    shell:
        "sparsemotifs published compare {params.ours} --motifs {input.motifs}"
        " {params.data} {params.reference} --out {output.table}"
        " --figures-dir {params.figures} --summary-out {output.section} > {log} 2>&1"


# The reference study's choices switched off one at a time: the published ensemble, our subject
# under the reference null and under each other null, each other variant (a change of settings
# against the subject), the reference pipeline's own network with every bias kept.
rule published_choices:
    input:
        comparison=results("tables/published_comparison.csv"),
        verdict=results("tables/verdict.csv"),
        reference=(results("tables/reference_network.csv") if REFERENCE_NETWORK else []),
    output:
        table=report(
            results("tables/published_choices.csv"),
            caption="../report/published_choices.rst",
            category="Published study",
        ),
        section=results("tables/published_choices.md"),
    log:
        logs("published_choices.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        subject=COMPARED_ENSEMBLES[0] if COMPARED_ENSEMBLES else registry.SUBJECT,
        variants=lambda wildcards: shlex.quote(as_json(CFG["variants"])),
        cut=CFG["report"]["reference_network"]["selected_cut"],
        reference=lambda wildcards, input: (
            f"--reference-network {input.reference}" if input.reference else ""
        ),
        code=code_fingerprint("published choices"),
    shell:
        "sparsemotifs published choices --comparison {input.comparison}"
        " --verdict {input.verdict} --subject {params.subject} --variants {params.variants}"
        " {params.reference} --reference-cut {params.cut} --out {output.table}"
        " --summary-out {output.section} > {log} 2>&1"


# Counts, z, per-edge effect sizes, profile similarity and verdict against width (only in a
# study comparing several widths: WIDTH_SCALING), the published ensemble as the last point.
rule width_scaling:
    input:
        levels=[levels_table(e) for e in COMPARED_ENSEMBLES],
        motifs=results("tables/motifs.csv"),
        verdict=results("tables/verdict.csv"),
        profile=results("tables/profile_similarity.csv"),
    output:
        table=report(
            results("tables/width_scaling.csv"),
            caption="../report/width_scaling_table.rst",
            category="Width scaling",
        ),
        figure=report(
            results("figures/width_scaling.png"),
            caption="../report/width_scaling.rst",
            category="Width scaling",
        ),
        pdf=results("figures/width_scaling.pdf"),
    log:
        logs("width_scaling.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        data=reference_data_arg(),
        ours=lambda wildcards, input: " ".join(
            f"--levels {e}={p} --width {e}={HIDDEN_WIDTHS[e]}"
            for e, p in zip(COMPARED_ENSEMBLES, input.levels, strict=True)
        ),
        figures=lambda wildcards, output: str(Path(output.pdf).parent),
        code=code_fingerprint("published width-scaling"),
    shell:
        "sparsemotifs published width-scaling {params.ours} --motifs {input.motifs}"
        " --verdict {input.verdict} --profile-similarity {input.profile} {params.data}"
        " --out {output.table} --figures-dir {params.figures} > {log} 2>&1"
