# Flight simulation in shards, then the networks' data (flight task and control task).


rule simulate:
    output:
        table=f"{RESULTS}/data/simulation/shard{{shard}}.parquet",
        meta=f"{RESULTS}/data/simulation/shard{{shard}}.parquet.meta.json",
    log:
        f"{RESULTS}/logs/simulate/shard{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/simulate/shard{{shard}}.tsv"
    conda:
        "../envs/sparsemotifs.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    params:
        n=CFG["simulation"]["n_trajectories"],
        seed=CFG["simulation"]["seed"],
        shards=CFG["simulation"]["shards"],
        settings=section("simulation"),
        code=code_fingerprint("simulate"),
    shell:
        "sparsemotifs simulate --n {params.n} --seed {params.seed}"
        " --shard {wildcards.shard} --shards {params.shards}"
        " --params {params.settings:q} --out {output.table} > {log} 2>&1"


rule dataset:
    input:
        tables=expand(f"{RESULTS}/data/simulation/shard{{shard}}.parquet", shard=SHARDS),
    output:
        f"{RESULTS}/data/flight.npz",
    log:
        f"{RESULTS}/logs/dataset/flight.log",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=30,
    params:
        settings=section("dataset"),
        code=code_fingerprint("dataset"),
    shell:
        "sparsemotifs dataset {input.tables} --params {params.settings:q}"
        " --out {output} > {log} 2>&1"


rule control_dataset:
    input:
        tables=expand(f"{RESULTS}/data/simulation/shard{{shard}}.parquet", shard=SHARDS),
    output:
        f"{RESULTS}/data/control_task.npz",
    log:
        f"{RESULTS}/logs/dataset/control_task.log",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=30,
    params:
        settings=section("dataset"),
        control=as_json(CFG["controls"]["control_task"]),
        code=code_fingerprint("dataset"),
    shell:
        "sparsemotifs dataset {input.tables} --params {params.settings:q}"
        " --control-task {params.control:q} --out {output} > {log} 2>&1"
