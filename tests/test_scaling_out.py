"""Scaling out: partial_fit streaming, dask inputs, a search on a dask cluster."""

import numpy as np
import pytest

from sklearn_ae import AutoencoderTransformer, DaskAutoencoder, DenoisingAutoencoder, load


def _data(n=400, p=6, seed=0):
    rng = np.random.RandomState(seed)
    latent = rng.randn(n, 2)
    return latent @ rng.randn(2, p) + 0.1 * rng.randn(n, p)


# ------------------------------------------------------------------ partial_fit


def test_partial_fit_trains_on_two_chunks_and_keeps_optimizer_state():
    X = _data()
    # Without the shortcut, whose PCA start leaves this nearly linear data little to learn.
    est = AutoencoderTransformer(n_components=2, batch_size=50, lr=1e-2,
                                 linear_shortcut=False, random_state=0)
    est.partial_fit(X[:200])
    steps = {k: float(v["step"]) for k, v in est.net_.optimizer_.state_dict()["state"].items()}
    assert set(steps.values()) == {4.0}  # 200 rows / 50: one epoch
    error_one = est.reconstruction_error(X).mean()
    est.partial_fit(X[200:])
    steps = {k: float(v["step"]) for k, v in est.net_.optimizer_.state_dict()["state"].items()}
    assert set(steps.values()) == {8.0}  # Adam's step count carried over, not reset
    for _ in range(20):
        est.partial_fit(X[:200]).partial_fit(X[200:])
    assert est.reconstruction_error(X).mean() < 0.5 * error_one
    assert est.n_iter_ == 42 and len(est.loss_curve_) == 42
    assert est.n_samples_seen_ == 42 * 200
    np.testing.assert_allclose(est.mean_, X.mean(axis=0))
    # The scaler is fitted on the first chunk and then fixed.
    np.testing.assert_allclose(est.scaler_.mean_, X[:200].mean(axis=0))


def test_partial_fit_is_reproducible_and_checks_width():
    X = _data()
    runs = [
        DenoisingAutoencoder(n_components=2, random_state=3).partial_fit(X[:200]).partial_fit(X[200:])
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].score_samples(X), runs[1].score_samples(X))
    with pytest.raises(ValueError, match="features"):
        runs[0].partial_fit(X[:, :-1])


def test_partial_fit_after_fit_continues_and_saves(tmp_path):
    X = _data()
    est = AutoencoderTransformer(n_components=2, max_epochs=3, random_state=0).fit(X)
    scaler_mean = est.scaler_.mean_.copy()
    est.partial_fit(X[:100])
    assert est.n_iter_ == 4 and est.n_samples_seen_ == 500
    np.testing.assert_array_equal(est.scaler_.mean_, scaler_mean)
    loaded = load(est.save(tmp_path / "model.safetensors"))
    assert loaded.n_samples_seen_ == 500
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))
    loaded.partial_fit(X[100:200])  # resumes where the saved estimator stood
    est.partial_fit(X[100:200])
    assert loaded.n_iter_ == est.n_iter_ == 5 and loaded.n_samples_seen_ == 600
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))


def test_partial_fit_with_sklearn_incremental_pattern():
    from sklearn.utils import gen_batches

    X = _data(600)
    est = AutoencoderTransformer(n_components=2, random_state=0)
    for batch in gen_batches(len(X), 150):
        est.partial_fit(X[batch])
    assert est.n_iter_ == 4
    assert est.predict(X).shape == (600,)


# ------------------------------------------------------------------------- dask


def test_dask_array_inputs_give_lazy_equal_outputs():
    da = pytest.importorskip("dask.array")
    X = _data()
    X_lazy = da.from_array(X, chunks=(64, 3))
    model = DaskAutoencoder(AutoencoderTransformer(n_components=2, max_epochs=3,
                                                   random_state=0)).fit(X_lazy)
    est = model.estimator_
    for method, shape in [
        ("transform", (400, 2)),
        ("reconstruct", (400, 6)),
        ("score_samples", (400,)),
        ("decision_function", (400,)),
        ("predict", (400,)),
    ]:
        lazy = getattr(model, method)(X_lazy)
        assert isinstance(lazy, da.Array), method
        assert lazy.shape == shape
        np.testing.assert_array_equal(lazy.compute(), getattr(est, method)(X))
        # Rows in memory go straight to the fitted estimator.
        np.testing.assert_array_equal(getattr(model, method)(X), getattr(est, method)(X))
    assert model.predict(X_lazy).dtype == est.predict(X).dtype
    with pytest.raises(ValueError, match="features"):
        model.transform(X_lazy[:, :4])


def test_dask_dataframe_inputs_keep_index_and_names():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X = pd.DataFrame(_data(), columns=list("abcdef"))
    lazy_X = dd.from_pandas(X, npartitions=3)
    model = DaskAutoencoder(AutoencoderTransformer(n_components=2, max_epochs=3,
                                                   random_state=0)).fit(lazy_X)
    est = model.estimator_
    codes = model.transform(lazy_X).compute()
    assert list(codes.columns) == list(est.get_feature_names_out())
    np.testing.assert_array_equal(codes.to_numpy(), est.transform(X))
    scores = model.score_samples(lazy_X).compute()
    assert scores.index.equals(X.index)
    # Blocks of another height: float32 products may differ in the last place.
    np.testing.assert_allclose(scores.to_numpy(), est.score_samples(X), rtol=1e-6)


