"""Every measured number in the documentation is the number its benchmark recorded.

``CLAIMS`` registers each number a page quotes with where ``benchmarks/RESULTS.md`` (or a
file it names) records it: a table cell or a literal snippet of one section. The number,
rounded to the digits it is written with, must equal the recorded value, so a default
change that moves a recorded number fails here until the text follows it.
``COPIED_TABLES`` does the same for whole tables copied from a record, cell by cell.

``test_guarded_numbers_are_registered`` keeps the registry complete: in the files of
``GUARDED_FILES``, a number with a decimal point in a sentence about a measurement (ROC
AUC, average precision, time, error against PCA's) must lie in a claim's snippet or be
listed in ``NOT_MEASURED`` with the reason it is no measurement.

To register a number: add ``Claim(doc, snippet, number, section, ...)``; ``doc`` may be
any text file of the repository (``README.md``, ``docs/*.md``, ``sklearn_ae/*.py`` for
docstrings). Snippets are matched with runs of whitespace read as one space, so a snippet
may span a line break or a docstring's indentation; keep it short, unique in its file,
and inside one sentence.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = "benchmarks/RESULTS.md"

# A number as written: 0.762, -0.449, 1,024, 2.5 (in "2.5x"); a minus sign only where it
# cannot be a range's dash ("0.37-0.99" is two numbers); no part of 3.6.7 or of t10k.
NUMBER = re.compile(r"(?:(?<![\w.)\]])[-−])?(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
                    r"(?![\d,]\d)(?!\.\d)")
# The words that make a sentence about a measurement.
MEASUREMENT = re.compile(r"AUC|average precision|x PCA|PCA's|IsolationForest|seconds|MSE"
                         r"|\d m?s\b")


@dataclass(frozen=True)
class Claim:
    """A number in a documentation file and where its benchmark recorded it.

    doc, snippet, number: the file (relative to the repository root), a short text of it
        that contains the number, and the number as written there ("0.762", "207").
    section: a heading of ``results`` (its text, or a prefix that only it has); the
        section runs to the next heading of the same or a higher level.
    Then either a table cell:
        row: the row's first cell, or {column header: cell} for every cell that picks it;
        column: the cell's column header;
        table: only when several tables of the section have that row and column: text
            that only the paragraph just before the wanted table has;
    or recorded: a literal snippet of the section that writes the number.
    The recorded value is the first number of the cell, or a number of ``recorded``;
    ``**`` and backticks of cells are ignored.
    results: the record, RESULTS.md unless the number is in a file it names for its
        tables (``benchmarks/model_selection.md``).
    """

    doc: str
    snippet: str
    number: str
    section: str
    row: "str | dict | None" = None
    column: "str | None" = None
    table: "str | None" = None
    recorded: "str | None" = None
    results: str = RESULTS

    def __str__(self):
        where = (f"'{self.row}'/'{self.column}'" if self.recorded is None
                 else repr(self.recorded))
        return f"{self.doc} {self.number} <- {self.results} '{self.section}' {where}"


@dataclass(frozen=True)
class NotMeasured:
    """A number that the guard would ask for and that is no measurement."""

    doc: str
    snippet: str
    number: str
    reason: str


@dataclass(frozen=True)
class CopiedTable:
    """Every table under a heading of ``doc`` is the same table, in the same order, as
    under a heading of ``results``, cell for cell (bold included)."""

    doc: str
    section: str
    results: str
    results_section: str


# The files whose measurement sentences must be registered.
GUARDED_FILES = [
    "README.md",
    "sklearn_ae/_estimators.py",
    "sklearn_ae/_defaults.py",
    "docs/index.md",
    "docs/choosing.md",
    "docs/coming_from_pyod.md",
    "docs/model_selection.md",
    "docs/scaling_out.md",
]

CURRENT = "Detection: 24 tables, both halves"   # RESULTS.md, "Current defaults"
COMPRESSION = "Compression in the user's units"
TERMS = "Score terms alone and together"


def _choosing(snippet, number, **where):
    return Claim("docs/choosing.md", snippet, number, **where)


def _detection(doc, snippet, number, row, column):
    return Claim(doc, snippet, number, section=CURRENT, row=row, column=column)


def _compression(doc, snippet, number, table, d, column="ratio_raw"):
    return Claim(doc, snippet, number, section=COMPRESSION, row={"table": table, "d": d},
                 column=column)


def _terms(doc, snippet, number, column, row="24 tables"):
    return Claim(doc, snippet, number, section=TERMS, row=row, column=column)


ROC24, AP24, TIMES = "mean ROC AUC, 24 tables", "mean AP, 24 tables", "x IF time, 24 tables"
THREADS = "Threads on a busy machine"
RULE, TORCH = 'rule ("auto")', "torch's setting"


def _threads(doc, snippet, number, case, mode, column):
    return Claim(doc, snippet, number, section=THREADS, row={"case": case, "threads": mode},
                 column=column)

CLAIMS = [
    # docs/choosing.md: the 24-table benchmark and compression at the current defaults.
    _detection("docs/choosing.md", "ROC AUC is 0.772,", "0.772", ROC24, "AE"),
    _detection("docs/choosing.md", "0.772, 0.768 and", "0.768", ROC24, "DAE"),
    _detection("docs/choosing.md", "and 0.772 against", "0.772", ROC24, "CAE"),
    _detection("docs/choosing.md", "IsolationForest's 0.753", "0.753", ROC24, "IF"),
    _detection("docs/choosing.md", "(0.445 against", "0.445", AP24, "IF"),
    _detection("docs/choosing.md", "against 0.416-0.421)", "0.416", AP24, "CAE"),
    _detection("docs/choosing.md", "against 0.416-0.421)", "0.421", AP24, "AE"),
    _detection("docs/choosing.md", "take 2.5x to 3.4x", "2.5", TIMES, "AE"),
    _detection("docs/choosing.md", "take 2.5x to 3.4x", "3.4", TIMES, "CAE"),
    _compression("docs/choosing.md", "is 0.745 x PCA's", "0.745", "mnist", "10"),
    _compression("docs/choosing.md", "0.535-0.750", "0.535", "musk", "16"),
    _compression("docs/choosing.md", "0.535-0.750", "0.750", "mnist", "30"),
    # README.md
    _terms("README.md", "0.738 for the reconstruction term alone", "0.738", "reconstruction alone"),
    _terms("README.md", "0.762 for\nthe neighbour term alone", "0.762", "neighbour alone"),
    _terms("README.md", "0.772 for both", "0.772", "both (the score)"),
    _compression("README.md", "MNIST 0.745 (d = 10)", "0.745", "mnist", "10"),
    _compression("README.md", "and 0.750 (d = 30)", "0.750", "mnist", "30"),
    _compression("README.md", "digits\n  0.690 (d = 8)", "0.690", "digits", "8"),
    _compression("README.md", "and 0.712 (d = 16)", "0.712", "digits", "16"),
    _compression("README.md", "musk 0.535", "0.535", "musk", "16"),
    _compression("README.md", "letter 0.669", "0.669", "letter", "8"),
    _compression("README.md", "optdigits 0.654", "0.654", "optdigits", "8"),
    _compression("README.md", "satimage-2\n  0.868", "0.868", "satimage-2", "8"),
    _compression("README.md", "code 0.866 and", "0.866", "mnist", "10", "acc_ae"),
    _compression("README.md", "0.866 and 0.916 on MNIST", "0.916", "mnist", "30", "acc_ae"),
    _compression("README.md", "against 0.835 and", "0.835", "mnist", "10", "acc_pca_raw"),
    _compression("README.md", "0.835 and 0.915", "0.915", "mnist", "30", "acc_pca_raw"),
    _compression("README.md", "takes 6.5 s", "6.5", "mnist", "10", "ae_fit_s"),
    _detection("README.md", "ROC AUC 0.772 (plain)", "0.772", ROC24, "AE"),
    _detection("README.md", "0.768 (denoising)", "0.768", ROC24, "DAE"),
    _detection("README.md", "0.772 (contractive)", "0.772", ROC24, "CAE"),
    _detection("README.md", "against IsolationForest's\n  0.753", "0.753", ROC24, "IF"),
    _detection("README.md", "average precision 0.421", "0.421", AP24, "AE"),
    _detection("README.md", "0.421, 0.420, 0.416", "0.420", AP24, "DAE"),
    _detection("README.md", "0.420, 0.416 against", "0.416", AP24, "CAE"),
    _detection("README.md", "against its 0.445", "0.445", AP24, "IF"),
    _detection("README.md", "fit and score in 2.5x", "2.5", TIMES, "AE"),
    _detection("README.md", "2.5x and 3.4x", "3.4", TIMES, "CAE"),
    _detection("README.md", "2.5x, 2.5x and", "2.5", TIMES, "DAE"),
    _threads("README.md", "(14 s on the project's idle", "14", "demo", RULE, "idle"),
    _threads("README.md", "15 s with another busy", "15", "demo", RULE, "1 busy"),
    _threads("README.md", "takes 0.39 s with the", "0.39", "digits fit (d=8)", RULE, "1 busy"),
    _threads("README.md", "rule and 1.67 s on", "1.67", "digits fit (d=8)", TORCH, "1 busy"),
    _threads("README.md", "`cross_val_score` 1.78 s", "1.78", "cross_val_score, 3-fold Pipeline",
             RULE, "1 busy"),
    _threads("README.md", "against 4.52 s", "4.52", "cross_val_score, 3-fold Pipeline",
             TORCH, "1 busy"),
    _threads("sklearn_ae/_estimators.py", "took 1.67 s on two", "1.67", "digits fit (d=8)",
             TORCH, "1 busy"),
    _threads("sklearn_ae/_estimators.py", "threads and 0.39 s on one", "0.39", "digits fit (d=8)",
             RULE, "1 busy"),
    # sklearn_ae/_defaults.py
    Claim("sklearn_ae/_defaults.py", "of 0.811 against", "0.811",
          section="Fit seconds (mean per seed)", recorded="max(2d, 4) | 0.811"),
    Claim("sklearn_ae/_defaults.py", "against 0.797 for", "0.797",
          section="Fit seconds (mean per seed)", recorded="(`score_samples`) | 0.797"),
    Claim("sklearn_ae/_defaults.py", "held-out error 1.25x", "1.25",
          results="benchmarks/study/DEFAULTS_STUDY.md", section="Linear shortcut started at PCA",
          recorded="held-out error 1.25x PCA's with the clip"),
    Claim("sklearn_ae/_defaults.py", "0.99x without", "0.99",
          results="benchmarks/study/DEFAULTS_STUDY.md", section="Linear shortcut started at PCA",
          recorded="0.99x without"),
    # CHANGELOG.md, the latest entry
    _compression("CHANGELOG.md", "is 0.745 and 0.750 times PCA's", "0.745", "mnist", "10"),
    _compression("CHANGELOG.md", "is 0.745 and 0.750 times PCA's", "0.750", "mnist", "30"),
    _compression("CHANGELOG.md", "0.690 and 0.712 on digits", "0.690", "digits", "8"),
    _compression("CHANGELOG.md", "0.690 and 0.712 on digits", "0.712", "digits", "16"),
    _detection("CHANGELOG.md", "ROC AUC is 0.772, 0.768 and 0.772", "0.772", ROC24, "AE"),
    _detection("CHANGELOG.md", "ROC AUC is 0.772, 0.768 and 0.772", "0.768", ROC24, "DAE"),
    _detection("CHANGELOG.md", "0.768 and 0.772 (plain", "0.772", ROC24, "CAE"),
    _detection("CHANGELOG.md", "against IsolationForest's 0.753, in 2.5x", "0.753", ROC24, "IF"),
    _detection("CHANGELOG.md", "in 2.5x, 2.5x and 3.4x its time", "2.5", TIMES, "AE"),
    _detection("CHANGELOG.md", "in 2.5x, 2.5x and 3.4x its time", "3.4", TIMES, "CAE"),
    # docs/index.md
    Claim("docs/index.md", "ROC AUC 0.956 (seeds", "0.956", section="Mixed table (categ",
          row="AutoencoderTransformer()", column="ROC AUC"),
    Claim("docs/index.md", "(seeds\n0.940-0.965)", "0.940", section="Mixed table (categ",
          row="AutoencoderTransformer()", column="seed range"),
    Claim("docs/index.md", "0.940-0.965) against", "0.965", section="Mixed table (categ",
          recorded="0.940-0.965"),
    Claim("docs/index.md", "against 0.782 for IsolationForest", "0.782",
          section="Mixed table (categ", row="IsolationForest, one-hot + mean-filled",
          column="ROC AUC"),
    Claim("docs/index.md", "impute with 0.117 of", "0.117", section="Mixed table (categ",
          row="AutoencoderTransformer()", column="imputation / mean's"),
    _terms("docs/index.md", "ROC AUC of 0.738", "0.738", "reconstruction alone"),
    _terms("docs/index.md", "neighbour term alone 0.762", "0.762", "neighbour alone"),
    _terms("docs/index.md", "the score 0.772", "0.772", "both (the score)"),
    _detection("docs/index.md", "mean ROC AUC is 0.772 (plain)", "0.772", ROC24, "AE"),
    _detection("docs/index.md", "0.768 (denoising)", "0.768", ROC24, "DAE"),
    _detection("docs/index.md", "and 0.772\n(contractive)", "0.772", ROC24, "CAE"),
    _detection("docs/index.md", "against 0.753 for `IsolationForest`", "0.753", ROC24, "IF"),
    _detection("docs/index.md", "decided on\n0.753,", "0.753", "mean ROC AUC, half A", "AE"),
    _detection("docs/index.md", "0.753, 0.752 and", "0.752", "mean ROC AUC, half A", "DAE"),
    _detection("docs/index.md", "0.752 and 0.761", "0.761", "mean ROC AUC, half A", "CAE"),
    _detection("docs/index.md", "0.761 against its 0.753", "0.753", "mean ROC AUC, half A", "IF"),
    _detection("docs/index.md", "0.783 against\nits 0.753", "0.753", "mean ROC AUC, half B", "IF"),
    _detection("docs/index.md", "half 0.792,", "0.792", "mean ROC AUC, half B", "AE"),
    _detection("docs/index.md", "0.792, 0.784 and", "0.784", "mean ROC AUC, half B", "DAE"),
    _detection("docs/index.md", "0.784 and 0.783", "0.783", "mean ROC AUC, half B", "CAE"),
    _detection("docs/index.md", "higher (0.445 against", "0.445", AP24, "IF"),
    _detection("docs/index.md", "against 0.421, 0.420", "0.421", AP24, "AE"),
    _detection("docs/index.md", "0.421, 0.420\nand", "0.420", AP24, "DAE"),
    _detection("docs/index.md", "and 0.416)", "0.416", AP24, "CAE"),
    _detection("docs/index.md", "take 2.5x IsolationForest's time", "2.5", TIMES, "AE"),
    _detection("docs/index.md", "autoencoders take 2.5x to", "2.5", TIMES, "AE"),
    _detection("docs/index.md", "2.5x to 3.4x its time", "3.4", TIMES, "CAE"),
    _detection("docs/index.md", "estimator\n3.4x)", "3.4", TIMES, "CAE"),
    _compression("docs/index.md", "is 0.745 (d = 10)", "0.745", "mnist", "10"),
    _compression("docs/index.md", "and 0.750 (d = 30)", "0.750", "mnist", "30"),
    _compression("docs/index.md", "0.690\n(d = 8)", "0.690", "digits", "8"),
    _compression("docs/index.md", "and 0.712 (d = 16)", "0.712", "digits", "16"),
    _compression("docs/index.md", "0.535 on musk", "0.535", "musk", "16"),
    _compression("docs/index.md", "0.669 on letter", "0.669", "letter", "8"),
    _compression("docs/index.md", "0.654 on\noptdigits", "0.654", "optdigits", "8"),
    _compression("docs/index.md", "(MNIST: 0.866 and", "0.866", "mnist", "10", "acc_ae"),
    _compression("docs/index.md", "0.866 and 0.916", "0.916", "mnist", "30", "acc_ae"),
    _compression("docs/index.md", "against 0.835 and", "0.835", "mnist", "10", "acc_pca_raw"),
    _compression("docs/index.md", "0.835 and 0.915", "0.915", "mnist", "30", "acc_pca_raw"),
    _compression("docs/index.md", "in 6.5 s", "6.5", "mnist", "10", "ae_fit_s"),
    # sklearn_ae/_estimators.py: the defaults paragraph and n_neighbors.
    _compression("sklearn_ae/_estimators.py", "0.745 and 0.750 times PCA's", "0.745", "mnist", "10"),
    _compression("sklearn_ae/_estimators.py", "0.745 and 0.750 times PCA's", "0.750", "mnist", "30"),
    _compression("sklearn_ae/_estimators.py", "0.690 and 0.712 times", "0.690", "digits", "8"),
    _compression("sklearn_ae/_estimators.py", "0.690 and 0.712 times", "0.712", "digits", "16"),
    _detection("sklearn_ae/_estimators.py", "mean ROC AUC is 0.772 against", "0.772", ROC24, "AE"),
    _detection("sklearn_ae/_estimators.py", "against IsolationForest's 0.753", "0.753", ROC24, "IF"),
    _detection("sklearn_ae/_estimators.py", "in 2.5 times its time", "2.5", TIMES, "AE"),
    _terms("sklearn_ae/_estimators.py", "alone has a mean ROC AUC of 0.738", "0.738",
           "reconstruction alone"),
    _terms("sklearn_ae/_estimators.py", "this term alone 0.762", "0.762", "neighbour alone"),
    _terms("sklearn_ae/_estimators.py", "both 0.772", "0.772", "both (the score)"),
    # docs/model_selection.md: the run time under its copied tables.
    Claim("docs/model_selection.md", "207 s, torch threads: 1.", "207",
          results="benchmarks/model_selection.md", section="Chosen d",
          recorded="207 s, torch threads: 1."),
]

COPIED_TABLES = [
    CopiedTable("docs/model_selection.md", "Measured: score vs d",
                "benchmarks/model_selection.md", "Code size chosen by each criterion"),
]

BY_A_TEST = "measured and asserted by tests/test_estimators.py, not by a benchmark"
BY_AN_EXAMPLE = "printed by docs/examples/plot_mnist_denoising.py, checked by tests/test_examples.py"

NOT_MEASURED = [
    NotMeasured("sklearn_ae/_estimators.py", 'float in (0, 0.5], default="auto"', "0.5",
                "the parameter's range"),
    NotMeasured("sklearn_ae/_estimators.py", "``Q3 + 1.5 IQR``", "1.5", "Tukey's fence, a definition"),
    NotMeasured("sklearn_ae/_defaults.py", '"momentum": 0.9', "0.9", "an optimizer setting"),
    NotMeasured("sklearn_ae/_defaults.py", "torch.optim.LBFGS, 1.0,", "1.0", "a learning rate"),
    NotMeasured("README.md", "`Q3 + 1.5 IQR` of the training rows' scores", "1.5",
                "Tukey's fence, a definition"),
    NotMeasured("README.md", "at most 1.01 times PCA's", "1.01",
                "the bound tests/test_base.py asserts, not a measured value"),
    NotMeasured("docs/index.md", "a float in (0, 0.5]", "0.5", "the parameter's range"),
    NotMeasured("docs/index.md", "plain 0.105, denoising (`noise_level=0.5`) 0.036", "0.105",
                BY_A_TEST),
    NotMeasured("docs/index.md", "(`noise_level=0.5`) 0.036", "0.5", "a parameter value"),
    NotMeasured("docs/index.md", "(`noise_level=0.5`) 0.036", "0.036",
                BY_A_TEST),
    NotMeasured("docs/index.md", "unchanged: 0.117", "0.117",
                BY_A_TEST),
    NotMeasured("docs/index.md", "plain 0.0457", "0.0457",
                BY_AN_EXAMPLE),
    NotMeasured("docs/index.md", "denoising 0.0194", "0.0194",
                BY_AN_EXAMPLE),
    NotMeasured("docs/index.md", "unchanged 0.0570", "0.0570",
                BY_AN_EXAMPLE),
    NotMeasured("docs/index.md", "(`contraction=0.1`) `||J||_F`", "0.1", "a parameter value"),
    NotMeasured("docs/choosing.md", "more than 0.1 above IsolationForest's", "0.1",
                "the margin tests/test_examples.py asserts, not a measured value"),
    NotMeasured("docs/coming_from_pyod.md", "(`offset_ = -0.5` on its own", "-0.5",
                "IsolationForest's fixed offset for contamination='auto' (a definition)"),
    NotMeasured("docs/model_selection.md", "AUC < 0.5", "0.5",
                "the AUC of a random ranking, the line the sentence compares with"),
]


# --- reading the files -------------------------------------------------------------------

def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


def _read(path):
    return (ROOT / path).read_text(encoding="utf-8")


def _lines_outside_fences(text):
    """(index, line) of the lines that are not inside a ``` fenced block."""
    fenced = False
    for i, line in enumerate(text.splitlines()):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield i, line


def _section(path, heading):
    """The lines under the one heading of ``path`` that starts with ``heading``."""
    lines = _read(path).splitlines()
    headings = [(i, len(m.group(1)), m.group(2).strip())
                for i, line in _lines_outside_fences("\n".join(lines))
                if (m := re.match(r"(#{1,6}) (.*)", line))]
    found = [h for h in headings if h[2].startswith(heading)]
    if len(found) != 1:
        names = [h[2] for h in found] or "no heading"
        raise LookupError(f"{path}: section {heading!r} matches {names}")
    start, level, _ = found[0]
    end = next((i for i, lev, _ in headings if i > start and lev <= level), len(lines))
    return start + 1, lines[start + 1:end]


def _cells(line, keep_bold=False):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if keep_bold:
        return cells
    return [c.replace("**", "").replace("`", "").strip() for c in cells]


