"""The notebooks: stored without outputs, run top to bottom, and print the post's numbers.

Every notebook is executed in a fresh kernel, in a temporary copy of ``notebooks/`` (so nothing
is written into the repository), with a timeout on each cell. The kernels run a few at a time,
since most of a notebook's run is the kernel starting. The exercises notebook runs three times:
as committed (each check says the exercise is skipped), with right answers (each check passes)
and with wrong ones (each check says "not yet"). The pages a notebook shows (the backprop
step-through, the training replay) must show inline, self-contained: nothing they hold loads
anything from the network.

The second half checks the post's snippets with the import changed: rounding, float() and
comparisons of the Values the losses return.
"""

from __future__ import annotations

import ast
import asyncio
import copy
import html
import json
import math
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from hashlib import sha256
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import losses
from engine import Value

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120  # seconds for any one cell: far more than the slowest needs; a hang trips it
KERNEL = "lossgrad-notebooks"

# What each notebook must print: the post's numbers, in the post's formats.
EXPECTED: dict[str, list[str]] = {
    "00_engine": [
        "p = 0.010987, loss = 0.978147",
        "dloss/dz = -0.021494",
        "local derivatives (0.010866)",
        "FAIL",
        "False True True",
    ],
    "01_squared_error": ["MSE: 0.1500", "Gradient: -0.2500", "grad = +0.1500"],
    "02_vanishing_gradient": [
        "Prediction: 0.010987",
        "MSE loss: 0.978147",
        "Prediction: 0.0110 | Target: 1 | MSE gradient: -0.021494",
        " 0.01 | 1 |  0.0099 |  -0.0196",
        " 0.10 | 1 |  0.0900 |  -0.1620",
        " 0.50 | 1 |  0.2500 |  -0.2500",
        " 0.90 | 1 |  0.0900 |  -0.0180",
        " 0.99 | 1 |  0.0099 |  -0.0002",
        "12x",
    ],
    "03_binary_cross_entropy": [
        "p=0.99 → loss = 0.0101",
        "p=0.90 → loss = 0.1054",
        "p=0.50 → loss = 0.6931",
        "p=0.10 → loss = 2.3026",
        "p=0.01 → loss = 4.6052",
        "BCE loss: 4.5099",
        "BCE gradient: -0.9890",
        "MSE gradient: -0.0215",
        "dBCE/dp = -90.9091  x  dp/dz = 0.010879  =  -0.9890",
    ],
    "04_information_theory": [
        "Sun rises (p=0.999):  surprise = 0.0010 nats",
        "Snow in Miami (p=0.001): surprise = 6.9078 nats",
        "Fair coin [0.5, 0.5]:    H = 0.6931 nats",
        "Loaded coin [0.99, 0.01]: H = 0.0560 nats",
        "Sure thing [1.0, 0.0]:   H = 0.0000 nats",
        "Entropy of reality H(P):     0.3251 nats",
        "Cross-entropy H(P, Q_good):  0.3618 nats",
        "Cross-entropy H(P, Q_bad):   0.6931 nats",
        "KL(P || Q_good): 0.0367 nats",
        "KL(P || Q_bad):  0.3681 nats",
        "dKL(P || Q)/dq: ['-1.1250', '-0.5000']",
    ],
    "05_softmax_cross_entropy": [
        "Probabilities: [0.5585 0.2055 0.1246 0.0278 0.0835]",
        "P(correct class): 0.1246",
        "Loss: 2.0824",
        "class 0: ŷ=0.5585, y=0, grad=+0.5585",
        "class 1: ŷ=0.2055, y=0, grad=+0.2055",
        "class 2: ŷ=0.1246, y=1, grad=-0.8754 ← true class",
        "class 3: ŷ=0.0278, y=0, grad=+0.0278",
        "class 4: ŷ=0.0835, y=0, grad=+0.0835",
        "Stable loss: 2.0824",
        "stable:  loss 1000.0000",
    ],
    "06_gradient_showdown": [
        "  0.01 |  -0.019602 |    -0.9900 |    50.5x",
        "  0.05 |  -0.090250 |    -0.9500 |    10.5x",
        "  0.20 |  -0.256000 |    -0.8000 |     3.1x",
        "  0.50 |  -0.250000 |    -0.5000 |     2.0x",
        "  0.80 |  -0.064000 |    -0.2000 |     3.1x",
        "  0.95 |  -0.004750 |    -0.0500 |    10.5x",
        "  0.99 |  -0.000198 |    -0.0100 |    50.5x",
        "MSE: 95% accuracy at epoch 197",
        "BCE: 95% accuracy at epoch 20",
        "replayed MSE: 95% accuracy at epoch 197",
        "replayed BCE: 95% accuracy at epoch 20",
    ],
    "07_exercises": [
        "local derivative 0.010866",
        "square(3) = 9.0, d square / dx = 6.0",
        "skipped: fill in exercise 1",
        "skipped: fill in exercise 2a",
    ],
}
# Notebooks that draw a graph, which must show inline as a picture.
DRAWS_GRAPHS = ["00_engine", "01_squared_error", "03_binary_cross_entropy"]
# Notebooks that show pages inline (a step-through, a training replay): each page's title.
SHOWS_PAGES = {
    "00_engine": [
        "Squared error through a sigmoid, step by step",
        "Squared error vs cross-entropy through a sigmoid",
    ],
    "06_gradient_showdown": ["Squared error stalls, cross-entropy learns"],
}
# What makes a browser fetch something from the network: an http(s) or protocol-relative address
# in an attribute that loads (src=, href=, ...), in a stylesheet's url(...) or in an @import.
LOADS_AN_ADDRESS = re.compile(
    r"""(?:\b(?:src|srcset|href|poster|action)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
    r"""\s*(?:https?:)?//[^\s"'<>)]*""",
    re.IGNORECASE,
)
# The post's hand-written gradient helpers: a notebook gets these numbers from backprop instead.
HAND_WRITTEN_HELPERS = {
    "mse_gradient",
    "sigmoid_derivative",
    "mse_grad_wrt_logit",
    "bce_grad_wrt_logit",
    "softmax_ce_gradient",
}

