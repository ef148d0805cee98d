# Flight simulation in shards, then the networks' data (flight task and control task).


rule simulate:
    output:
        table=results("data/simulation/shard{shard}.parquet"),
        meta=results("data/simulation/shard{shard}.parquet.meta.json"),
    log:
        logs("simulate/shard{shard}.log"),
    benchmark:
        benchmarks("simulate/shard{shard}.tsv")
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "simulate")
    resources:
        **rule_resources(CFG, "simulate"),
    params:
        shards=CFG["simulation"]["shards"],
        settings=cli_params("simulation"),
        code=code_fingerprint("simulate"),
    shell:
        "sparsemotifs simulate --shard {wildcards.shard} --shards {params.shards}"
        " --params {params.settings:q} --out {output.table} > {log} 2>&1"


rule dataset:
    input:
        tables=expand(results("data/simulation/shard{shard}.parquet"), shard=SHARDS),
    output:
        results("data/flight.npz"),
    log:
        logs("dataset/flight.log"),
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "dataset")
    resources:
        **rule_resources(CFG, "dataset"),
    params:
        task="flight",
        settings=cli_params("dataset"),
        code=code_fingerprint("dataset"),
    shell:
        "sparsemotifs dataset {input.tables} --task {params.task}"
        " --params {params.settings:q} --out {output} > {log} 2>&1"


use rule dataset as control_dataset with:
    output:
        results("data/control_task.npz"),
    log:
        logs("dataset/control_task.log"),
    params:
        task="control_task",
        settings=cli_params("dataset", "controls.control_task"),
        code=code_fingerprint("dataset"),
