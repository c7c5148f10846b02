"""scikit-learn compatible autoencoders on PyTorch and skorch."""

from ._estimators import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from ._net import TrainingDivergedError
from ._persistence import load

__all__ = [
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "DenoisingAutoencoder",
    "TrainingDivergedError",
    "load",
]
__version__ = "0.1.0"
