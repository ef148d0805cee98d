# Provenance, ensemble statistics, figures, summary; every figure and table goes into --report.


localrules:
    resolved_config,
    select,
    select_control_task,
    collect_motifs,
    aggregate,
    figures,
    summary,


rule resolved_config:
    output:
        f"{RESULTS}/config.yaml",
    log:
        f"{RESULTS}/logs/resolved_config.log",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        config=as_json(CFG),
    shell:
        "sparsemotifs provenance --config-json {params.config:q} --out {output} > {log} 2>&1"


rule aggregate:
    input:
        levels=levels_table("trained"),
        control_levels=[levels_table(e) for e in TRAINED_ENSEMBLES if e != "trained"],
        motifs=f"{RESULTS}/tables/motifs.csv",
        per_layer=f"{RESULTS}/tables/motifs_per_layer.csv",
    output:
        **{
            t: report(
                f"{RESULTS}/tables/{t}.csv",
                caption=f"../report/{t}.rst",
                category="Statistics",
            )
            for t in TABLES
        },
    log:
        f"{RESULTS}/logs/aggregate.log",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        control=lambda wildcards, input: " ".join(
            f"--control-levels {p}" for p in input.control_levels
        ),
        tables=lambda wildcards, output: str(Path(output.convergence).parent),
        seed=CFG["motifs"]["seed"],
        code=code_fingerprint("aggregate"),
    shell:
        "sparsemotifs aggregate --levels {input.levels} {params.control}"
        " --motifs {input.motifs} --per-layer {input.per_layer}"
        " --out-dir {params.tables} --seed {params.seed} > {log} 2>&1"


rule figures:
    input:
        levels=levels_table("trained"),
        control_levels=[levels_table(e) for e in TRAINED_ENSEMBLES if e != "trained"],
        motifs=f"{RESULTS}/tables/motifs.csv",
        tables=expand(f"{RESULTS}/tables/{{t}}.csv", t=TABLES),
    output:
        **{
            f: report(
                f"{RESULTS}/figures/{f}.png",
                caption=f"../report/{f}.rst",
                category="Figures",
            )
            for f in FIGURES
        },
        pdfs=expand(f"{RESULTS}/figures/{{f}}.pdf", f=FIGURES),
    log:
        f"{RESULTS}/logs/figures.log",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        control=lambda wildcards, input: " ".join(
            f"--control-levels {p}" for p in input.control_levels
        ),
        tables=lambda wildcards, input: str(Path(input.tables[0]).parent),
        figures=lambda wildcards, output: str(Path(output.pdfs[0]).parent),
        threshold=CFG["selection"]["threshold"],
        code=code_fingerprint("figures"),
    shell:
        "sparsemotifs figures --levels {input.levels} {params.control}"
        " --motifs {input.motifs} --tables-dir {params.tables}"
        " --out-dir {params.figures} --threshold {params.threshold} > {log} 2>&1"


rule summary:
    input:
        levels=levels_table("trained"),
        control_levels=[levels_table(e) for e in TRAINED_ENSEMBLES if e != "trained"],
        motifs=f"{RESULTS}/tables/motifs.csv",
        tables=expand(f"{RESULTS}/tables/{{t}}.csv", t=TABLES),
        config=f"{RESULTS}/config.yaml",
    output:
        report(
            f"{RESULTS}/summary.md",
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        f"{RESULTS}/logs/summary.log",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        control=lambda wildcards, input: " ".join(
            f"--control-levels {p}" for p in input.control_levels
        ),
        tables=lambda wildcards, input: str(Path(input.tables[0]).parent),
        code=code_fingerprint("summary"),
    shell:
        "sparsemotifs summary --levels {input.levels} {params.control}"
        " --motifs {input.motifs} --tables-dir {params.tables}"
        " --config {input.config} --out {output} > {log} 2>&1"
