"""scikit-learn compatible autoencoders on PyTorch and skorch."""

from ._estimators import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from ._net import TrainingDivergedError

__all__ = [
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "DenoisingAutoencoder",
    "TrainingDivergedError",
]
__version__ = "0.1.0"
