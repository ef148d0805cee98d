# Motif counts and z-scores for every level of every network, per ensemble, null and chunk.


rule motifs:
    input:
        metrics=lambda wildcards: f"{RESULTS}/train/{trained_source(wildcards.ensemble)}/chunk{wildcards.chunk}.csv",
    output:
        table=f"{RESULTS}/motifs/{{ensemble}}/{{null}}/chunk{{chunk}}.totals.parquet",
        per_layer=f"{RESULTS}/motifs/{{ensemble}}/{{null}}/chunk{{chunk}}.per_layer.parquet",
    log:
        f"{RESULTS}/logs/motifs/{{ensemble}}/{{null}}/chunk{{chunk}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/motifs/{{ensemble}}/{{null}}/chunk{{chunk}}.tsv"
    conda:
        "../envs/sparsemotifs.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=lambda wildcards, attempt: 240 * attempt,
    params:
        settings=section("motifs"),
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        randomize=lambda wildcards: (
            "--derive random_masks" if wildcards.ensemble == "random_pruned" else ""
        ),
        code=code_fingerprint("networks", "motifs table"),
    shell:
        "files=$(sparsemotifs networks list {input.metrics} --dir {params.networks}) 2> {log}"
        " && sparsemotifs motifs table $files --ensemble {wildcards.ensemble}"
        " --null {wildcards.null} --params {params.settings:q} {params.randomize}"
        " --out {output.table} --per-layer-out {output.per_layer} >> {log} 2>&1"


rule collect_motifs:
    input:
        totals=motif_tables("totals"),
        per_layer=motif_tables("per_layer"),
    output:
        totals=f"{RESULTS}/tables/motifs.csv",
        per_layer=f"{RESULTS}/tables/motifs_per_layer.csv",
    log:
        f"{RESULTS}/logs/collect_motifs.log",
    conda:
        "../envs/sparsemotifs.yaml"
    shell:
        "sparsemotifs concat {input.totals} --out {output.totals} > {log} 2>&1"
        " && sparsemotifs concat {input.per_layer} --out {output.per_layer} >> {log} 2>&1"
