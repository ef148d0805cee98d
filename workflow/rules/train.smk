# Train and prune chunks of seeds; select each network's optimally sparse level.


localrules:
    select,
    select_subject,


# Besides its metrics table, `train` writes one file per network and level,
# {networks}/seed{s}/level{k}.npz, and a checkpoint under train/<ensemble>/checkpoints/. Neither
# is declared: the level files' names depend on how many levels each seed reaches (known only
# after training), and declaring the folder as a directory output would make every chunk's job
# own (and delete on rerun) the other chunks' files. The metrics table lists every file the job
# wrote, so `sparsemotifs networks list` turns it into the motif stage's inputs; the checkpoint
# is removed when the chunk completes.
rule train:
    input:
        data=lambda wildcards: data_file(wildcards.ensemble),
        dense=dense_input,
    output:
        metrics=results("train/{ensemble}/chunk{chunk}.csv"),
    log:
        logs("train/{ensemble}/chunk{chunk}.log"),
    benchmark:
        benchmarks("train/{ensemble}/chunk{chunk}.tsv")
    wildcard_constraints:
        ensemble="|".join(TRAINING) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "train")
    resources:
        **rule_resources(CFG, "train"),
    params:
        seeds=lambda wildcards: " ".join(map(str, CHUNKS[int(wildcards.chunk)])),
        settings=lambda wildcards: train_settings(wildcards.ensemble),
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        checkpoints=checkpoint_dir,
        code=code_fingerprint("train"),
        fallback="--cpu-fallback" if CFG["resources"]["train"]["cpu_fallback"] else "",
        dense=lambda wildcards, input: (
            f"--dense-from {input.dense[0]}" if input.dense else ""
        ),
    shell:
        "sparsemotifs train --data {input.data} --seeds {params.seeds}"
        " --out-dir {params.networks} --metrics {output.metrics} {params.dense}"
        " --checkpoint-dir {params.checkpoints} --gpus {resources.gpu} {params.fallback}"
        " --params {params.settings:q} > {log} 2>&1"


# The dense level of variants that differ only after it (pruning, selection): trained once per
# chunk and continued by each of them (`--dense-from`), with identical results to training each
# from scratch. Kept (not temporary): a variant whose pruning changes continues from it again.
rule train_dense:
    input:
        data=lambda wildcards: data_file(DENSE_OWNER[wildcards.key]),
    output:
        results("train/dense/{key}/chunk{chunk}.pt"),
    log:
        logs("train/dense/{key}/chunk{chunk}.log"),
    benchmark:
        benchmarks("train/dense/{key}/chunk{chunk}.tsv")
    wildcard_constraints:
        key="|".join(DENSE_OWNER) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    threads: rule_threads(CFG, "train")
    resources:
        **rule_resources(CFG, "train"),
    params:
        seeds=lambda wildcards: " ".join(map(str, CHUNKS[int(wildcards.chunk)])),
        # no pruning section: level 0 does not prune, so a change of pruning keeps it
        settings=lambda wildcards: cli_params(
            "network", "training", ensemble=DENSE_OWNER[wildcards.key]
        ),
        checkpoints=lambda wildcards: results(
            f"train/dense/{wildcards.key}/checkpoints/chunk{wildcards.chunk}"
        ),
        code=code_fingerprint("train"),
        fallback="--cpu-fallback" if CFG["resources"]["train"]["cpu_fallback"] else "",
    shell:
        "sparsemotifs train --data {input.data} --seeds {params.seeds}"
        " --dense-out {output} --checkpoint-dir {params.checkpoints}"
        " --gpus {resources.gpu} {params.fallback}"
        " --params {params.settings:q} > {log} 2>&1"


# One levels table per trained ensemble: tables/<ensemble>_levels.csv, the subject's is
# tables/levels.csv (the documented contract).
rule select:
    input:
        metrics=lambda wildcards: chunk_metrics(wildcards.ensemble),
    output:
        results("tables/{ensemble}_levels.csv"),
    log:
        logs("select/{ensemble}.log"),
    wildcard_constraints:
        ensemble="|".join(OTHER_TRAINED) or "(?!)",
    conda:
        "../envs/sparsemotifs.yaml"
    params:
        settings=lambda wildcards: cli_params("selection", ensemble=wildcards.ensemble),
        ensemble=lambda wildcards: wildcards.ensemble,
        networks=lambda wildcards: networks_dir(wildcards.ensemble),
        code=code_fingerprint("select"),
    shell:
        "sparsemotifs select {input.metrics} --networks-dir {params.networks}"
        " --ensemble {params.ensemble}"
        " --params {params.settings:q} --out {output} > {log} 2>&1"


use rule select as select_subject with:
    input:
        metrics=chunk_metrics(registry.SUBJECT),
    output:
        levels_table(registry.SUBJECT),
    log:
        logs(f"select/{registry.SUBJECT}.log"),
    params:
        settings=cli_params("selection", ensemble=registry.SUBJECT),
        ensemble=registry.SUBJECT,
        networks=networks_dir(registry.SUBJECT),
        code=code_fingerprint("select"),


# import_networks: the subject's levels table and per-chunk metrics come from the imported
# files (every level passes, a seed's selected level is its highest); nothing is trained.
if IMPORT:

    ruleorder: import_levels > select_subject

    localrules:
        import_levels,
        import_chunk,

    rule import_levels:
        output:
            levels_table(registry.SUBJECT),
        log:
            logs("import/levels.log"),
        conda:
            "../envs/sparsemotifs.yaml"
        params:
            code=code_fingerprint("networks"),
        shell:
            "sparsemotifs networks levels {IMPORT} --out {output} > {log} 2>&1"

    rule import_chunk:
        output:
            results(f"train/{registry.SUBJECT}/chunk{{chunk}}.csv"),
        log:
            logs(f"import/chunk{{chunk}}.log"),
        conda:
            "../envs/sparsemotifs.yaml"
        params:
            seeds=lambda wildcards: " ".join(map(str, CHUNKS[int(wildcards.chunk)])),
            code=code_fingerprint("networks"),
        shell:
            "sparsemotifs networks levels {IMPORT} --seeds {params.seeds}"
            " --out {output} > {log} 2>&1"
