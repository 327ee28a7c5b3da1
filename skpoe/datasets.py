"""Bundled tables split into modalities, for examples, tests and the command line.

Everything here ships with scikit-learn; nothing is downloaded.
"""

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.utils import Bunch


def load_breast_cancer_modalities():
    """Breast-cancer data split into its mean, standard-error and worst views.

    The 30 columns are image-derived measurements of cell nuclei (radius, texture,
    ...); each measurement is summarised three ways over the nuclei of one image,
    which gives three modalities of ten columns: ``"mean"``, ``"error"`` (standard
    error) and ``"worst"`` (mean of the three largest values).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (DataFrame, 569 x 30), ``target`` (Series of ``"malignant"`` /
        ``"benign"``), ``modalities`` (dict of modality name to column names),
        ``DESCR``.

    Examples
    --------
    >>> from skpoe.datasets import load_breast_cancer_modalities
    >>> bunch = load_breast_cancer_modalities()
    >>> bunch.data.shape, sorted(bunch.modalities)
    ((569, 30), ['error', 'mean', 'worst'])
    >>> bunch.modalities["error"][:2]
    ['radius error', 'texture error']
    """
    raw = load_breast_cancer(as_frame=True)
    X = raw.data.copy()
    target = pd.Series(raw.target_names[raw.target.to_numpy()], name="diagnosis", index=X.index)
    modalities = {
        "mean": [c for c in X.columns if c.startswith("mean ")],
        "error": [c for c in X.columns if c.endswith(" error")],
        "worst": [c for c in X.columns if c.startswith("worst ")],
    }
    return Bunch(data=X, target=target, modalities=modalities, DESCR=raw.DESCR)


def load_digits_modalities(split="quadrants"):
    """Handwritten 8x8 digits with the image cut into modalities.

    Parameters
    ----------
    split : {"quadrants", "halves"}, default="quadrants"
        ``"quadrants"`` gives four 4x4 blocks (``"top_left"``, ``"top_right"``,
        ``"bottom_left"``, ``"bottom_right"``); ``"halves"`` gives ``"top"`` and
        ``"bottom"``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (DataFrame, 1797 x 64, columns ``pixel_<row>_<col>``), ``target``
        (Series of digits 0-9), ``modalities`` (dict of name to column names).

    Examples
    --------
    >>> from skpoe.datasets import load_digits_modalities
    >>> bunch = load_digits_modalities("halves")
    >>> {name: len(cols) for name, cols in bunch.modalities.items()}
    {'top': 32, 'bottom': 32}
    """
    if split not in ("quadrants", "halves"):
        raise ValueError(f"split must be 'quadrants' or 'halves'; got {split!r}.")
    raw = load_digits()
    names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    X = pd.DataFrame(raw.data, columns=names)
    target = pd.Series(raw.target, name="digit")
    rows, cols = np.divmod(np.arange(64), 8)
    if split == "halves":
        masks = {"top": rows < 4, "bottom": rows >= 4}
    else:
        masks = {
            "top_left": (rows < 4) & (cols < 4),
            "top_right": (rows < 4) & (cols >= 4),
            "bottom_left": (rows >= 4) & (cols < 4),
            "bottom_right": (rows >= 4) & (cols >= 4),
        }
    modalities = {name: [names[j] for j in np.flatnonzero(m)] for name, m in masks.items()}
    return Bunch(data=X, target=target, modalities=modalities, DESCR=raw.DESCR)
