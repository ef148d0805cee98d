# Two entry points for a fresh clone: `make run` (the default study end to end) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
CONFIG ?= config/config.yaml
CORES ?= all
STUDY = $(shell $(PY) -c "import yaml,sys; print(yaml.safe_load(open('$(CONFIG)'))['study'])")
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: venv run test test-fast lint docs bench lock clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

## run: set up and run the default study end to end, then write results/<study>/report.html
run: venv
	snakemake --configfile $(CONFIG) --cores $(CORES)
	snakemake --configfile $(CONFIG) --cores 1 --report results/$(STUDY)/report.html
	@echo "report: results/$(STUDY)/report.html"

## test: set up (or refresh) the environment and run the whole test suite
test: venv
	$(PY) -m pytest -n 2 --dist loadgroup -q --durations=30; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit 5)"; exit 0; fi; exit $$rc

## test-fast: the inner loop: every test except the slow end-to-end ones (CI runs `make test`)
test-fast: venv
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "not slow"

## docs: regenerate config/README.md's key table from the schema
docs: venv
	$(PY) -m sparsemotifs.cli config docs --write config/README.md

lint: venv
	ruff check src tests benchmarks scripts
	ruff format --check src tests benchmarks scripts
	snakefmt --check Snakefile workflow/rules
	snakemake --lint --configfile config/test.yaml

bench: venv
	$(PY) benchmarks/simulate.py
	$(PY) benchmarks/train.py
	$(PY) benchmarks/motifs.py
	$(PY) benchmarks/signed_motifs.py
	$(PY) benchmarks/report_stats.py
	$(PY) benchmarks/closed_loop.py
	$(PY) benchmarks/weights.py
	$(PY) benchmarks/null_samples.py
	$(PY) benchmarks/magnitude_init.py

## lock: re-pin the tested versions after changing dependencies
lock: venv
	{ head -n 2 constraints.txt; $(PY) -m pip freeze --exclude-editable | sed -e 's/^torch==2.13.0+cpu$$/torch==2.13.0/'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf .snakemake results
