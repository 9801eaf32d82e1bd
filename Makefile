# Two commands set everything up on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= test,bench

.PHONY: install report test lint format notebooks bench bench-quality bench-load bench-fit bench-report bench-update \
	bench-cli bench-embed bench-names bench-noise bench-cpu-targets bench-scale bench-calibration bench-ray bench-gpu clean

# torch==2.13.0 first: a bare `torch` requirement resolves to a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(VENV)/bin/trends report -o reports/trending-papers.html

test: $(STAMP)
	$(PY) -m ruff check trends tests benchmarks
	$(PY) -m ruff format --check trends tests benchmarks
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check trends tests benchmarks
	$(PY) -m ruff format --check trends tests benchmarks

format: $(STAMP)
	$(PY) -m ruff format trends tests benchmarks
	$(PY) -m ruff check --fix trends tests benchmarks

notebooks: $(STAMP)
	$(PY) -m trends._notebooks render notebooks reports/notebooks

bench-load: $(STAMP)
	$(PY) benchmarks/load_speed.py

bench-fit: $(STAMP)
	$(PY) benchmarks/fit_speed.py

bench-report: $(STAMP)
	$(PY) benchmarks/report_speed.py

bench-update: $(STAMP)
	$(PY) benchmarks/daily_update.py

bench-quality: $(STAMP)
	$(PY) benchmarks/quality.py

bench-cli: $(STAMP)
	$(PY) benchmarks/cli_speed.py

bench-embed: $(STAMP)
	$(PY) benchmarks/embed_speed.py

bench-names: $(STAMP)
	$(PY) benchmarks/names.py

bench-noise: $(STAMP)
	$(PY) benchmarks/noise.py

bench-cpu-targets: $(STAMP)
	$(PY) benchmarks/cpu_targets.py

bench-scale: $(STAMP)
	$(PY) benchmarks/scale.py

bench-calibration: $(STAMP)
	$(PY) benchmarks/trend_calibration.py

bench-ray: $(STAMP)
	$(PY) benchmarks/ray_engine.py

# Needs a CUDA GPU that torch sees (so not part of `make bench`); exits with 2 without one.
bench-gpu: $(STAMP)
	$(PY) benchmarks/gpu.py

# Every benchmark, one after the other (hours on 2 cores: the quality, noise, scale and
# embedding ones fit many models).
bench: bench-cli bench-load bench-report bench-fit bench-update bench-quality bench-embed \
	bench-names bench-noise bench-cpu-targets bench-scale bench-calibration bench-ray

clean:
	rm -rf $(VENV) build *.egg-info
