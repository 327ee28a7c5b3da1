"""Neural experts (skorch) and the jointly trained product of experts (I2M2).

Needs the ``neural`` extra: ``pip install torch==2.13.0 && pip install 'skpoe[neural]'``
(install the CPU build of torch first; a bare ``torch`` requirement pulls a CUDA
build). torch and skorch are imported here only, so ``import skpoe`` works without
them.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skpoe.neural needs torch and skorch: pip install torch==2.13.0 && "
        "pip install 'skpoe[neural]'"
    ) from exc

from ._expert import NeuralExpert
from ._joint import JointProductOfExpertsClassifier
from ._modules import MLP

__all__ = ["MLP", "JointProductOfExpertsClassifier", "NeuralExpert"]
