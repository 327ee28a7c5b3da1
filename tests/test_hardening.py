"""Inputs that once gave a wrong result with no error (issue: hardening from hostile inputs)."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CLIN, IMG, make_table
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skpoe import ProductOfExpertsClassifier


def lr_product(**params):
    params.setdefault("inter_estimator", "drop")
    return ProductOfExpertsClassifier(
        [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
        **params,
    )


def test_an_expert_that_never_saw_a_class_does_not_veto_it():
    X, y = make_table(n_samples=600, seed=1)
    X = X.copy()
    never = y == "uncertain"
    X.loc[never, CLIN] = np.nan  # clinical is absent from every "uncertain" row
    with pytest.warns(UserWarning, match=r"Expert 'clinical' has no training row of "
                                         r"class\(es\) \['uncertain'\]"):
        model = lr_product(missing_modality="drop").fit(X, y)
    X_test, y_test = make_table(n_samples=600, seed=2)  # clinical present everywhere
    predicted = model.predict(X_test)
    recall = np.mean(predicted[y_test == "uncertain"] == "uncertain")
    assert recall > 0.6  # a veto gave 0.00
    # the clinical expert is uninformative about the class: its term is the log prior
    terms = model.predict_contributions(X_test)
    np.testing.assert_allclose(terms[("clinical", "uncertain")],
                               np.log(model.class_prior_[2]))


@pytest.mark.parametrize("prior_correction", [False, True])
def test_a_class_of_zero_total_weight_is_absent_from_training(prior_correction):
    X, y = make_table(n_samples=300, seed=3)
    weight = np.where(y == "benign", 0.0, 1.0)
    model = lr_product(prior_correction=prior_correction).fit(X, y, sample_weight=weight)
    assert model.class_prior_[0] == 0.0
    proba = model.predict_proba(X)
    assert (model.predict(X) != "benign").all()
    assert proba[:, 0].max() < 1e-6
    # nearly as if the rows were not there (the experts' own fits differ slightly:
    # a multinomial model keeps a logit for the zero-weight class)
    kept = weight > 0
    dropped = lr_product(prior_correction=prior_correction).fit(X[kept], y[kept])
    assert np.mean(model.predict(X) == dropped.predict(X)) > 0.97


@pytest.mark.parametrize("weight, match", [
    (-np.ones(240), "Negative values in data passed to `sample_weight`"),
    (np.r_[-1.0, np.ones(239)], "Negative values"),
    (np.zeros(240), "at least one non-zero number"),
])
def test_sample_weights_must_be_non_negative_and_not_all_zero(weight, match):
    X, y = make_table()
    with pytest.raises(ValueError, match=match):
        lr_product().fit(X, y, sample_weight=weight)


def test_weights_series_is_read_by_its_index():
    X, y = make_table()
    by_name = pd.Series({"inter": 1.0, "clinical": 1.0, "image": 2.0})
    from_series = lr_product(inter_estimator=LogisticRegression(), weights=by_name).fit(X, y)
    from_dict = lr_product(inter_estimator=LogisticRegression(),
                           weights=by_name.to_dict()).fit(X, y)
    np.testing.assert_array_equal(from_series.weights_, [2.0, 1.0, 1.0])
    np.testing.assert_array_equal(from_series.weights_, from_dict.weights_)
    positional = pd.Series([2.0, 1.0, 1.0])
    assert (lr_product(inter_estimator=LogisticRegression(), weights=positional)
            .fit(X, y).weights_ == [2.0, 1.0, 1.0]).all()
    with pytest.raises(ValueError, match="index it by expert name"):
        lr_product(inter_estimator=LogisticRegression(),
                   weights=pd.Series([1.0, 1.0, 1.0], index=[5, 6, 7])).fit(X, y)


@pytest.mark.parametrize("floor, n_classes", [(0.5, 2), (1 / 3, 3), (0.4, 3)])
def test_a_floor_that_flattens_experts_is_refused(floor, n_classes):
    X, y = make_table(n_classes=n_classes)
    with pytest.raises(ValueError, match=r"proba_floor=.* is at least 1 / n_classes"):
        lr_product(proba_floor=floor).fit(X, y)


_THREADED_PREDICT = """
import threading, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from conftest import CLIN, IMG, make_table
from skpoe import ProductOfExpertsClassifier

