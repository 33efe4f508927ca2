# The two commands a newcomer needs: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall whenever pyproject.toml changes; otherwise set-up is a no-op.
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
EXTRAS := test

.PHONY: install demo test bench bench-dates clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "baotinh needs Python >= 3.11 ($(PYTHON) is older)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# pywb, the web-archive replay tool, checks our WARC files in the tests. It pins old redis and
# cryptography releases, so it lives in a virtualenv of its own instead of beside the project.
PYWB_VENV  := .venv-pywb
PYWB_STAMP := $(PYWB_VENV)/.installed-pywb-2.10

$(PYWB_STAMP):
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install --quiet 'pywb==2.10.*'
	touch $@

demo: install
	$(BIN)/baotinh demo

test: install $(PYWB_STAMP)
	BAOTINH_PYWB_PYTHON=$(CURDIR)/$(PYWB_VENV)/bin/python $(BIN)/python -m pytest -q

bench-dates: EXTRAS := test,bench
bench-dates: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/dates.py

clean:
	rm -rf $(VENV) $(PYWB_VENV) data build *.egg-info .pytest_cache

# Every benchmark side by side with what people would use; rewrites benchmarks/RESULTS.md (~10 min).
# `.venv/bin/python benchmarks/run_all.py --quick` is the one-minute smoke run.
bench: EXTRAS := test,bench
bench: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/run_all.py