def _tables(lines, first=0, keep_bold=False):
    """The markdown tables of ``lines``: dicts of header, rows, the text before the table
    (back to the previous table) and the file line numbers the table spans."""
    tables, before, i = [], [], 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            rows = [_cells(line, keep_bold) for line in lines[i:j]
                    if not re.fullmatch(r"\|?[\s|:-]+\|?", line.strip())]
            tables.append(dict(header=rows[0], rows=rows[1:], before=_norm(" ".join(before)),
                               lines=range(first + i, first + j)))
            before, i = [], j
        else:
            before.append(lines[i])
            i += 1
    return tables


def _numbers(text):
    return [(m.start(), m.group()) for m in NUMBER.finditer(text)]


def _value(written):
    return Decimal(written.replace(",", "").replace("−", "-"))


# --- finding the recorded value ------------------------------------------------------------

def _matching_rows(claim, table):
    header = table["header"]
    want = claim.row if isinstance(claim.row, dict) else {header[0]: claim.row}
    if claim.column not in header or any(name not in header for name in want):
        return []
    return [r for r in table["rows"]
            if all(r[header.index(name)] == cell for name, cell in want.items())]


def _recorded_cell(claim, lines):
    tables = _tables(lines)
    if claim.table is not None:
        tables = [t for t in tables if _norm(claim.table) in t["before"]]
    found = [(t, r) for t in tables for r in _matching_rows(claim, t)]
    if len(found) != 1:
        raise LookupError(f"{len(found)} rows {claim.row!r} with a column {claim.column!r} "
                          f"in {len(tables)} tables" + (" (say which with table=...)"
                                                        if len(found) > 1 else ""))
    table, row = found[0]
    cell = row[table["header"].index(claim.column)]
    numbers = _numbers(cell)
    if not numbers:
        raise LookupError(f"cell {cell!r} has no number")
    return cell, [numbers[0][1]]


