"""The analyzer on tables with missing modalities and scattered NaN (the classifier's rule)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skpoe import ModalityDependencyAnalyzer
from skpoe._engine._presence import _accepts_nan
from skpoe.datasets import (
    load_breast_cancer_modalities,
    load_digits_modalities,
    make_planted_modalities,
)


def imputing_lr():
    return make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())


def holey_table(seed=0, n=600):
    """5% of rows lack modality ``b``; 2% of the other cells are NaN."""
    data = make_planted_modalities("independent", n_samples=n, random_state=seed)
    X = data.data.copy()
    rng = np.random.default_rng(seed)
    absent = rng.uniform(size=n) < 0.05
    X.loc[absent, data.modalities["b"]] = np.nan
    scattered = rng.uniform(size=X.shape) < 0.02
    scattered[absent, 3:] = False
    X = X.mask(scattered)
    # a row keeps a modality while some of its columns survive
    return X, data.target, data.modalities, absent


@pytest.mark.parametrize("estimator, accepts", [
    (LogisticRegression(), False),
    (make_pipeline(StandardScaler(), LogisticRegression()), False),
    (imputing_lr(), True),
    (make_pipeline(KNNImputer(), LogisticRegression()), True),
    (HistGradientBoostingClassifier(), True),
    (make_pipeline("passthrough", SimpleImputer(), LogisticRegression()), True),
    # decided by what each branch does, not by the first step
    (make_pipeline(ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["age", "diameter"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["sex", "site"])]),
        LogisticRegression()), True),
    (make_pipeline(ColumnTransformer([("num", StandardScaler(), ["age"]),
                                      ("cat", OneHotEncoder(), ["sex"])]),
                   LogisticRegression()), False),  # a scaler passes NaN on to the regression
    (make_pipeline(ColumnTransformer([("cat", OneHotEncoder(), ["sex"])],
                                     remainder="passthrough"), LogisticRegression()), False),
    (make_pipeline(ColumnTransformer([("cat", OneHotEncoder(), ["sex"])],
                                     remainder="passthrough"),
                   HistGradientBoostingClassifier()), True),  # the inter-expert recipe
    (make_pipeline(ColumnTransformer([("num", SimpleImputer(), ["age"])], remainder="drop"),
                   make_pipeline(StandardScaler(), LogisticRegression())), True),
])
def test_pipelines_that_impute_first_accept_nan(estimator, accepts):
    assert _accepts_nan(estimator) is accepts


def test_a_mixed_type_clinical_expert_fits_a_table_with_nan_and_strings():
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    X = pd.DataFrame({
        "img_0": rng.normal(size=n) + y, "img_1": rng.normal(size=n),
        "age": rng.normal(60, 10, n) + 5 * y, "diameter": rng.gamma(3, 2, n),
        "sex": rng.choice(["M", "F"], n), "site": rng.choice(["arm", "leg", "back"], n),
    })
    X.loc[X.index[::7], "age"] = np.nan
    clinical = make_pipeline(ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["age", "diameter"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["sex", "site"])]),
        LogisticRegression())
    # as the non-numeric message advises: columns chosen by dtype, so that the clones
    # of the inter expert on one modality (its additive baseline) find theirs
    inter = make_pipeline(ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
          make_column_selector(dtype_exclude="number"))], remainder="passthrough"),
        HistGradientBoostingClassifier(max_iter=30, early_stopping=False))
    analyzer = ModalityDependencyAnalyzer(
        [("image", LogisticRegression(), ["img_0", "img_1"]),
         ("clinical", clinical, ["age", "diameter", "sex", "site"])],
        inter_estimator=inter, cv=3, n_repeats=1, random_state=0,
    ).fit(X, y)
    assert analyzer.dependencies_.loc["clinical", "n_rows"] == n  # NaN in age: imputed
    assert analyzer.dependencies_.loc["clinical", "dependency"] > 0.005  # age carries y


def test_drop_analyses_a_holey_table_and_reports_rows_seen():
    X, y, modalities, absent = holey_table()
    X_copy = X.copy()
    analyzer = ModalityDependencyAnalyzer(
        [(m, imputing_lr(), c) for m, c in modalities.items()],
        missing_modality="drop", random_state=0,
    ).fit(X, y)
    deps = analyzer.dependencies_
    assert deps.loc["a", "n_rows"] == 600
    assert deps.loc["b", "n_rows"] == 600 - absent.sum()
    # the default inter expert accepts NaN, but the inter comparison uses complete rows
    assert deps.loc["inter", "n_rows"] == 600 - absent.sum()
    assert deps.loc["a", "counts"] and deps.loc["b", "counts"]
    fold = analyzer.folds_[0]
    # b is out of the rows where it is absent, and those rows score as the prior
    assert np.isnan(fold.log_proba["b"][~fold.present["b"]]).all()
    assert np.isfinite(fold.log_proba["b"][fold.present["b"]]).all()
    assert f"rows {600 - absent.sum()}/600" in analyzer.summary()
    assert X.equals(X_copy)


def test_inter_expert_without_nan_support_sees_complete_rows_only():
    X, y, modalities, absent = holey_table(seed=1)
    X = X.fillna(0.0).mask(absent[:, None] & np.asarray(X.columns.str.startswith("b")))
    analyzer = ModalityDependencyAnalyzer(
        [(m, imputing_lr(), c) for m, c in modalities.items()],
        inter_estimator=LogisticRegression(), missing_modality="drop", random_state=0,
    ).fit(X, y)
    assert analyzer.dependencies_.loc["inter", "n_rows"] == 600 - absent.sum()
    # an imputing inter expert accepts NaN, and the classifier gives it every row with
    # some modality; the analysis compares it with its baseline on complete rows only
    # (an interaction with missingness is not one between modalities)
    analyzer.set_params(inter_estimator=imputing_lr()).fit(X, y)
    assert analyzer.dependencies_.loc["inter", "n_rows"] == 600 - absent.sum()


def test_error_mode_names_the_modality_and_nan_error_names_the_expert():
    X, y, modalities, _ = holey_table(seed=2)
    with pytest.raises(ValueError, match=r"Modality 'b' is missing .* in \d+ row"):
        ModalityDependencyAnalyzer(
            [(m, imputing_lr(), c) for m, c in modalities.items()]).fit(X, y)
    with pytest.raises(ValueError, match=r"expert 'a' \(LogisticRegression\) does not accept "
                                         r"missing values.*make_pipeline\(SimpleImputer\(\)"):
        ModalityDependencyAnalyzer(
            [(m, LogisticRegression(), c) for m, c in modalities.items()],
            missing_modality="drop").fit(X, y)


def test_recommended_estimator_keeps_the_missing_modality_rule():
    X, y, modalities, _ = holey_table(seed=3)
    analyzer = ModalityDependencyAnalyzer(
        [(m, imputing_lr(), c) for m, c in modalities.items()],
        missing_modality="drop", cv=3, random_state=0,
    ).fit(X, y)
    model = analyzer.recommended_estimator()
    assert model.missing_modality == "drop"
    assert model.fit(X, y).score(X, y) > 0.7


def repeated_patients(n_patients=60, per_patient=5, seed=0):
    """Each patient's ``p*`` columns repeat on all its rows; ``v*`` change per visit."""
    rng = np.random.default_rng(seed)
    patient = np.repeat(np.arange(n_patients), per_patient)
    offset = rng.normal(size=n_patients)[patient]
    X = pd.DataFrame({
        "p0": rng.normal(size=n_patients)[patient], "p1": rng.normal(size=n_patients)[patient],
        "v0": rng.normal(size=patient.size), "v1": rng.normal(size=patient.size),
    })
    y = (offset + X["v0"] + rng.normal(size=patient.size) > 0).astype(int)
    return X, y, patient


