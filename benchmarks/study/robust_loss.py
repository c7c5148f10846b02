"""benchmarks/anomaly.py with the squared error replaced by Huber's loss (issue 13, idea 4).

A cell-wise robust loss: residuals beyond ``delta`` (in scaled units) count linearly, so
a few extreme cells, the outliers' in particular, pull the fit less (the element-wise
analogue of robust deep autoencoders, Zhou & Paffenroth 2017; session 4 measured the
row-wise one, trimming each batch's worst rows). For this process only::

    OMP_NUM_THREADS=1 python benchmarks/study/robust_loss.py 1.0 --half A --methods AE
"""

import sys
from pathlib import Path

from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import anomaly

import sklearn_ae._training as training

if __name__ == "__main__":
    delta = float(sys.argv.pop(1))
    training.LOSSES = dict(training.LOSSES, mse=lambda: nn.HuberLoss(delta=delta))
    anomaly.main()
