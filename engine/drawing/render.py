"""Find a Graphviz ``dot`` program and run it: the renderer behind ``draw_graph`` and ``render_svg``.

``pip install graphviz`` brings only the Python side of Graphviz; the layout program ``dot`` is a
separate install, which is why micrograd's drawings fail on a fresh machine. lossgrad looks for a
renderer in this order and uses the first it finds:

1. the ``LOSSGRAD_DOT`` environment variable, naming a ``dot``-compatible program (a path, or a
   command looked up on PATH);
2. a system ``dot`` on PATH (Graphviz from apt-get, brew, conda, the Windows installer, ...);
3. ``graphviz-pure``, a self-contained Graphviz build on PyPI that lossgrad depends on where it
   publishes wheels. Its one executable is called ``graphviz-pure`` (it deliberately installs no
   ``dot``, so it never shadows a system Graphviz) and takes ``dot``'s flags. It is looked up on
   PATH and then in the running interpreter's scripts directories, so
   ``/path/to/venv/bin/python script.py`` finds it without the venv being activated.

The program is run directly (``<program> -Tsvg``, DOT text on stdin); the ``graphviz`` package's
own settings are left untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence

__all__ = [
    "ENV_VAR",
    "PIP_RENDERER",
    "RenderError",
    "RendererNotFoundError",
    "find_renderer",
    "interpreter_script_dirs",
    "run_renderer",
]

ENV_VAR = "LOSSGRAD_DOT"
PIP_RENDERER = "graphviz-pure"

# An output format as dot spells it: "svg", "png", "svg:cairo", "png:cairo:gd", ...
_OUTPUT_FORMAT = re.compile(r"[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,2}")


class RendererNotFoundError(RuntimeError):
    """No dot-compatible program was found; the message lists the ways to install one."""


class RenderError(RuntimeError):
    """The renderer ran but failed; ``stderr`` holds what it printed."""

    def __init__(self, message: str, *, executable: str, returncode: int | None, stderr: str) -> None:
        super().__init__(message)
        self.executable = executable
        self.returncode = returncode
        self.stderr = stderr


def interpreter_script_dirs() -> list[str]:
    """Return the directories where pip puts console scripts for the running interpreter, in search order."""
    candidates = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    # `pip install --user` puts scripts here (e.g. ~/.local/bin), which is often not on PATH.
    with contextlib.suppress(KeyError):
        candidates.append(sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user")))
    unique: list[str] = []
    for directory in candidates:
        if directory and directory not in unique:
            unique.append(directory)
    return unique


def find_renderer() -> str:
    """Return the path of the dot-compatible program that rendering will run.

    Raises RendererNotFoundError, saying how to install one, when none is found, and when
    ``LOSSGRAD_DOT`` is set but does not name an executable (a typo there should not silently
    fall back to another renderer).
    """
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        found = shutil.which(os.path.expanduser(configured))
        if found is None:
            raise RendererNotFoundError(
                f"find_renderer: {ENV_VAR} is set to {configured!r}, which is neither an executable file "
                f"nor a command on PATH; point it at a dot-compatible program, or unset it to let lossgrad "
                f"search for one"
            )
        return found
    system_dot = shutil.which("dot")
    if system_dot is not None:
        return system_dot
    on_path = shutil.which(PIP_RENDERER)
    if on_path is not None:
        return on_path
    script_dirs = interpreter_script_dirs()
    for directory in script_dirs:
        found = shutil.which(PIP_RENDERER, path=directory)
        if found is not None:
            return found
    raise RendererNotFoundError(_not_found_message(script_dirs))


def _not_found_message(script_dirs: Sequence[str]) -> str:
    searched = ", ".join(script_dirs)
    return (
        "find_renderer: no Graphviz renderer found, so the graph cannot be turned into SVG. "
        "Any one of these fixes it:\n"
        f"  - pip install {PIP_RENDERER}  (a self-contained Graphviz on PyPI, with wheels for Linux, macOS and "
        "Windows on x86-64 and ARM64; lossgrad installs it on those platforms, so reinstall lossgrad "
        "without --no-deps or install it into this interpreter's environment)\n"
        "  - install Graphviz itself: apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
        "conda install graphviz, or https://graphviz.org/download/\n"
        f"  - set {ENV_VAR} to the path of a dot-compatible program\n"
        f"Searched: {ENV_VAR} (unset), 'dot' and '{PIP_RENDERER}' on PATH, and {PIP_RENDERER} in {searched}.\n"
        "The DOT text needs no renderer: draw_graph(root).source gives it, ready for any Graphviz viewer."
    )


def run_renderer(
    dot_source: str,
    output_format: str = "svg",
    *,
    layout: str | None = None,
    extra_args: Sequence[str] = (),
    timeout: float | None = None,
) -> bytes:
    """Return what the renderer writes for ``dot_source`` in ``output_format`` (``<program> -T<format>``).

    ``layout`` picks a Graphviz layout engine other than dot (``-K``); ``extra_args`` are passed on
    as they are. A failure (non-zero exit status, timeout) raises RenderError carrying the
    renderer's stderr, and so does SVG output that is not UTF-8 text holding an ``<svg`` element
    (a ``LOSSGRAD_DOT`` that is not a dot-compatible program): callers can decode and save it.
    """
    if not _OUTPUT_FORMAT.fullmatch(output_format):
        raise ValueError(f"run_renderer: output_format must look like 'svg' or 'png:cairo', got {output_format!r}")
    if layout is not None and not re.fullmatch(r"[A-Za-z0-9_]+", layout):
        raise ValueError(
            f"run_renderer: layout must be a Graphviz engine name such as 'dot' or 'neato', got {layout!r}"
        )
    executable = find_renderer()
    command = [executable, f"-T{output_format}"]
    if layout is not None:
        command.append(f"-K{layout}")
    command.extend(extra_args)
    try:
        completed = subprocess.run(
            command, input=dot_source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        stderr = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise RenderError(
            f"run_renderer: {executable} did not finish within {timeout} s; for big graphs pass "
            f"max_depth or collapse to draw_graph, or a larger timeout",
            executable=executable,
            returncode=None,
            stderr=stderr,
        ) from error
    except OSError as error:
        raise RenderError(
            f"run_renderer: could not start {executable}: {error}", executable=executable, returncode=None, stderr=""
        ) from error
    stderr = completed.stderr.decode("utf-8", "replace").strip()
    if completed.returncode != 0:
        raise RenderError(
            f"run_renderer: {' '.join(command)} exited with status {completed.returncode}: "
            f"{stderr or '(it printed nothing on stderr)'}",
            executable=executable,
            returncode=completed.returncode,
            stderr=stderr,
        )
    if output_format.split(":")[0] == "svg":
        _check_svg(completed.stdout, executable, stderr)
    # On success stderr holds only Graphviz's cosmetic warnings (e.g. estimated widths of non-ASCII
    # letters), which would bury a learner's output, so it is dropped.
    return completed.stdout


def _check_svg(output: bytes, executable: str, stderr: str) -> None:
    """Raise RenderError naming the renderer unless its output is UTF-8 text with an <svg> tag."""
    try:
        text = output.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = (
            f"printed output that is not UTF-8 text (byte 0x{output[error.start]:02x} at "
            f"offset {error.start}), so not SVG"
        )
    else:
        if "<svg" in text:
            return
        problem = f"printed no SVG (its output starts {text[:40]!r})" if text else "printed nothing"
    raise RenderError(
        f"run_renderer: {executable} exited with status 0 but {problem}; is it a dot-compatible "
        f"program? ({ENV_VAR} chooses the renderer)",
        executable=executable,
        returncode=0,
        stderr=stderr,
    )