# The exercises: (cell id, the stub line's exercise name) -> a right and a wrong answer.
STUB = 'raise NotImplementedError("{}")'
LOG_COSH = "r = prediction - target\nreturn ((r.exp() + (-r).exp()) / 2).log()"
RIGHT_ANSWERS = {
    ("exercise-1", "exercise 1"): "return 0.5 * (1.0 - math.tanh(z / 2))",  # σ(-z)
    ("exercise-2", "exercise 2a"): LOG_COSH,
    ("exercise-2", "exercise 2b"): "return math.tanh(prediction - target)",
}
WRONG_ANSWERS = {
    ("exercise-1", "exercise 1"): "return 0.5 * (1.0 + math.tanh(z / 2))",  # σ(z), not its slope
    # The right numbers through a plain float: the graph is cut, which only gradcheck sees.
    ("exercise-2", "exercise 2a"): "return Value(math.log(math.cosh(prediction.data - target)))",
    ("exercise-2", "exercise 2b"): "return prediction - target",
}


def notebook_names() -> list[str]:
    return sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))


def read(name: str) -> Any:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def with_answers(notebook: Any, answers: dict[tuple[str, str], str]) -> Any:
    """Return a copy of the exercises notebook with each stub line replaced by its answer."""
    notebook = copy.deepcopy(notebook)
    cells = {cell.get("id"): cell for cell in notebook.cells}
    for (cell_id, exercise), answer in answers.items():
        lines = cells[cell_id].source.splitlines()
        stubs = [i for i, line in enumerate(lines) if line.strip() == STUB.format(exercise)]
        assert len(stubs) == 1, f"{cell_id} should hold one stub for {exercise}"
        stub = lines[stubs[0]]
        indent = stub[: len(stub) - len(stub.lstrip())]
        lines[stubs[0] : stubs[0] + 1] = [indent + line for line in answer.splitlines()]
        cells[cell_id].source = "\n".join(lines)
    return notebook


def stored_results(notebook: Any) -> list[str]:
    """Return the ids of the code cells that hold an output or an execution count."""
    return [
        cell.get("id")
        for cell in notebook.cells
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]


