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


_SITES = ("head/neck", "upper extremity", "lower extremity", "torso", "palms/soles")
# Log-odds of malignancy by anatomical site, against upper extremity.
_SITE_EFFECT = {"head/neck": 0.6, "upper extremity": 0.0, "lower extremity": -0.2,
                "torso": 0.3, "palms/soles": 0.5}


def _intercept_for(logit, prevalence):
    """The shift of ``logit`` that gives a mean probability of ``prevalence`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.mean(1 / (1 + np.exp(-(logit + mid)))) < prevalence else (lo, mid)
    return (lo + hi) / 2


def make_lesion_study(n_lesions=1500, n_patients=600, *, n_image_features=128,
                      prevalence=0.15, missing_image=0.1, random_state=0):
    """A synthetic skin-lesion study: an image embedding and clinical columns, by patient.

    Built the way a dermatology group's table looks: several lesions per
    patient, a wide image embedding that is missing (all NaN) for some lesions,
    and clinical columns with text values and missing ages. The label (malignant
    or not) is driven by a latent image signal (log-odds 1.3 per SD), the
    patient's age, the anatomical site, a mild image x age interaction and a
    patient effect, so both modalities carry signal, the lesions of one patient
    are correlated (pass ``groups``), and positives are few.

    Parameters
    ----------
    n_lesions : int, default=1500
        Rows: one per lesion.
    n_patients : int, default=600
        Patients; each has at least one lesion (``n_patients <= n_lesions``).
    n_image_features : int, default=128
        Width of the image embedding (columns ``img_000`` ...).
    prevalence : float in (0, 1), default=0.15
        Expected share of malignant lesions.
    missing_image : float in [0, 1), default=0.1
        Share of lesions without an image (their embedding columns are NaN).
    random_state : int, RandomState instance or None, default=0
        Seed.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``frame`` (the whole table, as a study would store it: ``patient_id``,
        the embedding, ``age`` (float, 5% NaN), ``sex`` (``"F"``/``"M"``),
        ``anatom_site`` (five names), ``diameter`` (mm) and ``malignant``
        (0/1)); ``data`` (the modalities' columns; text columns as
        ``category``), ``target`` (``malignant``), ``groups`` (``patient_id``),
        ``modalities`` (``{"image": [...], "clinical": [...]}``) and ``DESCR``.

    Examples
    --------
    >>> from skpoe.datasets import make_lesion_study
    >>> study = make_lesion_study(n_lesions=300, n_patients=120, n_image_features=16)
    >>> study.data.shape, list(study.modalities)
    ((300, 20), ['image', 'clinical'])
    >>> study.modalities["clinical"]
    ['age', 'sex', 'anatom_site', 'diameter']
    >>> study.groups.nunique()
    120
    """
    from sklearn.utils import check_random_state

    if not 1 <= n_patients <= n_lesions:
        raise ValueError(f"n_patients must be between 1 and n_lesions ({n_lesions}); "
                         f"got {n_patients}.")
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be in (0, 1); got {prevalence}.")
    if not 0 <= missing_image < 1:
        raise ValueError(f"missing_image must be in [0, 1); got {missing_image}.")
    rng = check_random_state(random_state)
    patient = rng.permutation(np.concatenate([
        np.arange(n_patients), rng.randint(n_patients, size=n_lesions - n_patients)]))
    age = np.clip(rng.normal(58, 14, n_patients), 18, 95).round()[patient]
    sex = rng.choice(["F", "M"], n_patients)[patient]
    offset = rng.normal(0, 0.5, n_patients)[patient]
    site = rng.choice(_SITES, n_lesions, p=[0.15, 0.2, 0.2, 0.4, 0.05])
    signal = rng.normal(size=n_lesions)  # what the image shows of malignancy
    # The embedding mixes the signal with eight nuisance factors (skin tone, lighting,
    # ...) and noise: each column is weakly informative, the whole strongly so.
    factors = np.column_stack([signal, rng.normal(size=(n_lesions, 8))])
    loadings = rng.normal(size=(9, n_image_features)) * np.r_[0.18, np.full(8, 0.5)][:, None]
    image = factors @ loadings + rng.normal(size=(n_lesions, n_image_features))
    diameter = np.exp(1.7 + 0.15 * signal + 0.3 * rng.normal(size=n_lesions)).round(1)
    age_sd = (age - 58) / 14
    logit = (1.3 * signal + 0.5 * age_sd + np.vectorize(_SITE_EFFECT.get)(site)
             + 0.4 * signal * age_sd + offset)
    logit += _intercept_for(logit, prevalence)
    malignant = (rng.uniform(size=n_lesions) < 1 / (1 + np.exp(-logit))).astype(int)
    image[rng.uniform(size=n_lesions) < missing_image] = np.nan
    age[rng.uniform(size=n_lesions) < 0.05] = np.nan
    image_columns = [f"img_{j:03d}" for j in range(n_image_features)]
    clinical = ["age", "sex", "anatom_site", "diameter"]
    frame = pd.concat([
        pd.DataFrame({"patient_id": [f"P{p:04d}" for p in patient]}),
        pd.DataFrame(image, columns=image_columns),
        pd.DataFrame({"age": age, "sex": pd.Categorical(sex),
                      "anatom_site": pd.Categorical(site, categories=_SITES),
                      "diameter": diameter, "malignant": malignant}),
    ], axis=1)
    return Bunch(
        frame=frame, data=frame[image_columns + clinical], target=frame["malignant"],
        groups=frame["patient_id"], modalities={"image": image_columns, "clinical": clinical},
        DESCR=make_lesion_study.__doc__.split("\n\n")[1],
    )
