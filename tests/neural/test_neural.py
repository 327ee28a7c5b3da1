"""The jointly trained product of experts (I2M2) and neural experts in the product."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from conftest import IMG, make_table
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from skpoe import ProductOfExpertsClassifier, combine_log_proba
from skpoe.datasets import load_digits_modalities, make_planted_modalities
from skpoe.neural import JointProductOfExpertsClassifier, NeuralExpert


def joint(data, **kwargs):
    params = {"max_epochs": 30, "random_state": 0, **kwargs}
    return JointProductOfExpertsClassifier(
        [(m, None, cols) for m, cols in data.modalities.items()], **params
    )


@pytest.fixture(scope="module")
def xor():
    train = make_planted_modalities("xor", n_samples=600, random_state=0)
    test = make_planted_modalities("xor", n_samples=600, random_state=1)
    return train, test


@pytest.fixture(scope="module")
def xor_model(xor):
    train, _ = xor
    return joint(train, max_epochs=40).fit(train.data, train.target)


def test_forward_is_combine_log_proba_of_the_experts(xor, xor_model):
    _, test = xor
    experts = xor_model.predict_expert_log_proba(test.data)
    assert list(experts) == ["a", "b", "inter"]
    np.testing.assert_allclose(
        xor_model.predict_log_proba(test.data),
        combine_log_proba(list(experts.values())),
        atol=1e-5,  # the networks compute in float32
    )


def test_forward_with_absent_modalities_leaves_them_out(xor):
    train, test = xor
    X = test.data.copy()
    X.loc[::3, train.modalities["a"]] = np.nan
    model = joint(train, missing_modality="drop", max_epochs=10).fit(train.data, train.target)
    experts = model.predict_expert_log_proba(X)
    present = np.column_stack([~np.isnan(lp).any(axis=1) for lp in experts.values()])
    assert not present[::3, 0].any() and not present[::3, 2].any()  # a and inter absent
    np.testing.assert_allclose(
        model.predict_log_proba(X),
        combine_log_proba(list(experts.values()), present=present),
        atol=1e-5,
    )


def test_joint_model_beats_separate_experts_without_inter_on_an_interaction(xor, xor_model):
    train, test = xor
    separate = ProductOfExpertsClassifier(
        [(m, NeuralExpert(max_epochs=40, random_state=0), cols)
         for m, cols in train.modalities.items()],
        inter_estimator="drop",
    ).fit(train.data, train.target)
    joint_accuracy = xor_model.score(test.data, test.target)
    assert joint_accuracy > 0.9
    assert joint_accuracy > separate.score(test.data, test.target) + 0.3  # that one is at chance


@pytest.mark.parametrize("split", ["halves", "quadrants"])
def test_digits_split_into_image_blocks_matches_one_mlp_on_all_pixels(split):
    data = load_digits_modalities(split)
    X = data.data / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, data.target, test_size=0.3, random_state=0, stratify=data.target
    )
    mlp = NeuralExpert(hidden_layer_sizes=(64,), max_epochs=40, random_state=0)
    model = JointProductOfExpertsClassifier(
        [(m, None, cols) for m, cols in data.modalities.items()],
        hidden_layer_sizes=(64,), max_epochs=40, random_state=0,
    )
    mlp_accuracy = mlp.fit(X_train, y_train).score(X_test, y_test)
    joint_accuracy = model.fit(X_train, y_train).score(X_test, y_test)
    assert joint_accuracy >= mlp_accuracy - 0.01, (joint_accuracy, mlp_accuracy)


class SmallCNN(nn.Module):
    """A CNN over a 4x4 block of pixels given as 16 columns (module level: picklable)."""

    def __init__(self, n_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.head = nn.Linear(8 * 16, n_classes)

    def forward(self, x):
        x = torch.relu(self.conv(x.view(-1, 1, 4, 4)))
        return self.head(x.flatten(1))


def test_custom_module_per_modality_and_training_options():
    data = load_digits_modalities("quadrants")
    X, y = data.data / 16.0, data.target
    experts = [(m, SmallCNN() if m == "top_left" else None, cols)
               for m, cols in data.modalities.items()]
    model = JointProductOfExpertsClassifier(
        experts, max_epochs=15, pretrain_epochs=3, class_weight="balanced",
        gradient_clip=1.0, early_stopping=True, patience=3, random_state=0,
    ).fit(X, y)
    assert model.score(X, y) > 0.9
    assert isinstance(model.net_.module_.modality_nets["top_left"], SmallCNN)
    assert not any(p.grad is not None for p in experts[0][1].parameters())  # not in place
    history = model.net_.history
    assert "valid_loss" in history[-1]  # early stopping held out a validation split
    assert len(history) <= 3 + 15


def test_representation_fusion_trains_the_encoders_jointly(xor):
    train, test = xor
    model = joint(train, inter_fusion="representation", max_epochs=40)
    model.fit(train.data, train.target)
    # the inter network reads the two 64-wide representations, not the 6 raw columns
    assert model.net_.module_.inter_net.encoder[0].in_features == 128
    assert model.score(test.data, test.target) > 0.85


def test_grid_search_over_neural_expert_params_inside_the_product(xor):
    train, _ = xor
    product = ProductOfExpertsClassifier(
        [(m, NeuralExpert(max_epochs=5, random_state=0), cols)
         for m, cols in train.modalities.items()],
        inter_estimator=NeuralExpert(max_epochs=20, random_state=0),
    )
    grid = GridSearchCV(
        product,
        {"a__hidden_layer_sizes": [(8,), (16,)], "inter_estimator__lr": [1e-3, 1e-2]},
        cv=2,
    ).fit(train.data, train.target)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_.named_estimators_["inter"].lr in (1e-3, 1e-2)


def test_grid_search_and_clone_of_the_joint_model(xor):
    train, _ = xor
    model = joint(train, max_epochs=5)
    grid = GridSearchCV(model, {"inter_fusion": ["early", "representation"]}, cv=2)
    grid.fit(train.data, train.target)
    assert set(grid.cv_results_["param_inter_fusion"]) == {"early", "representation"}
    assert not hasattr(clone(model), "net_")


def test_pickle_round_trips(xor, xor_model):
    _, test = xor
    restored = pickle.loads(pickle.dumps(xor_model))
    np.testing.assert_array_equal(restored.predict_proba(test.data),
                                  xor_model.predict_proba(test.data))
    expert = NeuralExpert(max_epochs=5, random_state=0).fit(test.data, test.target)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(expert)).predict_proba(test.data),
                                  expert.predict_proba(test.data))


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a machine without CUDA")
def test_a_model_saved_from_a_gpu_loads_on_a_cpu_only_machine(xor, xor_model):
    # skorch pickles the net's tensors with torch.save and, on loading, maps them
    # to the CPU (torch's map_location) when the saved device is not available.
    # A CPU-trained net whose device says "cuda" pickles exactly as a GPU one.
    _, test = xor
    gpu_like = pickle.loads(pickle.dumps(xor_model))
    gpu_like.net_.device = "cuda"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        restored = pickle.loads(pickle.dumps(gpu_like))
    assert str(restored.net_.device) == "cpu"
    assert any("CUDA" in str(w.message) or "cuda" in str(w.message) for w in caught)
    np.testing.assert_allclose(restored.predict_proba(test.data),
                               xor_model.predict_proba(test.data), atol=1e-6)


def test_silent_by_default_and_verbose_prints_the_epoch_table(xor, capsys):
    train, _ = xor
    joint(train, max_epochs=2).fit(train.data, train.target)
    assert capsys.readouterr().out == ""
    joint(train, max_epochs=2, verbose=1).fit(train.data, train.target)
    out = capsys.readouterr().out
    assert "epoch" in out and "train_loss" in out
    NeuralExpert(max_epochs=2, verbose=1).fit(train.data, train.target)
    assert "train_loss" in capsys.readouterr().out


class WrongWidth(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 5)

    def forward(self, x):
        return self.linear(x)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda d: joint(d).set_params(experts=[("a", WrongWidth(), d.modalities["a"]),
                                                ("b", None, d.modalities["b"])]),
         r"The module of expert 'a' outputs shape \(2, 5\) .* one logit per class: \(2, 2\)"),
        (lambda d: joint(d).set_params(experts=[("a", None, []), ("b", None, ["b_0"])]),
         r"Modality 'a' selects no column"),
        (lambda d: joint(d).set_params(experts=[("a", "linear", ["a_0"])]),
         r"Expert 'a' must be a torch.nn.Module, None \(the default MLP\) or 'drop'"),
        (lambda d: joint(d, inter_fusion="representation").set_params(
            experts=[("a", WrongWidth(), d.modalities["a"])]),
         r"outputs shape \(2, 5\)"),
    ],
    ids=["module output width", "modality with zero columns", "not a module",
         "representation needs encode"],
)
def test_bad_inputs(make, match):
    data = make_planted_modalities("xor", n_samples=60, random_state=0)
    with pytest.raises(ValueError if "Module" not in match else TypeError, match=match):
        make(data).fit(data.data, data.target)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("make", [
    lambda d: joint(d, device="cuda"),
    lambda d: NeuralExpert(device="cuda"),
], ids=["joint", "expert"])
def test_cuda_without_a_gpu_is_a_clear_error(make):
    data = make_planted_modalities("xor", n_samples=60, random_state=0)
    with pytest.raises(ValueError, match=r"device='cuda' was asked for, but torch finds no "
                                         r"CUDA GPU"):
        make(data).fit(data.data, data.target)


def test_same_random_state_same_model_whatever_ran_before(xor):
    train, test = xor
    first = joint(train, max_epochs=3).fit(train.data, train.target).predict_proba(test.data)
    torch.rand(10)  # other torch work moves the global generator...
    NeuralExpert(max_epochs=1).fit(train.data, train.target)
    again = joint(train, max_epochs=3).fit(train.data, train.target).predict_proba(test.data)
    np.testing.assert_array_equal(first, again)  # ...but not the seeded model


def test_pretraining_with_absent_modalities_learns_from_present_rows_only(xor):
    train, test = xor
    X = train.data.copy()
    X.loc[::4, train.modalities["b"]] = np.nan
    model = joint(train, missing_modality="drop", pretrain_epochs=5, max_epochs=30)
    model.fit(X, train.target)
    proba = model.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert model.score(test.data, test.target) > 0.8  # the XOR is still learnt


def _joint_on(X, y, **kwargs):
    return JointProductOfExpertsClassifier(
        [("a", None, ["a0", "a1"]), ("b", None, ["b0", "b1"])], max_epochs=1, random_state=0,
        **kwargs,
    ).fit(X, y)


def _two_modalities(n=60, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a0", "a1", "b0", "b1"])
    return X, np.array(["no", "yes"])[rng.integers(0, 2, n)]


@pytest.mark.parametrize("absent, message", [
    (["b0", "b1"], r"Expert 'b' has no training row \(modality 'b' is absent from every row\)"),
    ("half", r"Expert 'inter' has no training row \(no row holds every modality\)"),
])
def test_joint_model_refuses_an_expert_that_would_never_train(absent, message):
    X, y = _two_modalities()
    if absent == "half":  # a on the first half of the rows, b on the second: none complete
        X.loc[X.index[:30], ["b0", "b1"]] = np.nan
        X.loc[X.index[30:], ["a0", "a1"]] = np.nan
    else:
        X[absent] = np.nan
    with pytest.raises(ValueError, match=message):
        _joint_on(X, y, missing_modality="drop")


@pytest.mark.parametrize("class_weight, message", [
    ({"yes": 2.0, "Yes": 1.0}, r"class_weight has key 'Yes', which is not a class; the "
                               r"classes are \['no', 'yes'\]"),
    ({1: 2.0}, r"class_weight has key 1, which is not a class"),
    ({"yes": -1.0}, r"class_weight\['yes'\] = -1.0: class weights must be finite and >= 0"),
])
def test_joint_model_refuses_class_weights_that_are_not_classes(class_weight, message):
    X, y = _two_modalities()
    with pytest.raises(ValueError, match=message):
        _joint_on(X, y, class_weight=class_weight)


def test_joint_model_names_a_string_column():
    X, y = _two_modalities()
    X["b1"] = np.where(X["b1"] > 0, "M", "F")
    with pytest.raises(ValueError, match=r"column 'b1' of modality 'b' is not \(dtype"):
        _joint_on(X, y)


@pytest.mark.parametrize("sizes", [(0,), (-1,), (8, 0), (True,), "64"])
def test_neural_layer_sizes_must_be_positive(sizes):
    pytest.importorskip("torch")
    from skpoe.neural import NeuralExpert

    X, y = make_table(n_samples=40)
    with pytest.raises(InvalidParameterError, match="positive ints"):
        NeuralExpert(hidden_layer_sizes=sizes, max_epochs=1).fit(X[IMG], y)