def text_of(notebook: Any) -> str:
    """Return everything the notebook's cells printed or showed as text, in order."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.append(output.data.get("text/plain", ""))
            elif output.output_type == "error":
                parts.append(f"{output.ename}: {output.evalue}")
    return "\n".join(parts)


def html_outputs(notebook: Any) -> list[Any]:
    """Return every output of the notebook that shows HTML."""
    return [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type in ("execute_result", "display_data") and "text/html" in output.data
    ]


def addresses_loaded(notebook: Any) -> list[str]:
    """Return the network addresses any output of the notebook would make a browser fetch.

    HTML is unescaped first, so that a page inside an ``<iframe srcdoc="...">`` is read as the
    browser reads it. Pictures stored as base64 (PNG) hold no text to look at.
    """
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts = [output.get("text", ""), *(data[kind] for kind in data if kind != "image/png")]
            for text in texts:
                found += LOADS_AN_ADDRESS.findall(html.unescape(str(text)))
    return found


def errors_of(notebook: Any) -> list[str]:
    return [
        f"{output.ename}: {output.evalue}"
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


def digest(folder: Path) -> dict[str, bytes]:
    """Return a hash of every file under folder, by its path there."""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {str(path.relative_to(folder)): sha256(path.read_bytes()).digest() for path in files}


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Return each notebook after running it (or the error that stopped it), by run name."""
    before = digest(NOTEBOOKS)
    base = tmp_path_factory.mktemp("notebooks")
    work = base / "notebooks"
    shutil.copytree(NOTEBOOKS, work)
    # A kernel of this interpreter, importing this checkout, whatever kernels the machine has.
    spec = base / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lossgrad (tests)",
        "language": "python",
        "env": {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "IPYTHONDIR": str(base / "ipython"),  # no user profile or startup files
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        },
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")

    runs = {name: nbformat.read(work / f"{name}.ipynb", as_version=4) for name in notebook_names()}
    runs["07_exercises:right"] = with_answers(runs["07_exercises"], RIGHT_ANSWERS)
    runs["07_exercises:wrong"] = with_answers(runs["07_exercises"], WRONG_ANSWERS)

    async def run_all() -> dict[str, Any]:
        slots = asyncio.Semaphore(max(2, os.cpu_count() or 2))

        async def run(notebook: Any) -> Any:
            async with slots:
                client = nbclient.NotebookClient(
                    notebook,
                    timeout=CELL_TIMEOUT,
                    startup_timeout=CELL_TIMEOUT,
                    kernel_name=KERNEL,
                    resources={"metadata": {"path": str(work)}},
                )
                await client.async_execute()
                return notebook

        results = await asyncio.gather(*(run(nb) for nb in runs.values()), return_exceptions=True)
        return dict(zip(runs, results))

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(base / "jupyter"))
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
        results = asyncio.run(run_all())
    yield results
    assert digest(NOTEBOOKS) == before, "running the notebooks changed notebooks/"


def ran(executed: dict[str, Any], name: str) -> Any:
    """Return the executed notebook, failing the test with the error if it did not run through."""
    result = executed[name]
    if isinstance(result, BaseException):
        pytest.fail(f"{name} did not run top to bottom:\n{result}")
    return result


# ---------------------------------------------------------------------------- as stored


def test_there_is_a_notebook_per_part_of_the_post() -> None:
    assert notebook_names() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_committed_notebook_has_no_outputs(name: str) -> None:
    notebook = read(name)
    nbformat.validate(notebook)
    assert any(cell.cell_type == "code" for cell in notebook.cells)
    assert stored_results(notebook) == []


def test_the_stored_results_check_sees_an_output_and_a_count() -> None:
    notebook = read("01_squared_error")
    first, second = [cell for cell in notebook.cells if cell.cell_type == "code"][:2]
    first.outputs = [nbformat.v4.new_output("stream", name="stdout", text="MSE: 0.1500\n")]
    second.execution_count = 1
    assert stored_results(notebook) == [first.id, second.id]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_notebook_uses_lossgrad_and_writes_no_gradient_of_the_post(name: str) -> None:
    sources = [cell.source for cell in read(name).cells if cell.cell_type == "code"]
    trees = [ast.parse(source) for source in sources]
    nodes = [node for tree in trees for node in ast.walk(tree)]
    modules = [alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names]
    modules += [node.module or "" for node in nodes if isinstance(node, ast.ImportFrom)]
    imported = {module.split(".")[0] for module in modules}
    assert imported & {"engine", "losses", "nn", "demos"}
    defined = {node.name for node in nodes if isinstance(node, ast.FunctionDef)}
    assert defined & HAND_WRITTEN_HELPERS == set()


