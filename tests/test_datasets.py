"""Bundled tables split into modalities."""

import pytest

from skpoe.datasets import load_breast_cancer_modalities, load_digits_modalities


def test_breast_cancer_views_partition_the_columns():
    bunch = load_breast_cancer_modalities()
    columns = [c for cols in bunch.modalities.values() for c in cols]
    assert sorted(columns) == sorted(bunch.data.columns)
    assert all(len(cols) == 10 for cols in bunch.modalities.values())
    assert set(bunch.target) == {"malignant", "benign"}
    assert bunch.target.value_counts()["benign"] == 357


@pytest.mark.parametrize("split, n_modalities", [("quadrants", 4), ("halves", 2)])
def test_digits_blocks_partition_the_pixels(split, n_modalities):
    bunch = load_digits_modalities(split)
    assert len(bunch.modalities) == n_modalities
    columns = [c for cols in bunch.modalities.values() for c in cols]
    assert sorted(columns) == sorted(bunch.data.columns)
    assert bunch.modalities.get("top_left", ["pixel_0_0"])[0] == "pixel_0_0"


def test_digits_unknown_split():
    with pytest.raises(ValueError, match="split must be 'quadrants' or 'halves'; got 'thirds'"):
        load_digits_modalities("thirds")
