"""The analyzer's statistics, pinned: each test fails on a plausible one-line bug.

Standard error (Nadeau-Bengio), the t cutoff, the signs of the derived columns,
block permutation, cross-fitted calibration, the additive baseline of the inter
expert, and learned weights' use of cv and sample_weight.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier
from skpoe._analysis._additive import (
    INTERACTION_CST,
    LINEAR,
    PER_MODALITY,
    PRODUCT_TERMS,
    _additive_baseline,
    _bind_modalities,
    _is_additive_by_construction,
)
from skpoe._analysis._scoring import _counts, _paired_se, _per_row_se, _t_cutoff
from skpoe._analysis._study import _fold_models
from skpoe._engine._exponents import _fit_exponents
from skpoe._engine._interaction_logistic import _InteractionLogistic
from skpoe._engine._spec import _ExpertSpec
from skpoe.datasets import make_planted_modalities


def lr_analyzer(data, **kwargs):
    return ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        random_state=0, **kwargs,
    ).fit(data.data, data.target)


@pytest.fixture(scope="module")
def noise_analysis():
    """``a`` carries the label, ``b`` is noise; a logistic-regression inter expert."""
    data = make_planted_modalities("noise", n_samples=600, random_state=0)
    return lr_analyzer(data, inter_estimator=LogisticRegression()), data


def test_paired_se_carries_the_nadeau_bengio_correction():
    diff = np.array([0.1, 0.3, 0.2, 0.5, 0.4])
    expected = np.sqrt(np.var(diff, ddof=1) * (1 / 5 + 0.25))
    assert _paired_se(diff, 0.25) == pytest.approx(expected)
    assert _paired_se(diff, 0.25) > np.std(diff, ddof=1) / np.sqrt(5) * 1.4


def test_fitted_standard_errors_follow_the_corrected_formula(noise_analysis):
    # fold-paired comparisons (reliance, the inter dependency): Nadeau-Bengio over folds
    analyzer, _ = noise_analysis
    scores = analyzer.fold_scores_.pivot(index="fold", columns="model", values="log_loss")
    diff = scores["inter | a permuted"] - scores["inter"]
    ratio = np.mean([len(f.test) / (600 - len(f.test)) for f in analyzer.folds_])
    expected = np.sqrt(np.var(diff, ddof=1) * (1 / len(diff) + ratio))
    assert analyzer.dependencies_.loc["a", "inter_reliance_se"] == pytest.approx(expected)
    assert analyzer.dependencies_.loc["a", "inter_reliance"] == pytest.approx(diff.mean())


def _per_row_differences(analyzer, y, model):
    codes = np.searchsorted(analyzer.classes_, y)
    diffs, rows = [], []
    for fold in analyzer.folds_:
        models, y_test = _fold_models(analyzer._models, fold), codes[fold.test]
        at = np.arange(len(y_test))
        diffs.append(models[model][at, y_test] - models["chance"][at, y_test])
        rows.append(fold.test)
    return np.concatenate(diffs), np.concatenate(rows)


def test_intra_standard_errors_are_per_row_and_clustered(noise_analysis):
    analyzer, data = noise_analysis
    d, rows = _per_row_differences(analyzer, data.target, "intra: a (calibrated)")
    # each row is one unit: its two repeats' residuals are summed before squaring
    sums = np.bincount(rows, weights=d - d.mean())
    expected = np.sqrt(np.sum(sums ** 2) * 600 / 599) / d.size
    deps = analyzer.dependencies_
    assert deps.loc["a", "se"] == pytest.approx(expected)
    assert deps.loc["a", "dependency"] == pytest.approx(d.mean())
    # summing before squaring matters: the repeats of a row are not independent
    assert expected > np.std(d, ddof=1) / np.sqrt(d.size) * 1.2
    # groups are the units when given: patients of 3 rows each widen the SE
    grouped = lr_analyzer(data, inter_estimator="drop", cv=3)
    patients = ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator="drop", cv=3, random_state=0,
    ).fit(data.data, data.target, groups=np.arange(600) // 3)
    d, rows = _per_row_differences(patients, data.target, "intra: a (calibrated)")
    sums = np.bincount(rows // 3, weights=d - d.mean())
    assert patients.dependencies_.loc["a", "se"] == pytest.approx(
        np.sqrt(np.sum(sums ** 2) * 200 / 199) / d.size)
    assert "clustered by group" in patients.summary()
    assert "clustered by row" in grouped.summary()


def test_per_row_se_needs_two_units():
    assert np.isnan(_per_row_se([0.1, 0.2], [7, 7]))
    assert _per_row_se([0.1, 0.3], [0, 1]) == pytest.approx(np.sqrt(2 * 0.01 * 2) / 2)


def test_counting_uses_the_t_cutoff_with_j_minus_1_degrees_of_freedom():
    assert _t_cutoff(5) == pytest.approx(t.ppf(0.975, 4)) == pytest.approx(2.776, abs=1e-3)
    # between 1 SE (or 2 SE) and the cutoff: does not count
    assert not _counts(2.5, 1.0, 5)
    assert _counts(2.8, 1.0, 5)
    assert _counts(2.1, 1.0, 1000)  # many folds: close to the normal 1.96
    assert not _counts(1.0, np.nan, 5)


def test_fitted_counts_agree_with_the_cutoff(noise_analysis):
    analyzer, _ = noise_analysis
    deps = analyzer.dependencies_
    assert analyzer.t_cutoff_ == pytest.approx(t.ppf(0.975, len(analyzer.folds_) - 1))
    finite = deps["se"].notna()
    assert (deps.loc[deps["kind"] == "inter", "cutoff"] == analyzer.t_cutoff_).all()
    np.testing.assert_allclose(deps.loc[deps["kind"] == "intra", "cutoff"], 1.6449, atol=1e-4)
    expected = deps.loc[finite, "dependency"] > deps.loc[finite, "cutoff"] * deps.loc[finite, "se"]
    assert (deps.loc[finite, "counts"] == expected).all()
    assert len(analyzer.folds_) == 10  # 5 folds x 2 repeats: 9 degrees of freedom
    assert "t(0.975, 9) = 2.26 SE" in analyzer.summary()
    assert "counts when > 1.645 SE: one-sided 5%" in analyzer.summary()


def test_derived_columns_have_the_right_signs_and_permute_one_block(noise_analysis):
    analyzer, _ = noise_analysis
    deps = analyzer.dependencies_
    # the informative modality: leaving it out or permuting it costs; accuracy rises
    assert deps.loc["a", "product_loss_without"] > 0.1
    assert deps.loc["a", "inter_reliance"] > 0.1
    assert deps.loc["a", "accuracy_gain"] > 0.2
    # the noise modality: permuting its block alone leaves the inter expert as it was
    # (permuting the whole input would cost as much as permuting a)
    assert abs(deps.loc["b", "inter_reliance"]) < 0.02
    assert abs(deps.loc["b", "product_loss_without"]) < 0.03
    assert abs(deps.loc["b", "accuracy_gain"]) < 0.05


def test_each_fold_is_calibrated_on_the_other_folds_only(noise_analysis):
    analyzer, data = noise_analysis
    y = np.asarray(data.target)
    model = "calibrated product(intra)"
    per_fold = [
        _fit_exponents([f.log_proba["a"], f.log_proba["b"]], y[f.test], f.log_prior,
                       present=np.ones((len(f.test), 2), bool))
        for f in analyzer.folds_
    ]
    for k, fold in enumerate(analyzer.folds_):
        # the other folds of its own repeat: another repeat's folds share its test rows
        expected = np.mean([w for j, w in enumerate(per_fold) if j != k and j // 5 == k // 5],
                           axis=0)
        np.testing.assert_allclose(fold.calibration[model], expected, rtol=1e-6)
        # and never its own rows: its own fit differs from what it gets
        assert not np.allclose(fold.calibration[model], per_fold[k])
    # single experts are calibrated alike: a temperature each, fitted on other folds
    assert analyzer.folds_[0].calibration["intra: a (calibrated)"].shape == (1,)


def test_a_memorising_expert_gains_nothing_from_its_own_calibration():
    """1-NN is overconfident out of fold; calibrating on its own test rows would hide it."""
    data = make_planted_modalities("noise", n_samples=400, random_state=1)
    analyzer = ModalityDependencyAnalyzer(
        [("a", KNeighborsClassifier(1), data.modalities["a"]),
         ("b", KNeighborsClassifier(1), data.modalities["b"])],
        inter_estimator="drop", random_state=0,
    ).fit(data.data, data.target)
    # the noise modality's calibrated 1-NN is not better than chance
    assert analyzer.dependencies_.loc["b", "dependency"] < 0.01
    assert not analyzer.dependencies_.loc["b", "counts"]


def test_comparison_is_reported_apart_from_the_dependencies(noise_analysis):
    analyzer, _ = noise_analysis
    assert list(analyzer.dependencies_["kind"]) == ["intra", "intra", "inter"]
    comparison = analyzer.comparison_
    assert comparison.index[0] == "inter expert vs calibrated product(intra)"
    per_fold = analyzer.fold_scores_.pivot(index="fold", columns="model", values="log_loss")
    expected = (per_fold["calibrated product(intra)"] - per_fold["inter (calibrated)"]).mean()
    assert comparison["log_loss_gain"].iloc[0] == pytest.approx(expected)
    assert "Model selection (not a dependency" in analyzer.summary()


# --- the additive baseline of the inter expert ---------------------------------------

def test_logistic_inter_expert_is_additive_by_construction(noise_analysis):
    analyzer, _ = noise_analysis
    assert analyzer.inter_baseline_ == LINEAR
    inter = analyzer.dependencies_.loc["inter"]
    assert inter["dependency"] == 0.0 and np.isnan(inter["se"]) and not inter["counts"]
    assert "0 by construction" in analyzer.summary()
    assert "additive baseline" not in analyzer.results_.index  # nothing was fitted for it


@pytest.mark.parametrize("estimator, additive", [
    (LogisticRegression(), True),
    (make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()), True),
    (make_pipeline(PolynomialFeatures(2), LogisticRegression()), False),
    (HistGradientBoostingClassifier(), False),
])
def test_which_inter_experts_are_additive_by_construction(estimator, additive):
    assert _is_additive_by_construction(estimator) is additive


def test_hgb_baseline_constrains_interactions_to_each_modality():
    inter = _ExpertSpec("inter", HistGradientBoostingClassifier(early_stopping=False),
                        np.array([0, 2, 3, 5]), is_inter=True)
    modalities = [_ExpertSpec("a", None, np.array([0, 5])),
                  _ExpertSpec("b", "drop", np.array([3, 2]))]
    kind, specs = _additive_baseline(inter, modalities, None)
    assert kind == INTERACTION_CST and len(specs) == 1
    # positions within the inter expert's input (columns 0, 2, 3, 5)
    assert specs[0].estimator.interaction_cst == [[0, 3], [2, 1]]
    assert inter.estimator.interaction_cst is None  # the user's estimator is untouched
    with pytest.raises(ValueError, match=r"Modalities 'a' and 'b' share column 5"):
        _additive_baseline(inter, [modalities[0], _ExpertSpec("b", None, np.array([5]))],
                           None)


def test_other_inter_experts_get_the_product_of_per_modality_clones():
    data = make_planted_modalities("independent", n_samples=300, random_state=2)
    knn = KNeighborsClassifier(15)
    analyzer = lr_analyzer(data, inter_estimator=knn, cv=3)
    assert analyzer.inter_baseline_ == PER_MODALITY
    fold = analyzer.folds_[0]
    assert {"additive baseline: a", "additive baseline: b"} <= set(fold.log_proba)
    assert analyzer.n_expert_fits_ == 3 * 2 * (2 + 1 + 2)  # 3 folds x 2 repeats
    scores = analyzer.fold_scores_.pivot(index="fold", columns="model", values="log_loss")
    expected = (scores["additive baseline (calibrated)"] - scores["inter (calibrated)"]).mean()
    assert analyzer.dependencies_.loc["inter", "dependency"] == pytest.approx(expected)


def test_early_stopping_hgb_inter_expert_warns():
    data = make_planted_modalities("independent", n_samples=200, random_state=3)
    with pytest.warns(UserWarning, match="early_stopping"):
        lr_analyzer(data, inter_estimator=HistGradientBoostingClassifier(max_iter=20), cv=3)


def test_default_inter_expert_sees_the_xor_and_not_an_additive_nonlinearity():
    rng = np.random.default_rng(0)
    n = 1000
    a, b = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    X = pd.DataFrame(np.hstack([a, b]), columns=[f"a{j}" for j in range(3)]
                     + [f"b{j}" for j in range(3)])
    modalities = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"]}
    experts = [(m, make_pipeline(StandardScaler(), LogisticRegression()), c)
               for m, c in modalities.items()]
    logit = 1.5 * (a[:, 0] ** 2 - 1) + 1.5 * (b[:, 0] ** 2 - 1)
    additive = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    xor = ((a[:, 0] * b[:, 0] > 0) ^ (rng.uniform(size=n) < 0.1)).astype(int)
    found = {}
    for name, y in (("additive", additive), ("xor", xor)):
        analyzer = ModalityDependencyAnalyzer(experts, random_state=0).fit(X, y)
        found[name] = analyzer.dependencies_.loc["inter"]
        assert analyzer.inter_baseline_ == INTERACTION_CST
    assert found["xor"]["counts"] and found["xor"]["dependency"] > 0.2
    assert not found["additive"]["counts"] and abs(found["additive"]["dependency"]) < 0.03



def test_product_term_baseline_is_the_inter_expert_less_its_cross_products():
    inter = _ExpertSpec("inter", _InteractionLogistic(), np.array([0, 2, 3, 5]),
                        is_inter=True)
    modalities = [_ExpertSpec("a", None, np.array([0, 5])),
                  _ExpertSpec("b", "drop", np.array([3, 2]))]
    bound = _bind_modalities(inter, modalities)
    assert bound.estimator.modalities == [[0, 3], [2, 1]]
    assert inter.estimator.modalities is None  # the user's estimator is untouched
    kind, (baseline,) = _additive_baseline(bound, modalities, None)
    assert kind == PRODUCT_TERMS and baseline.estimator.interaction_cst == [[0, 3], [2, 1]]
    # capacity chosen alike: every other parameter (C grid, inner CV, splines) the same
    free, constrained = bound.estimator.get_params(), baseline.estimator.get_params()
    assert {k for k in free if repr(free[k]) != repr(constrained[k])} == {"interaction_cst"}


def interaction_data(n, interact, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    logit = 1.5 * a[:, 0] * b[:, 0] if interact else a[:, 0] + b[:, 0]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return np.hstack([a, b]), y


@pytest.mark.parametrize("interact", [True, False])
def test_product_term_inter_dependency_is_tested_per_row(interact):
    X, y = interaction_data(600, interact)
    analyzer = ModalityDependencyAnalyzer(
        [("a", LogisticRegression(), [0, 1, 2]), ("b", LogisticRegression(), [3, 4, 5])],
        inter_estimator=_InteractionLogistic(), cv=5, random_state=0).fit(X, y)
    assert analyzer.inter_baseline_ == PRODUCT_TERMS
    inter = analyzer.dependencies_.loc["inter"]
    assert inter["cutoff"] == pytest.approx(1.6448536, abs=1e-6)
    assert bool(inter["counts"]) is interact
    # the mean over every held-out row, not over folds: folds weigh by their size;
    scores = analyzer.fold_scores_.pivot(index="fold", columns="model", values="log_loss")
    sizes = np.array([len(fold.test) for fold in analyzer.folds_])
    # compared as fitted: logistic regressions fitted on log-loss, not recalibrated
    diff = scores["additive baseline"] - scores["inter"]
    assert inter["dependency"] == pytest.approx(np.sum(diff * sizes) / sizes.sum())
    # ... and its SE is the per-row one, each row one unit over its repeats
    diffs, rows = [], []
    for fold in analyzer.folds_:
        models = _fold_models(analyzer._models, fold)
        picked = np.arange(len(fold.test)), y[fold.test]
        diffs.append(models["additive baseline"][picked] - models["inter"][picked])
        rows.append(fold.test)
    expected = _per_row_se(-np.concatenate(diffs), np.concatenate(rows))
    assert inter["se"] == pytest.approx(expected)
    summary = analyzer.summary()
    assert "1.645 SE" in summary and "nested in the inter expert" in summary
    assert "both as fitted" in summary
    if interact:
        assert inter["dependency"] > 0.1
    else:
        assert inter["dependency"] < 0.005


class _RecordsRows(_InteractionLogistic):
    """The product-term expert, noting which rows each of its fits (and clones') saw."""

    fitted = []

    def fit(self, X, y):
        _RecordsRows.fitted.append((np.asarray(X).copy(), self.interaction_cst))
        return super().fit(X, y)


def test_inter_expert_and_baseline_choose_their_capacity_on_training_rows_only():
    # The capacity (C, the products' weight) is chosen by inner CV inside fit: it
    # cannot read the test fold as long as fit never sees a test row.
    X, y = interaction_data(240, True, seed=1)
    _RecordsRows.fitted = []
    analyzer = ModalityDependencyAnalyzer(
        [("a", LogisticRegression(), [0, 1, 2]), ("b", LogisticRegression(), [3, 4, 5])],
        inter_estimator=_RecordsRows(), cv=3, n_repeats=1, random_state=0).fit(X, y)
    assert analyzer.inter_baseline_ == PRODUCT_TERMS
    row_of = {row.tobytes(): i for i, row in enumerate(X)}
    trains = [np.setdiff1d(np.arange(len(y)), fold.test) for fold in analyzer.folds_]
    seen = {"free": [], "constrained": []}
    for rows, cst in _RecordsRows.fitted:
        index = np.sort([row_of[row.tobytes()] for row in rows])
        seen["free" if cst is None else "constrained"].append(index)
    # one fit of each per fold, each on exactly that fold's training rows
    for kind, fits in seen.items():
        assert len(fits) == len(trains), kind
        assert all(any(np.array_equal(f, t) for f in fits) for t in trains), kind


# --- learned weights: cv and sample_weight reach the exponent fit -------------------

def test_learned_weights_are_fitted_on_the_given_folds_and_weights():
    data = make_planted_modalities("independent", n_samples=240, random_state=4)
    X, y = data.data, np.asarray(data.target)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    cv = KFold(4, shuffle=True, random_state=1)
    experts = [(m, LogisticRegression(), c) for m, c in data.modalities.items()]
    model = ProductOfExpertsClassifier(experts, inter_estimator="drop", weights="learn",
                                       prior_correction=True, cv=cv).fit(X, y, sample_weight=sw)
    oof = {m: np.zeros((len(y), 2)) for m in data.modalities}
    for train, test in cv.split(X):
        for m, cols in data.modalities.items():
            est = LogisticRegression().fit(X.iloc[train][cols], y[train], sample_weight=sw[train])
            oof[m][test] = np.log(np.maximum(est.predict_proba(X.iloc[test][cols]), 1e-9))
    prior = np.bincount(y, weights=sw) / sw.sum()
    expected = _fit_exponents(list(oof.values()), y, np.log(prior),
                              present=np.ones((len(y), 2), bool), sample_weight=sw)
    np.testing.assert_allclose(model.weights_, expected, rtol=1e-5)
    # the same but another cv or no sample weights in the exponent fit gives other exponents
    unweighted = _fit_exponents(list(oof.values()), y, np.log(prior),
                                present=np.ones((len(y), 2), bool))
    assert not np.allclose(unweighted, expected, rtol=1e-3)
    other_cv = ProductOfExpertsClassifier(experts, inter_estimator="drop", weights="learn",
                                          prior_correction=True, cv=3).fit(X, y, sample_weight=sw)
    assert not np.allclose(other_cv.weights_, model.weights_, rtol=1e-4)


def test_a_dependency_at_round_off_level_never_counts():
    # the numbers of a pure-noise modality whose cross-fitted exponents were all 0
    assert not _counts(1.4e-16, 5.4e-17, 10)
    assert not _counts(np.array([1e-13, -1e-13]), np.array([1e-15, 1e-15]), 10).any()
    assert _counts(0.01, 0.002, 10)  # a real effect still counts


def test_chance_and_a_product_with_zero_exponents_are_the_same_model(monkeypatch):
    # With every exponent 0 the calibrated expert is the class prior: chance itself.
    # Chance goes through the products' normalisation, so the two differ by exactly 0.
    monkeypatch.setattr("skpoe._analysis._study._fit_exponents",
                        lambda log_probas, *args, **kwargs: np.zeros(len(log_probas)))
    data = make_planted_modalities("noise", n_samples=400, weights=[0.83, 0.17],
                                   random_state=3)
    analysis = lr_analyzer(data, inter_estimator="drop")
    deps = analysis.dependencies_
    assert (deps.loc[["a", "b"], "dependency"] == 0).all()
    assert not deps["counts"].any() and analysis.regime_ == "neither"
