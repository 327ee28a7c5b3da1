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


_PLANTED_KINDS = ("redundant", "xor", "noise", "independent")


def make_planted_modalities(kind="redundant", *, n_samples=600, n_features=3, weights=None,
                            random_state=None):
    """Two modalities ``a`` and ``b`` with a planted dependency structure.

    Parameters
    ----------
    kind : {"redundant", "xor", "noise", "independent"}, default="redundant"
        - ``"redundant"``: both modalities carry the same latent signal of the
          label; each alone predicts it (intra-dominant).
        - ``"xor"``: the label is the XOR of the signs of ``a_0`` and ``b_0``; each
          modality alone is at chance, together they determine the label
          (inter-dominant).
        - ``"noise"``: ``a`` carries the label, ``b`` is pure noise.
        - ``"independent"``: ``a`` and ``b`` carry independent evidence about the
          label (conditionally independent given the label), the setting in which
          a product of experts is exact.
    n_samples : int, default=600
        Number of rows.
    n_features : int, default=3
        Columns per modality; only the first carries signal in ``"xor"``.
    weights : array-like of shape (2,), default=None
        Class proportions for ``"noise"``, ``"redundant"`` and ``"independent"``
        (balanced by default).
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (DataFrame with columns ``a_0 ...``, ``b_0 ...``), ``target``
        (ndarray of 0/1), ``modalities`` (``{"a": [...], "b": [...]}``).

    Examples
    --------
    >>> from skpoe.datasets import make_planted_modalities
    >>> bunch = make_planted_modalities("xor", n_samples=8, n_features=2, random_state=0)
    >>> bunch.modalities
    {'a': ['a_0', 'a_1'], 'b': ['b_0', 'b_1']}
    >>> bool(((bunch.data["a_0"] > 0) ^ (bunch.data["b_0"] > 0) == bunch.target).all())
    True
    """
    from sklearn.utils import check_random_state

    if kind not in _PLANTED_KINDS:
        raise ValueError(f"kind must be one of {_PLANTED_KINDS}; got {kind!r}.")
    rng = check_random_state(random_state)
    p = np.asarray(weights if weights is not None else [0.5, 0.5], dtype=float)
    noise = rng.normal(size=(n_samples, 2 * n_features))
    a, b = noise[:, :n_features], noise[:, n_features:]
    if kind == "xor":
        y = ((a[:, 0] > 0) ^ (b[:, 0] > 0)).astype(int)
    else:
        y = (rng.uniform(size=n_samples) < p[1] / p.sum()).astype(int)
        signal = 2.0 * y - 1.0
        if kind == "redundant":
            latent = signal + 0.6 * rng.normal(size=n_samples)
            a += latent[:, None]
            b += latent[:, None]
        elif kind == "noise":
            a += 1.2 * signal[:, None]
        else:  # independent
            a += 0.8 * signal[:, None]
            b += 0.8 * signal[:, None]
    columns = [f"a_{j}" for j in range(n_features)] + [f"b_{j}" for j in range(n_features)]
    X = pd.DataFrame(np.hstack([a, b]), columns=columns)
    modalities = {"a": columns[:n_features], "b": columns[n_features:]}
    return Bunch(data=X, target=y, modalities=modalities)