def _recorded_snippet(claim, lines):
    if _norm(claim.recorded) not in _norm("\n".join(lines)):
        raise LookupError(f"the section does not say {claim.recorded!r}")
    return claim.recorded, [n for _, n in _numbers(claim.recorded)]


def _rounds_to(recorded, written):
    want = _value(written)
    exponent = want.as_tuple().exponent
    got = _value(recorded)
    if got.as_tuple().exponent > exponent:
        return False  # the text claims digits the record does not have
    step = Decimal(1).scaleb(exponent)
    return want in {got.quantize(step, ROUND_HALF_UP), got.quantize(step, ROUND_HALF_EVEN)}


def _has_number(text, number):
    return any(n == number for _, n in _numbers(_norm(text)))


# --- the tests -------------------------------------------------------------------------------

def _check(condition, message):
    """Fail with ``message`` alone: which file, which number, what the record has."""
    if not condition:
        pytest.fail(message, pytrace=False)


def test_numbers_are_read_as_written():
    text = "0.37-0.99 x PCA's, -0.449 (1,024 rows) 2.5x IF; torch 3.6.7, t10k, (0.806, 0.814)"
    assert [n for _, n in _numbers(text)] == [
        "0.37", "0.99", "-0.449", "1,024", "2.5", "0.806", "0.814"]
    assert _rounds_to("0.998", "1.00") and _rounds_to("0.673", "0.67")
    assert _rounds_to("0.675", "0.68") and _rounds_to("207", "207")
    assert not _rounds_to("0.6", "0.60") and not _rounds_to("0.59", "0.60")


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.doc}:{c.number}:{c.snippet}")
def test_documented_number_is_the_recorded_one(claim):
    text = _norm(_read(claim.doc))
    found = text.count(_norm(claim.snippet))
    _check(found == 1, f"{claim.doc}: snippet {claim.snippet!r} found {found} times, not once")
    _check(_has_number(claim.snippet, claim.number),
           f"{claim.doc}: {claim.number!r} is not a number of the snippet {claim.snippet!r}")
    _check((claim.row is None) != (claim.recorded is None), f"{claim}: give row or recorded")
    pick = _recorded_cell if claim.recorded is None else _recorded_snippet
    try:
        where, recorded = pick(claim, _section(claim.results, claim.section)[1])
    except LookupError as error:
        lost = f"{claim}: {error}"
    else:
        lost = None
    _check(not lost, lost)
    _check(any(_rounds_to(r, claim.number) for r in recorded),
           f"{claim.doc} says {claim.number} ({claim.snippet!r}); {claim.results} "
           f"'{claim.section}' has {where!r}")


