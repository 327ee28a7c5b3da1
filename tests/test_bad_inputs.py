"""Every bad input gets a clear error naming the culprit, and leaves the caller's data alone."""

import numpy as np
import pandas as pd
import pytest
from conftest import CLIN, IMG, make_table
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier

X, Y = make_table(n_samples=60)


def lr():
    return LogisticRegression()


def model(experts=None, **kwargs):
    experts = experts or [("image", lr(), IMG), ("clinical", lr(), CLIN)]
    return ProductOfExpertsClassifier(experts, inter_estimator=kwargs.pop("inter", lr()), **kwargs)


def analyzer(experts=None, **kwargs):
    experts = experts or [("image", lr(), IMG), ("clinical", lr(), CLIN)]
    return ModalityDependencyAnalyzer(experts, inter_estimator=lr(), **kwargs)


def without_modality(columns, rows=slice(0, 6)):
    bad = X.copy()
    bad.loc[bad.index[rows], columns] = np.nan
    return bad


def with_nan(column, value=np.nan):
    bad = X.copy()
    bad.loc[3, column] = value
    return bad


def select_nothing(X):
    return []


# (id, estimator, X, y, fit kwargs, error type, message pattern)
FIT_CASES = [
    ("unknown column name", model([("image", lr(), ["img_0", "img_9"])]), X, Y, {},
     ValueError, r"Modality 'image' selects column\(s\) \['img_9'\] that are not in X"),
    ("index out of range", model([("image", lr(), [0, 7])]), X.to_numpy(), Y, {},
     ValueError, r"Modality 'image' selects column index 7, out of range for X with 7"),
    ("negative index out of range", model([("image", lr(), [-8])]), X.to_numpy(), Y, {},
     ValueError, r"Modality 'image' selects column index -8"),
    ("empty modality", model([("image", lr(), IMG), ("clinical", lr(), [])]), X, Y, {},
     ValueError, r"Modality 'clinical' selects no column"),
    ("callable selecting nothing", model([("image", lr(), select_nothing)]), X, Y, {},
     ValueError, r"Modality 'image' selects no column"),
    ("names on an array", model(), X.to_numpy(), Y, {},
     ValueError, r"Modality 'image' selects columns by name .* pandas DataFrame"),
    ("mask of wrong length", model([("image", lr(), [True, False])]), X, Y, {},
     ValueError, r"Modality 'image': its boolean mask has 2 entries but X has 7 columns"),
    ("column twice in a modality", model([("image", lr(), ["img_0", "img_0"])]), X, Y, {},
     ValueError, r"Modality 'image' selects column 'img_0' more than once"),
    ("mixed names and indices", model([("image", lr(), ["img_0", 3])]), X, Y, {},
     ValueError,
     r"Modality 'image': columns must be all names, all integer indices or a boolean mask; "
     r"got \['img_0', 3\]"),
    ("duplicate expert names", model([("image", lr(), IMG), ("image", lr(), CLIN)]), X, Y, {},
     ValueError, r"Names provided are not unique: \['image', 'image'\]"),
    ("name with __", model([("ima__ge", lr(), IMG)]), X, Y, {},
     ValueError, r"must not contain __: got \['ima__ge'\]"),
    ("reserved name inter", model([("inter", lr(), IMG)]), X, Y, {},
     ValueError, r"Expert name 'inter' is reserved"),
    ("name clashing with a parameter", model([("weights", lr(), IMG)]), X, Y, {},
     ValueError, r"conflict with constructor arguments: \['weights'\]"),
    ("not a triple", model([("image", lr())]), X, Y, {},
     ValueError, r"experts\[0\] must be a \(name, estimator, columns\) triple"),
    ("expert without predict_proba", model([("image", SVC(), IMG)]), X, Y, {},
     TypeError, r"Expert 'image' \(SVC\) has no predict_proba"),
    ("estimator class, not instance", model([("image", LogisticRegression, IMG)]), X, Y, {},
     TypeError, r"Expert 'image' is the class LogisticRegression; pass an instance"),
    ("all experts dropped", model([("image", "drop", IMG)], inter="drop"), X, Y, {},
     ValueError, r"All experts are 'drop'"),
    ("one class", model(), X, np.full(len(Y), "benign"), {},
     ValueError, r"at least 2 classes in y; got only one class: 'benign'"),
    ("continuous target", model(), X, np.linspace(0, 1, len(Y)), {},
     ValueError, r"Unknown label type"),
    ("multilabel target", model(), X, np.eye(3, dtype=int)[np.arange(len(Y)) % 3], {},
     ValueError, r"single-output classification only .* multilabel"),
    ("y of other length", model(), X, Y[:-1], {},
     ValueError, r"X has 60, y has 59"),
    ("weights of wrong length", model(weights=[1.0, 1.0]), X, Y, {},
     ValueError, r"weights has 2 entries but there are 3 experts"),
    ("negative weight", model(weights={"clinical": -1.0}), X, Y, {},
     ValueError, r"weight of expert 'clinical' must be finite and >= 0; got -1.0"),
    ("non-finite weight", model(weights=[1.0, np.nan, 1.0]), X, Y, {},
     ValueError, r"weight of expert 'clinical' must be finite"),
    ("weight for unknown expert", model(weights={"imaeg": 2.0}), X, Y, {},
     ValueError, r"weights names unknown expert\(s\) \['imaeg'\]"),
    ("all weights zero", model(weights=[0, 0, 0]), X, Y, {},
     ValueError, r"Every remaining expert has weight 0"),
    ("NaN for an expert that cannot take it", model(), with_nan("clin_bmi"), Y, {},
     ValueError, r"NaN in column 'clin_bmi' \(modality 'clinical'\), but the expert "
                 r"'clinical' \(LogisticRegression\) does not accept missing values"),
    ("infinity", model(), with_nan("img_2", np.inf), Y, {},
     ValueError, r"infinity in column 'img_2' \(modality 'image'\)"),
    ("sample_weight unsupported",
     model([("image", lr(), IMG), ("clinical", KNeighborsClassifier(), CLIN)]),
     X, Y, {"sample_weight": np.ones(len(Y))},
     TypeError, r"Expert 'clinical' \(KNeighborsClassifier\) does not accept sample_weight"),
    ("probability floor out of range", model(proba_floor=0.0), X, Y, {},
     InvalidParameterError,
     r"'proba_floor' parameter of ProductOfExpertsClassifier must be a float in the range"),
    ("empty X", model(), X.iloc[:0], Y[:0], {},
     ValueError, r"0 sample\(s\)"),
    ("modality missing in some rows", model(), without_modality(CLIN), Y, {},
     ValueError, r"Modality 'clinical' is missing \(all its columns NaN\) in 6 row\(s\) of 60"),
    ("modality missing everywhere", model(missing_modality="drop"),
     without_modality(CLIN, slice(None)), Y, {},
     ValueError, r"Expert 'clinical' cannot be trained: the rows where 'clinical' is present "
                 r"hold no row"),
    ("unknown missing_modality", model(missing_modality="impute"), X, Y, {},
     InvalidParameterError, r"'missing_modality' parameter .* must be a str among"),
    ("unknown weights string", model(weights="learned"), X, Y, {},
     InvalidParameterError, r"'weights' parameter"),
    ("learned weights with a class too rare for the folds", model(weights="learn", cv=5),
     X.iloc[:14], np.array(["a"] * 13 + ["b"]), {},
     ValueError, r"Class 'b' is absent from the training rows of fold \d for expert 'image'.*"
                 r"Use fewer folds"),
    ("analyzer: all intra experts dropped", analyzer([("image", "drop", IMG)]), X, Y, {},
     ValueError, r"Every intra expert is 'drop'"),
    ("analyzer: groups of other length", analyzer(), X, Y, {"groups": np.arange(5)},
     ValueError, r"groups has 5 entries but X has 60 rows"),
    ("analyzer: unknown column", analyzer([("image", lr(), ["img_7"])]), X, Y, {},
     ValueError, r"Modality 'image' selects column\(s\) \['img_7'\]"),
    ("analyzer: one class", analyzer(), X, np.zeros(60), {},
     ValueError, r"ModalityDependencyAnalyzer needs samples of at least 2 classes in y"),
    ("analyzer: NaN for an expert that cannot take it", analyzer(), with_nan("img_3"), Y, {},
     ValueError, r"NaN in column 'img_3' \(modality 'image'\)"),
    ("analyzer: cv of 1 fold", analyzer(cv=1), X, Y, {},
     InvalidParameterError,
     r"'cv' parameter of ModalityDependencyAnalyzer must be an int in the range \[2, inf\)"),
]


