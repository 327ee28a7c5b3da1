"""The bundled lesion study through the analyzer, the classifier and the command line.

A dermatology-like table (several lesions per patient, a 128-column image
embedding missing for 10% of lesions, text clinical columns, 15% malignant):
what a medical user runs first, so the defaults must serve it.
"""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier
from skpoe._cli._main import main
from skpoe._engine._defaults import _mixed_logistic
from skpoe.datasets import make_lesion_study


@pytest.fixture(scope="module")
def study():
    return make_lesion_study()


def test_the_study_looks_like_a_clinical_table(study):
    frame = study.frame
    assert frame.shape == (1500, 1 + 128 + 4 + 1)
    assert study.groups.nunique() == 600 and study.groups.value_counts().max() > 1
    image_missing = frame[study.modalities["image"]].isna().all(axis=1).mean()
    assert 0.07 < image_missing < 0.13
    assert 0.12 < study.target.mean() < 0.18
    assert frame["age"].isna().any() and set(frame["sex"].dropna()) == {"F", "M"}
    assert frame["anatom_site"].nunique() == 5
    # the same seed gives the same table; another seed another one
    assert make_lesion_study(n_lesions=200, n_patients=90, n_image_features=8).frame.equals(
        make_lesion_study(n_lesions=200, n_patients=90, n_image_features=8).frame)
    assert not make_lesion_study(n_lesions=200, n_patients=90, random_state=1).frame.equals(
        make_lesion_study(n_lesions=200, n_patients=90, random_state=2).frame)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_patients": 0}, "n_patients must be between 1 and n_lesions"),
    ({"n_lesions": 10, "n_patients": 11}, "n_patients must be between 1 and n_lesions"),
    ({"prevalence": 1.0}, "prevalence must be in"),
    ({"missing_image": 1.0}, "missing_image must be in"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_lesion_study(**kwargs)


def test_the_command_line_keeps_and_counts_the_image(study, tmp_path, capsys):
    path = tmp_path / "lesions.csv"
    study.frame.to_csv(path, index=False)  # as a study stores it: text, NaN, patient ids
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main([
            "analyze", str(path), "--target", "malignant", "--modality", "image=img_*",
            "--modality", "clinical=age,sex,anatom_site,diameter", "--groups", "patient_id",
            "--missing-modality", "drop", "--repeats", "1", "--output", str(tmp_path / "out"),
        ])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "[20/20]" in err and "left" in err  # a progress line per fit
    assert "Warning" not in err
    recommended = next(line for line in out.splitlines() if line.startswith("Recommended"))
    assert "'image'" in recommended and "'clinical'" in recommended
    image_line = next(line for line in out.splitlines() if line.lstrip().startswith("image "))
    assert "counts" in image_line and "does not count" not in image_line
    assert "image     kept: counts alone" in out


@pytest.fixture(scope="module")
def analyzer(study):
    return ModalityDependencyAnalyzer(
        [(name, _mixed_logistic(), cols) for name, cols in study.modalities.items()],
        missing_modality="drop", n_repeats=1, random_state=0,
    ).fit(study.data, study.target, groups=study.groups)


def test_the_default_intra_expert_does_not_overfit_the_embedding(analyzer):
    # C chosen by inner CV: the raw image expert is better than chance on its own
    # (with C=1 it was worse: 0.439 against 0.416)
    res = analyzer.results_
    assert res.loc["intra: image", "log_loss"] < res.loc["chance", "log_loss"] - 0.03
    assert analyzer.dependencies_.loc["image", "counts"]


def test_the_product_needs_the_image_in_calibrated_terms(analyzer):
    # the plain product is no worse without the image (it overcounts the prior);
    # the calibrated one, which the recommendation follows, is much worse
    deps, res = analyzer.dependencies_, analyzer.results_
    assert res.loc["product without image", "log_loss"] < res.loc["product(intra+inter)",
                                                                  "log_loss"]
    assert deps.loc["image", "product_loss_without"] > 0.03
    assert deps.loc["image", "product_loss_without"] == pytest.approx(
        res.loc["product without image (calibrated)", "log_loss"]
        - res.loc["calibrated product(intra+inter)", "log_loss"])


def test_the_default_classifier_beats_chance_on_held_out_patients(study):
    model = ProductOfExpertsClassifier(
        [(name, _mixed_logistic(), cols) for name, cols in study.modalities.items()],
        missing_modality="drop",
    )
    cv = StratifiedGroupKFold(5, shuffle=True, random_state=0)
    loss = -cross_val_score(model, study.data, study.target, groups=study.groups, cv=cv,
                            scoring="neg_log_loss").mean()
    rate = study.target.mean()
    chance = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
    assert loss < chance - 0.03  # the plain product read 0.73 against 0.42
