"""The package's default experts: what each one can and cannot learn."""

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_score

from skpoe._engine._defaults import _imputed_logistic, _mixed_logistic
from skpoe._engine._terms import _MAX_SPLINE_COLUMNS, _SplinesIfNarrow


def _u_shaped(n=600, seed=0):
    """A label that depends on |x0| only: no straight line in x0 says anything."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(1.5 * X[:, 0] ** 2 - 1.5)))).astype(int)
    return X, y


def _cv_log_loss(model, X, y):
    return -cross_val_score(model, X, y, cv=5, scoring="neg_log_loss").mean()


def test_the_default_logistic_experts_learn_a_u_shaped_effect_of_a_narrow_modality():
    X, y = _u_shaped()
    rate = y.mean()
    chance = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
    linear = _imputed_logistic().set_params(_splinesifnarrow__max_columns=0)
    assert _cv_log_loss(linear, X, y) > chance - 0.01  # a line sees nothing
    assert _cv_log_loss(_imputed_logistic(), X, y) < chance - 0.08
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(site="same")  # and a text column
    assert _cv_log_loss(_mixed_logistic(), frame, y) < chance - 0.08


def test_a_wide_modality_stays_linear():
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(50, _MAX_SPLINE_COLUMNS + 1))
    step = _SplinesIfNarrow().fit(wide)
    assert step.splines_ is None
    np.testing.assert_array_equal(step.transform(wide), wide)
    narrow = _SplinesIfNarrow().fit(wide[:, :_MAX_SPLINE_COLUMNS])
    # cubic B-splines on 5 knots: 7 basis columns per input column
    assert narrow.transform(wide[:, :_MAX_SPLINE_COLUMNS]).shape == (50, 7 * _MAX_SPLINE_COLUMNS)


def test_values_beyond_the_training_range_extrapolate_linearly():
    X, y = _u_shaped()
    model = _imputed_logistic().fit(X, y)
    far = np.zeros((3, 3))
    far[:, 0] = [4.0, 8.0, 16.0]  # beyond every training value of x0
    p = model.predict_proba(far)[:, 1]
    assert np.all(np.isfinite(p)) and np.all(np.diff(p) > 0)  # constant: flat
