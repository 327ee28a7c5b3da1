"""ProductOfExpertsClassifier: the product, its experts, and the scikit-learn API."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import CLIN, IMG, lr_product, make_table
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skpoe import ProductOfExpertsClassifier, combine_log_proba, make_product_of_experts


def poe(**kwargs):
    """The seed's plain product (``prior_correction=False``), checked against it by hand."""
    params = dict(
        experts=[("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
        inter_estimator=LogisticRegression(C=0.5), prior_correction=False,
    )
    params.update(kwargs)
    return ProductOfExpertsClassifier(**params)


def hand_product(X, y, experts, weights=None, sample_weight=None, floor=1e-9):
    """The product computed by hand: each expert fitted on its own slice of X."""
    classes = np.unique(y)
    codes = np.searchsorted(classes, y)
    log_probas = []
    for est, cols in experts:
        fitted = clone(est).fit(X[cols], codes, sample_weight=sample_weight)
        log_probas.append(np.log(np.maximum(fitted.predict_proba(X[cols]), floor)))
    return combine_log_proba(log_probas, weights)


def test_predict_log_proba_is_the_weighted_product_of_its_experts(table):
    X, y = table
    model = poe(weights=[0.5, 2.0, 1.0]).fit(X, y)
    expected = hand_product(
        X, y,
        [(LogisticRegression(), IMG), (LogisticRegression(), CLIN),
         (LogisticRegression(C=0.5), IMG + CLIN)],
        weights=[0.5, 2.0, 1.0],
    )
    np.testing.assert_allclose(model.predict_log_proba(X), expected, atol=1e-10)
    np.testing.assert_allclose(model.predict_proba(X), np.exp(expected), atol=1e-10)
    assert model.predict(X).tolist() == model.classes_[expected.argmax(axis=1)].tolist()


def test_string_labels_and_fitted_state(table):
    X, y = table
    model = poe().fit(X, y)
    assert model.classes_.tolist() == ["benign", "malignant", "uncertain"]
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.expert_names_ == ["image", "clinical", "inter"]
    assert list(model.named_estimators_) == ["image", "clinical", "inter"]
    assert model.named_estimators_["inter"] is model.estimators_[2]
    assert model.modality_columns_["image"].tolist() == [0, 1, 2, 3]
    assert model.modality_columns_["clinical"].tolist() == [4, 5]
    # the spare column belongs to no modality and is seen by no expert
    assert model.inter_columns_.tolist() == [0, 1, 2, 3, 4, 5]
    assert model.named_estimators_["inter"].n_features_in_ == 6
    assert model.n_features_in_ == 7
    assert model.feature_names_in_.tolist() == list(X.columns)
    np.testing.assert_array_equal(model.weights_, [1.0, 1.0, 1.0])
    # experts are fitted on the codes of classes_
    assert model.named_estimators_["image"].classes_.tolist() == [0, 1, 2]


def test_experts_are_cloned_not_fitted_in_place(table):
    X, y = table
    image, inter = LogisticRegression(), LogisticRegression()
    model = ProductOfExpertsClassifier([("image", image, IMG)], inter_estimator=inter).fit(X, y)
    assert not hasattr(image, "coef_") and not hasattr(inter, "coef_")
    assert model.named_estimators_["image"] is not image


def test_inputs_are_not_modified(table):
    X, y = table
    X_copy, y_copy = X.copy(), y.copy()
    sw = np.linspace(0.5, 1.5, len(y))
    sw_copy = sw.copy()
    experts = [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)]
    model = ProductOfExpertsClassifier(experts, inter_estimator="drop")
    params = model.get_params(deep=False)
    model.fit(X, y, sample_weight=sw).predict_proba(X)
    pd.testing.assert_frame_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(sw, sw_copy)
    assert model.get_params(deep=False) == params


def test_numpy_and_pandas_input_agree(table):
    X, y = table
    by_name = poe().fit(X, y)
    by_index = poe(experts=[("image", LogisticRegression(), [0, 1, 2, 3]),
                            ("clinical", LogisticRegression(), slice(4, 6))]).fit(X.to_numpy(), y)
    np.testing.assert_allclose(
        by_name.predict_proba(X), by_index.predict_proba(X.to_numpy()), atol=1e-10
    )
    assert not hasattr(by_index, "feature_names_in_")


def function_selector(X):
    """Module level, so that the fitted estimator pickles."""
    return [c for c in X.columns if c.startswith("clin_")]


@pytest.mark.parametrize(
    "image_cols, clinical_cols",
    [
        (IMG, CLIN),
        (slice("img_0", "img_3"), slice("clin_age", "clin_bmi")),  # name slices include stop
        (slice(0, 4), [-3, -2]),
        (np.array([True] * 4 + [False] * 3), pd.Index(CLIN)),
        (make_column_selector(pattern="^img_"), function_selector),
    ],
)
def test_column_selections_resolve_like_column_transformer(table, image_cols, clinical_cols):
    X, y = table
    model = poe(experts=[("image", LogisticRegression(), image_cols),
                         ("clinical", LogisticRegression(), clinical_cols)]).fit(X, y)
    assert model.modality_columns_["image"].tolist() == [0, 1, 2, 3]
    assert model.modality_columns_["clinical"].tolist() == [4, 5]


def test_a_column_may_belong_to_two_modalities(table):
    X, y = table
    model = poe(experts=[("image", LogisticRegression(), IMG + ["clin_age"]),
                         ("clinical", LogisticRegression(), CLIN)]).fit(X, y)
    assert model.inter_columns_.tolist() == [0, 1, 2, 3, 4, 5]
    assert model.named_estimators_["image"].n_features_in_ == 5


def test_experts_that_put_all_mass_on_different_classes_give_finite_product():
    # Two pure trees that disagree completely on the test rows.
    X = np.array([[0.0, 1.0], [1.0, 0.0]] * 10)
    y = np.array(["a", "b"] * 10)
    model = ProductOfExpertsClassifier(
        [("first", DecisionTreeClassifier(), [0]), ("second", DecisionTreeClassifier(), [1])],
        inter_estimator="drop",
    ).fit(X, y)
    X_test = np.array([[0.0, 0.0], [1.0, 1.0]])
    experts = model.estimators_
    assert experts[0].predict_proba(X_test[:, [0]]).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert experts[1].predict_proba(X_test[:, [1]]).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_proba = model.predict_log_proba(X_test)
        proba = model.predict_proba(X_test)
    assert np.isfinite(log_proba).all()
    np.testing.assert_allclose(proba, 0.5)


@pytest.mark.parametrize(
    "expert", [RandomForestClassifier(n_estimators=5, random_state=0), KNeighborsClassifier(1)]
)
def test_zero_probability_experts_raise_no_warnings(table, expert):
    X, y = table
    model = poe(experts=[("image", expert, IMG), ("clinical", DecisionTreeClassifier(), CLIN)])
    X_test, _ = make_table(n_samples=50, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_proba = model.fit(X, y).predict_log_proba(X_test)
    assert np.isfinite(log_proba).all()
    # every expert is floored, so each class keeps at least 3 * log(floor): the
    # product of three floors, divided by a normaliser that is at most 1
    assert log_proba.min() >= 3 * np.log(1e-9)


class OmitsClass(ClassifierMixin, BaseEstimator):
    """A real classifier that trains on the rows of all classes but ``omit``.

    Stands for any expert that saw only some classes (a subset of rows).
    """

    def __init__(self, omit=0):
        self.omit = omit

    def fit(self, X, y):
        keep = np.asarray(y) != self.omit
        self.model_ = LogisticRegression().fit(np.asarray(X)[keep], np.asarray(y)[keep])
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(X))


def test_expert_that_saw_some_classes_is_aligned_to_classes_(table):
    X, y = table
    model = ProductOfExpertsClassifier(
        [("image", OmitsClass(omit=1), IMG)], inter_estimator="drop", proba_floor=1e-6
    ).fit(X, y)
    assert model.named_estimators_["image"].classes_.tolist() == [0, 2]
    proba = model.predict_proba(X)
    expert = model.named_estimators_["image"].predict_proba(X[IMG])
    # the expert never saw class "malignant" (code 1): it is uninformative about it
    # (its prior), not a veto; the other classes keep the expert's ratio
    np.testing.assert_allclose(proba[:, 0] / proba[:, 2], expert[:, 0] / expert[:, 1])
    np.testing.assert_allclose(proba[:, 1], model.class_prior_[1])


def test_zero_sample_weights_remove_rows_for_every_expert(table):
    X, y = table
    sw = np.ones(len(y))
    sw[:60] = 0.0
    weighted = poe().fit(X, y, sample_weight=sw)
    subset = poe().fit(X.iloc[60:], y[60:])
    np.testing.assert_allclose(
        weighted.predict_proba(X), subset.predict_proba(X), atol=1e-4
    )


def test_sample_weight_reaches_the_final_step_of_a_pipeline_expert(table):
    X, y = table
    sw = np.where(y == "benign", 5.0, 1.0)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    model = poe(experts=[("image", pipe, IMG)], inter_estimator="drop").fit(X, y, sample_weight=sw)
    unweighted = poe(experts=[("image", pipe, IMG)], inter_estimator="drop").fit(X, y)
    expected = clone(pipe).fit(X[IMG], np.searchsorted(model.classes_, y),
                               logisticregression__sample_weight=sw)
    np.testing.assert_allclose(model.predict_proba(X), expected.predict_proba(X[IMG]), atol=1e-9)
    assert not np.allclose(model.predict_proba(X), unweighted.predict_proba(X))


def test_weight_zero_equals_leaving_the_expert_out(table):
    X, y = table
    zero = poe(weights={"clinical": 0.0}).fit(X, y)
    dropped = poe(experts=[("image", LogisticRegression(), IMG),
                           ("clinical", "drop", CLIN)]).fit(X, y)
    np.testing.assert_allclose(zero.predict_proba(X), dropped.predict_proba(X), atol=1e-12)
    assert "clinical" in zero.named_estimators_  # still fitted, as VotingClassifier does


def test_weights_as_sequence_or_dict_agree_and_ignore_dropped(table):
    X, y = table
    as_list = poe(weights=[2.0, 0.5, 1.0]).fit(X, y)
    as_dict = poe(weights={"image": 2.0, "clinical": 0.5}).fit(X, y)
    np.testing.assert_allclose(as_list.predict_proba(X), as_dict.predict_proba(X))
    dropped = poe(inter_estimator="drop", weights=[2.0, 0.5, 7.0]).fit(X, y)
    np.testing.assert_array_equal(dropped.weights_, [2.0, 0.5])


def test_default_inter_estimator_is_gradient_boosting(table):
    X, y = table
    model = ProductOfExpertsClassifier([("image", LogisticRegression(), IMG)]).fit(X, y)
    assert isinstance(model.named_estimators_["inter"], HistGradientBoostingClassifier)


def test_nan_allowed_only_when_every_expert_accepts_it(table):
    X, y = table
    X = X.copy()
    X.iloc[::7, 0] = np.nan
    hgb = HistGradientBoostingClassifier(max_iter=20)
    model = poe(experts=[("image", hgb, IMG), ("clinical", LogisticRegression(), CLIN)],
                inter_estimator=hgb)
    assert model.__sklearn_tags__().input_tags.allow_nan is False
    model.fit(X, y)  # NaN only in the image columns, whose experts accept it
    assert np.isfinite(model.predict_log_proba(X)).all()
    all_hgb = poe(experts=[("image", hgb, IMG), ("clinical", hgb, CLIN)], inter_estimator=hgb)
    assert all_hgb.__sklearn_tags__().input_tags.allow_nan is True


def test_sparse_input(table):
    X, y = table
    dense = poe(experts=[("image", LogisticRegression(), [0, 1, 2, 3]),
                         ("clinical", LogisticRegression(), [4, 5])]).fit(X.to_numpy(), y)
    sparse = clone(dense).fit(sp.csr_matrix(X.to_numpy()), y)
    np.testing.assert_allclose(
        dense.predict_proba(X.to_numpy()), sparse.predict_proba(sp.csr_matrix(X.to_numpy())),
        atol=1e-6,
    )


def test_parallel_fit_equals_sequential(table):
    X, y = table
    one = poe(n_jobs=1).fit(X, y)
    two = poe(n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


def test_in_a_pipeline_after_a_scaler(table):
    X, y = table
    pipe = make_pipeline(
        StandardScaler().set_output(transform="pandas"), poe()
    ).fit(X, y)
    assert pipe.score(X, y) > 0.8
    pipe_np = make_pipeline(
        StandardScaler(),
        poe(experts=[("image", LogisticRegression(), slice(0, 4)),
                     ("clinical", LogisticRegression(), [4, 5])]),
    ).fit(X, y)
    np.testing.assert_allclose(pipe.predict_proba(X), pipe_np.predict_proba(X), atol=1e-10)


def test_grid_search_over_fusion_choices_and_nested_params(table):
    X, y = table
    grid = GridSearchCV(
        poe(),
        {
            "inter_estimator": ["drop", LogisticRegression()],
            "clinical": ["drop", LogisticRegression()],
            "image__C": [0.01, 1.0],
            "weights": [None, {"image": 0.5}],
        },
        cv=3,
        scoring="neg_log_loss",
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 16
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    # nested parameters reach the experts
    model = poe().set_params(image__C=0.01, inter_estimator__C=3.0)
    assert model.experts[0][1].C == 0.01 and model.inter_estimator.C == 3.0
    assert model.get_params()["image__C"] == 0.01
    # inter-only is early fusion: the inter expert alone
    early = poe().set_params(image="drop", clinical="drop").fit(X, y)
    lr = LogisticRegression(C=0.5).fit(X[IMG + CLIN], y)
    np.testing.assert_allclose(early.predict_proba(X), lr.predict_proba(X[IMG + CLIN]), atol=1e-8)


def test_cross_val_score_and_clone(table):
    X, y = table
    model = poe()
    scores = cross_val_score(model, X, y, cv=4)
    assert scores.shape == (4,) and scores.mean() > 0.8
    cloned = clone(model)
    assert cloned.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert cloned.experts[0][1] is not model.experts[0][1]


def test_pickle_round_trip_gives_identical_predictions(table):
    X, y = table
    model = poe(experts=[("image", LogisticRegression(), make_column_selector("^img_")),
                         ("clinical", DecisionTreeClassifier(random_state=0), function_selector)],
                inter_estimator=None).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_make_product_of_experts_names_and_passes_options():
    model = make_product_of_experts(
        (LogisticRegression(), [0]), (LogisticRegression(), [1]),
        ("clinical", DecisionTreeClassifier(), [2]),
        inter_estimator="drop", proba_floor=1e-6, n_jobs=2,
    )
    assert [name for name, _, _ in model.experts] == [
        "logisticregression-1", "logisticregression-2", "clinical"
    ]
    assert model.inter_estimator == "drop" and model.proba_floor == 1e-6 and model.n_jobs == 2


def test_product_beats_each_modality_alone_on_complementary_modalities():
    X, y = make_table(n_samples=600, seed=3)
    X_test, y_test = make_table(n_samples=600, seed=4)
    full = poe(inter_estimator="drop").fit(X, y)
    for alone in ("image", "clinical"):
        other = "clinical" if alone == "image" else "image"
        single = poe(inter_estimator="drop").set_params(**{other: "drop"}).fit(X, y)
        assert full.score(X_test, y_test) > single.score(X_test, y_test)


class _RecordsInput(LogisticRegression):
    """A final step that records what it was given, to see the configuration at work."""

    def fit(self, X, y, sample_weight=None):
        self.input_type_ = type(X).__name__
        return super().fit(X, y, sample_weight)


def test_sklearn_config_reaches_the_workers_without_warnings(table):
    import warnings

    from sklearn import config_context
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skpoe import ModalityDependencyAnalyzer

    X, y = table

    def expert(columns):
        return make_pipeline(ColumnTransformer([("scale", StandardScaler(), columns)]),
                             _RecordsInput())

    experts = [("image", expert(IMG), IMG), ("clinical", expert(CLIN), CLIN)]
    with config_context(transform_output="pandas"), warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "delayed should be used with Parallel"
        model = ProductOfExpertsClassifier(experts, inter_estimator="drop", n_jobs=2).fit(X, y)
        ModalityDependencyAnalyzer(experts, inter_estimator="drop", cv=3, n_repeats=1,
                                   n_jobs=2, random_state=0).fit(X, y)
    # fitted in worker processes, the column transformer gave the final step a frame
    assert [e[-1].input_type_ for e in model.estimators_] == ["DataFrame", "DataFrame"]


def test_an_expert_that_never_saw_a_class_does_not_veto_it():
    X, y = make_table(n_samples=600, seed=1)
    X = X.copy()
    never = y == "uncertain"
    X.loc[never, CLIN] = np.nan  # clinical is absent from every "uncertain" row
    with pytest.warns(UserWarning, match=r"Expert 'clinical' has no training row of "
                                         r"class\(es\) \['uncertain'\]"):
        model = lr_product(missing_modality="drop").fit(X, y)
    X_test, y_test = make_table(n_samples=600, seed=2)  # clinical present everywhere
    predicted = model.predict(X_test)
    recall = np.mean(predicted[y_test == "uncertain"] == "uncertain")
    assert recall > 0.6  # a veto gave 0.00
    # the clinical expert is uninformative about the class: its term is the log prior
    terms = model.predict_contributions(X_test)
    np.testing.assert_allclose(terms[("clinical", "uncertain")],
                               np.log(model.class_prior_[2]))


@pytest.mark.parametrize("prior_correction", [False, True])
def test_a_class_of_zero_total_weight_is_absent_from_training(prior_correction):
    X, y = make_table(n_samples=300, seed=3)
    weight = np.where(y == "benign", 0.0, 1.0)
    model = lr_product(prior_correction=prior_correction).fit(X, y, sample_weight=weight)
    assert model.class_prior_[0] == 0.0
    proba = model.predict_proba(X)
    assert (model.predict(X) != "benign").all()
    assert proba[:, 0].max() < 1e-6
    # nearly as if the rows were not there (the experts' own fits differ slightly:
    # a multinomial model keeps a logit for the zero-weight class)
    kept = weight > 0
    dropped = lr_product(prior_correction=prior_correction).fit(X[kept], y[kept])
    assert np.mean(model.predict(X) == dropped.predict(X)) > 0.97


@pytest.mark.parametrize("weight, match", [
    (-np.ones(240), "Negative values in data passed to `sample_weight`"),
    (np.r_[-1.0, np.ones(239)], "Negative values"),
    (np.zeros(240), "at least one non-zero number"),
])
def test_sample_weights_must_be_non_negative_and_not_all_zero(weight, match):
    X, y = make_table()
    with pytest.raises(ValueError, match=match):
        lr_product().fit(X, y, sample_weight=weight)


@pytest.mark.parametrize("floor, n_classes", [(0.5, 2), (1 / 3, 3), (0.4, 3)])
def test_a_floor_that_flattens_experts_is_refused(floor, n_classes):
    X, y = make_table(n_classes=n_classes)
    with pytest.raises(ValueError, match=r"proba_floor=.* is at least 1 / n_classes"):
        lr_product(proba_floor=floor).fit(X, y)


def test_an_array_after_a_frame_warns_once_not_once_per_expert():
    X, y = make_table()
    model = lr_product(inter_estimator=LogisticRegression()).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict_proba(X.to_numpy())
    names = [w for w in caught if "feature names" in str(w.message)]
    assert len(names) == 1, [str(w.message) for w in names]