X, y = make_table()
model = ProductOfExpertsClassifier(
    [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
    inter_estimator=LogisticRegression()).fit(X, y)
before = list(warnings.filters)
errors = []

def predict():
    try:
        for _ in range(20):
            model.predict_proba(X)
    except Exception as exc:
        errors.append(exc)

threads = [threading.Thread(target=predict) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not errors, errors
assert list(warnings.filters) == before, (before, warnings.filters)
print("ok")
"""


def test_threads_leave_the_warning_filters_as_they_were():
    # In a fresh interpreter: the filters are process-wide, and in the test process
    # other libraries' threads (dask, hypothesis) may change them at any moment.
    result = subprocess.run([sys.executable, "-c", _THREADED_PREDICT], capture_output=True,
                            text=True, timeout=120, cwd=Path(__file__).parent)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_an_array_after_a_frame_warns_once_not_once_per_expert():
    X, y = make_table()
    model = lr_product(inter_estimator=LogisticRegression()).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict_proba(X.to_numpy())
    names = [w for w in caught if "feature names" in str(w.message)]
    assert len(names) == 1, [str(w.message) for w in names]


@pytest.mark.parametrize("sizes", [(0,), (-1,), (8, 0), (True,), "64"])
def test_neural_layer_sizes_must_be_positive(sizes):
    pytest.importorskip("torch")
    from skpoe.neural import NeuralExpert

    X, y = make_table(n_samples=40)
    with pytest.raises(InvalidParameterError, match="positive ints"):
        NeuralExpert(hidden_layer_sizes=sizes, max_epochs=1).fit(X[IMG], y)


def test_a_modality_no_expert_reads_may_be_absent():
    X, y = make_table()
    X = X.copy()
    X.loc[:10, CLIN] = np.nan  # clinical absent from 11 rows
    model = ProductOfExpertsClassifier(
        [("image", LogisticRegression(), IMG), ("clinical", "drop", CLIN)],
        inter_estimator="drop",
    ).fit(X, y)  # missing_modality="error" by default: nothing reads clinical
    assert model.predict(X).shape == (240,)
    with pytest.raises(ValueError, match="Modality 'clinical' is missing"):
        model.set_params(inter_estimator=LogisticRegression()).fit(X, y)


# --- errors that name the culprit ----------------------------------------------------

def frame_with(kind):
    X, y = make_table()
    X = X.copy()
    values = {
        "string": np.array(["hi", "lo"] * 120, dtype=object),
        "categorical": pd.Categorical(["hi", "lo"] * 120),
        "datetime": pd.date_range("2020-01-01", periods=240),
    }[kind]
    X["clin_bmi"] = values
    return X, y


@pytest.mark.parametrize("kind", ["string", "categorical", "datetime"])
@pytest.mark.parametrize("inter", ["drop", None])
def test_a_non_numeric_column_names_column_modality_and_expert(kind, inter):
    X, y = frame_with(kind)
    experts = [("image", LogisticRegression(), IMG),
               ("clinical", LogisticRegression() if inter == "drop" else "drop", CLIN)]
    expert = "clinical" if inter == "drop" else "inter"
    if inter is None and kind == "categorical":
        pytest.skip("HistGradientBoosting takes pandas categoricals itself")
    with pytest.raises((TypeError, ValueError),
                       match=rf"Expert '{expert}' \(\w+\) cannot be fitted: column "
                                         r"'clin_bmi' of modality 'clinical' is not numeric"):
        ProductOfExpertsClassifier(experts, inter_estimator=inter).fit(X, y)


def test_the_analyzer_names_a_non_numeric_column_too():
    from skpoe import ModalityDependencyAnalyzer

    X, y = frame_with("string")
    with pytest.raises((TypeError, ValueError), match=r"column 'clin_bmi' of modality 'clinical'"):
        ModalityDependencyAnalyzer(
            [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
            inter_estimator="drop", cv=3,
        ).fit(X, y)


@pytest.mark.parametrize("y, match", [
    (pd.Series(["a", None] * 120), r"y has 120 missing label\(s\) .* first at position 1"),
    (pd.Series(["a", np.nan] * 120), r"y has 120 missing label"),
    (pd.Series([1, "a"] * 120), r"y mixes labels of different types: 1 .* and 'a'"),
    (np.array([0.5, "b"] * 120, dtype=object), r"y mixes labels of different types"),
])
def test_bad_labels_are_named(y, match):
    X, _ = make_table()
    with pytest.raises(ValueError, match=match):
        lr_product().fit(X, y)


def test_a_dask_dataframe_gets_advice():
    dd = pytest.importorskip("dask.dataframe")
    X, y = make_table()
    with pytest.raises(TypeError, match=r"X is a dask collection .*X.compute\(\).*scale_out"):
        lr_product().fit(dd.from_pandas(X, npartitions=2), y)


def test_a_fold_without_a_class_names_label_fold_and_expert():
    from skpoe import ModalityDependencyAnalyzer

    X, y = make_table(n_samples=60, n_classes=2)
    y = y.copy()
    y[:] = "benign"
    y[[3, 5]] = "malignant"  # both in the first test fold: its training rows lack the class
    from sklearn.model_selection import KFold

    with pytest.raises(ValueError, match=r"Class 'malignant' is absent from the training rows "
                                         r"of fold \d for expert 'image'"):
        ModalityDependencyAnalyzer(
            [("image", LogisticRegression(), IMG)], inter_estimator="drop",
            cv=KFold(3),
        ).fit(X, y)


@pytest.mark.parametrize("which", ["expert", "joint"])
def test_skops_on_a_torch_model_says_to_use_pickle_and_pickle_works(which, tmp_path):
    pytest.importorskip("torch")
    import pickle

    import skops.io as sio

    from skpoe.neural import JointProductOfExpertsClassifier, NeuralExpert

    X, y = make_table(n_samples=60)
    if which == "expert":
        model = NeuralExpert(hidden_layer_sizes=(4,), max_epochs=2, random_state=0)
        model.fit(X[IMG], y)
        X_use = X[IMG]
    else:
        model = JointProductOfExpertsClassifier(
            [("image", None, IMG), ("clinical", None, CLIN)], max_epochs=2, random_state=0,
        ).fit(X, y)
        X_use = X
    with pytest.raises(TypeError, match=r"holds torch networks, which skops cannot persist. "
                                        r"Save it with pickle or joblib.dump"):
        sio.dump(model, tmp_path / "model.skops")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.predict_proba(X_use), model.predict_proba(X_use))


def test_learned_weights_and_the_analyzer_take_a_class_absent_from_one_modality():
    """The combination: the rule of a full fit holds in every fold too, with zero weights."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    from skpoe import ModalityDependencyAnalyzer

    X, y = make_table(n_samples=600, seed=5)
    X = X.copy()
    X.loc[y == "uncertain", CLIN] = np.nan  # clinical is absent from every "uncertain" row
    weight = pd.Series(np.where(y == "benign", 0.0, 1.0))  # and "benign" has no weight
    with pytest.warns(UserWarning, match="Expert 'clinical' has no training row"):
        model = lr_product(missing_modality="drop", prior_correction=True, weights="learn",
                           cv=3).fit(X, pd.Series(y), sample_weight=weight)
    X_test, y_test = make_table(n_samples=600, seed=6)
    predicted = model.predict(X_test)
    assert (predicted != "benign").all()
    assert np.mean(predicted[y_test == "uncertain"] == "uncertain") > 0.6
    # among weighted rows with clinical present all are "malignant": nothing to add
    assert np.isfinite(model.weights_).all() and model.weights_[0] > 0.5
    analyzer = ModalityDependencyAnalyzer(
        [("image", LogisticRegression(), IMG),
         ("clinical", make_pipeline(SimpleImputer(), LogisticRegression()), CLIN)],
        missing_modality="drop", cv=3, random_state=0,
    ).fit(X, y)
    clinical = analyzer.dependencies_.loc["clinical"]
    assert clinical["n_rows"] == (y != "uncertain").sum()
    assert clinical["dependency"] > 0.05  # it informs on the classes it saw
