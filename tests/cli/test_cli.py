"""The command line, end to end in a subprocess."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skpoe", *args], capture_output=True, text=True, cwd=cwd,
        timeout=300,
    )


def test_analyze_the_bundled_dataset_by_default(tmp_path):
    result = run("analyze", "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "breast cancer (bundled" in result.stdout
    assert "Regime: intra" in result.stdout
    assert " 10 folds," in result.stdout  # 5 folds, repeated twice
    assert "Analysis wall time" in result.stdout
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "report.txt", "results.csv", "dependencies.csv", "dependencies.png"
    }
    results = pd.read_csv(tmp_path / "out" / "results.csv", index_col="model")
    assert results.loc["intra: worst", "accuracy"] > 0.9
    deps = pd.read_csv(tmp_path / "out" / "dependencies.csv", index_col="expert")
    assert set(deps.index) == {"mean", "error", "worst", "inter"}
    # the product-term inter expert, tested per row against itself without the products
    assert "without the products of columns of different modalities" in result.stdout
    assert deps.loc["inter", "cutoff"] == pytest.approx(1.645, abs=1e-3)


def test_default_output_folder(tmp_path):
    result = run("analyze", "--cv", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "skpoe-output" / "report.txt").exists()


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    frame = pd.DataFrame({
        "img_a": rng.normal(size=120) + y, "img_b": rng.normal(size=120),
        "age": rng.normal(size=120) + y, "site": ["x", "y"] * 60, "label": y, "one": 1,
        "patient": np.arange(120) // 3,
    })
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_analyze_a_parquet_table(csv, tmp_path):
    parquet = tmp_path / "data.parquet"
    pd.read_csv(csv).to_parquet(parquet)
    result = run("analyze", str(parquet), "--target", "label", "--modality", "a=img_a,age",
                 "--cv", "3", "--repeats", "1", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "a (2 columns)" in result.stdout
    assert " 3 folds," in result.stdout  # one repeat of 3 folds (the default: two)


def test_analyze_a_user_table_with_glob_patterns_and_groups(csv, tmp_path):
    result = run("analyze", str(csv), "--target", "label", "--modality", "image=img_*",
                 "--modality", "clinical=age", "--cv", "3", "--groups", "patient",
                 "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "image (2 columns), clinical (1 columns)" in result.stdout
    deps = pd.read_csv(tmp_path / "out" / "dependencies.csv", index_col="expert")
    assert set(deps.index) == {"image", "clinical", "inter"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.csv", "--target", "label", "--modality", "a=x"], "data file not found"),
        (["{csv}", "--target", "nope", "--modality", "a=age"], "unknown target column 'nope'"),
        (["{csv}", "--target", "label", "--modality", "a=agee"], "unknown column 'agee'"),
        (["{csv}", "--target", "label", "--modality", "a=txt_*"],
         "pattern 'txt_*' matches no column"),
        (["{csv}", "--target", "one", "--modality", "a=age"], "has only one class"),
        (["{csv}", "--target", "label", "--modality", "age"], "expected NAME=COL1,COL2"),
        (["{csv}", "--target", "label", "--modality", "a=age", "--groups", "ward"],
         "unknown groups column 'ward'"),
        (["{unreadable}", "--target", "label", "--modality", "a=age"], "cannot read"),
        (["{csv}", "--modality", "a=age"], "--target is required"),
        (["{csv}", "--target", "labell", "--modality", "a=age"],
         "unknown target column 'labell' (did you mean 'label'?)"),
        (["{csv}", "--target", "label", "--modality", "a=age", "--modality", "a=img_a"],
         "modality 'a' is given twice"),
        (["{csv}", "--target", "label", "--modality", "a=age,label"],
         "modality 'a' names the target column 'label'"),
        (["--target", "label", "--modality", "a=age"],
         "--target, --modality given without a data file"),
        (["{empty}", "--target", "label", "--modality", "a=age"], "has 0 rows"),
        (["{csv}", "--target", "label", "--modality", "a=age", "--output", "{csv}"],
         "is a file, not a folder"),
        (["{csv}", "--target", "label", "--modality", "a=age", "--output", "{csv}/out"],
         "cannot write there"),
    ],
)
def test_bad_input_exits_with_one_clear_line(csv, tmp_path, args, message):
    unreadable = tmp_path / "broken.parquet"
    unreadable.write_bytes(b"not a parquet file")
    empty = tmp_path / "empty.csv"
    empty.write_text("img_a,age,label\n")
    paths = {"{csv}": str(csv), "{unreadable}": str(unreadable), "{empty}": str(empty)}
    args = [paths.get(a, a).replace("{csv}", str(csv)) for a in args]
    before = csv.read_bytes()
    result = run("analyze", *args, cwd=tmp_path)
    assert csv.read_bytes() == before  # the user's file is never touched
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr
    assert not (tmp_path / "skpoe-output").exists()  # refused before any output


def test_missing_modality_drop_on_a_holey_table(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, size=n)
    table = pd.DataFrame({
        "img_a": rng.normal(size=n) + y, "img_b": rng.normal(size=n) + y,
        "age": rng.normal(size=n) + 0.8 * y, "bmi": rng.normal(size=n),
        "label": np.where(y, "sick", "well"),
    })
    table.loc[rng.uniform(size=n) < 0.05, ["age", "bmi"]] = np.nan  # clinical absent
    table.loc[rng.uniform(size=n) < 0.03, "img_b"] = np.nan  # scattered
    path = tmp_path / "holey.csv"
    table.to_csv(path, index=False)
    args = ["analyze", str(path), "--target", "label", "--modality", "image=img_*",
            "--modality", "clinical=age,bmi", "--output", str(tmp_path / "out")]
    refused = run(*args)
    assert refused.returncode == 2
    assert "Modality 'clinical' is missing" in refused.stderr
    assert "--missing-modality drop" in " ".join(run("analyze", "--help").stdout.split())
    result = run(*args, "--missing-modality", "drop")
    assert result.returncode == 0, result.stderr
    n_clinical = int(table[["age", "bmi"]].notna().any(axis=1).sum())
    assert f"rows {n_clinical}/{n}" in result.stdout


def test_a_pattern_that_matches_the_target_leaves_it_out_and_says_so(csv, tmp_path):
    result = run("analyze", str(csv), "--target", "label", "--modality", "all=*a*",
                 "--cv", "3", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "pattern '*a*' matches the target column 'label'; it is left out" in result.stderr
    assert "all (3 columns)" in result.stdout  # img_a, img_b, age: not label


def test_help_lists_every_option_with_an_example():
    text = " ".join(run("analyze", "--help").stdout.split())
    for option in ("--target", "--modality", "--groups", "--missing-modality", "--cv", "--repeats",
                   "--random-state", "--n-jobs", "--verbose", "--output"):
        assert option in text
    assert "examples: skpoe analyze" in text


def test_groupings_on_a_user_table(csv, tmp_path):
    result = run("groupings", str(csv), "--target", "label",
                 "--grouping", "two:image=img_*;clinical=age",
                 "--grouping", "one:all=img_*,age", "--include", "singletons", "--cv", "3",
                 "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Recommended:" in result.stdout
    table = pd.read_csv(tmp_path / "out" / "groupings.csv", index_col="grouping")
    assert set(table.index) == {"two", "one", "singletons"}


@pytest.mark.parametrize("args, message", [
    (["groupings", "{csv}", "--target", "label", "--grouping", "two"],
     "expected NAME:mod=COLS;mod=COLS"),
    (["groupings", "{csv}", "--target", "label", "--grouping", "g:a=age;a=img_a"],
     "grouping 'g': modality 'a' is given twice"),
    (["groupings", "{csv}", "--target", "label", "--grouping", "g:a=age",
      "--grouping", "g:b=img_a"], "grouping 'g' is given twice"),
    (["groupings", "--grouping", "g:a=age"], "given without a data file"),
    (["analyze", "--repeats", "0"], "--repeats must be at least 1"),
    (["bias", "{csv}", "--target", "label", "--modality", "a=age", "--model", "nope.pkl"],
     "model file not found"),
])
def test_study_commands_refuse_mistakes(csv, tmp_path, args, message):
    args = [a.replace("{csv}", str(csv)) for a in args]
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert message in result.stderr


def test_bias_of_a_pickled_model_and_of_early_fusion_vs_the_product(csv, tmp_path):
    import pickle

    from sklearn.linear_model import LogisticRegression

    table = pd.read_csv(csv)
    model = LogisticRegression().fit(table[["img_a", "img_b", "age"]].iloc[:60],
                                     table["label"].iloc[:60])

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model))
    holdout = tmp_path / "holdout.csv"
    table[["img_a", "img_b", "age", "label"]].iloc[60:].to_csv(holdout, index=False)
    result = run("bias", str(holdout), "--target", "label", "--modality", "image=img_*",
                 "--modality", "clinical=age", "--model", str(path), "--cv", "3",
                 "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "bias_ratio" in result.stdout and "model.pkl" in result.stdout
    both = run("bias", "--output", str(tmp_path / "out2"))
    assert both.returncode == 0, both.stderr
    assert "== early fusion ==" in both.stdout and "== product of experts ==" in both.stdout
    # each model's interaction use: the product of intra experts cannot interact
    product = both.stdout[both.stdout.index("== product of experts =="):]
    assert "additive projection of the model loses +0.000 +/- 0.000 nats" in product


def test_analyze_maps_pairs_and_decomposes_when_asked(tmp_path):
    result = run("analyze", "--pairs", "--decomposition", "--cv", "3", "--repeats", "1",
                 "--verbose", "0", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Pairs of modalities" in result.stdout
    assert "Information decomposition" in result.stdout
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"pairs.csv", "pairs.png", "decomposition.csv", "decomposition.png"} <= written
    atoms = pd.read_csv(tmp_path / "out" / "decomposition.csv")
    # the bundled views repeat one another: redundancy is most of each view's information
    redundancy = atoms[atoms["atom"] == "redundancy"]["nats"].to_numpy()
    information = atoms[atoms["atom"] == "information"]["nats"].to_numpy()
    assert (redundancy > 0.5 * information).all()


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read_as_tables(csv, tmp_path, sep):
    # a semicolon file as European spreadsheets write it: decimal commas
    other = tmp_path / "european.csv"
    pd.read_csv(csv).to_csv(other, sep=sep, index=False, decimal="," if sep == ";" else ".")
    result = run("analyze", str(other), "--target", "label", "--modality", "a=img_a",
                 "--modality", "b=age", "--cv", "3", "--repeats", "1", "--verbose", "0",
                 "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    comma = run("analyze", str(csv), "--target", "label", "--modality", "a=img_a",
                "--modality", "b=age", "--cv", "3", "--repeats", "1", "--verbose", "0",
                "--output", str(tmp_path / "comma"))
    assert comma.returncode == 0, comma.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "out" / "dependencies.csv"),
                                  pd.read_csv(tmp_path / "comma" / "dependencies.csv"))


@pytest.mark.parametrize("content", [b"not a pickle", b"\x80\x04\x95"])
def test_bias_with_a_model_file_that_is_not_a_pickle_says_so(csv, tmp_path, content):
    model = tmp_path / "model.pkl"
    model.write_bytes(content)
    result = run("bias", str(csv), "--target", "label", "--modality", "a=img_a",
                 "--modality", "b=age", "--model", str(model), "--output", str(tmp_path / "o"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"--model {model}: not a readable pickle of a fitted model" in result.stderr


def test_bias_and_groupings_take_groups_and_leave_absent_modalities_out(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, size=n)
    table = pd.DataFrame({"img_a": rng.normal(size=n) + y, "img_b": rng.normal(size=n),
                          "age": rng.normal(size=n) + y, "bmi": rng.normal(size=n),
                          "label": y, "patient": np.arange(n) // 3})
    table.loc[table.index[:40], ["age", "bmi"]] = np.nan  # clinical absent in 40 rows
    table.loc[table.index[50], "age"] = np.nan  # a NaN inside a present modality
    path = tmp_path / "holey.csv"
    table.to_csv(path, index=False)
    bias = ["bias", str(path), "--target", "label", "--modality", "image=img_*",
            "--modality", "clinical=age,bmi", "--cv", "3", "--output", str(tmp_path / "b")]
    assert "Modality 'clinical' is missing" in run(*bias).stderr
    result = run(*bias, "--missing-modality", "drop", "--groups", "patient")
    assert result.returncode == 0, result.stderr
    assert "== product of experts ==" in result.stdout
    assert "a held-out 30% of the rows (whole 'patient' groups)" in result.stdout
    assert "unknown groups column 'ward'" in run(*bias, "--groups", "ward").stderr
    groupings = ["groupings", str(path), "--target", "label", "--grouping",
                 "two:image=img_*;clinical=age,bmi", "--cv", "3", "--repeats", "1",
                 "--verbose", "0", "--output", str(tmp_path / "g"), "--missing-modality", "drop",
                 "--groups", "patient"]
    result = run(*groupings)
    assert result.returncode == 0, result.stderr


def test_an_empty_column_and_a_blank_group_id_are_named_before_any_fit(csv, tmp_path):
    table = pd.read_csv(csv).assign(empty=np.nan)
    table.loc[5, "patient"] = np.nan
    path = tmp_path / "gaps.csv"
    table.to_csv(path, index=False)
    base = ["analyze", str(path), "--target", "label", "--output", str(tmp_path / "out")]
    empty = run(*base, "--modality", "a=img_a,empty")
    assert empty.returncode == 2 and "Traceback" not in empty.stderr
    assert "Column 'empty' of modality 'a' is empty (NaN in all 120 rows)" in empty.stderr
    blank = run(*base, "--modality", "a=img_a,age", "--groups", "patient")
    assert blank.returncode == 2 and "Traceback" not in blank.stderr
    assert "groups has 1 missing id(s)" in blank.stderr and "first at row 5" in blank.stderr


def test_string_columns_are_one_hot_encoded_by_the_default_experts(csv, tmp_path):
    table = pd.read_csv(csv)
    table.loc[3, "site"] = np.nan  # a missing category too
    table["smoker"] = np.arange(len(table)) % 3 == 0
    path = tmp_path / "clinical.csv"
    table.to_csv(path, index=False)
    result = run("analyze", str(path), "--target", "label", "--modality", "image=img_a,img_b",
                 "--modality", "clinical=age,site,smoker", "--cv", "3", "--repeats", "1",
                 "--verbose", "0", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "(one-hot encoded categorical columns: site, smoker)" in result.stdout
    assert "rows 120/120" in result.stdout  # a missing category is imputed, not dropped
    assert pd.read_csv(path).equals(table.astype({"smoker": bool}))  # the file is untouched


def test_bias_checks_the_analysis_before_fitting_any_model(tmp_path, monkeypatch, capsys):
    from skpoe._cli import _bias as _cli_bias
    from skpoe._cli._main import main

    rng = np.random.default_rng(0)
    n = 200
    y = rng.integers(0, 2, size=n)
    table = pd.DataFrame({"img_a": rng.normal(size=n) + y, "age": rng.normal(size=n),
                          "label": y})
    table.loc[table.index[:40], "age"] = np.nan  # clinical absent: an error by default
    path = tmp_path / "holey.csv"
    table.to_csv(path, index=False)

    def fitted_too_soon(*args, **kwargs):
        raise AssertionError("a model was fitted before the analysis was checked")

    monkeypatch.setattr(_cli_bias, "_fit_two_models", fitted_too_soon)
    code = main(["bias", str(path), "--target", "label", "--modality", "image=img_a",
                 "--modality", "clinical=age", "--output", str(tmp_path / "b")])
    assert code == 2
    assert "Modality 'clinical' is missing" in capsys.readouterr().err
