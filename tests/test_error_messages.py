"""Every bad input gets a clear error naming the culprit, and leaves the caller's data alone."""

import numpy as np
import pandas as pd
import pytest
from conftest import CLIN, IMG, lr_product, make_table
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
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


def with_column(column, value):
    bad = X.copy()
    bad[column] = value
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


# Hostile inputs that once gave a wrong result, a raw traceback or an unclear error
# (issue: hardening from 466 hostile inputs); each message names the culprit.
def _groups_with(missing):
    groups = (np.arange(len(Y)) // 3).astype(object)
    groups[7] = missing
    return groups


def _zero_weight_for_clinical():
    weight = np.ones(len(Y))
    weight[6:] = 0  # clinical is present on rows 6+ only
    return weight


def _fit_product(**kwargs):
    data, weight = kwargs.pop("X", X), kwargs.pop("sample_weight", None)
    return model(**kwargs).fit(data, Y[:len(data)], sample_weight=weight)


def _compare(**kwargs):
    from skpoe import compare_groupings

    return compare_groupings({"two": {"i": IMG, "c": CLIN}}, X, Y, expert=lr(),
                             inter_estimator="drop", cv=2, n_repeats=1, **kwargs)


def _bias(**kwargs):
    from skpoe import modality_bias

    return modality_bias(lr().fit(X, Y), X, Y, {"i": IMG, "c": CLIN}, cv=2, **kwargs)


HOSTILE = {
    "group id None": (lambda: analyzer(cv=3).fit(X, Y, groups=_groups_with(None)),
                      ValueError, r"groups has 1 missing id\(s\) \(None, NaN or an empty "
                                  r"cell; first at row 7\)"),
    "group id NaN": (lambda: analyzer(cv=3).fit(X, Y, groups=_groups_with(np.nan)),
                     ValueError, r"groups has 1 missing id"),
    "group id NaN, groupings": (lambda: _compare(groups=_groups_with(np.nan)), ValueError,
                                r"groups has 1 missing id"),
    "one split": (lambda: analyzer(cv=[(np.arange(30), np.arange(30, 60))]).fit(X, Y),
                  ValueError, r"cv gave 1 split\(s\).*needs at least 2 folds"),
    "modality named like the baseline": (
        lambda: analyzer([("additive baseline", lr(), IMG), ("clinical", lr(), CLIN)]).fit(X, Y),
        ValueError, r"Expert name 'additive baseline' is reserved.*'inter', 'additive "
                    r"baseline', 'prior', 'normaliser'"),
    "modality named prior": (
        lambda: model([("prior", lr(), IMG), ("clinical", lr(), CLIN)]).fit(X, Y),
        ValueError, r"Expert name 'prior' is reserved"),
    "modality named like a per-modality baseline": (
        lambda: analyzer([("additive baseline: x", lr(), IMG), ("c", lr(), CLIN)]).fit(X, Y),
        ValueError, r"Expert name 'additive baseline: x' is reserved"),
    "zero weight on every row an expert sees": (
        lambda: _fit_product(X=without_modality(CLIN), missing_modality="drop",
                             sample_weight=_zero_weight_for_clinical()),
        ValueError, r"Expert 'clinical' cannot be trained: sample_weight is 0 on every one "
                    r"of the rows where 'clinical' is present"),
    "learned weights, group splitter": (
        lambda: _fit_product(weights="learn", cv=GroupKFold(3)),
        ValueError, r"weights='learn' cross-validates.*fit takes no groups: pass cv as a "
                    r"list of \(train, test\) splits"),
    "learned weights, 6 rows": (lambda: _fit_product(X=X.iloc[:6], weights="learn"),
                                ValueError, r"weights='learn' cross-validates.*cv=5.*Use a "
                                            r"smaller cv"),
    "an empty column, default inter expert": (
        lambda: ProductOfExpertsClassifier([("image", lr(), IMG), ("clinical", lr(), CLIN)])
        .fit(with_column("clin_bmi", np.nan), Y),
        ValueError, r"Column 'clin_bmi' of modality 'clinical' is empty \(NaN in all 60 rows\)"),
    "an empty column, analyzer": (
        lambda: analyzer().fit(with_column("img_2", np.nan), Y),
        ValueError, r"Column 'img_2' of modality 'image' is empty"),
    "Generator seed, groupings": (lambda: _compare(random_state=np.random.default_rng(0)),
                                  InvalidParameterError, r"'random_state' parameter of "
                                                         r"compare_groupings"),
    "Generator seed, bias": (lambda: _bias(random_state=np.random.default_rng(0)),
                             InvalidParameterError, r"'random_state' parameter of "
                                                    r"modality_bias"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_inputs_get_errors_that_name_the_culprit(case):
    call, error, message = HOSTILE[case]
    with pytest.raises(error, match=message):
        call()


def test_a_zero_weight_class_is_worded_by_what_happened():
    weight = np.ones(len(Y))
    weight[Y == "uncertain"] = 0.0
    weight[np.flatnonzero(Y == "uncertain")[0]] = 1.0  # the class keeps some weight overall
    data = X.copy()
    first = np.flatnonzero(Y == "uncertain")[0]
    data.loc[data.index[first], CLIN] = np.nan  # ...on a row that lacks clinical
    with pytest.warns(UserWarning, match=r"Expert 'clinical' has no training row of class\(es\) "
                                         r"\['uncertain'\] \(its rows of them all have "
                                         r"sample_weight 0\)"):
        model(missing_modality="drop", inter="drop").fit(data, Y, sample_weight=weight)


class _Relabelling(LogisticRegression):
    """An expert that renames the classes it was given."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        self.classes_ = np.array([f"class {c}" for c in self.classes_])
        return self


def test_an_expert_that_relabels_its_classes_is_named():
    with pytest.raises(ValueError, match=r"Expert 'clinical' \(_Relabelling\) was fitted on "
                                         r"the class codes \[0, 1, 2\] but its classes_ are "
                                         r"\['class 0', 'class 1', 'class 2'\]"):
        model([("image", lr(), IMG), ("clinical", _Relabelling(), CLIN)]).fit(X, Y)


def test_non_finite_values_made_inside_an_expert_name_it():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    huge, y = make_table(n_samples=240)
    huge.loc[3, "img_1"] = 1e300
    experts = [("image", make_pipeline(StandardScaler(), lr()), IMG), ("clinical", lr(), CLIN)]
    with np.errstate(all="ignore"):  # the scaler's own overflow warnings
        with pytest.raises(ValueError, match=r"Expert 'image' \(Pipeline\) produced non-finite "
                                             r"values inside itself from finite input "
                                             r"\(column 'img_1' reaches 1e\+300"):
            model(experts, inter="drop").fit(huge, y)


class _ReversedClasses:
    """A fitted classifier whose classes_ are not sorted (its own order)."""

    def __init__(self, fitted):
        self.fitted, self.classes_ = fitted, fitted.classes_[::-1]

    def predict_proba(self, X):
        return self.fitted.predict_proba(X)[:, ::-1]


def test_bias_reads_a_model_in_its_own_class_order():
    from skpoe import modality_bias

    fitted = lr().fit(X, Y)
    kwargs = dict(modalities={"i": IMG, "c": CLIN}, cv=2, random_state=0)
    expected = modality_bias(fitted, X, Y, **kwargs).table_
    pd.testing.assert_frame_equal(modality_bias(_ReversedClasses(fitted), X, Y, **kwargs).table_,
                                  expected)


def test_sparse_input_refused_by_the_default_inter_expert_names_it():
    import scipy.sparse as sp

    sparse = sp.csr_matrix(X[IMG + CLIN].to_numpy())
    experts = [("image", lr(), [0, 1, 2, 3]), ("clinical", lr(), [4, 5])]
    with pytest.raises(TypeError, match=r"Expert 'inter' \(HistGradientBoostingClassifier\) "
                                        r"takes dense input only, and X is sparse.*"
                                        r"inter_estimator='drop'"):
        ProductOfExpertsClassifier(experts).fit(sparse, Y)
    ProductOfExpertsClassifier(experts, inter_estimator=lr()).fit(sparse, Y)  # what it says


def frame_with(kind):
    X, y = make_table()
    X = X.copy()
    values = {
        "string": np.array(["hi", "lo"] * 120, dtype=object),
        "categorical": pd.Categorical(["hi", "lo"] * 120),
        "datetime": pd.date_range("2020-01-01", periods=240),
    }[kind]
    X["clin_bmi"] = values
    return X, y


@pytest.mark.parametrize("kind", ["string", "categorical", "datetime"])
@pytest.mark.parametrize("inter", ["drop", None])
def test_a_non_numeric_column_names_column_modality_and_expert(kind, inter):
    X, y = frame_with(kind)
    experts = [("image", LogisticRegression(), IMG),
               ("clinical", LogisticRegression() if inter == "drop" else "drop", CLIN)]
    expert = "clinical" if inter == "drop" else "inter"
    if inter is None and kind == "categorical":
        pytest.skip("HistGradientBoosting takes pandas categoricals itself")
    with pytest.raises((TypeError, ValueError),
                       match=rf"Expert '{expert}' \(\w+\) cannot be fitted: column "
                                         r"'clin_bmi' of modality 'clinical' is not numeric"):
        ProductOfExpertsClassifier(experts, inter_estimator=inter).fit(X, y)


def test_the_analyzer_names_a_non_numeric_column_too():
    from skpoe import ModalityDependencyAnalyzer

    X, y = frame_with("string")
    with pytest.raises((TypeError, ValueError), match=r"column 'clin_bmi' of modality 'clinical'"):
        ModalityDependencyAnalyzer(
            [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
            inter_estimator="drop", cv=3,
        ).fit(X, y)


@pytest.mark.parametrize("y, match", [
    (pd.Series(["a", None] * 120), r"y has 120 missing label\(s\) .* first at position 1"),
    (pd.Series(["a", np.nan] * 120), r"y has 120 missing label"),
    (pd.Series([1, "a"] * 120), r"y mixes labels of different types: 1 .* and 'a'"),
    (np.array([0.5, "b"] * 120, dtype=object), r"y mixes labels of different types"),
])
def test_bad_labels_are_named(y, match):
    X, _ = make_table()
    with pytest.raises(ValueError, match=match):
        lr_product().fit(X, y)


def test_a_dask_dataframe_gets_advice():
    dd = pytest.importorskip("dask.dataframe")
    X, y = make_table()
    with pytest.raises(TypeError, match=r"X is a dask collection .*X.compute\(\).*scale_out"):
        lr_product().fit(dd.from_pandas(X, npartitions=2), y)


def test_a_fold_without_a_class_names_label_fold_and_expert():
    from skpoe import ModalityDependencyAnalyzer

    X, y = make_table(n_samples=60, n_classes=2)
    y = y.copy()
    y[:] = "benign"
    y[[3, 5]] = "malignant"  # both in the first test fold: its training rows lack the class
    from sklearn.model_selection import KFold

    with pytest.raises(ValueError, match=r"Class 'malignant' is absent from the training rows "
                                         r"of fold \d for expert 'image'"):
        ModalityDependencyAnalyzer(
            [("image", LogisticRegression(), IMG)], inter_estimator="drop",
            cv=KFold(3),
        ).fit(X, y)