def test_rows_repeated_within_patients_warn_without_groups():
    X, y, patient = repeated_patients()
    analyzer = ModalityDependencyAnalyzer(
        [("patient", LogisticRegression(), ["p0", "p1"]), ("visit", LogisticRegression(),
                                                          ["v0", "v1"])],
        inter_estimator="drop", cv=3, n_repeats=1, random_state=0,
    )
    with pytest.warns(UserWarning, match=r"Modality 'patient' takes only 60 distinct values "
                                         r"on its 300 rows \(5.0 rows per value") as caught:
        analyzer.fit(X, y)
    assert not any("'visit'" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        analyzer.fit(X, y, groups=patient)  # with groups: nothing to say


@pytest.mark.parametrize("make", [
    lambda: make_planted_modalities("independent", n_samples=500, random_state=0),
    load_breast_cancer_modalities,
    lambda: load_digits_modalities("quadrants"),
])
def test_tables_of_distinct_units_do_not_warn(make):
    data = make()
    analyzer = ModalityDependencyAnalyzer(
        [(n, LogisticRegression(max_iter=200), c) for n, c in data.modalities.items()],
        inter_estimator="drop", cv=2, n_repeats=1, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        analyzer.fit(data.data, data.target)


def test_the_inter_comparison_uses_the_complete_rows_only():
    X, y, modalities, absent = holey_table(n=400)
    analyzer = ModalityDependencyAnalyzer(
        [(m, imputing_lr(), c) for m, c in modalities.items()],
        inter_estimator=HistGradientBoostingClassifier(max_iter=20, early_stopping=False),
        cv=3, n_repeats=1, missing_modality="drop", random_state=0,
    ).fit(X, y)
    complete = ~absent  # a row lacks b or holds every modality (a is never absent)
    assert analyzer.dependencies_.loc["inter", "n_rows"] == complete.sum()
    for fold in analyzer.folds_:
        for name in ("inter", "additive baseline"):
            scored = ~np.isnan(fold.log_proba[name]).any(axis=1)
            np.testing.assert_array_equal(scored, complete[fold.test])
    # the intra expert of a still sees every row
    assert analyzer.dependencies_.loc["a", "n_rows"] == len(y)


def test_rows_are_counted_against_the_table_under_a_splitter_that_does_not_partition():
    from sklearn.model_selection import StratifiedShuffleSplit

    X, y, modalities, absent = holey_table(n=200)
    analyzer = ModalityDependencyAnalyzer(
        [(m, imputing_lr(), c) for m, c in modalities.items()], inter_estimator="drop",
        cv=StratifiedShuffleSplit(4, test_size=0.25, random_state=0),
        missing_modality="drop", random_state=0,
    ).fit(X, y)
    summary = analyzer.summary()
    assert f"rows {200 - absent.sum()}/200" in summary and "rows 200/200" in summary
    assert "4 folds, 200 held-out predictions of 200 rows" in summary
