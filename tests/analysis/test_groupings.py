"""compare_groupings and propose_groupings: same folds, one job list, the finest grouping."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from skpoe import compare_groupings, propose_groupings
from skpoe.datasets import make_planted_modalities


def pairs(n=1000, seed=1000):
    """Six columns in three true pairs; the label depends on the product within each pair."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{j}" for j in range(6)])
    logit = 1.5 * (X.x0 * X.x1 + X.x2 * X.x3 + X.x4 * X.x5)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


FOLDS = dict(cv=3, n_repeats=1, random_state=0)  # the planted pairs need no more
TRUE = {"g0": ["x0", "x1"], "g1": ["x2", "x3"], "g2": ["x4", "x5"]}
MIXED = {"m0": ["x0", "x2"], "m1": ["x1", "x4"], "m2": ["x3", "x5"]}


@pytest.fixture(scope="module")
def planted():
    X, y = pairs()
    return compare_groupings({"true pairs": TRUE, "mixed pairs": MIXED}, X, y,
                             include=("singletons", "all"), **FOLDS), X, y


def test_the_true_grouping_is_recommended_and_wrong_ones_are_worse(planted):
    result, _, _ = planted
    table = result.table_
    assert result.recommended_ == "true pairs"
    assert table.loc["mixed pairs", "worse_than_best"]
    assert table.loc["singletons", "worse_than_best"]
    # ranked: supported groupings first, finest first; then the worse ones by log-loss
    assert table.index[0] == result.recommended_
    worse = table["worse_than_best"].to_numpy()
    assert not worse[0] and list(worse) == sorted(worse)
    supported = table[~table["worse_than_best"]]
    assert list(supported["n_modalities"]) == sorted(supported["n_modalities"], reverse=True)
    assert list(table[worse]["log_loss"]) == sorted(table[worse]["log_loss"])
    assert table["loss_vs_best"].min() == 0.0
    assert table.loc[table["log_loss"].idxmin(), "loss_vs_best"] == 0.0
    assert "additive model over the grouping" in result.score_
    assert "Recommended: 'true pairs'" in result.summary()


def test_every_grouping_is_analysed_on_the_same_folds_in_one_job_list(planted):
    result, _, _ = planted
    tests = [[fold.test for fold in a.folds_] for a in result.analyzers_.values()]
    for other in tests[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(tests[0], other))
    # per grouping: intra experts + inter + its additive baseline, on 3 folds;
    # each distinct fit once: the inter expert is shared, and the one-modality grouping's
    # intra expert and baseline are the inter expert itself (the same boosted model)
    assert all(len(folds) == 3 for folds in tests)
    separate = sum(len(a._intra_names) + 2 for a in result.analyzers_.values())
    assert result.n_expert_fits_ == (separate - (len(result.analyzers_) - 1) - 2) * 3
    one = result.analyzers_["all"].folds_[2]
    np.testing.assert_array_equal(one.log_proba["all"], one.log_proba["inter"])
    np.testing.assert_array_equal(one.log_proba["additive baseline"], one.log_proba["inter"])


def test_shared_fits_give_what_each_grouping_alone_gives(planted):
    result, X, y = planted
    alone = compare_groupings({"true pairs": TRUE}, X, y, **FOLDS)
    mine, theirs = result.analyzers_["true pairs"], alone.analyzers_["true pairs"]
    pd.testing.assert_frame_equal(mine.dependencies_, theirs.dependencies_)
    assert result.table_.loc["true pairs", "log_loss"] == alone.table_.loc["true pairs",
                                                                            "log_loss"]


