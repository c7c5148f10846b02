"""verbose=1 shows one tqdm bar per fit; verbose=0 is silent."""

import pickle

import numpy as np

from sklearn_ae import AutoencoderTransformer


def test_verbose_shows_a_progress_bar_not_a_table(capsys):
    X = np.random.RandomState(0).normal(size=(60, 5))
    est = AutoencoderTransformer(2, max_epochs=3, early_stopping=True, verbose=1,
                                 random_state=0).fit(X)
    out, err = capsys.readouterr()
    assert "train_loss" not in out and "dur" not in out  # no PrintLog table
    assert "3/3" in err and "loss=" in err and "valid_loss=" in err
    assert "AutoencoderTransformer" in err
    pickle.loads(pickle.dumps(est))  # the closed bar does not get in the way


def test_quiet_by_default(capsys):
    X = np.random.RandomState(0).normal(size=(60, 5))
    AutoencoderTransformer(2, max_epochs=3, random_state=0).fit(X)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
