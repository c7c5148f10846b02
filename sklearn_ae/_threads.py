"""The thread rule: how many CPU threads torch uses during one call.

The networks this library trains by default are small (tens to hundreds of
units, batches of at most 256 rows). For them torch's intra-op threads cost
more in synchronisation than they save, and when another process holds a core,
every parallel step waits for the thread that lost its core: on two cores with
one other busy process a digits fit took 4x longer on two threads than on one
(``benchmarks/threads.py``). So small networks run on one thread; large ones
on all but one of the machine's cores, never more than torch is set to use.

The setting is process-wide in torch; :func:`cpu_threads` sets it for the
length of a call and puts back what was there before, also when the call
raises. numpy's BLAS (the principal axes at the start of training, the
distances of the neighbour term) is left as it is under the rule: its calls are
few and large, so more threads pay and a busy core costs a call at most one
time slice; an explicit thread count limits it too.
"""

import contextlib
import threading

import torch
from joblib import cpu_count
from threadpoolctl import ThreadpoolController

# A training step of at least this many multiply-adds (rows per batch times the
# network's weights) makes a network large. Below it, one thread trained as fast
# as two or faster on an idle two-core machine (digits: 0.21 s against 0.30 s);
# above it, two threads were up to 1.6x faster idle (benchmarks/threads.py).
LARGE_STEP_MULTIPLY_ADDS = 10_000_000


def step_multiply_adds(module, batch_size):
    """Multiply-adds of one forward pass of a training batch, roughly.

    Parameters
    ----------
    module : torch.nn.Module
        The network.
    batch_size : int
        Rows per training step.

    Returns
    -------
    n : int
    """
    return batch_size * sum(p.numel() for p in module.parameters())


def auto_n_threads(multiply_adds):
    """Threads for a network whose training step costs ``multiply_adds``.

    1 for a small network. For a large one, all cores but one (so that one
    other busy process does not stall every step), and never more than
    :func:`torch.get_num_threads`, which already reflects
    ``OMP_NUM_THREADS``, a user's :func:`torch.set_num_threads` and
    threadpoolctl's limits.

    Parameters
    ----------
    multiply_adds : int
        Cost of one training step, from :func:`step_multiply_adds`.

    Returns
    -------
    n_threads : int
    """
    if multiply_adds < LARGE_STEP_MULTIPLY_ADDS:
        return 1
    return max(1, min(_SETTING.outside_threads(), cpu_count() - 1))


class _ThreadSetting:
    """Process-wide bookkeeping so that nested and concurrent calls restore correctly.

    The first call to enter saves torch's setting (and BLAS's limits); each
    call that leaves hands the setting to a call still running, and the last
    one puts the saved setting back.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._requests = []
        self._saved_torch = None
        self._blas_limiter = None
        self._controller = None

    def outside_threads(self):
        """Torch's setting outside every :func:`cpu_threads` call now running."""
        with self._lock:
            return self._saved_torch if self._requests else torch.get_num_threads()

    def _limit_blas(self, n_threads):
        if self._controller is None:
            self._controller = ThreadpoolController()
        return self._controller.limit(limits=n_threads, user_api="blas")

    def enter(self, n_threads, blas):
        with self._lock:
            if not self._requests:
                self._saved_torch = torch.get_num_threads()
                self._blas_limiter = self._limit_blas(n_threads) if blas else None
            self._requests.append(n_threads)
            if torch.get_num_threads() != n_threads:
                torch.set_num_threads(n_threads)

    def leave(self, n_threads):
        with self._lock:
            self._requests.remove(n_threads)
            if self._requests:
                still_running = self._requests[-1]
                if torch.get_num_threads() != still_running:
                    torch.set_num_threads(still_running)
                return
            if self._blas_limiter is not None:
                self._blas_limiter.restore_original_limits()
                self._blas_limiter = None
            if torch.get_num_threads() != self._saved_torch:
                torch.set_num_threads(self._saved_torch)


_SETTING = _ThreadSetting()


@contextlib.contextmanager
def cpu_threads(n_threads, blas=False):
    """Run the body with torch on ``n_threads`` CPU threads.

    Torch's setting before the call is put back afterwards, also when the body
    raises.

    Parameters
    ----------
    n_threads : int
        Threads for the body.
    blas : bool, default=False
        Also limit numpy's BLAS (threadpoolctl) to ``n_threads``, when the
        outermost call asks for it.

    Yields
    ------
    None
    """
    _SETTING.enter(n_threads, blas)
    try:
        yield
    finally:
        _SETTING.leave(n_threads)