def test_results_do_not_depend_on_n_jobs_and_inputs_are_kept():
    data = make_planted_modalities("independent", n_samples=200, random_state=0)
    X, y = data.data, data.target
    X_copy, y_copy = X.copy(), y.copy()
    kwargs = dict(expert=LogisticRegression(), inter_estimator=LogisticRegression(), cv=3,
                  include=("all", "singletons"), random_state=0)
    one = compare_groupings({"two": data.modalities}, X, y, **kwargs)
    two = compare_groupings({"two": data.modalities}, X, y, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(one.table_, two.table_)
    pd.testing.assert_frame_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    # without a HistGradientBoosting inter expert, the intra product is the score
    assert one.score_ == "calibrated product of the grouping's intra experts"


def test_arrays_take_integer_columns():
    data = make_planted_modalities("independent", n_samples=200, random_state=1)
    result = compare_groupings({"ab": {"a": [0, 1, 2], "b": [3, 4, 5]}},
                               data.data.to_numpy(), data.target,
                               expert=LogisticRegression(), cv=3, include=("all",))
    assert set(result.table_.index) == {"ab", "all"}


@pytest.mark.parametrize("groupings, match", [
    ({"g": {"a": ["a_0", "nope"]}}, r"grouping 'g': Modality 'a' selects column\(s\) \['nope'\]"),
    ({"g": {}}, r"grouping 'g' must be a non-empty dict"),
    ([("g", {})], r"groupings must be a dict"),
])
def test_bad_groupings_are_named(groupings, match):
    data = make_planted_modalities("independent", n_samples=100, random_state=2)
    with pytest.raises((TypeError, ValueError), match=match):
        compare_groupings(groupings, data.data, data.target, cv=3)


@pytest.mark.parametrize("n_repeats", [0, 1.5, "2"])
def test_bad_n_repeats_is_named(n_repeats):
    data = make_planted_modalities("independent", n_samples=100, random_state=2)
    with pytest.raises(ValueError, match=r"n_repeats must be an int >= 1; got"):
        compare_groupings({"ab": data.modalities}, data.data, data.target, cv=3,
                          n_repeats=n_repeats)


def test_report_views(planted):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result, _, _ = planted
    assert "<table" in result._repr_html_() and "true pairs" in result._repr_html_()
    fig, ax = plt.subplots()
    assert result.plot(ax=ax) is fig
    assert len(ax.patches) >= len(result.table_)
    plt.close("all")


def test_propose_groupings_by_prefix_and_suffix():
    columns = ["mean radius", "mean texture", "worst radius", "worst texture", "age"]
    proposals = propose_groupings(columns, separators=" ")
    assert proposals["prefix"] == {"mean": ["mean radius", "mean texture"],
                                   "worst": ["worst radius", "worst texture"], "age": ["age"]}
    assert proposals["suffix"]["radius"] == ["mean radius", "worst radius"]
    assert propose_groupings(["a", "b"]) == {}  # nothing to group


def test_with_the_default_inter_expert_the_score_is_the_additive_model(planted):
    result, _, _ = planted
    for name, analyzer in result.analyzers_.items():
        additive = analyzer.results_.loc["additive baseline (calibrated)", "log_loss"]
        assert result.table_.loc[name, "log_loss"] == pytest.approx(additive)
        assert result.table_.loc[name, "intra_log_loss"] == pytest.approx(
            analyzer.results_.loc["calibrated product(intra)", "log_loss"])
    # the additive model over the true pairs beats the product of their experts:
    # the pairs are independent, but not given the label
    assert (result.table_.loc["true pairs", "log_loss"]
            < result.table_.loc["true pairs", "intra_log_loss"])


def quick(groupings, X, y, **kwargs):
    return compare_groupings(groupings, X, y, expert=LogisticRegression(),
                             inter_estimator="drop", cv=2, n_repeats=1, random_state=0,
                             **kwargs)


@pytest.mark.filterwarnings("ignore:grouping .* leaves out")
def test_names_holding_the_separator_keep_their_own_outputs():
    X, y = pairs(n=200)
    # "a/b" + "c" and "a" + "b/c" once made the same job name: one overwrote the other
    table = quick({"a/b": {"c": ["x0", "x1"]}, "a": {"b/c": ["x2", "x3"]}}, X, y).table_
    alone = {name: quick({name: groupings}, X, y).table_.loc[name, "log_loss"]
             for name, groupings in [("a/b", {"c": ["x0", "x1"]}), ("a", {"b/c": ["x2", "x3"]})]}
    assert table.loc["a/b", "log_loss"] == pytest.approx(alone["a/b"])
    assert table.loc["a", "log_loss"] == pytest.approx(alone["a"])
    assert alone["a/b"] != pytest.approx(alone["a"])


@pytest.mark.parametrize("name", ["all", "singletons"])
def test_a_user_grouping_named_like_a_reference_is_not_replaced(name):
    X, y = pairs(n=200)
    with pytest.raises(ValueError, match=rf"grouping name '{name}' is also asked for in include"):
        quick({name: TRUE}, X, y, include=(name,))


def test_include_as_a_single_string_means_that_reference():
    X, y = pairs(n=200)
    table = quick({"true pairs": TRUE}, X, y, include="all").table_
    assert set(table.index) == {"true pairs", "all"}  # not the letters 'a' and 'l'


def test_a_grouping_given_as_a_list_is_named_in_the_error():
    X, y = pairs(n=200)
    with pytest.raises(TypeError, match=r"grouping 'flat' must be a dict of modality name "
                                        r"-> columns; got list"):
        quick({"flat": ["x0", "x1"]}, X, y)


def test_a_grouping_that_leaves_columns_out_warns_naming_them():
    X, y = pairs(n=200)
    fewer = {"g0": ["x0", "x1"], "g1": ["x2", "x3"]}
    with pytest.warns(UserWarning, match=r"grouping 'fewer' leaves out 2 column\(s\) that "
                                         r"other groupings use: 'x4', 'x5'"):
        quick({"true pairs": TRUE, "fewer": fewer}, X, y)


@pytest.mark.parametrize("separators", ["", None])
def test_propose_groupings_refuses_empty_separators(separators):
    with pytest.raises(ValueError, match="separators must be a non-empty str"):
        propose_groupings(["img_a", "img_b", "age"], separators=separators)


def test_progress_lines_name_the_grouping_and_the_modality(capsys):
    X, y = pairs(n=200)
    quick({"pairs": TRUE}, X, y, include=("singletons",), verbose=1)
    err = capsys.readouterr().err
    assert "pairs: g1 fold 2/2" in err and "singletons: x5 fold 2/2" in err
    assert "0/g1" not in err  # the job list's internal names stay inside
