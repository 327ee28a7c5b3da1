"""The command line's inter expert: a logistic regression with cross-modality products."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from skpoe._engine._interaction_logistic import _InteractionLogistic

A, B, C = [0, 1, 2], [3, 4, 5], [6, 7]


def xor_table(n, seed=0):
    """``a0 b0`` carries the label, no column does alone; c is noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-1.5 * X[:, 0] * X[:, 3]))).astype(int)
    return X, y


def n_products(model):
    return model.estimator_.n_features_in_ - sum(map(len, model.number_blocks_)) * (5 + 2)


@pytest.mark.parametrize("cst, pairs", [
    (None, [(0, 1), (0, 2), (1, 2)]),
    ([A, B, C], []),                       # the additive baseline: one set per modality
    ([A + B, C], [(0, 1)]),                # the pairwise map: a and b merged
    ([A + C, B + C], [(0, 2), (1, 2)]),    # c shares a set with each, a and b none
])
def test_interaction_cst_means_what_it_means_for_boosted_trees(cst, pairs):
    X, y = xor_table(200)
    model = _InteractionLogistic(modalities=[A, B, C], interaction_cst=cst).fit(X, y)
    assert model.pairs_ == pairs
    sizes = {(0, 1): 9, (0, 2): 6, (1, 2): 6}
    # additive cubic splines (5 knots: 7 terms) per column, then the products
    assert n_products(model) == sum(sizes[p] for p in pairs)


def test_products_find_an_interaction_that_the_additive_baseline_cannot():
    X, y = xor_table(1600)
    train, test = slice(0, 1000), slice(1000, None)
    free = _InteractionLogistic(modalities=[A, B, C]).fit(X[train], y[train])
    baseline = _InteractionLogistic(modalities=[A, B, C], interaction_cst=[A, B, C]).fit(
        X[train], y[train])
    chance = log_loss(y[test], np.full(600, y[train].mean()))
    gain = (log_loss(y[test], baseline.predict_proba(X[test])[:, 1])
            - log_loss(y[test], free.predict_proba(X[test])[:, 1]))
    assert gain > 0.05
    assert log_loss(y[test], baseline.predict_proba(X[test])[:, 1]) > chance - 0.02


def test_a_wide_modality_enters_the_products_through_its_leading_directions():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 43))
    y = (X[:, 0] + X[:, 40] > 0).astype(int)
    model = _InteractionLogistic(modalities=[list(range(40)), [40, 41, 42]],
                                 max_directions=8).fit(X, y)
    assert model.reducers_[0].n_components == 8 and model.reducers_[1] is None
    # additive terms as each intra expert reads its modality: the 40-column one
    # linear (wider than the splines' cap), the 3-column one in splines (7 each);
    # then 8 x 3 products
    assert model.estimator_.n_features_in_ == 40 + 3 * 7 + 8 * 3


def test_a_frame_with_missing_values_and_a_category_is_encoded_by_modality():
    X, y = xor_table(300)
    frame = pd.DataFrame(X[:, :6], columns=[f"a{j}" for j in range(3)]
                         + [f"b{j}" for j in range(3)])
    frame["site"] = np.random.default_rng(2).choice(["x", "y", "z"], 300)
    frame.iloc[::7, 1] = np.nan
    before = frame.copy()
    model = _InteractionLogistic(modalities=[[0, 1, 2, 6], [3, 4, 5]]).fit(frame, y)
    pd.testing.assert_frame_equal(frame, before)  # nothing modified in place
    # the category's three one-hot columns join the first modality's directions
    assert [len(slots) for slots in model.block_slots_] == [6, 3]
    proba = model.predict_proba(frame)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(frame)) <= set(model.classes_)
