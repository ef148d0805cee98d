# Train and prune chunks of seeds; select each network's optimally sparse level.


rule train:
    input:
        data=lambda wildcards: data_file(wildcards.ensemble),
    output:
        metrics=f"{RESULTS}/train/{{ensemble}}/chunk{{chunk}}.csv",
    log:
        f"{RESULTS}/logs/train/{{ensemble}}/chunk{{chunk}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{ensemble}}/chunk{{chunk}}.tsv"
    wildcard_constraints:
        ensemble="trained|control_task",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: CFG["training"]["threads"]
    resources:
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=lambda wildcards, attempt: 720 * attempt,
    params:
        seeds=lambda wildcards: " ".join(map(str, CHUNKS[int(wildcards.chunk)])),
        settings=train_settings(),
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        checkpoints=checkpoint_dir,
        code=code_fingerprint("train"),
    shell:
        "sparsemotifs train --data {input.data} --seeds {params.seeds}"
        " --out-dir {params.networks} --metrics {output.metrics}"
        " --checkpoint-dir {params.checkpoints} --threads {threads}"
        " --params {params.settings:q} > {log} 2>&1"


rule select:
    input:
        metrics=chunk_metrics("trained"),
    output:
        levels_table("trained"),
    log:
        f"{RESULTS}/logs/select/trained.log",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        settings=settings("selection"),
        networks=networks_dir("trained"),
        code=code_fingerprint("select"),
    shell:
        "sparsemotifs select {input.metrics} --networks-dir {params.networks}"
        " --params {params.settings:q} --out {output} > {log} 2>&1"


use rule select as select_control_task with:
    input:
        metrics=chunk_metrics("control_task"),
    output:
        levels_table("control_task"),
    log:
        f"{RESULTS}/logs/select/control_task.log",
    params:
        settings=settings("selection"),
        networks=networks_dir("control_task"),
        code=code_fingerprint("select"),