@pytest.mark.parametrize("copy", COPIED_TABLES, ids=lambda c: f"{c.doc}:{c.section}")
def test_copied_tables_are_the_recorded_ones(copy):
    ours = _tables(_section(copy.doc, copy.section)[1], keep_bold=True)
    theirs = _tables(_section(copy.results, copy.results_section)[1], keep_bold=True)
    _check(len(ours) == len(theirs),
           f"{copy.doc} '{copy.section}' has {len(ours)} tables, {copy.results} {len(theirs)}")
    for k, (a, b) in enumerate(zip(ours, theirs), 1):
        _check(a["header"] == b["header"],
               f"{copy.doc} table {k}: header {a['header']}, {copy.results} {b['header']}")
        _check(len(a["rows"]) == len(b["rows"]),
               f"{copy.doc} table {k}: {len(a['rows'])} rows, {copy.results} {len(b['rows'])}")
        for row_a, row_b in zip(a["rows"], b["rows"]):
            for column, cell_a, cell_b in zip(a["header"], row_a, row_b):
                _check(cell_a == cell_b,
                       f"{copy.doc} table {k} row {row_a[0]!r} column {column!r} says "
                       f"{cell_a!r}; {copy.results} has {cell_b!r}")


@pytest.mark.parametrize("entry", NOT_MEASURED, ids=lambda e: f"{e.doc}:{e.number}")
def test_allowance_is_still_in_its_file(entry):
    _check(_norm(entry.snippet) in _norm(_read(entry.doc)),
           f"{entry.doc}: NOT_MEASURED snippet {entry.snippet!r} is gone; remove the entry")
    _check(_has_number(entry.snippet, entry.number),
           f"{entry.doc}: {entry.number!r} is not a number of {entry.snippet!r}")


