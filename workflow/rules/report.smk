# Provenance, ensemble statistics, figures, summary; every figure and table goes into --report.


localrules:
    resolved_config,
    aggregate,
    figures,
    summary,


rule resolved_config:
    output:
        results("config.yaml"),
    log:
        logs("resolved_config.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        config=as_json(CFG),
    shell:
        "sparsemotifs provenance --config-json {params.config:q} --out {output} > {log} 2>&1"


rule aggregate:
    input:
        levels=levels_table(registry.SUBJECT),
        control_levels=[levels_table(e) for e in OTHER_TRAINED],
        motifs=results("tables/motifs.csv"),
        per_layer=results("tables/motifs_per_layer.csv"),
    output:
        **{
            t: report(
                results(f"tables/{t}.csv"),
                caption=f"../report/{t}.rst",
                category="Tables",
            )
            for t in TABLES
        },
    log:
        logs("aggregate.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        control=other_levels_args,
        variants=variants_arg(),
        tables=lambda wildcards, output: str(Path(output[TABLES[0]]).parent),
        seed=CFG["motifs"]["seed"],
        code=code_fingerprint("aggregate"),
    shell:
        "sparsemotifs aggregate --levels {input.levels} {params.control} {params.variants}"
        " --motifs {input.motifs} --per-layer {input.per_layer}"
        " --out-dir {params.tables} --seed {params.seed} > {log} 2>&1"


rule figures:
    input:
        levels=levels_table(registry.SUBJECT),
        control_levels=[levels_table(e) for e in OTHER_TRAINED],
        motifs=results("tables/motifs.csv"),
        tables=expand(results("tables/{t}.csv"), t=TABLES),
    output:
        **{
            f: report(
                results(f"figures/{f}.png"),
                caption=f"../report/{f}.rst",
                category="Figures",
            )
            for f in FIGURES
        },
        pdfs=expand(results("figures/{f}.pdf"), f=FIGURES),
    log:
        logs("figures.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        control=other_levels_args,
        variants=variants_arg(),
        tables=lambda wildcards, input: str(Path(input.tables[0]).parent),
        figures=lambda wildcards, output: str(Path(output.pdfs[0]).parent),
        threshold=cli_threshold(),
        split=cli_split(),
        code=code_fingerprint("figures"),
    shell:
        "sparsemotifs figures --levels {input.levels} {params.control} {params.variants}"
        " --motifs {input.motifs} --tables-dir {params.tables}"
        " --out-dir {params.figures} --threshold {params.threshold}"
        " --split {params.split} > {log} 2>&1"


rule summary:
    input:
        levels=levels_table(registry.SUBJECT),
        control_levels=[levels_table(e) for e in OTHER_TRAINED],
        motifs=results("tables/motifs.csv"),
        tables=expand(results("tables/{t}.csv"), t=TABLES),
        config=results("config.yaml"),
        signed=signed_motif_summary_input(),
        sections=FUNCTION_SECTIONS + PUBLISHED_SECTIONS,
    output:
        report(
            results("summary.md"),
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        logs("summary.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        control=other_levels_args,
        variants=variants_arg(),
        tables=lambda wildcards, input: str(Path(input.tables[0]).parent),
        signed=lambda wildcards, input: (
            f"--signed-motifs {input.signed[0]}" if input.signed else ""
        ),
        sections=lambda wildcards, input: " ".join(
            f"--section {p}" for p in input.sections
        ),
        code=code_fingerprint("summary"),
    shell:
        "sparsemotifs summary --levels {input.levels} {params.control} {params.variants}"
        " --motifs {input.motifs} --tables-dir {params.tables}"
        " --config {input.config} {params.signed} {params.sections} --out {output} > {log} 2>&1"
