"""The similarity report: a renamed and reordered copy ranks first, a one-cell copy is named on that cell,
independent answers rank below both, the release scores 0, hostile notebooks get a note.

The class is built here from the release notebook and two independently written sets of answers
(tests/fixtures/similarity_class.py), and the reference with one correct alternative of the bug bank.
"""
import base64
import codecs
import csv
import json
import re
import subprocess
import sys
import zlib

import pytest

from _results import CHECKS, result
from conftest import ROOT
from autograder.grade.report import grades_row, write_outputs
from autograder.results import file_sha256
from autograder import cli
from autograder.grade.summary import write_summary
from autograder.similarity import class_section, run
from autograder.similarity.report import section
from autograder.similarity.compare import Fingerprinter
from autograder.similarity.normalize import tokens
from autograder.similarity.reveal import reveal
from autograder.similarity.written import MAX_CHARS, MAX_LINES, REFERENCE, Template

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_submissions as bank  # noqa: E402
import similarity_class as sc  # noqa: E402

ALTERNATIVE = next(m for m in bank.BANK if m.name == "alt_optimizer_apply_arith_mask")

@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """submitted/<student>/assignment07/assignment07.ipynb for the class, and its report."""
    root = tmp_path_factory.mktemp("class")
    ana = sc.fill(sc.ANA)
    release = sc.load(sc.RELEASE)
    students = {
        "ana": ana,                                                     # her own answers
        "ben": sc.disguise(ana),                                         # ana's, renamed and reordered
        "cho": sc.fill(dict(sc.CHO, inpainting=sc.ANA["inpainting"])),  # his own, but ana's inpainting cell
        "dev": sc.apply(sc.fill(sc.reference_bodies()), [(e.grade_id, e.old, e.new) for e in ALTERNATIVE.edits]),  # the reference, partly rewritten
        "rel1": release, "rel2": release,                               # handed in untouched
    }
    for name, nb in students.items():
        sc.write(nb, root / "submitted" / name / "assignment07" / "assignment07.ipynb")
    submissions = [(name, root / "submitted" / name / "assignment07" / "assignment07.ipynb") for name in students]
    return root, run(submissions, root / "grades")


def _pair(report, a, b):
    return next(p for p in report.pairs if {p.a, p.b} == {a, b})


def test_disguised_copy_ranks_first(klass):
    _, report = klass
    top = [p for p in report.pairs if p.kind == "class"][0]
    assert {top.a, top.b} == {"ana", "ben"} and top.overall > 0.7
    assert set(report.to_read(top)) >= {"coupling_layer", "nice_model", "inpainting"}


def test_one_cell_copy_is_named_on_that_cell(klass):
    _, report = klass
    for other in ("ana", "ben"):
        pair = _pair(report, "cho", other)
        assert report.to_read(pair) == ["inpainting"] and pair.cells["inpainting"] > 0.9
        assert pair.overall < 0.3  # one cell of seven: most of what they wrote differs


def test_independent_answers_rank_below_both_copies(klass):
    _, report = klass
    ranked = [{p.a, p.b} for p in report.pairs if p.kind == "class"]
    copies = [{"ana", "ben"}, {"ana", "cho"}, {"ben", "cho"}]
    assert all(pair in ranked[:3] for pair in copies)
    below = min(_pair(report, *pair).overall for pair in copies)
    for independent in ({"ana", "dev"}, {"ben", "dev"}, {"cho", "dev"}):
        pair = _pair(report, *independent)
        assert pair.overall < below and not report.to_read(pair)


def test_untouched_release_has_no_written_code(klass):
    _, report = klass
    assert all(not report.subs["rel1"].cells[gid].written for gid in report.weights)
    for p in report.pairs:
        if "rel1" in (p.a, p.b) or "rel2" in (p.a, p.b):
            assert p.overall == 0 and not report.lines(p)


def test_reference_comparison(klass):
    _, report = klass
    ref = {p.a: p for p in report.pairs if p.kind == "reference"}
    assert set(ref) == {"ana", "ben", "cho", "dev", "rel1", "rel2"} and all(p.b == REFERENCE for p in ref.values())
    assert ref["dev"].overall > 0.7 > 0.2 > max(ref[s].overall for s in ("ana", "ben", "cho"))


def test_weights_follow_what_there_is_to_write():
    weights = Fingerprinter(Template.load()).weights
    assert weights["log_likelihood"] < 30 and weights["outlier_score"] < 30
    assert weights["nice_model"] > weights["coupling_layer"] > weights["inpainting"] > 3 * weights["log_likelihood"]


