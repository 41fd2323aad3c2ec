"""The ``similarity`` verb and the class summary's similarity section.

Every pair of students is ranked by how much of their written code matches (:mod:`.written`: what
they wrote in the solution cells; :mod:`.normalize`: layout, comments and names do not count;
:mod:`.compare`: winnowed fingerprints and weighted scores; :mod:`.report`: the outputs).  Each
student is also compared with the reference solution and with earlier terms' submissions.
Nothing here imports TensorFlow or runs student code.
"""
from pathlib import Path

TOP = 20  # pairs shown side by side in similarity.html


def run(submissions, out_dir, archive=(), top=TOP, pack=None):
    """Compare ``submissions`` (``[(student, notebook)]`` of ``pack``; default: the course's default assignment)
    and write similarity.csv and similarity.html.

    A notebook handed in for several students (a group's) is compared once, under its first student.

    Args:
        archive: ``[(name, notebook)]`` of earlier terms, each compared with every student.

    Returns:
        The :class:`~.report.Report`.
    """
    from ..grade.exports import distinct_files
    from .compare import Fingerprinter, all_pairs
    from .report import Report, write_csv, write_html
    from .written import REFERENCE, Template

    submissions, archive = distinct_files(submissions), distinct_files(archive)
    template = Template.load(pack)
    fingerprints = Fingerprinter(template)
    subs = {name: template.read(name, path) for name, path in submissions}
    old = {f"archive:{name}": template.read(f"archive:{name}", path) for name, path in archive}
    prints = {name: _fingerprinted(fingerprints, sub) for name, sub in {**subs, **old}.items()}
    prints[REFERENCE] = fingerprints.submission(template.reference)
    pairs = all_pairs({n: prints[n] for n in subs}, fingerprints.weights, prints[REFERENCE],
                      {n: prints[n] for n in old}, REFERENCE)
    report = Report(pairs, {**subs, **old, REFERENCE: template.reference}, prints, fingerprints.weights,
                    list(subs))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    write_csv(report, Path(out_dir, "similarity.csv"))
    write_html(report, Path(out_dir, "similarity.html"), out_dir, top=top)
    return report


def _fingerprinted(fingerprints, sub):
    """``sub``'s fingerprints; one that cannot be fingerprinted gets none and a note, the class its report."""
    try:
        return fingerprints.submission(sub)
    except (ValueError, RecursionError, MemoryError) as err:
        sub.notes.append(f"{sub.name}: not compared ({type(err).__name__})")
        sub.cells = {}
        return fingerprints.submission(sub)


def main(inputs, out_dir, archive=None, top=TOP, assignment=None):
    """The verb: discover the students in ``inputs`` (and ``archive``), compare, write, print the section.

    Raises:
        DiscoveryError: an input (or the archive) does not exist or holds no notebook.
    """
    from .. import packs
    from ..grade.discover import Found, discover
    from .report import section

    pack = packs.load(assignment)
    submissions = discover(inputs, assignment=pack.id)
    earlier = discover([archive], assignment=pack.id) if archive else Found()
    for note in submissions.notes + earlier.notes:
        print("note:", note)
    report = run(submissions, out_dir, earlier, top=top, pack=pack)
    print(section(report).text, end="")
    print(f"outputs in {out_dir}: similarity.csv (every pair), similarity.html (the top {top} side by side)")
    return report


def class_section(submissions, out_dir, pack=None):
    """The grade run's similarity section (or None), over the whole class in ``out_dir``; never raises.

    The class is ``submissions`` (graded now) and every earlier student of ``out_dir`` whose notebook
    is still the file graded (:func:`autograder.grade.merge.earlier_submissions`): regrading one
    student recomputes the report and the section for everybody.  The section names anyone left out.
    With fewer than two students to compare, nothing is written and an earlier report stays as it
    was; the section then says so (None if there is no earlier report).
    """
    from ..grade.merge import earlier_submissions
    from .report import Section, section
    try:
        earlier, left_out = earlier_submissions(out_dir, submissions)
        everybody = [*earlier, *submissions]
        note = (f"  not compared: {', '.join(left_out)} (no signed result, or the notebook is gone or changed "
                "since it was graded: grade them again)\n") if left_out else ""
        if len(everybody) < 2:
            if not Path(out_dir, "similarity.html").exists():
                return None
            return Section(f"Similarity of written code: not recomputed ({len(everybody)} of the class's students "
                           "could be compared); similarity.html and similarity.csv are from an earlier run\n" + note)
        report = section(run(everybody, out_dir, pack=pack))
        return Section(report.text + note, report.scores)
    except Exception as err:  # noqa: BLE001 - the report must never stop grading
        from ..notes import visible
        print(f"warning: similarity report skipped ({type(err).__name__}: {visible(err)})")
        return None
