"""modality_bias: reliance against information, on planted models whose answer is known."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer, modality_bias


def evidence(n, seed, strength=0.6):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = pd.DataFrame(np.hstack([rng.normal(size=(n, 3)) + strength * (2 * y[:, None] - 1)
                                for _ in "abc"]),
                     columns=[f"{m}_{j}" for m in "abc" for j in range(3)])
    return X, y, {m: [f"{m}_{j}" for j in range(3)] for m in "abc"}


class Ignores(ClassifierMixin, BaseEstimator):
    """A model fitted without some columns, wrapped to take every column."""

    def __init__(self, ignored=()):
        self.ignored = ignored

    def fit(self, X, y):
        self.used_ = [c for c in X.columns if c not in self.ignored]
        self.model_ = LogisticRegression().fit(X[self.used_], y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X[self.used_])


@pytest.fixture(scope="module")
def data():
    X, y, modalities = evidence(2000, seed=0)
    return X.iloc[:1000], y[:1000], X.iloc[1000:], y[1000:], modalities


def test_a_model_that_ignores_an_informative_modality_has_a_ratio_near_zero(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = Ignores(ignored=modalities["b"]).fit(X_train, y_train)
    bias = modality_bias(model, X_test, y_test, modalities, random_state=0)
    assert bias.table_.loc["b", "bias_ratio"] < 0.2
    assert bias.table_.loc["b", "information"] > 0.05  # b is informative
    assert "under-uses 'b'" in bias.sentence()


def test_a_model_using_modalities_as_they_inform_is_balanced(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression().fit(X_train, y_train)
    bias = modality_bias(model, X_test, y_test, modalities, random_state=0)
    assert bias.table_["bias_ratio"].between(0.7, 1.4).all(), bias.table_
    assert "in proportion" in bias.sentence()
    np.testing.assert_allclose(bias.table_["reliance_share"].sum(), 1.0)


def test_results_do_not_depend_on_n_jobs_and_inputs_are_kept(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression().fit(X_train, y_train)
    X_copy = X_test.copy()
    one = modality_bias(model, X_test, y_test, modalities, random_state=3)
    two = modality_bias(model, X_test, y_test, modalities, random_state=3, n_jobs=2)
    pd.testing.assert_frame_equal(one.table_, two.table_)
    pd.testing.assert_frame_equal(X_test, X_copy)


def test_a_given_analyzer_supplies_the_information_and_arrays_work(data):
    X_train, y_train, X_test, y_test, modalities = data
    positions = {m: [X_test.columns.get_loc(c) for c in cols] for m, cols in modalities.items()}
    analyzer = ModalityDependencyAnalyzer(
        [(m, LogisticRegression(), cols) for m, cols in positions.items()],
        inter_estimator="drop", cv=3, random_state=0,
    ).fit(X_test.to_numpy(), y_test)
    model = LogisticRegression().fit(X_train.to_numpy(), y_train)
    bias = modality_bias(model, X_test.to_numpy(), y_test, positions, analyzer=analyzer,
                         random_state=0)
    np.testing.assert_allclose(bias.table_["information"],
                               analyzer.dependencies_.loc[list("abc"), "dependency"])


@pytest.mark.parametrize("case, error, match", [
    ("unfitted", NotFittedError, "is not fitted"),
    ("unknown column", ValueError, r"Modality 'a' selects column\(s\) \['zzz'\]"),
    ("unknown label", ValueError, r"label\(s\) \[7\] that the model never saw"),
    ("one repeat", ValueError, "n_repeats must be an int >= 2"),
])
def test_bad_inputs_are_named(data, case, error, match):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression()
    if case != "unfitted":
        model.fit(X_train, y_train)
    kwargs = {"n_repeats": 1} if case == "one repeat" else {}
    if case == "unknown column":
        modalities = {"a": ["zzz"]}
    if case == "unknown label":
        y_test = np.where(np.arange(len(y_test)) == 0, 7, y_test)
    with pytest.raises(error, match=match):
        modality_bias(model, X_test, y_test, modalities, **kwargs)


class _Inverted:
    """A fitted model whose probabilities point the wrong way: confident and wrong."""

    def __init__(self, fitted):
        self.fitted, self.classes_ = fitted, fitted.classes_

    def predict_proba(self, X):
        return self.fitted.predict_proba(X)[:, ::-1]


def test_a_model_worse_than_chance_on_the_rows_is_flagged():
    from sklearn.linear_model import LogisticRegression

    from skpoe import modality_bias
    from skpoe.datasets import make_planted_modalities

    data = make_planted_modalities("noise", n_samples=600, random_state=0)
    X, y = data.data, data.target
    fitted = LogisticRegression().fit(X[:300], y[:300])
    kwargs = dict(modalities=data.modalities, cv=3, random_state=0)
    sound = modality_bias(fitted, X[300:], y[300:], **kwargs)
    assert sound.base_log_loss_ < sound.chance_log_loss_
    assert "Beware" not in sound.summary()
    rates = np.bincount(np.searchsorted(fitted.classes_, y[300:])) / 300
    assert sound.chance_log_loss_ == pytest.approx(
        -np.mean(np.log(rates[np.searchsorted(fitted.classes_, y[300:])])))
    bad = modality_bias(_Inverted(fitted), X[300:], y[300:], **kwargs)
    assert bad.base_log_loss_ > bad.chance_log_loss_
    assert "Beware: the model's log-loss on these rows" in bad.summary()
    assert "worse than chance" in bad._repr_html_()


def test_a_ratio_on_few_held_out_events_is_shown_not_read(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = Ignores(ignored=modalities["b"]).fit(X_train, y_train)
    rows = np.r_[np.flatnonzero(y_test == 0)[:300], np.flatnonzero(y_test == 1)[:19]]
    bias = modality_bias(model, X_test.iloc[rows], y_test[rows], modalities, random_state=0)
    assert bias.n_events_ == (1, 19)
    assert bias.table_.loc["b", "bias_ratio"] < 0.2  # as before, but on 19 events
    assert "Too few held-out events to read a bias ratio: 19 row(s) of class 1" in \
        bias.sentence()
    assert "under-uses" not in bias.sentence()


def test_the_ratio_interval_decides_what_is_claimed(data):
    X_train, y_train, X_test, y_test, modalities = data
    ignoring = modality_bias(Ignores(ignored=modalities["b"]).fit(X_train, y_train),
                             X_test, y_test, modalities, random_state=0)
    table = ignoring.table_
    assert (table["ratio_low"] <= table["bias_ratio"]).all()
    assert (table["bias_ratio"] <= table["ratio_high"]).all()
    assert table.loc["b", "ratio_high"] < 0.7  # the whole interval: under-use
    # the same model on 60 rows: a ratio out of the band, an interval that is not
    few = modality_bias(LogisticRegression().fit(X_train, y_train), X_test.iloc[:60],
                        y_test[:60], modalities, cv=3, random_state=0)
    ratios = few.table_["bias_ratio"]
    assert not ratios.between(0.7, 1.4).all(), few.table_
    assert few.sentence().startswith("No modality is measurably out of proportion")


def test_reliance_se_counts_rows_of_one_group_as_one_unit(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression().fit(X_train, y_train)
    # every held-out row twice: twice the rows, the same evidence
    X2, y2 = pd.concat([X_test, X_test]), np.r_[y_test, y_test]
    groups = np.r_[np.arange(len(y_test)), np.arange(len(y_test))]
    with pytest.warns(UserWarning, match="repeated measures"):
        as_rows = modality_bias(model, X2, y2, modalities, random_state=0)
    as_groups = modality_bias(model, X2, y2, modalities, groups=groups, random_state=0)
    ratio = as_groups.table_["reliance_se"] / as_rows.table_["reliance_se"]
    assert (ratio > 1.25).all(), ratio  # about sqrt(2)


class Counted(LogisticRegression):
    """A logistic regression that records its fits (to see what ran before an error)."""

    fits = []

    def fit(self, X, y, sample_weight=None):
        Counted.fits.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def test_a_model_that_cannot_read_the_rows_fails_before_the_analysis(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression().fit(X_train.iloc[:, :4], y_train)  # 4 columns, not 9
    Counted.fits.clear()
    with pytest.raises(ValueError, match="feature names"):
        modality_bias(model, X_test, y_test, modalities, expert=Counted(), random_state=0)
    assert Counted.fits == []  # no expert of the analysis was fitted first


def test_verbose_prints_a_line_per_fit_and_per_permutation(data, capsys):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression().fit(X_train, y_train)
    quiet = modality_bias(model, X_test, y_test, modalities, cv=3, random_state=0)
    assert capsys.readouterr().err == ""
    loud = modality_bias(model, X_test, y_test, modalities, cv=3, random_state=0, verbose=1)
    err = capsys.readouterr().err
    assert "[skpoe] [18/18] c fold 6/6" in err  # 3 experts x 3 folds x 2 repeats
    assert "[skpoe] [15/15] c permuted 5/5" in err and "Done 15 permutations" in err
    pd.testing.assert_frame_equal(quiet.table_, loud.table_)  # progress changes nothing


def test_groups_of_the_wrong_length_are_named_even_with_a_fitted_analyzer(data):
    X_train, y_train, X_test, y_test, modalities = data
    model = LogisticRegression().fit(X_train, y_train)
    analyzer = modality_bias(model, X_test, y_test, modalities, cv=3,
                             random_state=0).analyzer_
    with pytest.raises(ValueError, match="groups has 10 entries but X has 1000 rows"):
        modality_bias(model, X_test, y_test, modalities, analyzer=analyzer,
                      groups=np.arange(10))
