"""NeuralExpert: a skorch-backed MLP classifier that drops into a product of experts."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNetClassifier
from torch import nn

from .._engine._seeds import _draw_seeds
from ._modules import MLP
from ._training import (
    _TRAINING_CONSTRAINTS,
    _as_float32,
    _check_device,
    _net_options,
    _PickleOnly,
    _torch_seeded,
)


class NeuralExpert(_PickleOnly, ClassifierMixin, BaseEstimator):
    """An MLP classifier trained with skorch, usable as any expert of a product.

    Builds a :class:`skorch.NeuralNetClassifier` around :class:`~skpoe.neural.MLP`
    in ``fit`` (wrapping, rather than subclassing skorch, keeps the scikit-learn
    contract: parameters untouched until fit, ``classes_`` of any label type,
    ``n_features_in_``). Inputs are cast to float32; labels of any type are
    encoded and decoded. No data is held out unless ``early_stopping`` asks for
    it (skorch alone holds out 20%). Quiet by default; reproducible with
    ``random_state`` (on CPU).

    Forwarded to skorch: ``lr``, ``batch_size``, ``max_epochs``, ``device`` and
    ``verbose`` as themselves; ``weight_decay`` as ``optimizer__weight_decay`` of
    ``torch.optim.AdamW``; ``early_stopping``, ``validation_fraction`` and
    ``patience`` as ``train_split=ValidSplit(validation_fraction, stratified=True)``
    with an ``EarlyStopping(patience, load_best=True)`` callback.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64,)
        Widths of the hidden layers.
    dropout : float, default=0.0
        Dropout after each hidden layer.
    max_epochs : int, default=100
        Training epochs (the most, with early stopping).
    lr : float, default=3e-3
        Learning rate of AdamW.
    batch_size : int, default=64
        Minibatch size.
    weight_decay : float, default=0.0
        AdamW weight decay.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified) and stop when the
        validation loss has not improved for ``patience`` epochs, keeping the best.
    validation_fraction : float, default=0.1
        Held out for early stopping only.
    patience : int, default=5
        Epochs without improvement before stopping.
    device : str, default="cpu"
        torch device, e.g. ``"cuda"``; a clear error if it is not there.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split.
    verbose : int, default=0
        1 prints skorch's epoch table.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    net_ : skorch.NeuralNetClassifier
        The trained net (its ``history`` holds the losses).
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when it has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skpoe.neural import NeuralExpert
    >>> X, y = load_iris(return_X_y=True)
    >>> expert = NeuralExpert(hidden_layer_sizes=(16,), max_epochs=60, random_state=0)
    >>> expert.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = dict(_TRAINING_CONSTRAINTS)

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        *,
        dropout=0.0,
        max_epochs=100,
        lr=3e-3,
        batch_size=64,
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=5,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the MLP on X, y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs.
        y : array-like of shape (n_samples,)
            Class labels of any type.

        Returns
        -------
        self : NeuralExpert
            The fitted expert.
        """
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64])
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"NeuralExpert needs samples of at least 2 classes; got only one class: "
                f"{self.classes_.tolist()[0]!r}."
            )
        _check_device(self.device)
        seed = _draw_seeds(self.random_state)
        self.net_ = NeuralNetClassifier(
            MLP,
            module__n_features=X.shape[1],
            module__n_classes=len(self.classes_),
            module__hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            module__dropout=self.dropout,
            criterion=nn.CrossEntropyLoss,
            classes=np.arange(len(self.classes_)),
            **_net_options(self, seed),
        )
        with _torch_seeded(seed):
            self.net_.fit(_as_float32(X), encoder.transform(y).astype(np.int64))
        return self

    def predict_proba(self, X):
        """Class probabilities (softmax of the MLP's logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            float64 rows that sum to 1; columns follow ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        proba = self.net_.predict_proba(_as_float32(X)).astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.device != "cpu"  # CUDA kernels may not be
        return tags
