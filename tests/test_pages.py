"""engine.pages: one self-contained HTML document from a template, CSS, JavaScript and JSON data."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from engine.pages import Page

TEMPLATE = "<html><head><title>{{title}}</title><!-- style --></head><body><!-- data --><!-- script --></body></html>"


def test_a_page_inlines_its_pieces_and_embeds_its_data() -> None:
    page = Page("MSE & BCE", TEMPLATE, css="body { margin: 0 }", js="const x = 1;", data={"grad": [-0.0215, -0.989]})
    document = page.html()
    assert "<title>MSE &amp; BCE</title>" in document
    assert "<style>\nbody { margin: 0 }\n</style>" in document and "<script>\nconst x = 1;\n</script>" in document
    embedded = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', document)
    assert embedded is not None and json.loads(embedded.group(1)) == page.data() == {"grad": [-0.0215, -0.989]}


def test_text_that_would_close_a_script_early_is_escaped() -> None:
    page = Page("t", TEMPLATE, js="const s = '</script>';", data={"label": "</script><b>"})
    document = page.html()
    assert document.count("</script>") == 2  # the data's and the script's own closing tags only
    assert page.data() == {"label": "</script><b>"}


@pytest.mark.parametrize(
    ("html_text", "message"),
    [
        ("<!-- style --><!-- data -->", "<!-- script -->"),
        ("<!-- style --><!-- style --><!-- data --><!-- script -->", "exactly once"),
        ('<img src="https://example.org/x.png"><!-- style --><!-- data --><!-- script -->', "network"),
        ('<script src="//cdn.example.org/x.js"></script><!-- style --><!-- data --><!-- script -->', "network"),
    ],
)
def test_a_bad_template_is_refused_by_name(html_text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"Page: .*{re.escape(message)}"):
        Page("t", html_text)


def test_nan_cannot_be_embedded() -> None:
    with pytest.raises(ValueError):
        Page("t", TEMPLATE, data={"x": float("nan")})


def test_save_writes_the_document_and_jupyter_shows_it_in_an_iframe(tmp_path: Path) -> None:
    page = Page("replay", TEMPLATE, data=[1, 2, 3], height=400)
    path = page.save(tmp_path / "page.html")
    assert path.read_text(encoding="utf-8") == page.html()
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "height: 400px" in shown
    srcdoc = re.search(r'srcdoc="(.*?)" title=', shown, re.DOTALL)
    assert srcdoc is not None and html.unescape(srcdoc.group(1)) == page.html()
    assert repr(page).startswith("Page('replay', ")


def test_every_page_file_of_every_package_ships_with_it() -> None:
    from fnmatch import fnmatch

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    package_data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    folders = sorted(path for path in root.glob("*/**/pages") if path.is_dir() and "tests" not in path.parts)
    assert folders, "no pages folder found"
    for folder in folders:
        package = ".".join(folder.parent.relative_to(root).parts)
        patterns = package_data.get(package, []) + package_data.get("*", [])
        for file in folder.iterdir():
            assert any(fnmatch(f"pages/{file.name}", pattern) for pattern in patterns), f"{package}: {file.name}"
