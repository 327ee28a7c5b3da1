"""ModalityDependencyAnalyzer on planted datasets, and its bookkeeping."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import t  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GroupKFold,
    KFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
)
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from skpoe import (  # noqa: E402
    ModalityDependencyAnalyzer,
    ProductOfExpertsClassifier,
    combine_log_proba,
)
from skpoe._analysis._scoring import _fold_metrics  # noqa: E402
from skpoe.datasets import make_planted_modalities  # noqa: E402


def analyze(kind, **kwargs):
    data = make_planted_modalities(kind, random_state=0)
    analyzer = ModalityDependencyAnalyzer(
        [(name, LogisticRegression(), cols) for name, cols in data.modalities.items()],
        random_state=0, **kwargs,
    )
    return analyzer.fit(data.data, data.target), data


@pytest.fixture(scope="module")
def redundant():
    return analyze("redundant")


@pytest.fixture(scope="module")
def xor():
    return analyze("xor")


def test_redundant_modalities_are_intra_dominant(redundant):
    analyzer, _ = redundant
    deps = analyzer.dependencies_
    assert analyzer.regime_ == "intra"
    assert deps.loc["a", "counts"] and deps.loc["b", "counts"]
    assert not deps.loc["inter", "counts"]


def test_xor_of_two_modalities_is_inter_dominant(xor):
    analyzer, _ = xor
    deps = analyzer.dependencies_
    assert analyzer.regime_ == "inter"
    assert not deps.loc["a", "counts"] and not deps.loc["b", "counts"]
    assert deps.loc["inter", "dependency"] > 0.3  # nats: the joint model sees the XOR
    # the inter expert relies on both modalities: permuting either destroys it
    assert (deps.loc[["a", "b"], "inter_reliance"] > 0.3).all()


def test_pure_noise_modality_does_not_count():
    analyzer, _ = analyze("noise")
    assert analyzer.dependencies_.loc["a", "counts"]
    assert not analyzer.dependencies_.loc["b", "counts"]
    assert analyzer.regime_ == "intra"


def test_product_rows_are_recombined_out_of_fold_outputs(redundant):
    analyzer, data = redundant
    y = np.asarray(data.target)
    for f, fold in enumerate(analyzer.folds_):
        lp = fold.log_proba
        expected = {
            "product(intra)": combine_log_proba([lp["a"], lp["b"]]),
            "product(intra+inter)": combine_log_proba([lp["a"], lp["b"], lp["inter"]]),
            "calibrated product(intra+inter)": combine_log_proba(
                [lp["a"], lp["b"], lp["inter"]],
                fold.calibration["calibrated product(intra+inter)"],
                log_prior=fold.log_prior,
            ),
        }
        scores = analyzer.fold_scores_.set_index(["model", "fold"])
        for model, log_proba in expected.items():
            got = scores.loc[(model, f), "log_loss"]
            assert got == pytest.approx(_fold_metrics(log_proba, y[fold.test])["log_loss"])
    means = analyzer.fold_scores_.groupby("model")["log_loss"].mean()
    assert analyzer.results_.loc["product(intra)", "log_loss"] == pytest.approx(
        means["product(intra)"]
    )


class CountingLogisticRegression(LogisticRegression):
    """A real LogisticRegression that counts its fits (in this process)."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


