"""Self-contained interactive pages: one HTML file with its CSS, JavaScript and data inside.

lossgrad's pages (the loss explorer, the backprop player, the training replay) are written as
package data files, ``<name>.html``, ``<name>.css`` and ``<name>.js`` in a ``pages`` folder of the
package that owns them, and the numbers they show are computed by the engine in Python and
embedded as JSON. `Page` puts the pieces together into one document that needs no network and
works from ``file://``, saves it whole or not at all, and shows it inline in Jupyter.

The HTML file marks where the pieces go with three comments: ``<!-- style -->`` (the CSS),
``<!-- data -->`` (the JSON, as ``<script type="application/json" id="page-data">``) and
``<!-- script -->`` (the JavaScript), and may use ``{{title}}``.

>>> page = Page("demo", html="<title>{{title}}</title><!-- style --><!-- data --><!-- script -->",
...             css="b {}", js="console.log(1)", data={"p": 0.5})
>>> page
Page('demo', 138 bytes)
>>> '{"p":0.5}' in page.html()
True
"""

from __future__ import annotations

import html
import importlib.resources
import json
import os
import re
from pathlib import Path
from typing import Any

from .files import write_text

__all__ = ["Page"]

_MARKERS = ("<!-- style -->", "<!-- data -->", "<!-- script -->")
_URL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


class Page:
    """One self-contained HTML page: `html()` is the document, `save(path)` writes it."""

    def __init__(self, title: str, html: str, *, css: str = "", js: str = "", data: Any = None, height: int = 640):
        for marker in _MARKERS:
            if html.count(marker) != 1:
                raise ValueError(f"Page: the HTML must contain {marker!r} exactly once")
        if _URL.search(html) or _URL.search(css) or _URL.search(js):
            raise ValueError(f"Page: {title!r} loads something from the network; a page must be self-contained")
        self.title = title
        self._template = html
        self._css = css
        self._js = js
        self._data = json.dumps(data, allow_nan=False, separators=(",", ":"))  # NaN is not JSON
        self.height = height
        self._document = self._build()

    @classmethod
    def from_package(cls, package: str, name: str, title: str, data: Any, height: int = 640) -> Page:
        """Return the page whose ``pages/<name>.html`` (and .css, .js) are data files of `package`."""
        folder = importlib.resources.files(package) / "pages"
        text = {suffix: (folder / f"{name}.{suffix}").read_text(encoding="utf-8") for suffix in ("html", "css", "js")}
        return cls(title, text["html"], css=text["css"], js=text["js"], data=data, height=height)

    def _build(self) -> str:
        # "</" would end the <script> or <style> element early; inside JSON, "<\/" reads the same.
        data = self._data.replace("</", "<\\/")
        css = self._css.replace("</", "<\\/")
        js = self._js.replace("</script", "<\\/script")
        return (
            self._template.replace("{{title}}", html.escape(self.title))
            .replace("<!-- style -->", f"<style>\n{css}\n</style>")
            .replace("<!-- data -->", f'<script type="application/json" id="page-data">{data}</script>')
            .replace("<!-- script -->", f"<script>\n{js}\n</script>")
        )

    def html(self) -> str:
        """Return the whole document."""
        return self._document

    def data(self) -> Any:
        """Return the embedded data, as the page's script reads it."""
        return json.loads(self._data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Return path after writing the page to it (UTF-8), whole or not at all."""
        return write_text(path, self._document)

    def _repr_html_(self) -> str:
        # An iframe keeps the page's CSS and JavaScript apart from the notebook's own.
        return (
            f'<iframe srcdoc="{html.escape(self._document, quote=True)}" title="{html.escape(self.title)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd;"></iframe>'
        )

    def __repr__(self) -> str:
        size = len(self._document.encode("utf-8"))
        shown = f"{size} bytes" if size < 10_000 else f"{size / 1024:.0f} KB"
        return f"Page({self.title!r}, {shown})"
