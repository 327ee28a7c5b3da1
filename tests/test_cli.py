"""The command line, end to end in a subprocess."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skpoe", *args], capture_output=True, text=True, cwd=cwd,
        timeout=300,
    )


def test_compare_on_the_bundled_dataset(tmp_path):
    result = run("compare", "--cv", "3", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "breast cancer (bundled)" in result.stdout
    table = pd.read_csv(tmp_path / "comparison.csv", index_col="model")
    assert {"mean alone", "early fusion (inter alone)", "product of intra + inter"} <= set(
        table.index
    )
    assert (table["accuracy"] > 0.85).all()


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    frame = pd.DataFrame({
        "img_a": rng.normal(size=120) + y, "img_b": rng.normal(size=120),
        "age": rng.normal(size=120) + y, "site": ["x", "y"] * 60, "label": y, "one": 1,
    })
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_compare_on_a_user_table_with_glob_patterns(csv):
    result = run("compare", str(csv), "--target", "label", "--modality", "image=img_*",
                 "--modality", "clinical=age", "--cv", "3")
    assert result.returncode == 0, result.stderr
    assert "image (2 columns), clinical (1 columns)" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.csv", "--target", "label", "--modality", "a=x"], "data file not found"),
        (["{csv}", "--target", "nope", "--modality", "a=age"], "unknown target column 'nope'"),
        (["{csv}", "--target", "label", "--modality", "a=agee"], "unknown column 'agee'"),
        (["{csv}", "--target", "label", "--modality", "a=txt_*"],
         "pattern 'txt_*' matches no column"),
        (["{csv}", "--target", "one", "--modality", "a=age"], "has only one class"),
        (["{csv}", "--target", "label", "--modality", "a=age,site"],
         "non-numeric column 'site'"),
        (["{csv}", "--target", "label", "--modality", "age"], "expected NAME=COL1,COL2"),
    ],
)
def test_bad_input_exits_with_one_clear_line(csv, args, message):
    args = [str(csv) if a == "{csv}" else a for a in args]
    result = run("compare", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr
