"""One class of attacks on the class as a whole, graded in one run with ``--workers 2``: the figures of issue 23.

Builds, in a temporary nbgrader ``submitted/`` tree: the reference beside a CPU hog (6 children that spin
until the sandbox ends), a fork-memory notebook (8 children holding 400 MiB each), a 2 MB list-literal
notebook (the reference plus 240,000 lines in a solution cell), a classmate (ANA's answers, from
tests/fixtures/similarity_class.py) with a verbatim copy, an ``exec(compile('...'))``-wrapped copy and a
base64-encoded copy, an exception and a student name full of terminal escapes and bidi overrides, and
two students ``Bea`` and ``bea``.  Grades it with ``autograder.grade.main`` in this process (so this
process is the grading process) and prints, as JSON:

* ``host_rise_mib``: the peak of the host's memory in use (MemTotal - MemAvailable), sampled every 0.2 s,
  above what it was before; ``sandbox_peak_mib``: the peak memory (Pss) of the fork-memory notebook's
  sandbox uid, sampled alike; ``scores``: the reference's, the hog's and the fork-memory notebook's;
* ``grading_peak_rss_mib``: the peak resident memory of this process (the runner, the similarity
  report included); ``similarity_html_bytes`` and whether every student has a row in it;
* ``copy_ranks``: the rank and score of each copy's pair with ANA in similarity.csv;
* ``control_sequences``: every output file and the console that hold a terminal escape, a control
  character other than newline and tab, or a bidi control (should be none).

    PYTHONPATH=. .venv/bin/python benchmarks/hostile_class.py     # ~10 min on a busy 2-core machine
"""
import contextlib
import csv
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_hostile  # noqa: E402
import similarity_class as sc  # noqa: E402
from hostile_text import unclean  # noqa: E402
from memory_sampler import Sampler  # noqa: E402
from make_hostile_inputs import ESCAPED_NAME, _raises_escapes  # noqa: E402

from autograder.grade import main as grade_main  # noqa: E402

SAMPLE_S = 0.2


def _class():
    """``{student: notebook JSON, or a str written as is}``."""
    source = make_hostile.load_source()
    bank = {h.name: h for h in make_hostile.BANK}
    nbs = {}
    for student, attack in (("cpu_hog", "hostile_cpu_hog"), ("fork_memory", "hostile_fork_memory")):
        nb = json.loads(json.dumps(source))
        bank[attack].transform(nb)
        nbs[student] = nb
    nbs["honest"] = source
    nbs["similarity_bomb"] = sc.bomb(source)
    ana = sc.fill(sc.ANA)
    nbs.update(ana=ana, ana_verbatim=ana, ana_exec=sc.wrapped(ana, sc.exec_wrapped),
               ana_base64=sc.wrapped(ana, sc.base64_wrapped))
    release = sc.load(sc.RELEASE)
    escapes = json.loads(json.dumps(release))
    _raises_escapes(escapes["cells"])
    nbs["escapes_in_error"] = escapes
    nbs[ESCAPED_NAME] = release
    nbs["Bea"], nbs["bea"] = release, "{not json"
    return nbs


def _peak_rss():
    """This process's peak resident memory (VmHWM: ru_maxrss would keep a parent's across exec)."""
    with open("/proc/self/status") as f:
        return 1024 * next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


class Tee(io.StringIO):
    """Keeps what is printed and prints it too (escapes made visible with repr: this terminal is ours)."""

    def write(self, text):
        sys.__stdout__.write(repr(text)[1:-1].replace("\\n", "\n") if unclean(text) else text)
        return super().write(text)


def main():
    with tempfile.TemporaryDirectory(prefix="nice-hostile-class-") as tmp:
        submitted = Path(tmp, "submitted")
        for student, nb in _class().items():
            path = submitted / student / "assignment07" / "assignment07.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
        out = Path(tmp, "grades")
        console, began = Tee(), time.monotonic()
        with Sampler(SAMPLE_S) as peaks, contextlib.redirect_stdout(console):
            results = {r.student: r for r in grade_main([str(submitted)], str(out), workers=2, progress=False)}
        seconds = time.monotonic() - began

        def uid(student):
            return int(results[student].worker.get("isolation", {}).get("user", "uid -1").split()[1])

        pairs = list(csv.DictReader(open(out / "similarity.csv"))) if (out / "similarity.csv").exists() else []
        ranks = {}
        for copy in ("ana_verbatim", "ana_exec", "ana_base64"):
            row = next((r for r in pairs if {r["student_a"], r["student_b"]} == {"ana", copy}), None)
            ranks[copy] = [int(row["rank"]), float(row["overall"])] if row else None
        page = (out / "similarity.html").read_text() if (out / "similarity.html").exists() else ""
        texts = {"console": console.getvalue()}
        texts.update({str(p.relative_to(out)): p.read_text(errors="replace") for p in out.rglob("*")
                      if p.suffix in (".md", ".html", ".txt", ".csv")})
        texts.update({str(p.relative_to(out)): json.dumps(json.loads(p.read_text()), ensure_ascii=False)
                      for p in out.rglob("results.json")})
        figures = {
            "seconds": round(seconds),
            "host_rise_mib": peaks.host // 2**20,
            "sandbox_peak_mib": {s: peaks.sandbox.get(uid(s), 0) // 2**20 for s in ("fork_memory", "cpu_hog", "honest")},
            "scores": {s: results[s].score for s in ("honest", "cpu_hog", "fork_memory", "similarity_bomb")},
            "grading_peak_rss_mib": _peak_rss() // 2**20,
            "similarity_html_bytes": len(page.encode()),
            "similarity_rows_for_everyone": all(f">{s}<" in page for s in results),
            "copy_ranks": ranks,
            "control_sequences": sorted(w for w, t in texts.items() if unclean(t)),
            "folders": sorted(p.name for p in out.iterdir() if p.is_dir()),
        }
        print(json.dumps(figures, indent=1, ensure_ascii=True))


if __name__ == "__main__":
    main()
