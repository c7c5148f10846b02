"""A tqdm progress bar for fits: one bar per fit, epochs with the losses."""

from skorch.callbacks import Callback


class ProgressBar(Callback):
    """Show a tqdm bar over the epochs of a fit, with the last losses.

    Used instead of skorch's ``PrintLog`` table when the estimator's
    ``verbose`` is 1 or more. The bar writes to standard error and is closed
    at the end of the fit (also when training stops early or fails).

    Parameters
    ----------
    desc : str or None, default=None
        Label shown at the left of the bar.
    """

    def __init__(self, desc=None):
        self.desc = desc

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=net.max_epochs, desc=self.desc, unit="epoch", leave=True)

    def on_epoch_end(self, net, **kwargs):
        last = net.history[-1]
        postfix = {"loss": f"{last['train_loss']:.4g}"}
        if "valid_loss" in last:
            postfix["valid_loss"] = f"{last['valid_loss']:.4g}"
        self.bar_.set_postfix(postfix, refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.close()

    def close(self):
        bar = getattr(self, "bar_", None)
        if bar is not None:
            bar.close()
        self.bar_ = None

    def __getstate__(self):  # an open bar holds a stream
        state = dict(self.__dict__)
        state["bar_"] = None
        return state
