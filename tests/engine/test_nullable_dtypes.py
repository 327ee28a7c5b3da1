"""pandas nullable and Arrow dtypes: ``pd.NA`` means NaN everywhere (what parquet files give).

Each test runs the same table twice, once as float64 with NaN and once in a
nullable or Arrow dtype with ``pd.NA``, and asks for the same result.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skpoe import (
    ModalityDependencyAnalyzer,
    ProductOfExpertsClassifier,
    compare_groupings,
    modality_bias,
)

DTYPES = ["Int64", "Float64", "boolean", "double[pyarrow]", "int64[pyarrow]"]
A, B = ["a0", "a1", "a2"], ["b0", "b1", "b2"]


def binary_table(n=240, seed=0):
    """0/1 features (so that every dtype holds them) carrying the label; b absent in 15%."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = pd.DataFrame(
        (rng.uniform(size=(n, 6)) < np.where(y[:, None] == 1, 0.75, 0.3)).astype(float),
        columns=A + B,
    )
    absent = rng.uniform(size=n) < 0.15
    X.loc[absent, B] = np.nan
    X.loc[~absent & (rng.uniform(size=n) < 0.05), "a1"] = np.nan  # scattered NaN
    return X, y, int(absent.sum())


def as_dtype(X, dtype):
    converted = X.astype(dtype)
    assert converted.isna().sum().sum() == X.isna().sum().sum()
    assert converted.iloc[:, 0].dtype == dtype and converted.isna().any().any()
    return converted


def hgb():
    return HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=0)


def imputing_lr():
    return make_pipeline(SimpleImputer(), LogisticRegression())


def product(**params):
    return ProductOfExpertsClassifier(
        [("a", imputing_lr(), A), ("b", imputing_lr(), B)],
        inter_estimator=hgb(),
        **params,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_classifier_leaves_absent_modalities_out_as_with_nan(dtype):
    X, y, _ = binary_table()
    X_na = as_dtype(X, dtype)
    before = X_na.copy()
    expected = product(missing_modality="drop").fit(X, y).predict_proba(X)
    model = product(missing_modality="drop").fit(X_na, y)
    np.testing.assert_allclose(model.predict_proba(X_na), expected)
    pd.testing.assert_frame_equal(X_na, before)  # the caller's frame is untouched
    with pytest.raises(ValueError, match=r"Modality 'b' is missing .* missing_modality='drop'"):
        product().fit(X_na, y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_analyzer_counts_the_rows_that_lack_a_modality(dtype):
    X, y, n_absent = binary_table()

    def analyze(X):
        return ModalityDependencyAnalyzer(
            [("a", imputing_lr(), A), ("b", imputing_lr(), B)],
            inter_estimator=hgb(),
            cv=3, n_repeats=1, missing_modality="drop", random_state=0,
        ).fit(X, y)

    expected = analyze(X).dependencies_
    got = analyze(as_dtype(X, dtype)).dependencies_
    assert got.loc["b", "n_rows"] == len(X) - n_absent
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_groupings_and_bias_see_nan_in_nullable_columns(dtype):
    X, y, _ = binary_table()
    X_na = as_dtype(X, dtype)
    kwargs = dict(expert=imputing_lr(), inter_estimator="drop", cv=3, n_repeats=1,
                  missing_modality="drop", random_state=0)
    groupings = {"ab": {"a": A, "b": B}, "one": {"ab": A + B}}
    pd.testing.assert_frame_equal(compare_groupings(groupings, X_na, y, **kwargs).table_,
                                  compare_groupings(groupings, X, y, **kwargs).table_)
    X = X.fillna(dict.fromkeys(B, 0.0))  # NaN in a1 only: bias takes no absent modality
    model = hgb().fit(X, y)
    bias = {name: modality_bias(model, data, y, {"a": A, "b": B}, expert=imputing_lr(),
                                cv=3, random_state=0)
            for name, data in [("float", X), ("nullable", as_dtype(X, dtype))]}
    pd.testing.assert_frame_equal(bias["nullable"].table_, bias["float"].table_)


@pytest.mark.parametrize("dtype", DTYPES)
def test_joint_model_reads_pd_na_as_an_absent_modality(dtype):
    from skpoe.neural import JointProductOfExpertsClassifier

    X, y, _ = binary_table()
    X = X.fillna({"a1": 0.0})  # the joint net takes NaN only as a whole absent modality

    def joint():
        return JointProductOfExpertsClassifier(
            [("a", None, A), ("b", None, B)], missing_modality="drop", max_epochs=3,
            random_state=0,
        )

    expected = joint().fit(X, y).predict_proba(X)
    np.testing.assert_allclose(joint().fit(as_dtype(X, dtype), y).predict_proba(
        as_dtype(X, dtype)), expected, atol=1e-6)


def test_command_line_counts_missing_rows_of_a_parquet_with_int64(tmp_path):
    X, y, n_absent = binary_table()
    table = as_dtype(X, "Int64").assign(label=y)
    path = tmp_path / "study.parquet"
    table.to_parquet(path)
    assert pd.read_parquet(path)["b0"].dtype == "Int64"  # what a user's parquet gives
    result = subprocess.run(
        [sys.executable, "-m", "skpoe", "analyze", str(path), "--target", "label",
         "--modality", "a=a*", "--modality", "b=b*", "--missing-modality", "drop",
         "--cv", "3", "--repeats", "1", "--verbose", "0", "--output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    deps = pd.read_csv(tmp_path / "out" / "dependencies.csv", index_col="expert")
    assert deps.loc["b", "n_rows"] == len(X) - n_absent
