"""scikit-learn compatible autoencoders on PyTorch and skorch."""

from ._dask import DaskAutoencoder
from ._distributed import fit_data_parallel
from ._estimators import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from ._net import TrainingDivergedError
from ._persistence import load, save
from ._selection import outlier_scorer
from ._version import __version__  # noqa: F401 (sklearn_ae.__version__)

__all__ = [
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "DaskAutoencoder",
    "DenoisingAutoencoder",
    "TrainingDivergedError",
    "fit_data_parallel",
    "load",
    "save",
    "outlier_scorer",
]
