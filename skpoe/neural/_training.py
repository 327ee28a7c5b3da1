"""What NeuralExpert and JointProductOfExpertsClassifier share to train a skorch net."""

import contextlib
import copyreg
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import HasMethods, Interval
from skorch.callbacks import EarlyStopping, GradientNormClipping
from skorch.dataset import ValidSplit

# Parameters both estimators forward to skorch, with their meaning there:
# lr -> NeuralNet(lr), batch_size -> NeuralNet(batch_size), max_epochs ->
# NeuralNet(max_epochs), device -> NeuralNet(device), verbose -> NeuralNet(verbose),
# weight_decay -> NeuralNet(optimizer__weight_decay) with optimizer=torch.optim.AdamW,
# early_stopping/validation_fraction/patience -> train_split=ValidSplit(...) and the
# EarlyStopping callback (load_best=True), gradient_clip -> GradientNormClipping.


class _LayerSizes(HasMethods):
    """A tuple or list of positive ints: (0,) would train a constant model.

    scikit-learn's parameter validation takes only its own constraint classes;
    this one reuses HasMethods' slot, with its own test and message.
    """

    def __init__(self):
        super().__init__([])

    def is_satisfied_by(self, val):
        return isinstance(val, (tuple, list)) and all(
            isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in val
        )

    def __str__(self):
        return "a tuple or list of positive ints (the width of each hidden layer)"


# Constraints of the training parameters both estimators share.
_TRAINING_CONSTRAINTS = {
    "hidden_layer_sizes": [_LayerSizes()],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "device": [str],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class _PickleOnly:
    """Persistence of an estimator holding torch tensors: pickle / joblib, not skops.

    skops rebuilds objects from ``__reduce__`` and cannot rebuild torch tensors
    (its error, "Cannot directly construct TensorBase", says nothing of why).
    pickle, copy and joblib call ``__reduce_ex__``, which keeps the default
    protocol-2 reduction here, so only skops meets the explanation.
    """

    def __reduce__(self):
        raise TypeError(
            f"{type(self).__name__} holds torch networks, which skops cannot persist. Save "
            "it with pickle or joblib.dump (a GPU-trained model loads on a CPU-only "
            "machine), or save the networks' weights with torch.save."
        )

    def __reduce_ex__(self, protocol):
        return copyreg.__newobj__, (type(self),), self.__getstate__()


def _check_device(device):
    """Refuse a CUDA device on a machine without one, before any training."""
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for, but torch finds no CUDA GPU on this machine "
            "(torch.cuda.is_available() is False); use device='cpu'."
        )
    return device


@contextlib.contextmanager
def _torch_seeded(seed):
    """Seed torch inside the block only: the caller's global RNG state is restored."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _net_options(estimator, seed):
    """skorch keyword arguments for the shared training parameters of ``estimator``."""
    callbacks = []
    train_split = None  # skorch holds out 20% by default; we hold out only on request
    if estimator.early_stopping:
        train_split = ValidSplit(estimator.validation_fraction, stratified=True,
                                 random_state=seed)
        callbacks.append(("early_stopping", EarlyStopping(
            monitor="valid_loss", patience=estimator.patience, load_best=True
        )))
    if getattr(estimator, "gradient_clip", None) is not None:
        callbacks.append(("gradient_clip", GradientNormClipping(estimator.gradient_clip)))
    return dict(
        optimizer=torch.optim.AdamW,
        optimizer__weight_decay=estimator.weight_decay,
        lr=estimator.lr,
        batch_size=estimator.batch_size,
        max_epochs=estimator.max_epochs,
        train_split=train_split,
        callbacks=callbacks or None,
        iterator_train__shuffle=True,
        device=estimator.device,
        verbose=estimator.verbose,
    )


def _as_float32(X):
    """A writeable, C-contiguous float32 copy-if-needed of X for torch."""
    return np.require(X, dtype=np.float32, requirements=["C", "W"])
