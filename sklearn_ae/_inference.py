"""The trained network read through its table encoder: rows in, outputs and terms out.

:class:`TableNetwork` is a view: it holds the fitted table encoder and the
trained torch module (both owned by the estimator) and computes, for encoded
rows, the network's inputs with their holes refilled, its outputs, each cell's
reconstruction term, the codes and the decoded rows. It holds no state of its
own, so it is built whenever it is needed.
"""

import numpy as np
import pandas as pd
import torch

from ._columns import as_table
from ._mixed_loss import categorical_term
from ._tabular import MISSING, EncodedTable

# Reconstruct-and-refill rounds given to the holes of a row before it is
# scored, encoded or reconstructed (docs/_design_tabular.md: rows with holes
# scored 10-22 % worse without them, 2-4 % with 3).
REFILL_ROUNDS = 3


def to_tensor(X, device):
    """``X`` as a float32 tensor on ``device``.

    On a CUDA device from page-locked host memory, so that the copy runs by
    DMA, without a staging copy, and overlaps with whatever the GPU still does.
    """
    # C order whatever the input's layout: a matrix product may sum in another order
    # for another layout, and a row's result must not depend on it.
    host = torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32))
    if not str(device).startswith("cuda"):
        return host.to(device)
    return host.pin_memory().to(device, non_blocking=True)


def take_rows(encoded, rows):
    """The rows ``rows`` (a slice or an index array) of an :data:`EncodedTable`."""
    return EncodedTable(*(part[rows] for part in encoded))


