# Developer entry points. Each target finds its own Python and makes its own virtual environments
# under .venv/, so a clone in any folder works with nothing installed but python3 and git.
PYTHON ?= $(shell command -v python3 2>/dev/null || command -v python 2>/dev/null)
CORES ?= 2.21,2.20,2.19,2.18,2.17,2.16

.PHONY: test sanity units integration ecosystem eda demo bench clean

test:  ## sanity, units, integration and ecosystem checks on every core in CORES
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) test

sanity:
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) sanity

units:
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) units

integration:
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) integration

eda:  ## the event source under ansible-rulebook against the emulator (newest core)
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) eda

clean:
	rm -rf .build .venv tests/output

demo:  ## the emulator, the collection installed from this tree, and playbooks/session_report.yml
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) demo

ecosystem:  ## ansible-doc, ansible-lint, galaxy build + galaxy-importer, ansible-builder create
	$(PYTHON) tests/tools/testenv.py --cores $(CORES) ecosystem

bench:  ## benchmarks/bench.py against the emulator; e.g. make bench BENCH_ARGS='--items 10000 --skip-million'
	$(PYTHON) tests/tools/testenv.py bench $(BENCH_ARGS)
