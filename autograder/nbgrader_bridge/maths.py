"""Maths that render offline in every HTML page the course makes with nbconvert.

nbconvert leaves ``$...$`` for MathJax, which its templates load from a CDN: offline (an exam room, a
course machine) formulas show as raw LaTeX, and formgrader's own script stops half-way without MathJax
(no keyboard shortcuts).  The course config (``nbgrader_config.py``: formgrader, ``generate_feedback``;
``publish`` gives it to nbconvert) therefore uses:

* :class:`MarkdownWithMathML` as the ``markdown2html`` filter: Markdown rendered as nbconvert renders
  it, but each formula written as MathML (``latex2mathml``, pinned), which browsers draw without any
  script, from a file, a mail or an LMS.  A formula it cannot convert to well-formed MathML stays TeX;
* ``templates/base/mathjax.html.j2`` instead of nbconvert's MathJax macro: never a CDN.  In a page that
  Jupyter's formgrader serves it loads MathJax 2.7 from that server (``jupyter-server-mathjax``,
  pinned), which formgrader's script needs and which typesets what the page adds later (comments);
* ``templates/course_feedback``: nbgrader's feedback page with each check named in words and long
  output lines wrapped instead of cut.
"""
import xml.etree.ElementTree as ET
from pathlib import Path

import latex2mathml.converter
from jinja2 import pass_context
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from traitlets.config import LoggingConfigurable

TEMPLATES = Path(__file__).resolve().parent / "templates"
_MATHML = "{http://www.w3.org/1998/Math/MathML}"


def mathml(tex, display=False):
    """``tex`` as a MathML string, or None where latex2mathml cannot convert it to well-formed MathML.

    Unknown commands (left as ``\\name`` text), raw markup inside ``\\text{}`` and alignment ``&``
    (which latex2mathml passes through unescaped) all give None, so the TeX is shown instead.
    """
    try:
        out = latex2mathml.converter.convert(tex, display="block" if display else "inline")
        root = ET.fromstring(out)
    except Exception:  # noqa: BLE001 - any failure: keep the TeX
        return None
    if any(not el.tag.startswith(_MATHML) or (el.text or "").lstrip().startswith("\\") for el in root.iter()):
        return None
    return out


class _MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, formulas as MathML where they convert."""

    def inline_math(self, body):
        return mathml(body) or super().inline_math(body)

    def block_math(self, body):
        return mathml(body, display=True) or super().block_math(body)

    def latex_environment(self, name, body):
        return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True) or super().latex_environment(name, body)


class MarkdownWithMathML(LoggingConfigurable):
    """The ``markdown2html`` filter of :class:`nbconvert.exporters.HTMLExporter`, formulas as MathML.

    nbconvert constructs a configurable filter with the exporter as its parent; its settings (embedded
    images, anchor links, lexer options) are used as nbconvert's own filter uses them.
    """
    jinja_pass_arg = pass_context(lambda: None).jinja_pass_arg  # jinja passes the template context first

    def __call__(self, context, source):
        exporter, cell = self.parent, context.get("cell", {})
        renderer = _MathMLRenderer(
            escape=False, attachments=cell.get("attachments", {}), embed_images=exporter.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=exporter.anchor_link_text, exclude_anchor_links=exporter.exclude_anchor_links,
            **exporter.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)


def check_title(grade_id):
    """A hidden check cell's readable name from its grade_id: ``hidden_test_log_likelihood-normal`` ->
    "Log likelihood (normal)" (see :func:`autograder.results.title`); other ids unchanged."""
    from ..results import title
    from .cells import CHECK_PREFIX
    if not grade_id.startswith(CHECK_PREFIX):
        return grade_id
    base, dash, param = grade_id.removeprefix(CHECK_PREFIX).partition("-")
    return title(f"{base}[{param}]" if dash else base)

