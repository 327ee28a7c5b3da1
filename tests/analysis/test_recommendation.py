"""The recommended model follows the report's numbers, and says why for each expert."""

import pytest
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer
from skpoe.datasets import make_planted_modalities


@pytest.fixture(scope="module")
def noise_analysis():
    """``a`` carries the label, ``b`` is noise; no inter expert."""
    data = make_planted_modalities("noise", n_samples=600, random_state=0)
    analyzer = ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator="drop", random_state=0,
    ).fit(data.data, data.target)
    return analyzer


def kept(model):
    names = [n for n, est, _ in model.experts if not isinstance(est, str)]
    return names + ([] if isinstance(model.inter_estimator, str) else ["inter"])


def test_a_pure_noise_modality_is_left_out_with_its_reason(noise_analysis):
    deps = noise_analysis.dependencies_
    # without an inter expert the ablation is the calibrated product of the others
    assert deps.loc["a", "product_loss_without"] > 0.1
    assert abs(deps.loc["b", "product_loss_without"]) < 0.01
    assert kept(noise_analysis.recommended_estimator()) == ["a"]
    text = noise_analysis.summary()
    assert "a  kept: counts alone" in text
    assert "b  left out: does not count alone" in text
    assert "and the calibrated product is no worse without it" in text


def with_dependencies(analyzer, changes):
    """The fitted analyzer with some dependency cells replaced (the rule, isolated)."""
    edited = ModalityDependencyAnalyzer(analyzer.experts, inter_estimator="drop")
    edited.__dict__.update(analyzer.__dict__)
    deps = analyzer.dependencies_.copy()
    for (row, column), value in changes.items():
        deps.loc[row, column] = value
    edited.dependencies_ = deps
    return edited


def test_a_modality_weak_alone_that_the_product_needs_is_kept(noise_analysis):
    needed = with_dependencies(noise_analysis, {
        ("b", "counts"): False, ("b", "product_loss_without"): 0.2,
        ("b", "product_loss_without_se"): 0.01})
    assert kept(needed.recommended_estimator()) == ["a", "b"]
    assert "but the calibrated product is worse without it (+0.200 +/- 0.010)" in \
        needed.summary()
    # beyond the cutoff only: 2 SE is below t(0.975, 9) = 2.26
    unsure = with_dependencies(noise_analysis, {
        ("b", "product_loss_without"): 0.02, ("b", "product_loss_without_se"): 0.01})
    assert kept(unsure.recommended_estimator()) == ["a"]


def test_nothing_counts_keeps_every_expert(noise_analysis):
    nothing = with_dependencies(noise_analysis, {("a", "counts"): False})
    nothing.regime_ = "neither"
    assert kept(nothing.recommended_estimator()) == ["a", "b"]
    assert "kept: nothing counts" in nothing.summary()


def test_an_inter_expert_additive_by_construction_reads_without_a_standard_error():
    data = make_planted_modalities("noise", n_samples=300, random_state=0)
    analyzer = ModalityDependencyAnalyzer(
        [(n, LogisticRegression(), c) for n, c in data.modalities.items()],
        inter_estimator=LogisticRegression(), cv=3, random_state=0,
    ).fit(data.data, data.target)
    text = analyzer.summary()
    assert "inter  left out: the inter dependency does not count (+0.000)" in text
    assert "nan" not in text.split("Recommended")[1]
