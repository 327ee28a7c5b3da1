"""The benchmark scripts run end to end at tiny sizes (a smoke test, not a timing)."""

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCHMARKS.glob("*.py")))
def test_benchmark_runs_quick(name, tmp_path, capsys):
    tables = load(name).main(["--quick", "--output", str(tmp_path)])
    assert tables and all(len(table) > 0 for table in tables.values())
    assert {p.stem for p in tmp_path.glob("*.csv")} == set(tables)
    # speed benchmarks print ratios; the statistical ones, hit counts over seeds
    statistical = name in ("analyzer_calibration", "decomposition")
    assert ("hits" if statistical else "ratio") in capsys.readouterr().out
