"""The benchmarks' generated platform repositories stay valid input.

`make bench` is not part of `make test` (it is timed, and needs a quiet machine), so a rule added to
the configuration could make a benchmark refuse its own input unseen until the next measurement: the
tenancy benchmark once gave every cluster of one account and region the default EBS key, which config
refuses. Here each generator runs at a small size and its output is loaded as `goldenpath` loads it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from goldenpath.config.loader import load_environments
from goldenpath.config.model import Environment
from goldenpath.tenancy.catalog import catalog_for
from goldenpath.tenancy.model import Service

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _benchmark(name: str) -> ModuleType:
    """The script as a module (each script puts its own folder on sys.path to import synth_benchmark)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(root: Path) -> tuple[list[Environment], list[Service]]:
    environments = load_environments(root / "environments")
    catalog = catalog_for(root, environments)
    return environments, [service for team in catalog.teams for service in team.services]


def test_the_tenancy_benchmark_generates_a_repository_goldenpath_accepts(tmp_path: Path) -> None:
    root = tmp_path / "platform"
    shape = _benchmark("tenancy_benchmark").generate(root, services=40, environments=5)
    environments, services = _load(root)
    assert sorted(e.name for e in environments) == [f"cluster{i}" for i in range(5)]
    # One environment per account and region sets the default EBS key; the others leave it to that one.
    assert [e.network.ebs_default_key for e in environments].count("environment") == 1
    assert sum(len(service.environments) for service in services) == shape["placements"] > 0


def test_the_tenancy_benchmarks_validate_step_passes_on_what_it_generates(tmp_path: Path) -> None:
    """The benchmark times `goldenpath validate` and stops if it fails; its receivers name a declared bridge."""
    benchmark = _benchmark("tenancy_benchmark")
    root = tmp_path / "platform"
    benchmark.generate(root, services=20, environments=2)
    seconds = benchmark.cli(root, "validate", "--outdir", str(tmp_path / "out"), "--reports", str(tmp_path / "reports"))
    assert seconds > 0  # cli() raises SystemExit with validate's output when it fails


def test_the_delivery_benchmark_generates_a_repository_goldenpath_accepts(tmp_path: Path) -> None:
    root = tmp_path / "platform"
    _benchmark("delivery_benchmark").generate(root, services=20)
    environments, services = _load(root)
    assert [e.name for e in environments] == ["dev"]
    assert len(services) == 20