def _sentences(path):
    """(first line number, sentence) of the prose of ``path``: table rows one by one,
    list items and paragraphs split at sentence ends; code blocks left out."""
    text = _read(path)
    kept = dict(_lines_outside_fences(text))
    lines = text.splitlines()
    units, block = [], []

    def flush():
        code = path.endswith(".md") and all(line.startswith("    ") for _, line in block)
        if block and not code:
            prose = _norm(" ".join(line for _, line in block))
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z`*(\[])", prose):
                units.append((block[0][0] + 1, sentence))
        block.clear()

    for i, line in enumerate(lines):
        if i not in kept or not line.strip():
            flush()
        elif line.lstrip().startswith("|"):
            flush()
            units.append((i + 1, _norm(line)))
        else:
            if re.match(r"\s*(?:[-*+]|\d+\.) ", line):
                flush()
            block.append((i, line))
    flush()
    return units


def _covered(path, sentence):
    """Positions of the numbers of ``sentence`` that a claim or an allowance names."""
    covered = set()
    for entry in [*CLAIMS, *NOT_MEASURED]:
        if entry.doc != path:
            continue
        snippet = _norm(entry.snippet)
        for start in (m.start() for m in re.finditer(re.escape(snippet), sentence)):
            covered |= {start + at for at, n in _numbers(snippet) if n == entry.number}
    return covered


@pytest.mark.parametrize("path", GUARDED_FILES)
def test_guarded_numbers_are_registered(path):
    copied = {i + 1 for copy in COPIED_TABLES if copy.doc == path
              for start, lines in [_section(copy.doc, copy.section)]
              for table in _tables(lines, first=start) for i in table["lines"]}
    missing = []
    for line, sentence in _sentences(path):
        if line in copied or not MEASUREMENT.search(sentence):
            continue
        covered = _covered(path, sentence)
        missing += [f"{path} (paragraph at line {line}): {number} in "
                    f"'...{sentence[max(at - 40, 0):at + 40]}...'"
                    for at, number in _numbers(sentence)
                    if "." in number and at not in covered]
    _check(not missing, "numbers of measurement sentences in no CLAIMS or NOT_MEASURED "
                        "entry:\n" + "\n".join(missing))
