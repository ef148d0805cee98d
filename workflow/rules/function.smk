# Weight metrics (link weights, node strength, layer fluctuation; La Malfa's KL comparison) of
# every trained ensemble, and closed-loop function (flying the subject's predicted controls),
# per chunk of seeds.


localrules:
    collect_closed_loop,
    function_figures,
    function_summary,


rule weights:
    input:
        metrics=lambda wildcards: metrics_file(wildcards.ensemble, wildcards.chunk),
    output:
        table=results("weights/{ensemble}/chunk{chunk}.parquet"),
        values=results("weights/{ensemble}/chunk{chunk}.values.parquet"),
    log:
        logs("weights/{ensemble}/chunk{chunk}.log"),
    benchmark:
        benchmarks("weights/{ensemble}/chunk{chunk}.tsv")
    wildcard_constraints:
        ensemble="|".join(TRAINED_ENSEMBLES),
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "weights")
    resources:
        **rule_resources(CFG, "weights"),
    params:
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        code=code_fingerprint("networks", "weights"),
    shell:
        "files=$(sparsemotifs networks list {input.metrics} --dir {params.networks}) 2> {log}"
        " && sparsemotifs weights $files --ensemble {wildcards.ensemble}"
        " --out {output.table} --values-out {output.values} >> {log} 2>&1"


rule weights_compare:
    input:
        tables=weight_tables("parquet"),
        values=weight_tables("values.parquet"),
        levels=[levels_table(e) for e in TRAINED_ENSEMBLES],
    output:
        table=results("tables/weights.csv"),
        compare=results("tables/weights_kl.csv"),
    log:
        logs("weights_compare.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "weights_compare")
    resources:
        **rule_resources(CFG, "weights_compare"),
    params:
        losses=lambda wildcards, input: " ".join(
            f"--losses {e}={p}"
            for e, p in zip(TRAINED_ENSEMBLES, input.levels, strict=True)
        ),
        settings=cli_params("weights"),
        reference=registry.SUBJECT,
        code=code_fingerprint("concat", "weights-compare"),
    shell:
        "sparsemotifs concat {input.tables} --out {output.table} > {log} 2>&1"
        " && sparsemotifs weights-compare --table {input.tables} --values {input.values}"
        " {params.losses} --reference {params.reference} --params {params.settings:q}"
        " --out {output.compare} >> {log} 2>&1"


rule closed_loop:
    input:
        metrics=lambda wildcards: metrics_file(wildcards.ensemble, wildcards.chunk),
        data=lambda wildcards: data_file(wildcards.ensemble),
    output:
        results("closed_loop/{ensemble}/chunk{chunk}.parquet"),
    log:
        logs("closed_loop/{ensemble}/chunk{chunk}.log"),
    benchmark:
        benchmarks("closed_loop/{ensemble}/chunk{chunk}.tsv")
    wildcard_constraints:
        ensemble="|".join(FLOWN) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "closed_loop")
    resources:
        **rule_resources(CFG, "closed_loop"),
    params:
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        settings=lambda wildcards: cli_params(
            "closed_loop", "simulation", "network", ensemble=wildcards.ensemble
        ),
        code=code_fingerprint("networks", "function closed-loop"),
    shell:
        "files=$(sparsemotifs networks list {input.metrics} --dir {params.networks}) 2> {log}"
        " && sparsemotifs function closed-loop --data {input.data} --networks $files"
        " --ensemble {wildcards.ensemble} --params {params.settings:q}"
        " --out {output} >> {log} 2>&1"


rule collect_closed_loop:
    input:
        expand(
            results("closed_loop/{ensemble}/chunk{chunk}.parquet"),
            ensemble=FLOWN,
            chunk=list(CHUNKS),
        ),
    output:
        results("tables/closed_loop.csv"),
    log:
        logs("collect_closed_loop.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        code=code_fingerprint("concat"),
    shell:
        "sparsemotifs concat {input} --out {output} > {log} 2>&1"


rule function_figures:
    input:
        levels=[levels_table(e) for e in TRAINED_ENSEMBLES],
        weights=results("tables/weights.csv") if WEIGHTS else [],
        compare=results("tables/weights_kl.csv") if WEIGHTS else [],
        closed_loop=results("tables/closed_loop.csv") if CLOSED_LOOP else [],
    output:
        **{
            f: report(
                results(f"figures/{f}.png"),
                caption=f"../report/{f}.rst",
                category="Figures",
            )
            for f in FUNCTION_FIGURES
        },
        pdfs=expand(results("figures/{f}.pdf"), f=FUNCTION_FIGURES),
    log:
        logs("function_figures.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        figures=lambda wildcards, output: str(Path(output.pdfs[0]).parent),
        levels=lambda wildcards, input: " ".join(
            f"--levels {e}={p}"
            for e, p in zip(TRAINED_ENSEMBLES, input.levels, strict=True)
        ),
        flown_levels=lambda wildcards, input: " ".join(
            input.levels[TRAINED_ENSEMBLES.index(e)] for e in FLOWN
        ),
        code=code_fingerprint("weights-figure", "function figure"),
    shell:
        "true > {log}"
        + (
            " && sparsemotifs weights-figure --table {input.weights}"
            " --compare {input.compare} {params.levels} --out-dir {params.figures} >> {log} 2>&1"
            if WEIGHTS
            else ""
        )
        + (
            " && sparsemotifs function figure --closed-loop {input.closed_loop}"
            " --levels {params.flown_levels} --out-dir {params.figures} >> {log} 2>&1"
            if CLOSED_LOOP
            else ""
        )


rule function_summary:
    input:
        levels=[levels_table(e) for e in FLOWN],
        motifs=results("tables/motifs.csv"),
        data=data_file(registry.SUBJECT),
        compare=results("tables/weights_kl.csv") if WEIGHTS else [],
        closed_loop=results("tables/closed_loop.csv") if CLOSED_LOOP else [],
    output:
        results("tables/function_summary.md"),
    log:
        logs("function_summary.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        closed_loop=lambda wildcards, input: (
            f"--closed-loop {input.closed_loop} --levels {input.levels}"
            f" --motifs {input.motifs} --data {input.data}"
            if CLOSED_LOOP
            else ""
        ),
        compare=lambda wildcards, input: (
            f"--weights-compare {input.compare}" if WEIGHTS else ""
        ),
        settings=cli_params("closed_loop", "simulation"),
        code=code_fingerprint("function summary"),
    shell:
        "sparsemotifs function summary {params.closed_loop} {params.compare}"
        " --params {params.settings:q} --out {output} > {log} 2>&1"