@pytest.mark.parametrize(
    "estimator, X_bad, y_bad, kwargs, error, match",
    [case[1:] for case in FIT_CASES],
    ids=[case[0] for case in FIT_CASES],
)
@pytest.mark.filterwarnings("ignore:The least populated class")
def test_fit_errors_name_the_culprit(estimator, X_bad, y_bad, kwargs, error, match):
    X_copy = X_bad.copy()
    y_copy = np.array(y_bad, copy=True)
    with pytest.raises(error, match=match):
        estimator.fit(X_bad, y_bad, **kwargs)
    if isinstance(X_bad, pd.DataFrame):
        pd.testing.assert_frame_equal(X_bad, X_copy)
    else:
        np.testing.assert_array_equal(X_bad, X_copy)
    np.testing.assert_array_equal(y_bad, y_copy)


FITTED_ON_FRAME = model().fit(X, Y)
FITTED_ON_ARRAY = model([("image", lr(), [0, 1, 2, 3]), ("clinical", lr(), [4, 5])]).fit(
    X.to_numpy(), Y
)

PREDICT_CASES = [
    ("other feature names", FITTED_ON_FRAME, X.rename(columns={"img_0": "IMG_0"}),
     ValueError, r"The feature names should match those that were passed during fit"),
    ("columns in another order", FITTED_ON_FRAME, X[X.columns[::-1]],
     ValueError, r"The feature names should match"),
    ("other width", FITTED_ON_ARRAY, X.to_numpy()[:, :5],
     ValueError, r"X has 5 features, but ProductOfExpertsClassifier is expecting 7"),
    ("1-D X", FITTED_ON_ARRAY, X.to_numpy()[0],
     ValueError, r"Expected 2D array, got 1D array"),
    ("NaN at predict", FITTED_ON_FRAME, with_nan("img_1"),
     ValueError, r"NaN in column 'img_1' \(modality 'image'\)"),
]


@pytest.mark.parametrize(
    "fitted, X_bad, error, match",
    [case[1:] for case in PREDICT_CASES],
    ids=[case[0] for case in PREDICT_CASES],
)
def test_predict_errors_name_the_culprit(fitted, X_bad, error, match):
    X_copy = X_bad.copy()
    with pytest.raises(error, match=match):
        fitted.predict_proba(X_bad)
    np.testing.assert_array_equal(np.asarray(X_bad), np.asarray(X_copy))


def test_invalid_values_in_init_and_set_params_raise_nothing_until_fit():
    junk = ProductOfExpertsClassifier("junk", inter_estimator=3, weights="x", proba_floor=-1)
    junk.set_params(weights=object(), experts=None)
    with pytest.raises(InvalidParameterError):
        junk.fit(X, Y)
