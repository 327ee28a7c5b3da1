"""skpoe: measure and model the modalities of a table with a product of experts."""

from ._analysis._analyzer import ModalityDependencyAnalyzer
from ._analysis._bias import ModalityBias, modality_bias
from ._analysis._emap import InteractionUse, modality_interaction_use
from ._analysis._groupings import GroupingComparison, compare_groupings, propose_groupings
from ._engine._combine import combine_log_proba
from ._product._classifier import ProductOfExpertsClassifier, make_product_of_experts
from ._product._contributions import modality_drivers

__version__ = "0.1.0.dev0"

__all__ = [
    "GroupingComparison",
    "InteractionUse",
    "ModalityBias",
    "ModalityDependencyAnalyzer",
    "ProductOfExpertsClassifier",
    "combine_log_proba",
    "compare_groupings",
    "make_product_of_experts",
    "modality_bias",
    "modality_drivers",
    "modality_interaction_use",
    "propose_groupings",
]
