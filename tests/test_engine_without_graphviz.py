"""The engine, the losses and nn work where the graphviz package cannot be imported.

Each check runs in a fresh interpreter whose import system refuses ``graphviz`` (a meta-path
finder that records every attempt), as on a machine where it was never installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BLOCK_GRAPHVIZ = textwrap.dedent("""
    import importlib.abc
    import json
    import sys

    attempts = []

    class NoGraphviz(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "graphviz" or name.startswith("graphviz."):
                attempts.append(name)
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoGraphviz())
    for loaded in [m for m in sys.modules if m == "graphviz" or m.startswith("graphviz.")]:
        del sys.modules[loaded]
""")


def run_without_graphviz(code: str) -> dict[str, object]:
    """Return the JSON object that code prints as its last line, run with graphviz blocked."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [sys.executable, "-c", BLOCK_GRAPHVIZ + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.splitlines()[-1])
    assert isinstance(result, dict)
    return result


def test_the_blocker_really_blocks_graphviz() -> None:
    result = run_without_graphviz("""
        try:
            import graphviz
            outcome = "imported"
        except ImportError as error:
            outcome = type(error).__name__
        print(json.dumps({"outcome": outcome, "attempts": attempts}))
    """)
    assert result == {"outcome": "ModuleNotFoundError", "attempts": ["graphviz"]}


def test_engine_losses_and_nn_compute_and_backprop_without_graphviz() -> None:
    result = run_without_graphviz("""
        import engine
        from engine import Value, gradcheck

        z = Value(-4.5, label="z")
        loss = (z.sigmoid() - 1) ** 2
        loss.backward()
        checked = gradcheck(lambda a, b: (a * b).tanh() + engine.dot([a, b], [b, 2.0]), [0.3, -1.2])

        import losses
        import nn

        bce = losses.binary_cross_entropy_with_logits(Value(-4.5), 1)
        model = nn.MLP(2, [3, 1], seed=0)
        prediction = model([0.5, -1.0])
        (prediction * prediction).backward()
        parameter_grads = [p.grad for p in model.parameters()]

        from engine.drawing import RenderError, RendererNotFoundError, find_renderer
        print(json.dumps({
            "dloss_dz": round(z.grad, 6),
            "gradcheck": checked,
            "bce": round(bce.data, 4),
            "some_parameter_grad": any(g != 0.0 for g in parameter_grads),
            "attempts": attempts,
            "graphviz_loaded": "graphviz" in sys.modules,
        }))
    """)
    assert result == {
        "dloss_dz": -0.021494,
        "gradcheck": True,
        "bce": 4.511,  # softplus(4.5)
        "some_parameter_grad": True,
        "attempts": [],  # nothing above even tried to import graphviz
        "graphviz_loaded": False,
    }


def test_drawing_without_graphviz_says_what_to_install() -> None:
    result = run_without_graphviz("""
        import engine

        messages = []
        for attempt in ("attribute", "from-import", "subpackage"):
            try:
                if attempt == "attribute":
                    engine.draw_graph
                elif attempt == "from-import":
                    from engine import render_svg
                else:
                    from engine.drawing import draw_graph
            except ImportError as error:
                messages.append([type(error).__name__, error.name, str(error)])
        x = engine.Value(2.0)
        (x * x).backward()  # the failed drawing import leaves the engine working
        print(json.dumps({"messages": messages, "grad": x.grad, "tried": len(attempts)}))
    """)
    messages = result["messages"]
    assert isinstance(messages, list) and len(messages) == 3
    for kind, name, message in messages:
        assert kind == "ModuleNotFoundError" and name == "graphviz"
        assert "needs the graphviz Python package" in message
        assert "pip install graphviz" in message
        assert "engine.draw_graph" in message and "engine.render_svg" in message
    assert result["grad"] == 4.0
    assert result["tried"] == 3  # each use tried again (an install in between would be seen)
