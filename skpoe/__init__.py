"""skpoe: measure and model the modalities of a table with a product of experts."""

from ._analyzer import ModalityDependencyAnalyzer
from ._combine import combine_log_proba
from ._contributions import modality_drivers
from ._product import ProductOfExpertsClassifier, make_product_of_experts

__version__ = "0.1.0.dev0"

__all__ = [
    "ModalityDependencyAnalyzer",
    "ProductOfExpertsClassifier",
    "combine_log_proba",
    "make_product_of_experts",
    "modality_drivers",
]
