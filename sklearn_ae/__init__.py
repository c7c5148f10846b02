"""scikit-learn compatible autoencoders on PyTorch and skorch."""

from ._distributed import fit_data_parallel
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
    "fit_data_parallel",
    "load",
    "outlier_scorer",
]
__version__ = "0.1.0"
