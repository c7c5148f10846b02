"""scikit-learn compatible autoencoders on PyTorch and skorch."""

from ._estimators import AutoencoderTransformer
from ._net import TrainingDivergedError

__all__ = ["AutoencoderTransformer", "TrainingDivergedError"]
__version__ = "0.1.0"
