"""Time the similarity report on a synthetic class, beside copydetect's own detector on the same files.

Builds ``--students`` submissions (default 300) in a temporary nbgrader ``submitted/`` tree: each
answer region (18 of them) is taken from one of three independently written sets of answers (the
reference's, and ANA's and CHO's from tests/fixtures/similarity_class.py), about half of its own names
renamed and its comments rewritten; every ``--copy-every``-th student hands in such a disguised copy of
an earlier student who wrote their own.  Then:

* ours: ``autograder.similarity.run`` (read, fingerprint, every pair, the reference, similarity.csv and
  similarity.html), in this process;
* peer: ``copydetect.CopyDetector`` over the same submissions as one .py file each (every code cell),
  with the release's code as boilerplate, its default thresholds, ``run()`` only (no HTML report).

Prints both wall times, the ratio ours/peer and how the planted copies rank.

    PYTHONPATH=. .venv/bin/python benchmarks/similarity.py            # about 1 minute on 2 CPU cores
"""
import argparse
import ast
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import similarity_class as sc  # noqa: E402

from autograder.grade.discover import discover  # noqa: E402
from autograder.similarity import run  # noqa: E402
from autograder.similarity.normalize import bound_names  # noqa: E402


def _disguise(body, rng):
    """``body`` with about half the names it binds renamed (``self`` kept) and its comments rewritten."""
    try:
        names = sorted(bound_names(ast.parse(body)) - {"self"})
    except SyntaxError:
        names = []
    renames = {n: f"{n}_{rng.randrange(100)}" for n in names if rng.random() < 0.5}
    return sc.recomment(sc.rename(body, renames) if renames else body, f"# note {rng.randrange(1000)}")


def build_class(folder, students, copy_every, seed):
    """Write the synthetic class; return ``{copier: original}``."""
    rng = random.Random(seed)
    authors = [sc.reference_bodies(), sc.ANA, sc.CHO]
    release = sc.load(sc.RELEASE)
    answers, copies = [], {}
    for i in range(students):
        if copy_every and i % copy_every == copy_every - 1:
            original = rng.choice([j for j in range(i) if f"s{j:03d}" not in copies])
            copies[f"s{i:03d}"] = f"s{original:03d}"
            bodies = {gid: [_disguise(b, rng) for b in regions] for gid, regions in answers[original].items()}
        else:
            bodies = {gid: [_disguise(rng.choice(authors)[gid][k], rng) for k in range(len(sc.ANA[gid]))]
                      for gid in sc.ANA}
        answers.append(bodies)
        sc.write(sc.fill(bodies, release), folder / f"s{i:03d}" / "assignment07" / "assignment07.ipynb")
    return copies


def peer(folder, tmp):
    """copydetect's CopyDetector over every submission's code cells as one .py file; its wall time."""
    from copydetect import CopyDetector
    code = tmp / "peer"
    for nb in sorted(folder.glob("*/assignment07/assignment07.ipynb")):
        (code / "test").mkdir(parents=True, exist_ok=True)
        (code / "test" / f"{nb.parent.parent.name}.py").write_text("\n\n".join(sc.code(sc.load(nb))))
    (code / "boilerplate").mkdir()
    (code / "boilerplate" / "release.py").write_text("\n\n".join(sc.code(sc.load(sc.RELEASE))))
    start, cpu = time.perf_counter(), time.process_time()
    detector = CopyDetector(test_dirs=[str(code / "test")], boilerplate_dirs=[str(code / "boilerplate")],
                            extensions=["py"], silent=True, autoopen=False, out_file=str(tmp / "peer.html"))
    detector.run()
    return time.perf_counter() - start, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--copy-every", type=int, default=25, help="every N-th student copies an earlier one")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peer", action="store_true", help="time ours only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        copies = build_class(tmp / "submitted", args.students, args.copy_every, args.seed)
        start, cpu = time.perf_counter(), time.process_time()
        report = run(discover([str(tmp / "submitted")]), tmp / "grades")
        ours, cpu = time.perf_counter() - start, time.process_time() - cpu
        pairs = [p for p in report.pairs if p.kind == "class"]
        print(f"ours: {args.students} students, {len(pairs)} pairs (+ {args.students} against the reference) "
              f"in {ours:.1f} s (CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        groups = {}
        for copier, original in copies.items():
            groups.setdefault(original, {original}).add(copier)
        planted = {frozenset((a, b)) for group in groups.values() for a in group for b in group if a < b}
        ranks = sorted(i + 1 for i, p in enumerate(pairs) if frozenset((p.a, p.b)) in planted)
        print(f"pairs of planted copies (two copies of one student included): {len(planted)}, "
              f"ranked {ranks} (the highest other pair: "
              f"{max((p.overall for p in pairs if frozenset((p.a, p.b)) not in planted), default=0):.2f}, "
              f"lowest copy: {min((p.overall for p in pairs if frozenset((p.a, p.b)) in planted), default=0):.2f})")
        if not args.no_peer:
            theirs, their_cpu = peer(tmp / "submitted", tmp)
            print(f"peer (copydetect.CopyDetector.run, whole notebooks' code): {theirs:.1f} s (CPU {their_cpu:.1f} s); "
                  f"ratio ours/peer {ours / theirs:.2f} (CPU {cpu / their_cpu:.2f})")


if __name__ == "__main__":
    main()
