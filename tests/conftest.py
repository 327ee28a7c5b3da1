"""Shared test data (a small table with two informative modalities) and test settings."""

import os

# One BLAS/OpenMP thread per process, set before numpy and scikit-learn load their
# libraries (and inherited by subprocesses and loky workers): on 2 cores,
# HistGradientBoosting's OpenMP threads fighting a busy machine turned a 0.14 s
# fit into 21 s, and a 4-minute suite into 44 minutes.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings
from threadpoolctl import threadpool_limits

# and for libraries already loaded by a plugin before this file ran
threadpool_limits(1)

# CI (CI=true) replays the same examples every run, so that a red CI is reproducible;
# local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The slowest files (the Sphinx build, the benchmarks' smoke runs, the documents'
# examples: a minute each) start first: collected last, they ran alone at the end
# while the other pytest-xdist worker sat idle (6.4 min wall for 9 min of work).
_SLOW_FIRST = ("test_docs_build.py", "test_benchmarks.py", "test_docs.py")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        name = item.path.name
        return _SLOW_FIRST.index(name) if name in _SLOW_FIRST else len(_SLOW_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


def make_table(n_samples=240, n_classes=3, seed=0):
    """A DataFrame whose ``img_*`` and ``clin_*`` columns both carry the label.

    ``spare`` is pure noise and belongs to no modality in the tests. Labels are
    strings, so that tests see label encoding at work.
    """
    rng = np.random.default_rng(seed)
    y_code = rng.integers(0, n_classes, size=n_samples)
    img = rng.normal(size=(n_samples, 4)) + 1.2 * y_code[:, None]
    clin = rng.normal(size=(n_samples, 2)) + 0.8 * y_code[:, None]
    X = pd.DataFrame(
        np.hstack([img, clin, rng.normal(size=(n_samples, 1))]),
        columns=["img_0", "img_1", "img_2", "img_3", "clin_age", "clin_bmi", "spare"],
    )
    labels = np.array(["benign", "malignant", "uncertain", "other"])[:n_classes]
    return X, labels[y_code]


@pytest.fixture
def table():
    return make_table()


IMG = ["img_0", "img_1", "img_2", "img_3"]
CLIN = ["clin_age", "clin_bmi"]


def lr_product(**params):
    """A two-expert product of logistic regressions on :func:`make_table`'s modalities."""
    from sklearn.linear_model import LogisticRegression

    from skpoe import ProductOfExpertsClassifier

    params.setdefault("inter_estimator", "drop")
    return ProductOfExpertsClassifier(
        [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
        **params,
    )