def test_each_expert_is_fitted_once_per_fold_and_permutations_refit_nothing():
    data = make_planted_modalities("noise", n_samples=200, random_state=1)
    CountingLogisticRegression.fits = 0
    analyzer = ModalityDependencyAnalyzer(
        [(n, CountingLogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator=CountingLogisticRegression(), cv=4, random_state=0,
    ).fit(data.data, data.target)
    assert CountingLogisticRegression.fits == 3 * 4 * 2 == analyzer.n_expert_fits_
    assert "inter | a permuted" in analyzer.results_.index


def test_groups_never_straddle_folds():
    data = make_planted_modalities("redundant", n_samples=300, random_state=2)
    groups = np.repeat(np.arange(60), 5)  # 60 patients, 5 rows each
    analyzer = ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator=LogisticRegression(), cv=5, random_state=0,
    ).fit(data.data, data.target, groups=groups)
    seen = []
    for fold in analyzer.folds_:
        train = np.setdiff1d(np.arange(300), fold.test)
        assert not set(groups[fold.test]) & set(groups[train])
        seen.append(fold.test)
    # each repeat's folds cover every row once, on a new shuffle
    assert len(seen) == 10
    first, second = np.concatenate(seen[:5]), np.concatenate(seen[5:])
    assert np.array_equal(np.sort(first), np.arange(300))
    assert np.array_equal(np.sort(second), np.arange(300))
    assert not all(np.array_equal(a, b) for a, b in zip(seen[:5], seen[5:]))
    # a group splitter passed as cv gets the groups too
    analyzer.set_params(cv=GroupKFold(3)).fit(data.data, data.target, groups=groups)
    for fold in analyzer.folds_:
        train = np.setdiff1d(np.arange(300), fold.test)
        assert not set(groups[fold.test]) & set(groups[train])


def test_repeated_cv_calibrates_on_folds_disjoint_from_the_test_fold():
    data = make_planted_modalities("independent", n_samples=200, random_state=3)
    analyzer = ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator="drop", cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=2,
                                                           random_state=0),
    ).fit(data.data, data.target)
    assert len(analyzer.folds_) == 6
    assert analyzer.n_expert_fits_ == 12
    assert "inter" not in analyzer.dependencies_.index
    assert analyzer.regime_ == "intra"
    weights = analyzer.folds_[0].calibration["calibrated product(intra)"]
    assert weights.shape == (2,) and (weights >= 0).all()


def test_results_and_reports(redundant):
    analyzer, _ = redundant
    res = analyzer.results_
    for metric in ("accuracy", "balanced_accuracy", "log_loss", "roc_auc"):
        assert metric in res.columns and f"{metric}_sd" in res.columns
    assert res.loc["chance", "roc_auc"] == pytest.approx(0.5)
    assert res.loc["intra: a", "accuracy"] > 0.8
    text = analyzer.summary()
    assert "Regime: intra" in text and "Recommended" in text
    html = analyzer._repr_mimebundle_()["text/html"]
    assert "<table" in html and "Regime <b>intra</b>" in html
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert analyzer.plot(ax=ax) is fig
    assert len(ax.patches) == 3  # a, b, inter
    plt.close("all")


def test_recommended_estimator_matches_the_regime(xor, redundant):
    analyzer, data = xor
    model = analyzer.recommended_estimator()
    assert isinstance(model, ProductOfExpertsClassifier)
    assert [est for _, est, _ in model.experts] == ["drop", "drop"]
    assert model.inter_estimator != "drop"
    assert model.fit(data.data, data.target).score(data.data, data.target) > 0.9
    assert model.weights is None and not model.prior_correction  # a single expert
    intra_model = redundant[0].recommended_estimator()
    assert intra_model.inter_estimator == "drop"
    assert all(est != "drop" for _, est, _ in intra_model.experts)
    # a product is configured as the analysis measured it: calibrated
    assert intra_model.weights == "learn" and intra_model.prior_correction


def test_sklearn_api_clone_params_and_frame_input(redundant):
    analyzer, _ = redundant
    cloned = clone(analyzer)
    assert not hasattr(cloned, "results_")
    cloned.set_params(a__C=0.1, cv=3)
    assert cloned.get_params()["a__C"] == 0.1 and cloned.cv == 3
    assert analyzer.feature_names_in_.tolist()[:1] == ["a_0"]


def test_does_not_modify_the_callers_data():
    data = make_planted_modalities("redundant", n_samples=120, random_state=4)
    X, y = data.data, pd.Series(data.target)
    X_copy, y_copy = X.copy(), y.copy()
    ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator=LogisticRegression(), cv=3, random_state=0,
    ).fit(X, y)
    pd.testing.assert_frame_equal(X, X_copy)
    pd.testing.assert_series_equal(y, y_copy)


@pytest.mark.parametrize(
    "kwargs, fit_kwargs, error, match",
    [
        ({"experts": [("a", "drop", ["a_0"])]}, {}, ValueError, "Every intra expert is 'drop'"),
        ({}, {"groups": np.arange(5)}, ValueError, "groups has 5 entries but X has 600"),
        ({"experts": [("a", LogisticRegression(), ["z_9"])]}, {}, ValueError,
         r"Modality 'a' selects column\(s\) \['z_9'\]"),
    ],
)
def test_bad_inputs(kwargs, fit_kwargs, error, match):
    data = make_planted_modalities("noise", random_state=0)
    params = {"experts": [(n, LogisticRegression(), c) for n, c in data.modalities.items()]}
    params.update(kwargs)
    with pytest.raises(error, match=match):
        ModalityDependencyAnalyzer(**params).fit(data.data, data.target, **fit_kwargs)