def test_the_address_check_sees_what_a_page_would_load() -> None:
    notebook = read("00_engine")
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    script = '<script src="https://cdn.example.org/d3.js"></script>'
    style = "@import '//fonts.example.org/sans.css'; b { background: url(http://x.example/b.png) }"
    pictures = [
        # A namespace is a name, not an address to load; a link within the picture loads nothing.
        '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="#node1"></a></svg>',
        f'<iframe srcdoc="{html.escape(script, quote=True)}"></iframe>',
        f"<style>{style}</style>",
    ]
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": picture, "text/plain": "page"})
        for picture in pictures
    ]
    assert addresses_loaded(notebook) == [
        'src="https://cdn.example.org/d3.js',
        "@import '//fonts.example.org/sans.css",
        "url(http://x.example/b.png",
    ]


def test_every_exercise_cell_holds_its_stub() -> None:
    cells = {cell.get("id"): cell.source for cell in read("07_exercises").cells}
    for cell_id, exercise in RIGHT_ANSWERS:
        assert STUB.format(exercise) in cells[cell_id]


# ---------------------------------------------------------------------------- executed


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_notebook_runs_and_prints_the_posts_numbers(executed: dict[str, Any], name: str) -> None:
    notebook = ran(executed, name)
    assert errors_of(notebook) == []
    text = text_of(notebook)
    assert [expected for expected in EXPECTED[name] if expected not in text] == []


@pytest.mark.parametrize("name", DRAWS_GRAPHS)
def test_graphs_show_inline_as_pictures(executed: dict[str, Any], name: str) -> None:
    outputs = [
        output
        for cell in ran(executed, name).cells
        for output in cell.get("outputs", [])
        if output.output_type == "execute_result" and "image/svg+xml" in output.data
    ]
    assert outputs
    for output in outputs:
        assert "<svg" in output.data["image/svg+xml"]
        assert len(output.data["text/plain"]) < 200  # the repr, not the SVG again


@pytest.mark.parametrize("name", sorted(SHOWS_PAGES))
def test_pages_show_inline_in_a_frame(executed: dict[str, Any], name: str) -> None:
    outputs = html_outputs(ran(executed, name))
    frames = [output.data["text/html"] for output in outputs]
    assert len(frames) == len(SHOWS_PAGES[name])
    for frame, title in zip(frames, SHOWS_PAGES[name]):
        assert frame.startswith("<iframe srcdoc=")
        assert f'title="{html.escape(title)}"' in frame
        assert f">{html.escape(title)}</h1>" in html.unescape(frame)  # the page itself, inside
    for output in outputs:
        assert len(output.data["text/plain"]) < 200  # the repr, not the page again


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_output_loads_anything_from_the_network(executed: dict[str, Any], name: str) -> None:
    assert addresses_loaded(ran(executed, name)) == []


def test_the_training_contrast_plots_inline(executed: dict[str, Any]) -> None:
    cells = ran(executed, "06_gradient_showdown").cells
    outputs = [output for cell in cells for output in cell.get("outputs", [])]
    assert any("image/png" in output.get("data", {}) for output in outputs)


def test_right_answers_pass_the_exercise_checks(executed: dict[str, Any]) -> None:
    notebook = ran(executed, "07_exercises:right")
    assert errors_of(notebook) == []
    text = text_of(notebook)
    for expected in [
        "exercise 1: passed",
        "exercise 2a: passed",
        "exercise 2b: passed",
        "-log σ(-4.5) = 4.5110 and its gradient is -0.9890",
    ]:
        assert expected in text
    assert "not yet" not in text and "skipped" not in text and "✗" not in text


