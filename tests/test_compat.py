"""Private names of scikit-learn and skorch: only in sklearn_ae/_compat.py, and there
still valid; its replacements give the results of the private names they replace."""

import ast
import importlib
import inspect
import pathlib
import warnings

import numpy as np
import pytest
import sklearn
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from sklearn_ae._compat import chunk_n_rows
from sklearn_ae._net import (
    AutoencoderNet,
    RecordingEarlyStopping,
    TensorBatchIterator,
    stopped_early,
)

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "sklearn_ae"
LIBRARIES = ("sklearn", "skorch")
# Attributes without a leading underscore that the libraries do not document.
UNDOCUMENTED = {"misses_"}
# Private names that public classes document as theirs to define: the docstring of
# ClassNamePrefixFeaturesOutMixin asks for _n_features_out.
PROTOCOL = {"_n_features_out"}


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library_module(name):
    return name is not None and name.split(".")[0] in LIBRARIES


def _private_members(trees):
    """Private names of the library classes that the package's classes subclass
    (and of a fresh skorch net), which a subclass could override or read."""
    imported = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _library_module(node.module):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    value = getattr(module, alias.name, None)
                    if inspect.isclass(value):
                        imported[alias.asname or alias.name] = value
    bases = {
        imported[base.id]
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for base in node.bases
        if isinstance(base, ast.Name) and base.id in imported
    }
    names = {name for cls in bases for name in dir(cls) if _private(name)}
    net = NeuralNet(torch.nn.Linear(1, 1), criterion=torch.nn.MSELoss)
    names.update(name for name in vars(net) if _private(name))
    return (names | UNDOCUMENTED) - PROTOCOL


def _offenders():
    trees = {
        path.relative_to(PACKAGE.parent).as_posix(): ast.parse(path.read_text(), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_compat.py"
    }
    members = _private_members(trees)
    found = []
    for path, tree in trees.items():
        module_aliases = set()
        for node in ast.walk(tree):
            where = f"{path}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _library_module(alias.name):
                        module_aliases.add(alias.asname or alias.name.split(".")[0])
                        if any(_private(part) for part in alias.name.split(".")):
                            found.append(f"{where}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and _library_module(node.module):
                for alias in node.names:
                    if any(_private(part) for part in node.module.split(".")) or _private(alias.name):
                        found.append(f"{where}: from {node.module} import {alias.name}")
                    elif inspect.ismodule(
                        getattr(importlib.import_module(node.module), alias.name, None)
                    ):
                        module_aliases.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            where = f"{path}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Attribute):
                root = node
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in module_aliases and _private(node.attr):
                    found.append(f"{where}: {ast.unparse(node)}")
                elif node.attr in members:
                    found.append(f"{where}: .{node.attr}")
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in members:
                        found.append(f"{path}:{item.lineno}: def {node.name}.{item.name}")
    return sorted(set(found))


def test_private_names_only_in_compat():
    offenders = _offenders()
    assert not offenders, (
        "private scikit-learn or skorch names outside sklearn_ae/_compat.py "
        "(use or add a name there):\n" + "\n".join(offenders)
    )


def test_the_private_names_compat_uses_still_exist():
    from sklearn.base import BaseEstimator, _fit_context
    from sklearn.utils._param_validation import Interval, StrOptions

    assert callable(_fit_context) and callable(BaseEstimator._validate_params)
    assert inspect.isclass(Interval) and inspect.isclass(StrOptions)
    # The override of TrainingModeOnChange, and the lists set_training_mode reads.
    assert callable(NeuralNet._set_training)
    assert "_set_training" in inspect.getsource(NeuralNet.validation_step)
    net = NeuralNet(torch.nn.Linear(1, 1), criterion=torch.nn.MSELoss).initialize()
    assert net._modules == ["module"] and net._criteria == ["criterion"]


def test_chunk_n_rows_is_get_chunk_n_rows():
    get_chunk_n_rows = pytest.importorskip("sklearn.utils._chunking").get_chunk_n_rows
    for working_memory in [0.1, 1, 1024]:
        for row_bytes in [1, 1000, 2**20, 2**20 + 1, 3 * 2**30]:  # the last: more than 1024 MiB
            for max_n_rows in [None, 0, 1, 7, 10**9]:
                with sklearn.config_context(working_memory=working_memory):
                    with warnings.catch_warnings(record=True) as theirs:
                        warnings.simplefilter("always")
                        expected = get_chunk_n_rows(row_bytes, max_n_rows=max_n_rows)
                    with warnings.catch_warnings(record=True) as ours:
                        warnings.simplefilter("always")
                        result = chunk_n_rows(row_bytes, max_n_rows=max_n_rows)
                assert result == expected >= 1, (working_memory, row_bytes, max_n_rows)
                assert [(w.category, str(w.message)) for w in ours] == [
                    (w.category, str(w.message)) for w in theirs
                ]


class _Interrupt(Callback):
    """Raises KeyboardInterrupt in the middle of an epoch, as Ctrl-C would."""

    def on_batch_end(self, net, **kwargs):
        if len(net.history) == 2:
            raise KeyboardInterrupt


def _fit(patience, threshold, max_epochs, extra=()):
    stopper = RecordingEarlyStopping(monitor="train_loss", patience=patience,
                                     threshold=threshold, sink=lambda *args: None)
    net = AutoencoderNet(
        torch.nn.Linear(4, 4), criterion=torch.nn.MSELoss, lr=0.01, batch_size=10,
        max_epochs=max_epochs, train_split=None, verbose=0,
        iterator_train=TensorBatchIterator, iterator_valid=TensorBatchIterator,
        callbacks=[*extra, ("early_stopping", stopper)], callbacks__print_log=None,
    )
    X = torch.as_tensor(np.random.RandomState(0).normal(size=(40, 4)), dtype=torch.float32)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net.fit(X)
    return net, stopper


def test_stopped_early_when_early_stopping_ends_training():
    # A relative threshold of 1 counts no epoch after the first as an improvement.
    net, stopper = _fit(patience=2, threshold=1.0, max_epochs=10)
    assert len(net.history) == 3 and stopped_early(net)
    assert stopper.misses_ == stopper.patience  # what the estimator used to read


def test_not_stopped_early_when_the_budget_or_an_interrupt_ends_training():
    net, stopper = _fit(patience=50, threshold=1.0, max_epochs=3)
    assert len(net.history) == 3 and not stopped_early(net)
    net, stopper = _fit(patience=50, threshold=1.0, max_epochs=10,
                        extra=[("interrupt", _Interrupt())])
    assert len(net.history) == 2 and not stopped_early(net)
    assert stopper.misses_ != stopper.patience
    # A second call starts afresh.
    net, _ = _fit(patience=2, threshold=1.0, max_epochs=10)
    net.partial_fit(torch.zeros(8, 4), epochs=1)
    assert not stopped_early(net)


def test_training_mode_is_set_only_on_a_change(monkeypatch):
    calls = []
    original = torch.nn.Module.train

    def train(module, mode=True):
        calls.append(mode)
        return original(module, mode)

    monkeypatch.setattr(torch.nn.Module, "train", train)
    net, _ = _fit(patience=50, threshold=1.0, max_epochs=3)  # 3 epochs of 4 batches
    net.predict(torch.zeros(30, 4))
    assert net.module_.training is False
    assert len(calls) <= 4  # skorch itself would call it once per batch: 12 + 3
