"""The sklearn-ae command line, run in-process through cli.main(argv)."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomllib

import sklearn_ae
from sklearn_ae import cli

QUICK_ARGS = ["-q", "--max-epochs", "20"]


@pytest.fixture
def table(tmp_path):
    rng = np.random.RandomState(0)
    t = rng.uniform(-1.5, 1.5, size=80)
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(80)],
        "a": t, "b": 2 * t + 0.05 * rng.normal(size=80), "c": -t + 0.05 * rng.normal(size=80),
        "d": rng.normal(size=80),
    })
    frame.loc[40, "b"] = -8.0  # breaks the a-b relation: the planted outlier
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame


def run(argv, capsys):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def test_console_script_is_declared():
    pyproject = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["sklearn-ae"] == "sklearn_ae.cli:main"


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "detect", "score", "compress"):
        assert command in out


def test_detect_one_row_per_input_row_and_finds_the_planted_outlier(table, tmp_path, capsys):
    path, frame = table
    out_csv = tmp_path / "scores.csv"
    status, _, err = run(["detect", path, "-o", out_csv, "--contamination", "0.05", *QUICK_ARGS],
                         capsys)
    assert status == 0
    assert "ignoring column(s) id" in err and "identifier" in err
    scores = pd.read_csv(out_csv)
    assert list(scores.columns) == ["row", "anomaly_score", "label", "neighbor_share",
                                    "top_columns"]
    assert scores["row"].tolist() == list(range(1, 81))
    assert set(scores["label"]) == {-1, 1}
    assert (scores["label"] == -1).sum() == 4  # 5 % of 80
    assert scores["anomaly_score"].idxmax() == 40
    assert scores.loc[40, "top_columns"].split(" (")[0] == "b"


def test_detect_states_the_median_training_score(table, tmp_path, capsys):
    """The summary line gives the training rows' median score, which it computes: the
    mean is 2 by construction (one per score term) and says little of a typical row."""
    path, _ = table
    out_csv = tmp_path / "scores.csv"
    status, _, err = run(["detect", path, "-o", out_csv, "--max-epochs", "20"], capsys)
    assert status == 0
    scores = pd.read_csv(out_csv)["anomaly_score"]
    assert f"the median of the training rows is {scores.median():.3g})" in err
    assert "typical training row" not in err
    assert scores.mean() == pytest.approx(2.0, rel=1e-3)


def test_score_states_the_median_of_the_rows_it_scored(table, tmp_path, capsys):
    path, _ = table
    model, out_csv = tmp_path / "m.safetensors", tmp_path / "scores.csv"
    assert run(["detect", path, "--save-model", model, "-o", tmp_path / "o.csv", *QUICK_ARGS],
               capsys)[0] == 0
    status, _, err = run(["score", path, "--model", model, "-o", out_csv], capsys)
    assert status == 0
    median = pd.read_csv(out_csv)["anomaly_score"].median()
    assert f"the median of the rows of {path} is {median:.3g})" in err
    assert "training" not in err


def test_neighbor_share_tells_a_far_row(table, tmp_path, capsys):
    """A row far out along the data's own line is reconstructed well: the distance to
    the nearest training rows, not a column, is what makes it odd, and neighbor_share
    says so while top_columns still names columns only."""
    path, frame = table
    frame.loc[10, ["a", "b", "c"]] = [6.0, 12.0, -6.0]
    frame.to_csv(path, index=False)
    status, out, _ = run(["detect", path, "--top", "1", *QUICK_ARGS], capsys)
    assert status == 0
    result = pd.read_csv(__import__("io").StringIO(out))
    assert result.loc[10, "neighbor_share"] > 0.9
    assert result.loc[10, "top_columns"].split(" (")[0] in {"a", "b", "c", "d"}
    # The planted row 40 breaks the a-b relation: column b, not the distance, explains it.
    assert result.loc[40, "neighbor_share"] < 0.5
    assert result.loc[40, "top_columns"].startswith("b (")


def _shares(top_columns):
    """{column: share} from a top_columns cell such as 'b (41%); a (3%)'."""
    pairs = (item.rsplit(" (", 1) for item in top_columns.split("; "))
    return {name: float(share.rstrip("%)")) / 100 for name, share in pairs}


def test_breast_cancer_top_columns_are_real_columns_and_shares_add_up(tmp_path, capsys):
    """On breast cancer the neighbour term is the largest part of nearly every row's
    score; it has its own column and never hides the columns that explain a row."""
    from sklearn.datasets import load_breast_cancer

    from sklearn_ae._base import NEIGHBOR_COLUMN

    frame = load_breast_cancer(as_frame=True).data
    path = tmp_path / "cancer.csv"
    frame.to_csv(path, index=False)
    n_columns = frame.shape[1]
    status, out, err = run(["detect", path, "--top", n_columns, *QUICK_ARGS], capsys)
    assert status == 0, err
    result = pd.read_csv(__import__("io").StringIO(out))
    assert len(result) == len(frame)
    assert not result["top_columns"].str.contains(NEIGHBOR_COLUMN, regex=False).any()
    assert result["neighbor_share"].between(0, 1).all()
    assert result["neighbor_share"].max() < 1
    for i, cell in enumerate(result["top_columns"]):
        shares = _shares(cell)
        assert set(shares) == set(frame.columns)
        # Each share is rounded to a whole percent.
        total = sum(shares.values()) + result.loc[i, "neighbor_share"]
        assert total == pytest.approx(1, abs=0.005 * n_columns)
    # Python and the command line name the same columns, in the same order.
    table = cli.anomaly_table(sklearn_ae.AutoencoderTransformer(
        random_state=0, max_epochs=20).fit(frame), frame, 3)
    assert table["top_columns"].tolist() == [
        "; ".join(cell.split("; ")[:3]) for cell in result["top_columns"]]
    assert "the median of the training rows is" in err


def test_no_neighbor_share_without_the_neighbour_term(table, tmp_path, capsys):
    path, frame = table
    model = tmp_path / "m.safetensors"
    X = frame[["a", "b", "c", "d"]]
    fitted = sklearn_ae.AutoencoderTransformer(n_neighbors=0, max_epochs=20,
                                               random_state=0).fit(X)
    fitted.save(model)
    status, out, err = run(["score", path, "--model", model, "--top", "4"], capsys)
    assert status == 0, err
    result = pd.read_csv(__import__("io").StringIO(out))
    assert list(result.columns) == ["row", "anomaly_score", "label", "top_columns"]
    for cell in result["top_columns"]:
        assert sum(_shares(cell).values()) == pytest.approx(1, abs=0.02)


def test_detect_on_identical_rows_says_they_are_alike(tmp_path, capsys):
    path = tmp_path / "same.csv"
    pd.DataFrame({"a": [1.0] * 6, "b": [2.0] * 6}).to_csv(path, index=False)
    status, out, err = run(["detect", path, "--max-epochs", "2"], capsys)
    assert status == 0 and "most training rows score 0: they are alike" in err
    assert (pd.read_csv(__import__("io").StringIO(out))["anomaly_score"] == 0).all()


def test_detect_save_then_score_gives_the_same_scores(table, tmp_path, capsys):
    path, frame = table
    model, first, second = tmp_path / "m.safetensors", tmp_path / "1.csv", tmp_path / "2.csv"
    assert run(["detect", path, "-o", first, "--save-model", model,
                "--model-type", "denoising", *QUICK_ARGS], capsys)[0] == 0
    # The same columns in another order, and an extra one: matched by name.
    frame[["d", "c", "b", "a", "id"]].assign(extra=1).to_csv(tmp_path / "new.csv", index=False)
    status, _, err = run(["score", tmp_path / "new.csv", "--model", model, "-o", second],
                         capsys)
    assert status == 0 and "extra" in err
    pd.testing.assert_frame_equal(pd.read_csv(first), pd.read_csv(second))


def test_score_refuses_missing_columns_and_bad_models(table, tmp_path, capsys):
    path, frame = table
    model = tmp_path / "m.safetensors"
    assert run(["detect", path, "--save-model", model, "-o", tmp_path / "o.csv", *QUICK_ARGS],
               capsys)[0] == 0
    frame.drop(columns="c").to_csv(tmp_path / "fewer.csv", index=False)
    status, _, err = run(["score", tmp_path / "fewer.csv", "--model", model], capsys)
    assert status == 2 and "lacks the column(s) c" in err
    damaged = tmp_path / "damaged.safetensors"
    data = bytearray(model.read_bytes())
    data[-3] ^= 0xFF
    damaged.write_bytes(bytes(data))
    status, _, err = run(["score", path, "--model", damaged], capsys)
    assert status == 1 and "checksum" in err
    status, _, err = run(["score", path, "--model", path], capsys)
    assert status == 1 and "not a sklearn_ae model" in err


@pytest.mark.parametrize("name, looks_like", [
    ("model.pkl", "Python pickle"), ("model.zip", "zip archive"), ("model.txt", "text")])
def test_score_with_a_file_that_is_not_a_model_says_so_in_one_line(table, tmp_path, capsys,
                                                                  name, looks_like):
    import pickle
    import zipfile

    path, _ = table
    model = tmp_path / name
    if name.endswith(".pkl"):
        model.write_bytes(pickle.dumps(sklearn_ae.AutoencoderTransformer()))
    elif name.endswith(".zip"):
        with zipfile.ZipFile(model, "w") as archive:
            archive.writestr("model.json", "{}")
    else:
        model.write_text("this is not a model\n" * 10)
    status, out, err = run(["score", path, "--model", model], capsys)
    assert status == 1 and out == ""
    assert err.startswith(f"sklearn-ae score: error: cannot load the model: {model} is not "
                          "a sklearn_ae model file (")
    assert looks_like in err and len(err.strip().splitlines()) == 1


def test_missing_values_and_categorical_columns_are_used(tmp_path, capsys):
    rng = np.random.RandomState(0)
    n = 200
    size = rng.choice(["small", "large"], size=n)
    base = np.where(size == "large", 10.0, 1.0)
    frame = pd.DataFrame({"size": size, **{
        name: k * base + 0.3 * rng.normal(size=n)
        for name, k in (("weight", 1), ("height", 2), ("width", 3))}})
    frame.loc[5, "size"] = "large" if size[5] == "small" else "small"  # out of context
    frame.loc[7, "weight"] = np.nan
    frame.loc[9, "height"] = np.nan
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    status, out, err = run(["detect", path, "--top", "1", *QUICK_ARGS], capsys)
    assert status == 0, err
    table = pd.read_csv(__import__("io").StringIO(out))
    assert len(table) == n and np.isfinite(table["anomaly_score"]).all()
    assert table["anomaly_score"].idxmax() == 5
    # The categorical column is used and named; Python and the CLI agree.
    model = sklearn_ae.AutoencoderTransformer(random_state=0, max_epochs=20).fit(
        pd.read_csv(path))
    contributions = model.score_contributions(pd.read_csv(path)).drop(
        columns="<neighbor distance>")
    python_top = contributions.columns[contributions.to_numpy().argmax(axis=1)]
    assert [t.split(" (")[0] for t in table["top_columns"]] == list(python_top)
    assert "size" in set(python_top)
    np.testing.assert_allclose(table["anomaly_score"], -model.score_samples(pd.read_csv(path)))


def test_parquet_keeps_categorical_columns(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"kind": pd.Categorical(["1", "2", "3"] * 20),
                          "x": np.arange(60.0)})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    assert isinstance(cli.read_table(path)["kind"].dtype, pd.CategoricalDtype)
    model = tmp_path / "m.safetensors"
    status, _, err = run(["detect", path, "--save-model", model, *QUICK_ARGS], capsys)
    assert status == 0, err
    assert sklearn_ae.load(model).encoder_.is_categorical_.tolist() == [True, False]


def test_there_is_no_impute_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "--impute" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["detect", "x.csv", "--impute", "median"])
    assert exit_.value.code == 2


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty"),
        ("a,b\n", "no data rows"),
        ("name,city\nx,y\nz,w\n", "no columns to use"),
        ("a,b\n1,2\n3,4,5,6\n", "cannot read"),
        ("a,b\n1,inf\n2,3\n", "infinite value in column 'b'"),
    ],
)
def test_bad_files_get_one_line_errors(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    status, out, err = run(["detect", path, *QUICK_ARGS], capsys)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_text_encodings(tmp_path, capsys):
    """Excel's cp1252 needs --encoding (the error says so); UTF-16 with its byte-order
    mark is read as is; NUL bytes mean a binary file."""
    text = "café,x\n1,2\n3,4\n5,6.5\n"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.encode("cp1252"))
    status, out, err = run(["detect", latin, *QUICK_ARGS], capsys)
    assert status == 2 and out == "" and "--encoding cp1252" in err
    assert len(err.strip().splitlines()) == 1
    status, out, _ = run(["detect", latin, "--encoding", "cp1252", *QUICK_ARGS], capsys)
    assert status == 0 and "café" in out
    wide = tmp_path / "wide.csv"
    wide.write_text(text, encoding="utf-16")
    status, out, _ = run(["detect", wide, *QUICK_ARGS], capsys)
    assert status == 0 and "café" in out
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)))
    status, _, err = run(["detect", binary, *QUICK_ARGS], capsys)
    assert status == 2 and "binary file" in err
    status, _, err = run(["detect", latin, "--encoding", "klingon", *QUICK_ARGS], capsys)
    assert status == 2 and "no such encoding" in err


def test_unreadable_inputs(tmp_path, capsys):
    status, _, err = run(["detect", tmp_path / "absent.csv"], capsys)
    assert status == 2 and "no such file" in err
    parquet = tmp_path / "junk.parquet"
    parquet.write_bytes(b"not parquet at all")
    status, _, err = run(["detect", parquet], capsys)
    assert status == 2 and ("pyarrow" in err or "cannot read" in err)
    status, _, err = run(["detect", tmp_path], capsys)
    assert status == 2 and "folder" in err


def test_chosen_columns_must_exist(table, capsys):
    path, _ = table
    status, _, err = run(["detect", path, "--columns", "a", "zz", *QUICK_ARGS], capsys)
    assert status == 2 and "no column(s) zz" in err
    # A chosen identifier column is used (categorical), as asked.
    status, _, err = run(["detect", path, "--columns", "a", "id", *QUICK_ARGS], capsys)
    assert status == 0 and "ignoring" not in err


def test_nothing_is_overwritten_without_force(table, tmp_path, capsys):
    path, _ = table
    out_csv = tmp_path / "scores.csv"
    out_csv.write_text("precious")
    status, _, err = run(["detect", path, "-o", out_csv, *QUICK_ARGS], capsys)
    assert status == 2 and "--force" in err and out_csv.read_text() == "precious"
    assert run(["detect", path, "-o", out_csv, "--force", *QUICK_ARGS], capsys)[0] == 0
    assert out_csv.read_text().startswith("row,anomaly_score")


def test_compress_with_new_and_saved_models(table, tmp_path, capsys):
    path, _ = table
    model, codes = tmp_path / "m.safetensors", tmp_path / "codes.csv"
    status, _, _ = run(["compress", path, "--n-components", "2", "-o", codes,
                        "--save-model", model, *QUICK_ARGS], capsys)
    assert status == 0
    first = pd.read_csv(codes)
    assert list(first.columns) == ["code0", "code1"] and len(first) == 80
    status, out, _ = run(["compress", path, "--model", model], capsys)
    assert status == 0
    np.testing.assert_allclose(pd.read_csv(__import__("io").StringIO(out)), first, rtol=1e-12)
    assert run(["compress", path], capsys)[0] == 2


@pytest.mark.parametrize("argv", [
    ["detect", "--contamination", "0.9"],
    ["detect", "--top", "0"],
    ["detect", "--top", "-1"],
    ["score", "--model", "m.safetensors", "--top", "-1"],
    ["compress", "--n-components", "0"],
    ["compress", "--n-components", "-3"],
    ["detect", "--decimal", ";"],
])
def test_bad_option_values_exit_2(table, capsys, argv):
    path, _ = table
    with pytest.raises(SystemExit) as exit_:
        cli.main([argv[0], str(path), *argv[1:]])
    assert exit_.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_demo_prints_numbers_and_writes_figures(tmp_path, capsys):
    status, out, _ = run(["demo", "--quick", "-q", "--out", tmp_path / "figs"], capsys)
    assert status == 0
    assert "PCA" in out and "IsolationForest" in out and "ROC AUC" in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pip install" in out
        return
    names = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert names == sorted(f"sklearn-ae-demo-{n}.png" for n in
                           ("reconstructions", "interpolation", "loss-curve", "scores"))
    for name in names:
        assert (tmp_path / "figs" / name).read_bytes()[:4] == b"\x89PNG"


def test_python_dash_m_runs_the_command_line(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sklearn_ae", "--help"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0
    assert "demo" in done.stdout and "detect" in done.stdout


# ------------------------------------------------------- careless command lines


def test_semicolons_and_decimal_commas_are_sniffed(table, tmp_path, capsys):
    path, frame = table
    european = tmp_path / "european.csv"
    frame.to_csv(european, sep=";", decimal=",", index=False)
    assert ";" in european.read_text() and "," in european.read_text()
    outputs = []
    for extra in ([], ["--sep", ";", "--decimal", ","]):
        out_csv = tmp_path / f"scores{len(extra)}.csv"
        status, _, err = run(["detect", european, "-o", out_csv, *extra, *QUICK_ARGS], capsys)
        assert status == 0, err
        assert "ignoring column(s) id" in err and "identifier" in err
        outputs.append(pd.read_csv(out_csv))
    reference = tmp_path / "reference.csv"
    assert run(["detect", path, "-o", reference, *QUICK_ARGS], capsys)[0] == 0
    pd.testing.assert_frame_equal(outputs[0], pd.read_csv(reference))
    pd.testing.assert_frame_equal(outputs[1], pd.read_csv(reference))


@pytest.mark.parametrize("sep", ["\t", "|"])
def test_other_separators_are_sniffed(table, tmp_path, capsys, sep):
    _, frame = table
    path = tmp_path / "other.csv"
    frame.to_csv(path, sep=sep, index=False)
    status, out, err = run(["compress", path, "--n-components", "2", *QUICK_ARGS], capsys)
    assert status == 0, err
    assert "4 columns -> 2 codes" in err


def test_one_text_column_is_refused_not_scored(table, tmp_path, capsys):
    path, frame = table
    model = tmp_path / "m.safetensors"
    assert run(["detect", path, "--save-model", model, "-o", tmp_path / "o.csv", *QUICK_ARGS],
               capsys)[0] == 0
    semicolons = tmp_path / "semicolons.csv"
    frame.to_csv(semicolons, sep=";", index=False)
    # Forcing the wrong separator: one text column per line.
    for command in (["score", semicolons, "--model", model], ["detect", semicolons, *QUICK_ARGS]):
        status, out, err = run([*command, "--sep", ","], capsys)
        assert status == 2 and out == ""
        assert "single text column" in err and "--sep" in err
        assert len(err.strip().splitlines()) == 1


def test_outputs_cannot_clash_with_each_other_or_the_input(table, tmp_path, capsys):
    path, _ = table
    model = tmp_path / "m.safetensors"
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    before = path.read_bytes()
    cases = [
        ["detect", path, "-o", model, "--save-model", model, "--force"],
        ["detect", path, "-o", path, "--force"],
        ["detect", path, "-o", link, "--force"],
        ["detect", link, "--save-model", path, "--force"],
        ["compress", path, "--n-components", "2", "-o", link, "--force"],
    ]
    for argv in cases:
        status, out, err = run([*argv, *QUICK_ARGS], capsys)
        assert status == 2 and "same file" in err, argv
        assert len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before and not model.exists()
    assert run(["detect", path, "--save-model", model, "-o", tmp_path / "o.csv", *QUICK_ARGS],
               capsys)[0] == 0
    status, _, err = run(["score", path, "--model", model, "-o", model, "--force"], capsys)
    assert status == 2 and "same file" in err
    assert sklearn_ae.load(model).n_features_in_ == 4


def test_unwritable_outputs_are_refused_before_training(table, tmp_path, capsys):
    path, _ = table
    regular = tmp_path / "regular.txt"
    regular.write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cases = {
        "under a file": (["-o", regular / "out.csv"], "is a file"),
        "missing folder": (["-o", tmp_path / "nope" / "out.csv"], "no such folder"),
        "a folder": (["-o", tmp_path, "--force"], "is a folder"),
        "model under a file": (["--save-model", regular / "m.safetensors"], "is a file"),
    }
    if not os.access(locked, os.W_OK):  # root may write anywhere
        cases["no permission"] = (["-o", locked / "out.csv"], "no permission")
    try:
        for name, (extra, message) in cases.items():
            status, out, err = run(["detect", path, *extra, *QUICK_ARGS], capsys)
            assert status == 2 and message in err, name
            assert len(err.strip().splitlines()) == 1
            # Refused before training: no progress, no "flagged" summary.
            assert "flagged" not in err and out == ""
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_write_errors_after_training_are_one_line_exit_1(table, tmp_path, capsys):
    path, _ = table
    status, _, err = run(["detect", path, "-o", "/dev/full", "--force", *QUICK_ARGS], capsys)
    assert status == 1 and "cannot write /dev/full" in err
    assert err.strip().splitlines()[-1].startswith("sklearn-ae detect: error:")


def test_failed_output_write_keeps_the_old_file(table, tmp_path, capsys, monkeypatch):
    from sklearn_ae import _fileformat

    path, _ = table
    out_csv = tmp_path / "scores.csv"
    out_csv.write_text("precious")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fd, *args, **kwargs):
            self.file = real_fdopen(fd, *args, **kwargs)

        def write(self, data):
            self.file.write(data[:10])
            raise OSError(28, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

    monkeypatch.setattr(_fileformat.os, "fdopen", FullDisk)
    status, _, err = run(["detect", path, "-o", out_csv, "--force", *QUICK_ARGS], capsys)
    assert status == 1 and "No space left" in err
    assert out_csv.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "scores.csv"]


def test_duplicate_columns_are_refused(table, capsys):
    path, _ = table
    status, out, err = run(["detect", path, "--columns", "a", "b", "a", *QUICK_ARGS], capsys)
    assert status == 2 and "--columns names a more than once" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("n_components", ["5", "1000000000"])
def test_more_codes_than_columns_is_refused(table, capsys, n_components):
    path, _ = table
    status, out, err = run(["compress", path, "--n-components", n_components,
                            "--columns", "a", "b", "c", "d", *QUICK_ARGS], capsys)
    assert status == 2 and "more than the 4 columns" in err
    assert len(err.strip().splitlines()) == 1
