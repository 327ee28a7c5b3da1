"""skpoe: measure and model the modalities of a table with a product of experts."""

from ._analyzer import ModalityDependencyAnalyzer
from ._bias import ModalityBias, modality_bias
from ._combine import combine_log_proba
from ._contributions import modality_drivers
from ._groupings import GroupingComparison, compare_groupings, propose_groupings
from ._product import ProductOfExpertsClassifier, make_product_of_experts

__version__ = "0.1.0.dev0"

__all__ = [
    "GroupingComparison",
    "ModalityBias",
    "ModalityDependencyAnalyzer",
    "ProductOfExpertsClassifier",
    "combine_log_proba",
    "compare_groupings",
    "make_product_of_experts",
    "modality_bias",
    "modality_drivers",
    "propose_groupings",
]