@pytest.mark.parametrize("container", ["frame", "array", "sparse"])
def test_block_permutation_moves_whole_rows_of_the_block(container):
    import scipy.sparse as sp

    from skpoe._engine._oof import _permute_block

    base = np.arange(40, dtype=float).reshape(10, 4)
    X = {"frame": pd.DataFrame(base), "array": base, "sparse": sp.csr_matrix(base)}[container]
    out = _permute_block(X, np.array([1, 3]), np.random.default_rng(0))
    out = out.toarray() if sp.issparse(out) else np.asarray(out)
    np.testing.assert_array_equal(out[:, [0, 2]], base[:, [0, 2]])  # other columns untouched
    # the block's columns moved together: each output row is one input row of the block
    rows = [np.flatnonzero((base[:, [1, 3]] == r).all(axis=1)) for r in out[:, [1, 3]]]
    assert all(len(r) == 1 for r in rows)
    assert sorted(int(r[0]) for r in rows) == list(range(10))
    assert not np.array_equal(out, base)
    assert np.array_equal(np.asarray(X.toarray() if sp.issparse(X) else X), base)  # input kept


def test_parallel_analysis_equals_sequential_and_verbose_reports_progress(capfd):
    data = make_planted_modalities("independent", n_samples=200, random_state=5)
    experts = [(n, LogisticRegression(), c) for n, c in data.modalities.items()]
    one = ModalityDependencyAnalyzer(experts, cv=3, random_state=0).fit(data.data, data.target)
    two = ModalityDependencyAnalyzer(experts, cv=3, random_state=0, n_jobs=2, verbose=1).fit(
        data.data, data.target
    )
    pd.testing.assert_frame_equal(one.results_, two.results_)
    assert "Done" in capfd.readouterr().err


def test_n_repeats_runs_an_int_cv_on_new_shuffles_and_leaves_splitters_alone():
    data = make_planted_modalities("independent", n_samples=150, random_state=4)

    def folds(**params):
        analyzer = ModalityDependencyAnalyzer(
            [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
            inter_estimator="drop", **params,
        ).fit(data.data, data.target)
        return analyzer, [fold.test for fold in analyzer.folds_]

    analyzer, tests = folds(cv=3, n_repeats=3, random_state=0)
    assert len(tests) == 9 and analyzer.t_cutoff_ == pytest.approx(t.ppf(0.975, 8))
    for r in range(3):
        assert np.array_equal(np.sort(np.concatenate(tests[3 * r:3 * r + 3])), np.arange(150))
    assert not np.array_equal(tests[0], tests[3])
    again = folds(cv=3, n_repeats=3, random_state=0)[1]
    assert all(np.array_equal(a, b) for a, b in zip(tests, again))  # seeded: reproducible
    # one repeat without a seed: StratifiedKFold in data order, as the classifier's cv
    plain = folds(cv=3, n_repeats=1)[1]
    expected = [te for _, te in StratifiedKFold(3).split(data.data, data.target)]
    assert all(np.array_equal(a, b) for a, b in zip(plain, expected))
    # a splitter is used as it is
    assert len(folds(cv=KFold(3), n_repeats=4)[1]) == 3
    with pytest.raises(InvalidParameterError, match="n_repeats"):
        folds(cv=3, n_repeats=0)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_has_a_line_per_fit_and_errors_pass_through_it(capfd, n_jobs):
    data = make_planted_modalities("independent", n_samples=120, random_state=5)
    experts = [(n, LogisticRegression(), c) for n, c in data.modalities.items()]
    ModalityDependencyAnalyzer(experts, inter_estimator="drop", cv=3, n_repeats=1,
                               random_state=0, n_jobs=n_jobs, verbose=1).fit(data.data,
                                                                             data.target)
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("[skpoe] [")]
    assert len(lines) == 6  # 2 experts x 3 folds
    assert lines[0].startswith("[skpoe] [1/6] a fold 1/3") and "left" in lines[0]
    assert "Done 6 fits" in lines[-1]
    X = data.data.copy()
    X[data.modalities["b"][0]] = np.where(X[data.modalities["b"][0]] > 0, "M", "F")
    with pytest.raises(ValueError, match=r"column 'b_0' of modality 'b' is not numeric"):
        ModalityDependencyAnalyzer(experts, inter_estimator="drop", cv=3, n_jobs=n_jobs,
                                   verbose=1).fit(X, data.target)
