"""The pairwise interaction map, the information decomposition and EMAP."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier, modality_interaction_use
from skpoe._analysis._emap import _partners
from skpoe._vocabulary import CHANCE, calibrated, only_model, pair_model
from skpoe.datasets import make_planted_modalities


def three_modalities(n=900, seed=0):
    """a x b interact (XOR of signs), c additive, two columns each."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    logit = 2.0 * np.sign(X[:, 0] * X[:, 2]) + X[:, 4]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, {"a": [0, 1], "b": [2, 3], "c": [4, 5]}


def analyze(X, y, modalities, **params):
    params = {"cv": 3, **params}
    return ModalityDependencyAnalyzer(
        [(m, LogisticRegression(), cols) for m, cols in modalities.items()],
        n_repeats=1, random_state=0, **params).fit(X, y)


@pytest.fixture(scope="module")
def three():
    # five folds: the map's family-wise cutoff needs a few degrees of freedom
    return analyze(*three_modalities(), pairs=True, decomposition=True, cv=5)


@pytest.fixture(scope="module")
def redundant_pair():
    data = make_planted_modalities("redundant", n_samples=600, random_state=0)
    return analyze(data.data, data.target, data.modalities, decomposition=True)


def test_the_interacting_pair_is_found_and_no_other(three):
    pairs = three.pairs_
    assert pairs.loc["a x b", "counts"]
    assert pairs.loc["a x b", "interaction"] > 0.1
    # a merged set holding a third modality would make these interact too
    assert not pairs.loc["a x c", "counts"] and not pairs.loc["b x c", "counts"]
    assert abs(pairs.loc["a x c", "interaction"]) < 0.03
    assert "a x b interact: +" in three.summary()
    assert "the other pairs do not." in three.summary()


def test_a_pair_is_the_baseline_with_exactly_its_two_sets_merged(three):
    gain = (three.results_.loc[calibrated("additive baseline"), "log_loss"]
            - three.results_.loc[calibrated(pair_model("a", "c")), "log_loss"])
    assert three.pairs_.loc["a x c", "interaction"] == pytest.approx(gain)


def test_the_decomposition_satisfies_the_pid_equations_exactly(redundant_pair):
    atoms = redundant_pair.decomposition_.set_index(["atom", "modality"])["nats"]
    (a, b) = list(redundant_pair.modality_columns_)
    assert atoms["redundancy", a] == pytest.approx(atoms["redundancy", b], abs=1e-12)
    for k in (a, b):
        assert atoms["redundancy", k] + atoms["unique", k] == pytest.approx(
            atoms["information", k], abs=1e-12)
    assert (atoms["redundancy", a] + atoms["unique", a] + atoms["unique", b]
            + atoms["synergy", ""]) == pytest.approx(atoms["total", ""], abs=1e-12)
    # two noisy copies of one signal: redundancy dominates
    assert atoms["redundancy", a] > max(atoms["unique", a], atoms["unique", b], 0.05)


def test_information_comes_from_the_additive_family_not_the_intra_experts(redundant_pair):
    res = redundant_pair.results_
    for k in redundant_pair.modality_columns_:
        atoms = redundant_pair.decomposition_.set_index(["atom", "modality"])["nats"]
        family = res.loc[CHANCE, "log_loss"] - res.loc[calibrated(only_model(k)), "log_loss"]
        assert atoms["information", k] == pytest.approx(family)
        # the user's logistic expert scores otherwise: the two must not be confused
        intra = res.loc[CHANCE, "log_loss"] - res.loc[f"intra: {k} (calibrated)", "log_loss"]
        assert abs(atoms["information", k] - intra) > 1e-4
    assert redundant_pair.decomposition_.loc[
        redundant_pair.decomposition_["atom"] == "synergy", "nats"].item() == pytest.approx(
        redundant_pair.dependencies_.loc["inter", "dependency"])


def test_unique_information_comes_from_the_additive_family_not_the_product(redundant_pair):
    res = redundant_pair.results_
    atoms = redundant_pair.decomposition_.set_index(["atom", "modality"])["nats"]
    a, b = list(redundant_pair.modality_columns_)
    # with two modalities, "all but a" is b alone
    family = (res.loc[calibrated(only_model(b)), "log_loss"]
              - res.loc[calibrated("additive baseline"), "log_loss"])
    assert atoms["unique", a] == pytest.approx(family)
    # what the calibrated product loses without a is another number
    assert abs(atoms["unique", a]
               - redundant_pair.dependencies_.loc[a, "product_loss_without"]) > 1e-4


