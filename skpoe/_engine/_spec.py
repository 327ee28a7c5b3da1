"""What the classifier and the analyzer share: the ``experts`` specification.

Both take ``experts`` as ``(name, estimator, columns)`` triples plus an
``inter_estimator`` on the union of the modalities' columns; this module gives
them one way to expose nested parameters and to turn the specification into a
validated plan of experts with resolved column indices.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import _BaseComposition

from .._vocabulary import INTER, RESERVED, baseline_of, is_reserved
from ._columns import _resolve_columns
from ._defaults import _boosted_trees


@dataclass
class _ExpertSpec:
    """One expert of a plan: its name, unfitted estimator (or "drop") and columns."""

    name: str
    estimator: object
    columns: np.ndarray
    is_inter: bool = False

    @property
    def dropped(self):
        return isinstance(self.estimator, str) and self.estimator == "drop"


@dataclass(frozen=True)
class _Context:
    """What every fit and prediction of one model or study shares, passed as one.

    ``n_classes`` encoded classes, the probability ``floor`` of every expert, and
    ``modality_of`` (column index -> modality) to name a column in messages.
    """

    n_classes: int
    floor: float
    modality_of: dict


def _modality_of(plan):
    """Column index -> the (first) modality that selects it, to name it in messages."""
    owner = {}
    for spec in plan:
        if not spec.is_inter:
            for j in spec.columns:
                owner.setdefault(int(j), spec.name)
    return owner


class _LogProbaClassifierMixin:
    """``predict_proba`` and ``predict`` of a classifier that computes log-probabilities."""

    def predict_proba(self, X):
        """Class probabilities (``exp`` of ``predict_log_proba``).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        log_proba = self.predict_log_proba(X)
        return np.exp(log_proba, out=log_proba)

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]


class _ExpertsComposition(_BaseComposition):
    """Nested parameters (``name__param``) and plan validation for ``experts``."""

    _parameter_constraints: dict = {
        "experts": [list, tuple],
        "inter_estimator": [HasMethods(["fit", "predict_proba"]), StrOptions({"drop"}), None],
        "proba_floor": [Interval(Real, 0, 1, closed="neither")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    @property
    def _experts(self):
        # _BaseComposition wants (name, estimator) pairs for get_params/set_params.
        try:
            return [(name, est) for name, est, _ in self.experts]
        except (TypeError, ValueError):
            return self.experts

    @_experts.setter
    def _experts(self, value):
        try:
            self.experts = [
                (name, est, cols) for (name, est), (_, _, cols) in zip(value, self.experts)
            ]
        except (TypeError, ValueError):
            self.experts = value

    def get_params(self, deep=True):
        """Get parameters of this estimator, including each expert's as ``name__param``.

        Parameters
        ----------
        deep : bool, default=True
            If True, also return the parameters of the experts and of
            ``inter_estimator``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("_experts", deep=deep)

    def set_params(self, **params):
        """Set parameters, including an expert by name (``image="drop"``) or its own.

        Parameters
        ----------
        **params : dict
            Estimator parameters, ``name`` to replace an expert, and
            ``name__param`` for an expert's parameter.

        Returns
        -------
        self : estimator instance
            This estimator.
        """
        self._set_params("_experts", **params)
        return self

    def _inter_template(self):
        if self.inter_estimator is None:
            return _boosted_trees()
        return self.inter_estimator

    def _estimator_templates(self):
        """The non-dropped estimators of the specification, without validation."""
        estimators = [est for _, est, _ in self.experts] + [self._inter_template()]
        return [est for est in estimators if not (isinstance(est, str) and est == "drop")]

    def _tags_from_experts(self, tags):
        """Allow NaN or sparse input only when every expert does."""
        try:
            expert_tags = [get_tags(est) for est in self._estimator_templates()]
        except Exception:  # junk parameters (set by sklearn's checks) must not break tags
            return tags
        if expert_tags:
            tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in expert_tags)
            tags.input_tags.sparse = all(t.input_tags.sparse for t in expert_tags)
            tags.input_tags.string = all(t.input_tags.string for t in expert_tags)
            tags.input_tags.categorical = all(t.input_tags.categorical for t in expert_tags)
        return tags

    def _validate_expert_triples(self):
        """Check the shape of ``experts`` and the experts' names and methods."""
        if not isinstance(self.experts, (list, tuple)) or not self.experts:
            raise ValueError(
                "experts must be a non-empty list of (name, estimator, columns) triples."
            )
        for i, spec in enumerate(self.experts):
            if not isinstance(spec, (list, tuple)) or len(spec) != 3:
                raise ValueError(
                    f"experts[{i}] must be a (name, estimator, columns) triple; got {spec!r}."
                )
            if not isinstance(spec[0], str):
                raise TypeError(f"experts[{i}]: the expert name must be a str; got {spec[0]!r}.")
        names = [name for name, _, _ in self.experts]
        self._validate_names(names)
        for name in names:
            if is_reserved(name):
                raise ValueError(
                    f"Expert name {name!r} is reserved: the package names its own models "
                    f"and terms {list(RESERVED)!r} (and {baseline_of('<modality>')!r}); "
                    "choose another modality name."
                )
        for name, est in [(n, e) for n, e, _ in self.experts] + [
            (INTER, self._inter_template())
        ]:
            if not (isinstance(est, str) and est == "drop"):
                self._check_expert(name, est)

    def _check_expert(self, name, est):
        """Raise, naming the expert, unless ``est`` can serve as one (a classifier)."""
        if isinstance(est, type):
            raise TypeError(
                f"Expert {name!r} is the class {est.__name__}; pass an instance, "
                f"{est.__name__}()."
            )
        if not hasattr(est, "fit"):
            raise TypeError(
                f"Expert {name!r} must be an estimator with fit and predict_proba, "
                f"or 'drop'; got {est!r}."
            )
        if not hasattr(est, "predict_proba"):
            raise TypeError(
                f"Expert {name!r} ({type(est).__name__}) has no predict_proba; a product "
                "of experts needs probabilities (e.g. SVC(probability=True), or wrap it "
                "in CalibratedClassifierCV)."
            )

    def _expert_plan(self, X, n_features, feature_names):
        """Validate ``experts`` and resolve every modality's columns against X.

        Returns the intra experts in ``experts`` order followed by the inter expert,
        dropped ones included (their columns still belong to their modality and so to
        the inter expert's union).
        """
        self._validate_expert_triples()
        plan = [
            _ExpertSpec(name, est, _resolve_columns(cols, X, n_features, feature_names, name))
            for name, est, cols in self.experts
        ]
        union = np.unique(np.concatenate([spec.columns for spec in plan]))
        plan.append(_ExpertSpec(INTER, self._inter_template(), union, is_inter=True))
        if all(spec.dropped for spec in plan):
            raise ValueError(
                "All experts are 'drop' (inter_estimator included): at least one expert "
                "must remain."
            )
        return plan