class TableNetwork:
    """A trained autoencoder module read through the table encoder it was trained on.

    Parameters
    ----------
    encoder : TableEncoder
        Fitted.
    module : AutoencoderModule
        Trained, in evaluation mode.
    device : str
        Where ``module`` lives.
    clip : float or None
        The training inputs' clip, applied to refilled holes as well.
    """

    def __init__(self, encoder, module, device, clip):
        self.encoder = encoder
        self.module = module
        self.device = device
        self.clip = clip

    def forward(self, inputs):
        """The network's output for model-space inputs, float32 numpy."""
        return _numpy(self.module(to_tensor(inputs, self.device)))

    def completed_inputs(self, encoded, n_rounds=REFILL_ROUNDS):
        """The inputs with each missing entry refilled from the reconstruction.

        ``n_rounds`` times: reconstruct, put the reconstruction of the missing
        entries into the input (a numeric value clipped as training inputs
        are; a categorical column's softmax probabilities), keep the observed
        entries. The network so sees a row with holes as it saw the complete
        training rows, and its observed cells are not reconstructed worse for
        the holes (an EM-style completion). Rows without a hole are returned
        untouched. This is the one refill of missing cells: ``transform``,
        ``impute``, the outlier score and ``score`` (whose hidden cells are
        holes) all go through it.
        """
        missing_numeric = ~encoded.observed
        missing_codes = encoded.codes == MISSING
        holes = missing_numeric.any(axis=1) | missing_codes.any(axis=1)
        if not holes.any():
            return encoded.inputs
        inputs = encoded.inputs.copy()
        rows = np.flatnonzero(holes)
        x = inputs[rows]
        numeric_slice, blocks = self.encoder.output_slices()
        for _ in range(n_rounds):
            out = self.forward(x)
            refill = out[:, numeric_slice]
            if self.clip is not None:
                refill = np.clip(refill, -self.clip, self.clip)
            x[:, numeric_slice] = np.where(missing_numeric[rows], refill, x[:, numeric_slice])
            for k, (block, _) in enumerate(blocks):
                hole = missing_codes[rows, k]
                if block.stop > block.start:  # a column without levels has no inputs
                    x[hole, block] = _softmax(out[hole, block])
        inputs[rows] = x
        return inputs

    def cell_terms(self, encoded, outputs):
        """Each cell's reconstruction term, in the original column order, float64.

        Numeric cells: the squared error in scaled space (numpy, float32
        residuals, so that a row's term does not depend on which rows share its
        chunk). Categorical cells: the normalised cross-entropy of
        :mod:`sklearn_ae._mixed_loss`. Returns ``terms`` (0 where missing) and
        ``counted`` (None when every cell is observed).
        """
        n_numeric = encoded.numeric.shape[1]
        residuals = _numpy(to_tensor(encoded.numeric, self.device) - outputs[:, :n_numeric].float())
        numeric_terms = np.square(residuals, dtype=np.float64)
        if not encoded.codes.shape[1]:
            if encoded.observed.all():
                return numeric_terms, None
            return np.where(encoded.observed, numeric_terms, 0.0), encoded.observed
        _, blocks = self.encoder.output_slices()
        codes = torch.as_tensor(encoded.codes, device=outputs.device)
        categorical = [
            _numpy(categorical_term(outputs[:, block].float(), codes[:, k])).astype(np.float64)
            for k, (block, _) in enumerate(blocks)
        ]
        terms = np.empty((len(numeric_terms), self.encoder.n_features_in_))
        terms[:, self.encoder.numeric_columns_] = np.where(encoded.observed, numeric_terms, 0.0)
        terms[:, self.encoder.categorical_columns_] = np.stack(categorical, axis=1)
        counted = self.observed_cells(encoded)
        return terms, None if counted.all() else counted

    def observed_cells(self, encoded):
        """Which cells are observed, in the original column order (bool)."""
        observed = np.empty((len(encoded.inputs), self.encoder.n_features_in_), dtype=bool)
        observed[:, self.encoder.numeric_columns_] = encoded.observed
        observed[:, self.encoder.categorical_columns_] = encoded.codes != MISSING
        return observed

    def terms(self, encoded, inputs):
        """``cell_terms`` of encoded rows, reconstructed from ``inputs``."""
        return self.cell_terms(encoded, self.module(to_tensor(inputs, self.device)))

    def row_terms(self, encoded):
        """``cell_terms`` of encoded rows, their holes refilled first, and the network
        inputs they were computed from."""
        inputs = self.completed_inputs(encoded)
        terms, counted = self.terms(encoded, inputs)
        return terms, counted, inputs

    def neighbor_rows(self, inputs):
        """Network inputs in the space of the neighbour term: each numeric column's
        standard score, whatever common scale the network learns in."""
        factors = self.encoder.standard_score_factors()
        if factors is None:
            return inputs
        return (inputs * factors).astype(np.float32)

    def hide(self, encoded, hidden):
        """``encoded`` with the ``hidden`` cells (original column order) made missing."""
        hide_numeric = hidden[:, self.encoder.numeric_columns_]
        hide_codes = hidden[:, self.encoder.categorical_columns_]
        numeric = np.where(hide_numeric, np.float32(np.nan), encoded.numeric)
        inputs = encoded.inputs.copy()
        numeric_slice, blocks = self.encoder.output_slices()
        fill = self.encoder.numeric_fill_.astype(np.float32)
        inputs[:, numeric_slice] = np.where(hide_numeric, fill, inputs[:, numeric_slice])
        for k, (block, _) in enumerate(blocks):
            inputs[hide_codes[:, k], block] = 0.0
        codes = np.where(hide_codes, MISSING, encoded.codes)
        return EncodedTable(inputs, numeric, ~np.isnan(numeric), codes)

    def codes(self, encoded):
        """The code ``h`` of encoded rows (holes refilled first), float32."""
        return _numpy(self.module.encode(to_tensor(self.completed_inputs(encoded), self.device)))

    def decode(self, H):
        """The network's output for codes ``H``, float32."""
        return _numpy(self.module.decode(to_tensor(H, self.device)))

    def outputs(self, encoded, n_rounds=REFILL_ROUNDS):
        """The network's output for encoded rows (holes refilled first), float32."""
        return self.forward(self.completed_inputs(encoded, n_rounds))


def _numpy(tensor):
    """A float32 numpy copy of a (possibly bfloat16, possibly CUDA) tensor."""
    return tensor.float().cpu().numpy()


def _is_from_dtype(categorical_features):
    return isinstance(categorical_features, str) and categorical_features == "from_dtype"


def _table_or_none(X, from_dtype):
    """A DataFrame, or a 2-D numpy array (lists as object arrays); else None."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X, dtype=object)
        except ValueError:  # ragged
            return None
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "biufOUS":
        return None
    if from_dtype and X.dtype == object and not any(isinstance(v, (str, bytes)) for v in X.flat):
        return None  # numbers (or worse) in objects: scikit-learn's validation decides
    return as_table(X)


def _keep_categorical_dtypes(filled, X):
    """Give the filled columns the ``category`` dtypes of ``X`` where they fit."""
    for name in filled.columns:
        dtype = X[name].dtype if name in X.columns else None
        if isinstance(dtype, pd.CategoricalDtype) and filled[name].dropna().isin(
            dtype.categories
        ).all():
            filled[name] = filled[name].astype(object).astype(dtype)


def _rows(X, rows):
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
