"""Pickle and skops round trips give identical predictions."""

import pickle

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from conftest import CLIN, IMG, make_table
from sklearn.compose import make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier
from skpoe.datasets import make_planted_modalities

DATA = make_planted_modalities("independent", n_samples=200, random_state=0)
X_MISSING = DATA.data.copy()
X_MISSING.loc[::5, DATA.modalities["b"]] = np.nan


def experts():
    return [("a", make_pipeline(StandardScaler(), LogisticRegression()), DATA.modalities["a"]),
            ("b", LogisticRegression(), make_column_selector(pattern="^b_"))]


CLASSIFIERS = {
    "plain": (ProductOfExpertsClassifier(experts()), DATA.data),
    "learned+prior": (ProductOfExpertsClassifier(experts(), inter_estimator="drop",
                                                 weights="learn", prior_correction=True,
                                                 cv=3), DATA.data),
    "missing": (ProductOfExpertsClassifier(experts(), missing_modality="drop"), X_MISSING),
}


def fitted(name):
    model, X = CLASSIFIERS[name]
    return model.fit(X, DATA.target), X


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_pickle_round_trip(name):
    model, X = fitted(name)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    pd.testing.assert_frame_equal(restored.predict_contributions(X),
                                  model.predict_contributions(X))


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_skops_round_trip(name, tmp_path):
    model, X = fitted(name)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    # only our own classes and sklearn's column selector need the user's trust
    assert all(t.startswith(("skpoe.", "sklearn.")) for t in untrusted), untrusted
    restored = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_analyzer_round_trips():
    analyzer = ModalityDependencyAnalyzer(experts(), cv=3, random_state=0).fit(
        DATA.data, DATA.target
    )
    data = sio.dumps(analyzer)
    untrusted = sio.get_untrusted_types(data=data)
    assert all(t.startswith(("skpoe.", "sklearn.")) for t in untrusted), untrusted
    for restored in (pickle.loads(pickle.dumps(analyzer)), sio.loads(data, trusted=untrusted)):
        for name in ("results_", "fold_scores_", "dependencies_"):
            pd.testing.assert_frame_equal(getattr(restored, name), getattr(analyzer, name))
        assert restored.summary() == analyzer.summary()
        recommended = restored.recommended_estimator().fit(DATA.data, DATA.target)
        assert recommended.score(DATA.data, DATA.target) > 0.8


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