def test_fit_on_dask_array_streams_its_blocks():
    da = pytest.importorskip("dask.array")
    X = _data()
    streamed = DaskAutoencoder(AutoencoderTransformer(n_components=2, max_epochs=2,
                                                      random_state=0))
    streamed.fit(da.from_array(X, chunks=(100, 6)))
    by_hand = AutoencoderTransformer(n_components=2, random_state=0)
    for _ in range(2):
        for start in range(0, 400, 100):
            by_hand.partial_fit(X[start : start + 100])
    fitted = streamed.estimator_
    np.testing.assert_array_equal(fitted.transform(X), by_hand.transform(X))
    assert fitted.n_iter_ == 2 and len(fitted.loss_curve_) == 2
    np.testing.assert_allclose(fitted.mean_, X.mean(axis=0))
    # Refitting forgets the stream.
    streamed.fit(da.from_array(X, chunks=(200, 6)))
    assert streamed.estimator_.n_samples_seen_ == 800


def test_dask_fit_sets_thresholds_from_the_whole_data_as_in_memory():
    # Sorted by one column, the blocks differ: thresholds from one block would
    # flag far more or fewer than the contamination of the whole.
    da = pytest.importorskip("dask.array")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 3)) @ rng.normal(size=(3, 6))
    X = X[np.argsort(X[:, 0])]
    model = DaskAutoencoder(AutoencoderTransformer(2, max_epochs=2, contamination=0.1,
                                                   random_state=0))
    fitted = model.fit(da.from_array(X, chunks=(1000, 6))).estimator_
    assert (fitted.predict(X) == -1).mean() == 0.1
    assert (model.predict(da.from_array(X, chunks=(1000, 6))).compute() == -1).mean() == 0.1
    # The scorer an in-memory fit of the same network on the same rows gets.
    in_memory = fitted._fit_scorer(fitted.encoder_.encode(X), fitted.scorer_.random_state)
    assert in_memory.offset_ == fitted.offset_
    np.testing.assert_array_equal(in_memory.neighbor_reference_, fitted.neighbor_reference_)
    np.testing.assert_array_equal(in_memory.feature_error_scale_, fitted.feature_error_scale_)


def test_estimators_refuse_dask_input_and_name_the_wrapper():
    da = pytest.importorskip("dask.array")
    X_lazy = da.from_array(_data(), chunks=(100, 6))
    est = AutoencoderTransformer(n_components=2, max_epochs=2, random_state=0)
    with pytest.raises(TypeError, match="DaskAutoencoder"):
        est.fit(X_lazy)
    est.fit(_data())
    for method in ("transform", "score_samples", "predict"):
        with pytest.raises(TypeError, match="DaskAutoencoder"):
            getattr(est, method)(X_lazy)


def test_estimators_without_dask_stay_numpy():
    est = AutoencoderTransformer(n_components=2, max_epochs=2, random_state=0).fit(_data())
    assert isinstance(est.transform(_data()), np.ndarray)


# ------------------------------------------------------------ dask distributed


def test_grid_search_on_a_dask_cluster_equals_local_search():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster, get_task_stream
    from joblib import parallel_backend
    from sklearn.model_selection import GridSearchCV

    X = _data(300)
    grid = {"n_components": [1, 2, 3], "noise_level": [0.1, 0.3]}

    def search():
        estimator = DenoisingAutoencoder(max_epochs=5, random_state=0)
        return GridSearchCV(estimator, grid, cv=3).fit(X)  # n_jobs from the backend

    local = search()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        with parallel_backend("dask"), get_task_stream(client) as tasks:
            remote = search()
        workers = {task["worker"] for task in tasks.data}
    assert len(workers) == 2  # the fits ran on both worker processes
    for key in ("mean_test_score", "split0_test_score", "split2_test_score", "rank_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_


# ------------------------------------------------------- data-parallel training


def _data_parallel_worker(rank, world_size, port, X, out):
    import os

    import torch.distributed as dist

    from sklearn_ae import fit_data_parallel

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    try:
        shard = X[rank::world_size]
        # Without the shortcut, whose start would be the principal axes of rank 0's
        # shard, not of the whole data (fit_data_parallel's docstring).
        estimator = AutoencoderTransformer(
            n_components=2, scaling=None, batch_size=len(shard), max_epochs=30,
            lr=1e-2, linear_shortcut=False, random_state=0,
        )
        fit_data_parallel(estimator, shard)
        out[rank] = {k: v.clone() for k, v in estimator.net_.module_.state_dict().items()}
        out[f"loss{rank}"] = estimator.loss_curve_
    finally:
        dist.destroy_process_group()


def test_data_parallel_training_on_two_gloo_processes_equals_full_batch():
    import socket

    import torch.multiprocessing as mp

    X = _data(200).astype(np.float32)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with mp.Manager() as manager:
        out = manager.dict()
        mp.spawn(_data_parallel_worker, args=(2, port, X, out), nprocs=2, join=True)
        out = dict(out)
    single = AutoencoderTransformer(
        n_components=2, scaling=None, batch_size=len(X), max_epochs=30, lr=1e-2,
        linear_shortcut=False, random_state=0,
    ).fit(X)
    for rank in (0, 1):
        for name, value in single.net_.module_.state_dict().items():
            np.testing.assert_allclose(out[rank][name].numpy(), value.numpy(), atol=1e-5)
        np.testing.assert_allclose(out[f"loss{rank}"], single.loss_curve_, rtol=1e-5)
