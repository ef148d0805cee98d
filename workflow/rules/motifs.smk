# Motif counts and z-scores for every level of every network, per ensemble, null and chunk.


localrules:
    zambra_thresholds,
    collect_motifs,
    collect_signed_motifs,
    relabel_motifs,


rule motifs:
    input:
        metrics=lambda wildcards: metrics_file(wildcards.ensemble, wildcards.chunk),
    output:
        table=results("motifs/{ensemble}/{null}/chunk{chunk}.totals.parquet"),
        per_layer=results("motifs/{ensemble}/{null}/chunk{chunk}.per_layer.parquet"),
    log:
        logs("motifs/{ensemble}/{null}/chunk{chunk}.log"),
    benchmark:
        benchmarks("motifs/{ensemble}/{null}/chunk{chunk}.tsv")
    wildcard_constraints:
        ensemble="|".join(e for e in MOTIF_ENSEMBLES if e not in MOTIF_LIKE) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "motifs")
    resources:
        **rule_resources(CFG, "motifs"),
    params:
        settings=cli_params("motifs"),
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        derive=derive_arg,
        full_samples=full_samples_arg,
        code=code_fingerprint("networks", "motifs table"),
    shell:
        "files=$(sparsemotifs networks list {input.metrics} --dir {params.networks}) 2> {log}"
        " && sparsemotifs motifs table $files --ensemble {wildcards.ensemble}"
        " --null {wildcards.null} --params {params.settings:q} {params.derive} {params.full_samples}"
        " --out {output.table} --per-layer-out {output.per_layer} >> {log} 2>&1"


rule collect_motifs:
    input:
        totals=motif_tables("totals"),
        per_layer=motif_tables("per_layer"),
    output:
        totals=results("tables/motifs.csv"),
        per_layer=results("tables/motifs_per_layer.csv"),
    log:
        logs("collect_motifs.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        code=code_fingerprint("concat"),
    shell:
        "sparsemotifs concat {input.totals} --out {output.totals} > {log} 2>&1"
        " && sparsemotifs concat {input.per_layer} --out {output.per_layer} >> {log} 2>&1"


# Zambra's classes (motifs.edge_classes: zambra): one Gaussian fit per trained ensemble to the
# pooled weights of its dense networks and their initial weights, shared by all its chunks.
rule zambra_thresholds:
    input:
        metrics=lambda wildcards: chunk_metrics(wildcards.ensemble),
    output:
        results("tables/zambra_thresholds/{ensemble}.json"),
    log:
        logs("zambra_thresholds/{ensemble}.log"),
    wildcard_constraints:
        ensemble="|".join(e for e in MOTIF_ENSEMBLES if e not in MOTIF_LIKE) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        band=CFG["motifs"]["zambra_band"],
        network=lambda wildcards: cli_params("network", ensemble=wildcards.ensemble),
        code=code_fingerprint("networks", "motifs thresholds"),
    shell:
        "files=$(sparsemotifs networks list {input.metrics} --dir {params.networks}) 2> {log}"
        " && sparsemotifs motifs thresholds $files --dense-only --zambra-band {params.band}"
        " --initial {params.network:q} --out {output} >> {log} 2>&1"


# Signed motifs (motifs.edge_classes: sign or zambra): counts by edge classes against the
# class-preserving degree null, per ensemble and chunk; off by default.
rule signed_motifs:
    input:
        metrics=lambda wildcards: metrics_file(wildcards.ensemble, wildcards.chunk),
        thresholds=lambda wildcards: (
            [results(f"tables/zambra_thresholds/{wildcards.ensemble}.json")]
            if CFG["motifs"]["edge_classes"] == "zambra"
            else []
        ),
    output:
        table=results("motifs/{ensemble}/degree_signed/chunk{chunk}.signed.parquet"),
    log:
        logs("motifs/{ensemble}/degree_signed/chunk{chunk}.log"),
    benchmark:
        benchmarks("motifs/{ensemble}/degree_signed/chunk{chunk}.tsv")
    wildcard_constraints:
        ensemble="|".join(e for e in MOTIF_ENSEMBLES if e not in MOTIF_LIKE) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "signed_motifs")
    resources:
        **rule_resources(CFG, "signed_motifs"),
    params:
        settings=cli_params("motifs"),
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        code=code_fingerprint("networks", "motifs signed-table"),
        thresholds=lambda wildcards, input: (
            f"--zambra-thresholds {input.thresholds[0]}" if input.thresholds else ""
        ),
    shell:
        "files=$(sparsemotifs networks list {input.metrics} --dir {params.networks}) 2> {log}"
        " && sparsemotifs motifs signed-table $files --ensemble {wildcards.ensemble}"
        " --params {params.settings:q} {params.thresholds} --out {output.table} >> {log} 2>&1"


rule collect_signed_motifs:
    input:
        tables=signed_motif_tables(),
    output:
        table=results("tables/signed_motifs.csv"),
    log:
        logs("collect_signed_motifs.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        code=code_fingerprint("concat"),
    shell:
        "sparsemotifs concat {input.tables} --out {output.table} > {log} 2>&1"


# A variant trained exactly like an earlier ensemble (it differs only in selection) analyses
# the same networks: its motif tables (and its null samples') are that ensemble's, relabelled.
rule relabel_motifs:
    input:
        lambda wildcards: results(
            f"motifs/{MOTIF_LIKE[wildcards.ensemble]}/{wildcards.kind}/chunk{wildcards.chunk}"
            f".{wildcards.table}.parquet"
        ),
    output:
        results("motifs/{ensemble}/{kind}/chunk{chunk}.{table}.parquet"),
    log:
        logs("motifs/{ensemble}/{kind}/chunk{chunk}.{table}.relabel.log"),
    wildcard_constraints:
        ensemble="|".join(MOTIF_LIKE) or "(?!)",
        kind="|".join([*NULL_NAMES, "degree_signed"]),
        table="totals|per_layer|signed",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        code=code_fingerprint("concat"),
    shell:
        "sparsemotifs concat {input} --ensemble {wildcards.ensemble} --out {output} > {log} 2>&1"