def test_normalisation_ignores_layout_comments_and_chosen_names():
    one = "def f(a, b):\n    total = a + tf.reduce_sum(b)  # sum\n    return total\n"
    other = "def f(x,y):\n    # add them up\n    s=x+tf.reduce_sum( y )\n\n    return s\n"
    assert [t for t, _ in tokens(one, {"f"})] == [t for t, _ in tokens(other, {"f"})]
    assert "reduce_sum" in [t for t, _ in tokens(one)] and "total" not in [t for t, _ in tokens(one)]
    broken = "def f(a:\n    return a.b + 'x"  # cannot be parsed: every name not after a dot is V
    assert [t for t, _ in tokens(broken)][:4] == ["def", "V", "(", "V"] and "b" in [t for t, _ in tokens(broken)]


def test_csv_and_html(klass):
    root, report = klass
    rows = list(csv.DictReader(open(root / "grades" / "similarity.csv")))
    assert len(rows) == 15 + 6 and rows[0]["rank"] == "1"
    first = next(r for r in rows if {r["student_a"], r["student_b"]} == {"ana", "ben"})
    assert float(first["overall"]) > 0.7 and re.search(r"inpainting:\d+-\d+", first["matched_lines_a"])
    one = next(r for r in rows if {r["student_a"], r["student_b"]} == {"ana", "cho"})
    assert one["cells_to_read"] == "inpainting" and float(one["score_inpainting"]) > 0.9
    page = (root / "grades" / "similarity.html").read_text()
    assert 'class="m"' in page and "ana" in page and "tokens to write" in page
    headings = re.findall(r"<h3 [^>]*>(.*?)</h3>", page)
    assert headings and not [h for h in headings if "(reference solution) (reference solution)" in h or "classmate" in h]
    assert not re.search(r"plagiar|cheat|copied|suspicious|guilty|dishonest", page + str(report.notes), re.I)


def test_student_text_is_escaped_and_feedback_linked(tmp_path):
    evil = sc.edit(sc.fill(sc.ANA), "inpainting", lambda t: t.replace("hidden = 1.0 - observed",
                                                                      "hidden = 1.0 - observed  # </pre><script>x()</script>"))
    paths = [sc.write(evil, tmp_path / "in" / f"{name}.ipynb") for name in ("a1", "a2")]
    (tmp_path / "out" / "a1").mkdir(parents=True)
    (tmp_path / "out" / "a1" / "feedback.html").write_text("feedback")
    run([("a1", paths[0]), ("a2", paths[1])], tmp_path / "out")
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert "<script>" not in page and "&lt;/pre&gt;&lt;script&gt;" in page
    assert '<a href="a1/feedback.html">a1</a>' in page and 'href="a2/feedback.html"' not in page


def test_hostile_notebooks_get_a_note(tmp_path):
    ana = sc.fill(sc.ANA)
    not_text = json.loads(json.dumps(ana))
    sc.cell_of(not_text, "coupling_layer")["source"] = [1, 2, {"x": None}]
    files = {"ana": sc.write(ana, tmp_path / "ana.ipynb"), "odd": sc.write(not_text, tmp_path / "odd.ipynb")}
    (tmp_path / "junk.ipynb").write_text("{ this is not JSON")
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    files.update(junk=tmp_path / "junk.ipynb", list=tmp_path / "list.ipynb")
    report = run(sorted(files.items()), tmp_path / "out")
    for name in ("odd", "junk", "list"):
        assert any(note.startswith(f"{name}:") for note in report.notes), report.notes
    assert len([p for p in report.pairs if p.kind == "class"]) == 6
    assert "odd:" in (tmp_path / "out" / "similarity.html").read_text()
    assert _pair(report, "ana", "odd").overall < 0.9 and _pair(report, "ana", "junk").overall == 0