def test_pairs_are_asked_for_and_need_boosted_trees(redundant_pair):
    assert redundant_pair.pairs_ is None  # two modalities: the pair is the inter dependency
    X, y, modalities = three_modalities(n=200)
    assert analyze(X, y, modalities).pairs_ is None  # each pair costs a fit per fold
    assert list(analyze(X, y, modalities, pairs="auto").pairs_.index) == [
        "a x b", "a x c", "b x c"]
    with pytest.raises(ValueError, match="HistGradientBoostingClassifier inter expert"):
        analyze(X, y, modalities, pairs=True, inter_estimator=LogisticRegression())
    linear = analyze(X, y, modalities, inter_estimator=LogisticRegression())
    assert linear.pairs_ is None and linear.decomposition_ is None
    with pytest.raises(ValueError, match="decomposition=True"):
        linear.plot(kind="decomposition")


def test_plots_of_the_map_and_the_decomposition(three):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    heatmap = three.plot(kind="pairs")
    assert heatmap.axes[0].get_title() == "Which pairs of modalities interact"
    bars = three.plot(kind="decomposition").axes[0]
    assert [t.get_text() for t in bars.get_yticklabels()] == ["a", "b", "c", "all (synergy)"]


def test_the_html_report_shows_both(three):
    page = three._repr_html_()
    assert "Pairs of modalities" in page and "Information decomposition" in page


def test_partners_are_never_the_row_itself():
    partners = _partners(50, 30, np.random.default_rng(0))
    assert (partners != np.arange(50)[:, None]).all()
    assert partners.min() >= 0 and partners.max() <= 49


@pytest.fixture(scope="module")
def xor_split():
    data = make_planted_modalities("xor", n_samples=1200, random_state=0)
    return data, slice(None, 600), slice(600, None)


def test_a_product_of_experts_reads_no_interaction(xor_split):
    data, train, test = xor_split
    product = ProductOfExpertsClassifier(
        [(m, HistGradientBoostingClassifier(random_state=0), c)
         for m, c in data.modalities.items()], inter_estimator="drop",
    ).fit(data.data[train], data.target[train])
    use = modality_interaction_use(product, data.data[test], data.target[test],
                                   data.modalities, random_state=0)
    assert abs(use.gap_) < 1e-9
    assert "does not measurably use interactions" in use.summary()


def test_early_fusion_on_xor_reads_a_large_gap(xor_split):
    data, train, test = xor_split
    early = HistGradientBoostingClassifier(random_state=0).fit(data.data[train],
                                                               data.target[train])
    use = modality_interaction_use(early, data.data[test], data.target[test],
                                   data.modalities, random_state=0)
    assert use.gap_ > 0.2 and use.gap_ > 5 * use.se_
    assert use.table_.loc["model", "accuracy"] > use.table_.loc["additive projection",
                                                                 "accuracy"] + 0.2


def test_the_map_is_read_at_a_family_wise_cutoff(three):
    from scipy.stats import t

    n_folds = len(three.folds_)
    # three pairs read together: each at 2.5% / 3 on either side
    assert three.pairs_["cutoff"].eq(t.ppf(1 - 0.025 / 3, n_folds - 1)).all()
    assert (three.pairs_["cutoff"] > three.t_cutoff_).all()
    assert "Bonferroni over the 3 pairs" in three.summary()


def test_the_command_lines_product_term_expert_maps_pairs_too():
    from skpoe._engine._interaction_logistic import _InteractionLogistic

    X, y, modalities = three_modalities(n=600)
    mapped = analyze(X, y, modalities, pairs=True, decomposition=True, cv=5,
                     inter_estimator=_InteractionLogistic())
    assert mapped.pairs_.loc["a x b", "counts"]
    assert not mapped.pairs_.loc["a x c", "counts"] and not mapped.pairs_.loc["b x c", "counts"]
    synergy = mapped.decomposition_.set_index("atom").loc["synergy", "nats"]
    assert synergy == pytest.approx(mapped.dependencies_.loc["inter", "dependency"], abs=0.02)
    assert synergy > 0.05