def test_wrong_answers_fail_the_exercise_checks(executed: dict[str, Any]) -> None:
    notebook = ran(executed, "07_exercises:wrong")
    assert errors_of(notebook) == []  # a wrong answer is graded, not a traceback
    text = text_of(notebook)
    verdicts = ["exercise 1: not yet", "exercise 2a: not yet", "exercise 2b: not yet"]
    for expected in [*verdicts, "FAIL", "✗"]:
        assert expected in text
    assert "passed" not in text


# ---------------------------------------------------------------------------- the post's snippets


def test_round_of_a_value_is_a_float() -> None:
    rounded = round(Value(0.55854), 4)
    assert type(rounded) is float and rounded == 0.5585
    assert round(Value(2.7)) == 3.0 and type(round(Value(2.7))) is float


def test_numpy_rounds_values_once_they_are_floats() -> None:
    probs = losses.softmax([2.0, 1.0, 0.5, -1.0, 0.1])
    assert str(np.round(np.array(probs, dtype=float), 4)) == "[0.5585 0.2055 0.1246 0.0278 0.0835]"


PREDICTIONS = [2.5, 0.0, 2.1, 7.8]
TARGETS = [3.0, -0.5, 2.0, 7.5]
P, Q = [0.9, 0.1], [0.8, 0.2]
LOGITS = [2.0, 1.0, 0.5, -1.0, 0.1]
ONE_HOT = [0, 0, 1, 0, 0]
PROBS = losses.softmax(LOGITS)
# Each of the library's losses on one example (or one batch): what a loss returns for a scalar.
SCALAR_LOSSES: dict[str, Callable[[], object]] = {
    "mse_loss": lambda: losses.mse_loss(PREDICTIONS, TARGETS),
    "l1_loss": lambda: losses.l1_loss(PREDICTIONS, TARGETS),
    "huber_loss": lambda: losses.huber_loss(PREDICTIONS, TARGETS),
    "smooth_l1_loss": lambda: losses.smooth_l1_loss(PREDICTIONS, TARGETS),
    "sigmoid": lambda: losses.sigmoid(-4.5),
    "logit": lambda: losses.logit(0.011),
    "binary_cross_entropy": lambda: losses.binary_cross_entropy(0.011, 1),
    "binary_cross_entropy_with_logits": lambda: losses.binary_cross_entropy_with_logits(-4.5, 1),
    "focal_loss": lambda: losses.focal_loss(-4.5, 1),
    "hinge_loss": lambda: losses.hinge_loss(-4.5, 1),
    "surprise": lambda: losses.surprise(0.001),
    "entropy": lambda: losses.entropy(P),
    "cross_entropy": lambda: losses.cross_entropy(P, Q),
    "kl_divergence": lambda: losses.kl_divergence(P, Q),
    "categorical_cross_entropy": lambda: losses.categorical_cross_entropy(ONE_HOT, PROBS),
    "stable_categorical_ce": lambda: losses.stable_categorical_ce(LOGITS, 2),
    "softmax_cross_entropy": lambda: losses.softmax_cross_entropy(LOGITS, 2),
    "nll_loss": lambda: losses.nll_loss(losses.log_softmax(LOGITS), 2),
    "mse_through_sigmoid": lambda: losses.mse_through_sigmoid(Value(-4.5), 1),
    "bce_through_sigmoid": lambda: losses.bce_through_sigmoid(Value(-4.5), 1),
}


@pytest.mark.parametrize("name", sorted(SCALAR_LOSSES))
def test_float_of_what_a_loss_returns_is_its_number(name: str) -> None:
    result = SCALAR_LOSSES[name]()
    assert isinstance(result, Value)
    assert type(float(result)) is float
    assert float(result) == result.data and math.isfinite(float(result))
    assert f"{result:.4f}" == f"{result.data:.4f}"


def test_comparisons_are_by_value_but_equality_is_identity() -> None:
    p = Value(0.55854)
    assert (p == 0.55854) is False and p == p
    assert p > 0.5 and p >= 0.55854 and p < 0.6 and not p < 0.5
    assert float(p) == 0.55854 and p.data == 0.55854
    probs = losses.softmax(LOGITS)
    assert max(probs) is probs[0]
    assert [v.data for v in sorted(probs)] == sorted(v.data for v in probs)
    assert "==" in (Value.__doc__ or "") and "identity" in (Value.__doc__ or "")
