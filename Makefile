# Two entry points for a newcomer (see README): `make demo` and `make test`.
# Both create .venv and install goldenpath with its test and emulator extras first.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# amtool >= 0.26 from Debian trixie (.ci/install-amtool) comes first on PATH when bookworm's is older.
export PATH := $(CURDIR)/.tools/bin:$(PATH)
# Test files run in parallel (pytest-xdist), one file per worker at a time: a file's tests share its fixtures (one
# synth, one emulator, the delivery tests' ordered story). Each worker peaks at about 1.5 GB (a synth), hence at most
# 4. `make test PYTEST_PARALLEL=` runs them one at a time.
PYTEST_PARALLEL ?= --numprocesses auto --maxprocesses 4 --dist loadfile

.PHONY: setup tools demo test check typecheck e2e unit wheel bench snapshots schema runbooks api-docs screenshot

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "goldenpath needs Python >= 3.11, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,emulator]'
	@touch $@

# promtool and amtool (Debian packages; installing them starts no daemon; amtool 0.26+ from trixie when
# bookworm's is older) and chromium (the report page is checked in a real headless browser). Skipped when present.
tools:
	@command -v promtool >/dev/null && command -v amtool >/dev/null && command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager chromium >/dev/null; }
	@bash .ci/install-amtool
	@promtool --version 2>&1 | head -1; amtool --version 2>&1 | head -1; chromium --version 2>&1 | head -1

# The main job on the bundled environments: validate all of them (policy gate and budgets; the
# platform report page), estimate their cost, then apply dev's AWS stacks to a local AWS emulator
# with real terraform, check convergence, and destroy.
demo: setup tools
	$(BIN)/goldenpath doctor
	$(BIN)/goldenpath validate --html reports/platform
	$(BIN)/goldenpath cost --format markdown
	$(BIN)/goldenpath alerts --env dev --env staging --env prod --check
	$(BIN)/goldenpath egress --env dev --env staging --env prod
	$(BIN)/goldenpath deploy --env dev --emulator --destroy

# Every test tier: type check, unit, snapshot, policy, alerting (real promtool/amtool), chart
# facts, the built wheel in a fresh venv, and end to end (real terraform against moto).
test: setup tools typecheck
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --durations 15

# The inner loop: everything but the end-to-end and wheel tiers.
check: setup tools typecheck
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not e2e and not wheel"

typecheck: setup
	$(BIN)/python -m mypy

unit: setup
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not e2e and not wheel"

wheel: setup
	$(BIN)/python -m pytest -m wheel

e2e: setup
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m e2e

bench: setup
	$(BIN)/python benchmarks/synth_benchmark.py --runs 3
	$(BIN)/python benchmarks/preview_benchmark.py --runs 3
	$(BIN)/python benchmarks/tenancy_benchmark.py --runs 3
	$(BIN)/python benchmarks/delivery_benchmark.py

snapshots: setup
	UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest tests/test_stacks.py

schema: setup
	$(BIN)/goldenpath schema > docs/environment.schema.json
	$(BIN)/goldenpath schema --kind team > docs/team.schema.json

runbooks: setup
	$(BIN)/goldenpath runbooks

api-docs: setup
	$(BIN)/python -m goldenpath.reference > docs/api.md

# The README's picture of the platform report (headless chromium).
screenshot: setup tools
	$(BIN)/goldenpath report --out reports/platform
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1500 \
	  --screenshot=docs/images/platform-report.png file://$(CURDIR)/reports/platform/index.html