def test_cli_end_to_end_with_archive(klass, tmp_path, capsys):
    root, _ = klass
    archive = tmp_path / "archive"
    sc.write(sc.load(root / "submitted/ana/assignment07/assignment07.ipynb"), archive / "old_ana.ipynb")
    cli.main(["similarity", str(root / "submitted"), "--out", str(tmp_path / "grades"), "--archive", str(archive),
              "--top", "3"])
    printed = capsys.readouterr().out
    assert "6 students, 15 pairs" in printed and re.search(r"0\.\d\d  ana / ben", printed)
    rows = list(csv.DictReader(open(tmp_path / "grades" / "similarity.csv")))
    archived = {r["student_a"]: float(r["overall"]) for r in rows if r["compared_with"] == "archive"}
    assert archived["ana"] == 1.0 and archived["ben"] > 0.7 and archived["rel1"] == 0
    assert (tmp_path / "grades" / "similarity.html").read_text().count('<h3 id="pair-') == 3
    with pytest.raises(SystemExit):
        cli.main(["similarity", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x")])
    assert "no such notebook or folder" in capsys.readouterr().err


@pytest.mark.slow  # a fresh interpreter: about 2 s
def test_report_never_imports_tensorflow(klass, tmp_path):
    root, _ = klass
    code = ("import sys; from autograder import cli; cli.main(['similarity', sys.argv[1], '--out', sys.argv[2]]); "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')], 'TensorFlow imported'")
    proc = subprocess.run([sys.executable, "-c", code, str(root / "submitted"), str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "similarity.csv").exists()


def test_class_section_in_the_summary(klass, tmp_path, capsys):
    root, _ = klass
    submissions = [(s, root / "submitted" / s / "assignment07" / "assignment07.ipynb") for s in ("ana", "ben", "dev")]
    section = class_section(submissions, tmp_path)
    assert section.text.startswith("Similarity of written code: 3 students, 3 pairs") and len(section.scores) == 3
    rows = [grades_row(result("a")), grades_row(result("b", failed=("test_b",)))]
    text = write_summary(tmp_path, rows, [(name, points) for name, points, _ in CHECKS], similarity=section)
    assert "ana / ben" in text and (tmp_path / "similarity.csv").exists()
    assert (tmp_path / "summary.txt").read_text() == text and (tmp_path / "summary.png").stat().st_size > 1000
    assert class_section(submissions[:1], tmp_path / "one") is None and not (tmp_path / "one").exists()
    capsys.readouterr()
    assert class_section([("a", None), ("b", None)], tmp_path / "broken") is None  # a crash is one warning line
    assert capsys.readouterr().out.startswith("warning: similarity report skipped (")


def test_an_export_is_compared_once_per_group_and_any_export_is_an_archive(tmp_path, capsys):
    """Gradescope's export against last year's Canvas download as a zip: the group's one notebook is one
    student of the report; every student is compared with the archive's, named archive:<name>."""
    import make_exports as me
    exports = me.build(tmp_path / "exports")
    last_year = me.zipped(exports["canvas"], tmp_path / "last_year.zip", wrap=False)
    cli.main(["similarity", str(exports["gradescope"]), "--out", str(tmp_path / "grades"), "--archive", str(last_year)])
    printed = capsys.readouterr().out
    assert "note: Ana Silva (SID 1001): graded submission_90004/assignment07.ipynb (the latest)" in printed
    assert "note: silvaana (user 2001): graded silvaana_late_2001_7005_assignment07-1.ipynb (the latest)" in printed
    rows = list(csv.DictReader(open(tmp_path / "grades" / "similarity.csv")))
    students = {r["student_a"] for r in rows} | {r["student_b"] for r in rows if r["compared_with"] == "class"}
    assert students == {"Ana_Silva-1001", "Ben_Okafor-1002", "Ana_Silva-1004"}  # Zoë is in Ben's group
    archived = {(r["student_a"], r["student_b"]): float(r["overall"]) for r in rows if r["compared_with"] == "archive"}
    assert archived[("Ana_Silva-1001", "archive:silvaana-2001")] == 1.0  # both hand in the reference
    assert archived[("Ana_Silva-1001", "archive:silvaana-2002")] == 0  # the untouched release: nothing written


def test_code_hidden_in_string_literals_compares_as_the_code_it_holds(tmp_path):
    """ana's answers verbatim, wrapped in exec(compile('...')) and base64-encoded rank together; all are marked."""
    ana = sc.fill(sc.ANA)
    students = {"ana": ana, "ana_copy": ana, "eve": sc.wrapped(ana, sc.exec_wrapped),
                "fay": sc.wrapped(ana, sc.base64_wrapped), "cho": sc.fill(sc.CHO)}
    report = run([(n, sc.write(nb, tmp_path / f"{n}.ipynb")) for n, nb in students.items()], tmp_path / "out")
    verbatim = _pair(report, "ana", "ana_copy").overall
    assert verbatim == 1.0 and _pair(report, "ana", "eve").overall >= 0.95 * verbatim
    assert _pair(report, "ana", "fay").overall >= 0.95 * verbatim and _pair(report, "eve", "fay").overall >= 0.95
    assert {p.a for p in report.pairs[:6]} | {p.b for p in report.pairs[:6]} == {"ana", "ana_copy", "eve", "fay"}
    assert set(report.obfuscated("eve")) == set(report.obfuscated("fay")) == set(sc.ANA)
    assert not report.obfuscated("ana") and not report.obfuscated("cho")
    assert "base64 in a string literal" in report.obfuscated("fay")["coupling_layer"]
    row = next(r for r in csv.DictReader(open(tmp_path / "out" / "similarity.csv")) if {r["student_a"], r["student_b"]}
               == {"ana", "eve"})
    assert set((row["obfuscated_cells_a"] + " " + row["obfuscated_cells_b"]).split()) == set(sc.ANA)
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert page.count('<span class="flag">obfuscated code</span>') >= 2 and "shown decoded" in page
    assert "obfuscated code (hidden in string literals" in section(report).text


@pytest.mark.parametrize("wrap", [
    lambda c: f"exec({c!r})", lambda c: f"eval(compile({c!r}, 'x', 'exec'))",
    lambda c: f"import base64, zlib\nexec(zlib.decompress(base64.b64decode({base64.b64encode(zlib.compress(c.encode()))!r})))",
    lambda c: f"exec(bytes.fromhex({c.encode().hex()!r}).decode())", lambda c: f"exec({c[::-1]!r}[::-1])",
    lambda c: f"import codecs\nexec(codecs.decode({codecs.encode(c, 'rot13')!r}, 'rot13'))",
    lambda c: f"exec({c[:15]!r} + {c[15:]!r})", lambda c: f"exec({sc.exec_wrapped(c)!r})",
    lambda c: f"if True:\n    _src = {base64.b85encode(c.encode()).decode()!r}\n    exec(base64.b85decode(_src))"])
def test_every_wrapping_is_undone(wrap):
    code = "def forward(self, x):\n    keep, change = self.split_halves(x)\n    return keep + change\n"
    text, found = reveal(wrap(code))
    assert "def forward(self, x):" in text and "return keep + change" in text and found, (text, found)
    assert "keep, change = self.split_halves(x)" in text


def test_text_that_is_not_code_stays_a_string():
    text = 'x = tfd.Normal(0.0, 1.0, name="the normal prior of every dimension")\nraise ValueError("parity must be 0 or 1, not 2")\n'
    assert reveal(text) == (text.rstrip("\n"), []) or reveal(text) == (text, [])
    bomb = base64.b64encode(zlib.compress(b"x = 1\n" + b"#" * 50_000_000)).decode()  # 50 MB when unpacked
    text, found = reveal(f"exec(zlib.decompress(base64.b64decode({bomb!r})))")
    assert found == ["zlib, base64 in a string literal"] and len(text) <= 15_000  # unpacking stops at the cap


def test_a_notebook_of_megabytes_is_cut_and_costs_no_more_than_one_at_the_cap(tmp_path):
    """240,000 lines (2 MB) in one cell beside normal students: a fresh process stays small, the report is
    written for everyone, and the cut is shown."""
    students = {"ana": sc.fill(sc.ANA), "cho": sc.fill(sc.CHO), "bomb": sc.bomb(sc.fill(sc.ANA))}
    files = [(n, sc.write(nb, tmp_path / "in" / f"{n}.ipynb")) for n, nb in students.items()]
    code = ("import json, sys; from autograder.similarity import run\n"  # VmHWM: ru_maxrss outlives exec
            "report = run(json.loads(sys.argv[1]), sys.argv[2])\n"
            "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
            "print(json.dumps({'peak_mib': hwm / 1024, 'cut': report.cut('bomb'), 'students': sorted(report.closest())}))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps([(n, str(p)) for n, p in files]), str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["peak_mib"] < 400, seen  # the L^2 line masks took 3.9 GB for this notebook
    assert list(seen["cut"]) == ["outlier_score"] and "of 240,0" in seen["cut"]["outlier_score"]
    assert seen["students"] == ["ana", "bomb", "cho"]
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert len(page) < 10 * (MAX_CHARS + 100 * MAX_LINES) and "cut: outlier_score (cut at 1" in page
    assert "[... cut at 1" in page and "the rest is not compared]" in page  # under the cell, side by side
    assert all(f">{n}</td>" in page.split("<h2>Every student</h2>")[1] for n in students)


def test_regrading_one_student_recomputes_the_class(klass, tmp_path):
    """The class is everybody in the output folder whose signed result names a notebook still as graded."""
    root, _ = klass
    graded = []
    for name in ("ana", "ben", "dev", "eve"):
        path = root / "submitted" / (name if name != "eve" else "cho") / "assignment07" / "assignment07.ipynb"
        graded.append(result(name, notebook=str(path)))
        graded[-1].sha256 = file_sha256(path) if name != "eve" else "0" * 64  # eve's file changed since
    out = tmp_path / "grades"
    write_outputs(graded, out, manual=0)
    section = class_section([("dev", root / "submitted/dev/assignment07/assignment07.ipynb")], out)
    assert section.text.startswith("Similarity of written code: 3 students, 3 pairs") and "ana / ben" in section.text
    assert "not compared: eve (" in section.text and len(section.scores) == 3
    assert (out / "similarity.html").exists()
    (out / "ana" / "grading.json").write_text("{}")  # ana: not signed; ben: no result; dev alone is left
    (out / "ben" / "grading.json").unlink()
    kept = class_section([("dev", root / "submitted/dev/assignment07/assignment07.ipynb")], out)
    assert kept.text.startswith("Similarity of written code: not recomputed (1 of the class's students")
    assert "not compared: ana, ben, eve" in kept.text and kept.scores == []
