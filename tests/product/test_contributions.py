"""Per-sample contributions sum to predict_log_proba; modality_drivers reads them."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from skpoe import ProductOfExpertsClassifier, modality_drivers
from skpoe.datasets import make_planted_modalities


def summed(contributions):
    """Sum of every term per class, absent experts (NaN) counting as 0."""
    return contributions.T.groupby(level="class", sort=False).sum(min_count=0).T.to_numpy()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"prior_correction": True},
        {"weights": {"a": 0.3, "b": 2.0, "inter": 0.0}},
        {"weights": "learn", "prior_correction": True, "cv": 3},
    ],
    ids=["plain", "prior", "weights", "learned"],
)
def test_contributions_sum_to_predict_log_proba(options):
    data = make_planted_modalities("independent", n_samples=300, weights=[0.7, 0.3],
                                   random_state=0)
    X = data.data.copy()
    X.loc[::4, data.modalities["b"]] = np.nan
    X.iloc[1] = np.nan  # a row with no modality at all
    X.index = [f"patient-{i}" for i in range(len(X))]
    model = ProductOfExpertsClassifier(
        [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()],
        inter_estimator=KNeighborsClassifier(7), missing_modality="drop", **options,
    ).fit(X, data.target)
    contributions = model.predict_contributions(X)
    assert contributions.index.equals(X.index)
    assert contributions.columns.names == ["term", "class"]
    assert list(dict.fromkeys(contributions.columns.get_level_values("term"))) == [
        "a", "b", "inter", "prior", "normaliser"
    ]
    np.testing.assert_allclose(summed(contributions), model.predict_log_proba(X),
                               rtol=0, atol=1e-10)
    # absent experts are NaN, present ones finite
    assert contributions["b"].iloc[::4].isna().all().all()
    assert contributions["a"].iloc[[0, 2]].notna().all().all()
    assert contributions.loc["patient-1", ["a", "b", "inter"]].isna().all()
    assert modality_drivers(contributions).loc["patient-1", "driver"] == "prior"


def test_contributions_of_an_array_have_a_range_index():
    data = make_planted_modalities("noise", n_samples=100, random_state=1)
    model = ProductOfExpertsClassifier(
        [("a", LogisticRegression(), [0, 1, 2]), ("b", LogisticRegression(), [3, 4, 5])],
        inter_estimator="drop",
    ).fit(data.data.to_numpy(), data.target)
    contributions = model.predict_contributions(data.data.to_numpy()[:7])
    assert contributions.index.equals(pd.RangeIndex(7))


def test_modality_drivers_point_at_the_informative_modality():
    data = make_planted_modalities("noise", n_samples=400, random_state=2)
    model = ProductOfExpertsClassifier(
        [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()],
        inter_estimator="drop",
    ).fit(data.data, data.target)
    drivers = modality_drivers(model.predict_contributions(data.data))
    assert (drivers["prediction"].to_numpy() == model.predict(data.data)).all()
    assert (drivers["driver"] == "a").mean() > 0.9
    # margins are the pull toward the prediction, in nats
    assert (drivers["a"] > drivers["b"]).mean() > 0.9
    assert (drivers["runner_up"] != drivers["prediction"]).all()
