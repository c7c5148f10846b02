"""scikit-learn compatible autoencoders on PyTorch and skorch."""

from ._estimators import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from ._net import TrainingDivergedError
from ._persistence import load
from ._selection import outlier_scorer

__all__ = [
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "DenoisingAutoencoder",
    "TrainingDivergedError",
    "load",
    "outlier_scorer",
]
__version__ = "0.1.0"
