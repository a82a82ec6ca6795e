# Developer entry points, each a nox session (noxfile.py; `.venv/nox/bin/nox -l` lists them all). The first
# run makes .venv/nox with nox in it; nox makes each session's virtual environment under .nox/, so a clone in
# any folder works with nothing installed but python3 and git.
PYTHON ?= $(shell command -v python3 2>/dev/null || command -v python 2>/dev/null)
NOX_REQUIREMENT ?= nox==2026.10.20
NOX := .venv/nox/bin/nox
# The cores the sessions cover (noxfile.py reads CORES), e.g. make test CORES=2.21,2.16.
CORES ?= 2.21,2.20,2.19,2.18,2.17,2.16
export CORES

# Each of these runs the nox session of its name: on every core in CORES, or once (eda, demo).
SESSIONS := sanity units integration eda demo
.PHONY: test $(SESSIONS) ecosystem bench clean

test: $(NOX)  ## what CI runs: sanity on the newest and lowest core, the other suites on every core in CORES
	$(NOX) -t test

$(SESSIONS): $(NOX)
	$(NOX) -s $@

ecosystem: $(NOX)  ## ansible-doc on every core; ansible-lint, changelog lint, galaxy build + importer, ansible-builder
	$(NOX) -s docs ecosystem

bench: $(NOX)  ## the role's cost and the fleet on every core in CORES, then the rest of benchmarks/bench.py; e.g. BENCH_ARGS='--items 10000'
	$(NOX) -s core_figures bench -- $(BENCH_ARGS)

$(NOX): Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "nox needs Python 3.10 or newer: \
	run make PYTHON=/path/to/python3.10-or-newer $(MAKECMDGOALS)"; exit 1; }
	$(PYTHON) -m venv .venv/nox
	.venv/nox/bin/python -m pip install --quiet --disable-pip-version-check '$(NOX_REQUIREMENT)'
	touch $(NOX)

clean:
	rm -rf .build .venv .nox tests/output
