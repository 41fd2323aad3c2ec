"""Maths offline: formulas as MathML in every page nbconvert makes with the course config, no CDN."""
import os
import sys

from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_markdown_cell, new_notebook
from traitlets.config.loader import PyFileConfigLoader

from conftest import ROOT
from autograder.nbgrader_bridge.maths import check_title, mathml


def test_formulas_become_mathml_and_anything_else_stays_tex():
    assert mathml(r"\log\left|\det \frac{\partial z}{\partial x}\right| = \sum_i s_i").startswith("<math ")
    assert "&#x0211D;" in mathml(r"x \in \mathbb{R}^D")  # double-struck R, as a character browsers draw
    assert 'display="block"' in mathml("a + b", display=True)
    for tex in (r"\text{<img src=x onerror=alert(1)>}", r"a & b", r"\notacommand{x}"):
        assert mathml(tex) is None, tex  # markup, alignment or unknown commands: the TeX is shown instead


def test_check_cells_are_named_in_words():
    assert [check_title(g) for g in ("hidden_test_coupling_inverse", "hidden_test_log_likelihood-normal",
                                     "answer_toy")] == ["Coupling inverse", "Log likelihood (normal)", "answer_toy"]


def test_a_page_made_with_the_course_config_loads_no_mathjax_from_a_cdn(monkeypatch):
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(sys, "path", list(sys.path))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    nb = new_notebook(cells=[new_markdown_cell("The log-det is $\\sum_i s_i$:\n\n$$p(x) = p_H(f(x))\\,e^{\\sum_i s_i}$$"
                                               "\n\nand `$not maths$` in code.")])
    page, _ = HTMLExporter(config=config).from_notebook_node(nb)
    assert page.count("<math ") == 2 and "<code>$not maths$</code>" in page
    assert "cdnjs.cloudflare.com/ajax/libs/mathjax" not in page and "/static/jupyter_server_mathjax/" in page
