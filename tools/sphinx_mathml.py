"""Sphinx extension: render LaTeX math as MathML at build time (latex2mathml), so the site needs no
JavaScript and no network to show formulas (browsers render MathML Core natively).

A formula latex2mathml cannot convert stops the build with the formula named: fix the LaTeX rather
than ship raw source to readers."""
import re

from docutils import nodes
from latex2mathml.converter import convert

# MathJax spellings that latex2mathml knows under another name (same rendering)
SPELLINGS = {r"\arg\min": r"\argmin", r"\arg\max": r"\argmax"}
UNKNOWN = re.compile(r"<m[io]>(\\[A-Za-z]+)</m[io]>")   # a command latex2mathml passed through as text


def _mathml(self, node, display: str) -> str:
    latex = node.astext()
    src = latex
    for a, b in SPELLINGS.items(): src = src.replace(a, b)
    try: out = convert(src, display=display)
    except Exception as e:
        raise RuntimeError(f"cannot render this formula as MathML ({type(e).__name__}: {e}):\n{latex}") from e
    bad = UNKNOWN.findall(out)
    if bad: raise RuntimeError(f"latex2mathml does not know {sorted(set(bad))} in this formula:\n{latex}")
    return out


def visit_inline(self, node):
    self.body.append(f'<span class="math">{_mathml(self, node, "inline")}</span>')
    raise nodes.SkipNode


def visit_block(self, node):
    self.body.append(f'<div class="math"><div class="mathml-block">{_mathml(self, node, "block")}</div></div>')
    raise nodes.SkipNode


# The theme lays div.math out as a flex row (made for MathJax's container): the formula takes the row,
# centred, and one wider than the page scrolls instead of spilling past both edges.
CSS = (".mathml-block { flex-grow: 1; overflow-x: auto; text-align: center; padding-bottom: .2rem; } "
       ".mathml-block > math { display: inline math; math-style: normal; }")


def setup(app):
    app.add_html_math_renderer("mathml", (visit_inline, None), (visit_block, None))
    app.connect("builder-inited", lambda app: app.add_css_file("mathml.css"))
    app.connect("build-finished", _write_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _write_css(app, exc):
    if exc is None and app.builder.format == "html":
        (app.builder.outdir / "_static" / "mathml.css").write_text(CSS)
