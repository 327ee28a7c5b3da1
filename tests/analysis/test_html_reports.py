"""The notebook reports parse, and hold the figure, every table and a legend per column."""

from html.parser import HTMLParser

import matplotlib
import pytest
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer, compare_groupings, modality_bias
from skpoe.datasets import make_planted_modalities

matplotlib.use("Agg")


class _Structure(HTMLParser):
    """Counts tags, the rows of each table, and checks that tags close in order."""

    VOID = {"br", "img", "meta", "hr", "input", "link", "path", "use", "rect", "circle",
            "line", "polyline", "polygon", "stop", "ellipse", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.tables, self.count = [], [], {}

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag == "table":
            self.tables.append(0)
        if tag == "tr" and self.stack and "tbody" in self.stack:
            self.tables[-1] += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def structure(html):
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert not parser.stack, parser.stack  # every tag closed
    return parser


@pytest.fixture(scope="module")
def planted():
    data = make_planted_modalities("noise", n_samples=300, random_state=0)
    experts = [(m, LogisticRegression(), c) for m, c in data.modalities.items()]
    return data, ModalityDependencyAnalyzer(experts, cv=3, random_state=0).fit(
        data.data, data.target)


def test_analyzer_report(planted):
    _, analyzer = planted
    html = analyzer._repr_html_()
    parsed = structure(html)
    assert parsed.count.get("svg") == 1  # the plot, inline
    # dependencies, model selection, models: every row of each
    assert parsed.tables == [len(analyzer.dependencies_), 1, len(analyzer.results_)]
    assert "Regime <b>intra</b>" in html and "Recommended: ProductOfExpertsClassifier" in html
    assert "Nadeau-Bengio" in html and "<dt>inter_reliance</dt>" in html  # legends
    assert "does not count" in html  # the plot's legend


def test_grouping_and_bias_reports(planted):
    data, analyzer = planted
    comparison = compare_groupings({"ab": data.modalities}, data.data, data.target,
                                   expert=LogisticRegression(), include=("all",), cv=3,
                                   random_state=0)
    parsed = structure(comparison._repr_html_())
    assert parsed.count.get("svg") == 1 and parsed.tables == [2]
    model = LogisticRegression().fit(data.data, data.target)
    bias = modality_bias(model, data.data, data.target, data.modalities, analyzer=analyzer,
                         random_state=0)
    html = bias._repr_html_()
    parsed = structure(html)
    assert parsed.count.get("svg") == 1 and parsed.tables == [2]
    assert "<dt>bias_ratio</dt>" in html and bias.sentence().split(":")[0] in html


class _Cells(HTMLParser):
    """The header cells and the legend terms of each table, in order."""

    def __init__(self):
        super().__init__()
        self.headers, self.terms, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self.headers.append([])
        if tag == "dl":
            self.terms.append([])
        if tag in ("th", "dt"):
            self._in, self._text = tag, ""

    def handle_data(self, data):
        if self._in:
            self._text += data  # a header may come in pieces, broken by <wbr>

    def handle_endtag(self, tag):
        if tag == self._in == "th" and self._text.strip():
            self.headers[-1].append(self._text.strip())
        if tag == self._in == "dt":
            self.terms[-1].append(self._text.strip())
        if tag == self._in:
            self._in = None


def test_analyzer_report_fits_a_cell_and_explains_every_column(planted):
    _, analyzer = planted
    html = analyzer._repr_html_()
    cells = _Cells()
    cells.feed(html)
    dependencies = cells.headers[0]
    # estimates carry their SE in one cell: the table fits a notebook cell
    assert len(dependencies) <= 9, dependencies
    assert "product_loss_without_se" not in dependencies
    assert cells.terms[0] == dependencies[1:]  # a legend entry for every column, in order
    assert cells.headers[2][1:3] == ["log_loss", "roc_auc"]  # meaningful at any balance
    assert "analyzer.recommended_estimator().fit(X, y)" in html  # the next line of code
    assert "Design: 3-fold stratified CV, repeated 2 times" in html
    assert "b</b> left out: does not count alone" in html


def test_summary_states_design_shares_and_imbalance(planted):
    data, analyzer = planted
    text = analyzer.summary()
    assert "design: 3-fold stratified CV, repeated 2 times on new shuffles" in text
    chance = analyzer.results_.loc["chance", "log_loss"]
    share = analyzer.dependencies_.loc["a", "dependency"] / chance
    assert f"{share:.0%}  counts" in text
    assert "accuracy" in text.split("Intra-modality")[1].splitlines()[1]  # balanced
    imbalanced = make_planted_modalities("noise", n_samples=400, weights=[0.85, 0.15],
                                         random_state=0)
    rare = ModalityDependencyAnalyzer(
        [(m, LogisticRegression(), c) for m, c in imbalanced.modalities.items()],
        inter_estimator="drop", cv=3, random_state=0,
    ).fit(imbalanced.data, imbalanced.target)
    text = rare.summary()
    assert "imbalanced classes (12% of class 1)" in text
    assert "ROC AUC" in text.split("Intra-modality")[1].splitlines()[1]


def test_the_plot_legend_names_only_what_the_bars_show(planted):
    import matplotlib.pyplot as plt

    _, analyzer = planted
    fig = analyzer.plot()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    deps = analyzer.dependencies_
    expected = {f"{k}, {'counts' if c else 'does not count'}"
                for k, c in zip(deps["kind"], deps["counts"])}
    assert set(labels) == expected and len(labels) == len(expected)
    assert "inter, counts" not in labels  # the inter dependency does not count here
    plt.close(fig)
