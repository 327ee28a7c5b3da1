"""JointProductOfExpertsClassifier: I2M2's product of experts, trained end to end."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils import _safe_indexing, compute_class_weight
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from torch import nn

from .._engine._columns import _column_label
from .._engine._fitting import _first_non_numeric
from .._engine._presence import _expert_rows, _row_mask
from .._engine._prior import _class_log_prior
from .._engine._seeds import _draw_seeds
from .._engine._spec import (
    _ExpertsComposition,
    _ExpertSpec,
    _LogProbaClassifierMixin,
    _modality_of,
)
from .._engine._validation import _check_X, _encode_y
from .._vocabulary import INTER
from ._modules import MLP, _JointModule, _ProductLoss
from ._training import (
    _TRAINING_CONSTRAINTS,
    _as_float32,
    _check_device,
    _net_options,
    _PickleOnly,
    _torch_seeded,
)


def _takes_no_nan(estimator):
    return False


def _class_weights(class_weight, classes, y_encoded):
    """One weight per class from "balanced" or a dict keyed by the labels, checked."""
    if isinstance(class_weight, str):
        return compute_class_weight(class_weight, classes=np.arange(len(classes)), y=y_encoded)
    labels = classes.tolist()
    unknown = [key for key in class_weight if key not in labels]
    if unknown:
        raise ValueError(
            f"class_weight has key {unknown[0]!r}, which is not a class; the classes are "
            f"{labels!r} (keys are labels as in y, with their type)."
        )
    bad = {key: w for key, w in class_weight.items()
           if not (isinstance(w, Real) and np.isfinite(w) and w >= 0)}
    if bad:
        key = next(iter(bad))
        raise ValueError(
            f"class_weight[{key!r}] = {bad[key]!r}: class weights must be finite and >= 0."
        )
    return np.array([float(class_weight.get(c, 1.0)) for c in labels])


class JointProductOfExpertsClassifier(
    _PickleOnly, ClassifierMixin, _LogProbaClassifierMixin, _ExpertsComposition
):
    r"""A product of neural intra- and inter-modality experts, trained jointly (I2M2).

    One torch network per modality (a default :class:`~skpoe.neural.MLP`, or your
    own ``torch.nn.Module``, e.g. a small CNN for pixel columns) and one inter
    network on all modalities; the output is the seed's formula,

    .. math::

        \log p(y \mid x) = \sum_k \mathrm{log\_softmax}(f_k(x_k)) - \log Z(x),

    and every network trains at once on the negative log-likelihood of that
    output (Madaan et al., 2024), optionally after ``pretrain_epochs`` in which
    each expert trains alone on its own loss (reported to work better). Trained
    with skorch; on the CPU by default, on a GPU by ``device="cuda"``.

    Parameters
    ----------
    experts : list of (str, torch.nn.Module, None or "drop", columns) tuples
        One ``(name, module, columns)`` triple per modality, with ``columns`` as
        in :class:`~skpoe.ProductOfExpertsClassifier`. ``module`` is ``None`` for
        the default MLP, or a ``torch.nn.Module`` taking a float32 batch of the
        modality's columns and returning one logit per class (it is copied, never
        trained in place; define its class at module level so that the model
        pickles), or ``"drop"``.
    inter_module : torch.nn.Module, "drop" or None, default=None
        The inter network; ``None`` is an MLP. With ``inter_fusion="early"`` it
        takes the union of the modalities' columns; with ``"representation"`` the
        concatenated representations of the modality networks (each must have
        ``encode(x)`` and ``representation_size``, as :class:`~skpoe.neural.MLP`
        has).
    inter_fusion : {"early", "representation"}, default="early"
        What the inter network sees: the raw columns, or the modality encoders'
        representations (which it then trains too).
    hidden_layer_sizes : tuple of int, default=(64,)
        Hidden layers of every default MLP.
    dropout : float, default=0.0
        Dropout of every default MLP.
    max_epochs : int, default=100
        Epochs of joint training.
    pretrain_epochs : int, default=0
        Epochs in which each expert first trains alone, on its own loss.
    lr : float, default=3e-3
        Learning rate of AdamW.
    batch_size : int, default=64
        Minibatch size.
    weight_decay : float, default=0.0
        AdamW weight decay.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss (as in scikit-learn).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified) and stop when the
        validation loss has not improved for ``patience`` epochs, keeping the best.
    validation_fraction : float, default=0.1
        Held out for early stopping only.
    patience : int, default=5
        Epochs without improvement before stopping.
    gradient_clip : float or None, default=None
        Clip the gradient norm to this value.
    missing_modality : {"error", "drop"}, default="error"
        As in :class:`~skpoe.ProductOfExpertsClassifier`: a row whose columns of a
        modality are all NaN lacks it; ``"drop"`` leaves that expert out of the
        row's product (and of its loss), the inter network is used on complete
        rows only, and rows with no modality get the training prior.
    proba_floor : float in (0, 1), default=1e-9
        Floor of the training prior before its log, as in
        :class:`~skpoe.ProductOfExpertsClassifier`: what a row with no modality
        gets for a class absent from training.
    device : str, default="cpu"
        torch device. A model trained on a GPU unpickles on a CPU-only machine:
        skorch maps its tensors to the CPU when CUDA is not there.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the validation split.
    verbose : int, default=0
        1 prints skorch's epoch table.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the joint module and
        ``net_.history`` its losses.
    expert_names_ : list of str
        The experts in the product: modalities then ``"inter"``.
    modality_columns_ : dict of str to ndarray of int
        Column indices of each modality.
    inter_columns_ : ndarray of int
        The union of the modalities' columns.
    n_features_in_ : int
        Number of columns of X.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when it has string column names.

    Examples
    --------
    >>> from skpoe.datasets import make_planted_modalities
    >>> from skpoe.neural import JointProductOfExpertsClassifier
    >>> data = make_planted_modalities("xor", n_samples=400, random_state=0)
    >>> model = JointProductOfExpertsClassifier(
    ...     [(m, None, cols) for m, cols in data.modalities.items()],
    ...     max_epochs=40, random_state=0,
    ... ).fit(data.data, data.target)
    >>> model.score(data.data, data.target) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_TRAINING_CONSTRAINTS,
        "experts": [list, tuple],
        "inter_module": [HasMethods(["forward"]), StrOptions({"drop"}), None],
        "inter_fusion": [StrOptions({"early", "representation"})],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "missing_modality": [StrOptions({"error", "drop"})],
        "proba_floor": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        experts,
        inter_module=None,
        *,
        inter_fusion="early",
        hidden_layer_sizes=(64,),
        dropout=0.0,
        max_epochs=100,
        pretrain_epochs=0,
        lr=3e-3,
        batch_size=64,
        weight_decay=0.0,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=5,
        gradient_clip=None,
        missing_modality="error",
        proba_floor=1e-9,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.experts = experts
        self.inter_module = inter_module
        self.inter_fusion = inter_fusion
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.pretrain_epochs = pretrain_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.gradient_clip = gradient_clip
        self.missing_modality = missing_modality
        self.proba_floor = proba_floor
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _inter_template(self):
        return self.inter_module

    def _check_expert(self, name, module):
        if module is None:
            return
        if isinstance(module, type):
            raise TypeError(
                f"Expert {name!r} is the class {module.__name__}; pass an instance."
            )
        if not isinstance(module, nn.Module):
            raise TypeError(
                f"Expert {name!r} must be a torch.nn.Module, None (the default MLP) or "
                f"'drop'; got {type(module).__name__}."
            )

    def _build_network(self, name, module, n_inputs, n_classes):
        """The expert's network: a copy of the user's module, or a fresh MLP."""
        if module is None:
            return MLP(n_inputs, n_classes, tuple(self.hidden_layer_sizes), self.dropout)
        module = copy.deepcopy(module)
        try:
            with torch.no_grad():
                out = module(torch.zeros(2, n_inputs))
        except Exception as exc:
            raise ValueError(
                f"The module of expert {name!r} fails on a batch of its {n_inputs} input "
                f"columns: {type(exc).__name__}: {exc}"
            ) from exc
        if out.ndim != 2 or out.shape[1] != n_classes:
            raise ValueError(
                f"The module of expert {name!r} outputs shape {tuple(out.shape)} for a batch "
                f"of 2 rows; it must output one logit per class: (2, {n_classes})."
            )
        if self.inter_fusion == "representation" and name != INTER:
            if not (hasattr(module, "encode") and hasattr(module, "representation_size")):
                raise ValueError(
                    f"inter_fusion='representation' needs the module of expert {name!r} to "
                    "have encode(x) and representation_size (as skpoe.neural.MLP has)."
                )
        return module

    def _build_networks(self, plan, active, n_classes):
        """(networks and their input positions by modality, inter network or None, union)."""
        union = plan[-1].columns
        position = {j: i for i, j in enumerate(union)}
        networks, columns = {}, {}
        for spec in active:
            if spec.is_inter:
                continue
            columns[spec.name] = np.array([position[j] for j in spec.columns])
            networks[spec.name] = self._build_network(
                spec.name, spec.estimator, len(spec.columns), n_classes
            )
        inter_net = None
        if not plan[-1].dropped:
            if self.inter_fusion == "representation":
                if not networks:
                    raise ValueError(
                        "inter_fusion='representation' needs at least one modality network."
                    )
                width = sum(net.representation_size for net in networks.values())
            else:
                width = len(union)
            inter_net = self._build_network(INTER, plan[-1].estimator, width, n_classes)
        return networks, columns, inter_net, union

    def _fitted_plan(self):
        """The plan of fit, rebuilt from the fitted state: trained networks as experts."""
        module = self.net_.module_
        plan = [
            _ExpertSpec(name, module.modality_nets[name] if name in self.expert_names_
                        else "drop", cols)
            for name, cols in self.modality_columns_.items()
        ]
        inter = module.inter_net if INTER in self.expert_names_ else "drop"
        return plan + [_ExpertSpec(INTER, inter, self.inter_columns_, is_inter=True)]

    def _inputs(self, X, reset):
        """Validated X -> (dict input for the net, plan of experts, active experts)."""
        X = _check_X(self, X, reset=reset)
        feature_names = getattr(self, "feature_names_in_", None)
        if reset:
            plan = self._expert_plan(X, self.n_features_in_, feature_names)
        else:
            plan = self._fitted_plan()
        # The networks take no NaN: the inter network sees the complete rows only.
        _, rows = _expert_rows(X, plan, feature_names, self.missing_modality,
                               accepts_nan=_takes_no_nan, fitting=reset)
        active = [spec for spec in plan if not spec.dropped]
        present = np.column_stack([_row_mask(rows[spec.name], X.shape[0]) for spec in active])
        union = plan[-1].columns
        X_union = _safe_indexing(X, union, axis=1)
        found = _first_non_numeric(X_union)
        if found is not None:
            column = union[found[0]]
            raise ValueError(
                f"JointProductOfExpertsClassifier needs numeric columns: column "
                f"{_column_label(column, feature_names)} of modality "
                f"{_modality_of(plan).get(int(column))!r} is not (dtype {found[1]}). Encode "
                "it as numbers first (e.g. one-hot), or leave it out of the modality."
            )
        x = _as_float32(np.asarray(X_union, dtype=np.float32))
        np.nan_to_num(x, copy=False, nan=0.0)  # absent modalities; masked out of the product
        return {"x": x, "present": present}, plan, active

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train every expert network jointly on the product-of-experts loss.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Numeric table.
        y : array-like of shape (n_samples,)
            Class labels of any type.

        Returns
        -------
        self : JointProductOfExpertsClassifier
            The fitted model.
        """
        inputs, plan, active = self._inputs(X, reset=True)
        y_encoded, self.classes_ = _encode_y(self, y, inputs["x"].shape[0])
        n_classes = len(self.classes_)
        _check_device(self.device)
        for k, spec in enumerate(active):
            if not inputs["present"][:, k].any():
                where = ("no row holds every modality" if spec.is_inter else
                         f"modality {spec.name!r} is absent from every row")
                raise ValueError(
                    f"Expert {spec.name!r} has no training row ({where}): its network would "
                    "never train and would join the product untrained. Drop it ('drop' as "
                    "its module), or check where the modality is missing."
                )
        log_prior = _class_log_prior(y_encoded, n_classes, self.proba_floor)
        weight = None
        if self.class_weight is not None:
            weight = torch.as_tensor(_class_weights(self.class_weight, self.classes_, y_encoded),
                                     dtype=torch.float32)

        seed = _draw_seeds(self.random_state)
        with _torch_seeded(seed):  # the networks' initial weights come from this seed
            networks, columns, inter_net, union = self._build_networks(plan, active, n_classes)
            module = _JointModule(networks, columns, inter_net,
                                  np.arange(len(union)) if inter_net is not None else None,
                                  self.inter_fusion, log_prior)
            self.net_ = NeuralNet(
                module, criterion=_ProductLoss, criterion__weight=weight,
                **_net_options(self, seed),
            )
            self.net_.initialize()
            y_tensor = y_encoded.astype(np.int64)
            if self.pretrain_epochs:
                self.net_.module_.mode = "pretrain"
                self.net_.partial_fit(inputs, y_tensor, epochs=self.pretrain_epochs)
            self.net_.module_.mode = "joint"
            self.net_.partial_fit(inputs, y_tensor, epochs=self.max_epochs)
        self.expert_names_ = [spec.name for spec in active]
        self.modality_columns_ = {spec.name: spec.columns for spec in plan if not spec.is_inter}
        self.inter_columns_ = union
        return self

    def predict_expert_log_proba(self, X):
        """Each expert network's own log_softmax output.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_probas : dict of str to ndarray of shape (n_samples, n_classes)
            By expert name (``"inter"`` for the inter network); NaN where the
            expert is absent. ``combine_log_proba`` of these, with the presence
            mask, is ``predict_log_proba``.
        """
        check_is_fitted(self)
        inputs, _, _ = self._inputs(X, reset=False)
        module = self.net_.module_
        module.eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, inputs["x"].shape[0], 4096):
                batch = torch.as_tensor(inputs["x"][start:start + 4096]).to(self.net_.device)
                outputs.append([lp.cpu().numpy() for lp in module.expert_log_softmax(batch)])
        result = {}
        for k, name in enumerate(self.expert_names_):
            lp = np.concatenate([out[k] for out in outputs]).astype(np.float64)
            lp[~inputs["present"][:, k]] = np.nan
            result[name] = lp
        return result

    def predict_log_proba(self, X):
        """Log-probabilities of the jointly trained product.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        inputs, _, _ = self._inputs(X, reset=False)
        self.net_.module_.eval()
        out = self.net_.forward(inputs, training=False).numpy().astype(np.float64)
        return out - logsumexp(out, axis=1, keepdims=True)  # exact in float64

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.device != "cpu"
        return tags
