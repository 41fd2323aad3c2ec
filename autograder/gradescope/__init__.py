"""Gradescope: build the autograder zip, and the entry point its ``run_autograder`` calls.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once per image, then for each
submission puts the student's files in ``/autograder/submission`` and runs ``run_autograder``, which
must write ``/autograder/results/results.json``.  Every container grades one submission, which is how
a course scales out to hundreds at once.

Gradescope's containers run the bundle as root without CAP_SYS_ADMIN, and Docker's default seccomp
profile refuses namespaces: the sandbox then confines student code by a uid of its own, the limits
and the syscall filter, and :func:`run` makes everything under the root folder except the Python
installation (the course, the graders, the reference, the course secret, the results) and the
shared world-writable folders root-only first.  The isolation in force is printed first and stated
in results.json (``"isolation"``).

A bundle grades one assignment: :func:`bundle` writes its id into the zip (:data:`ASSIGNMENT_FILE`), and
:func:`run` grades with that assignment's pack.
"""
import json
import zipfile
from pathlib import Path

from .. import packs, paths, secret
from ..version import grading_files

HERE = Path(__file__).resolve().parent
#: The file of a bundle (beside run_autograder, in ``/autograder/source``) that names its assignment.
ASSIGNMENT_FILE = "ASSIGNMENT"


def default_zip(assignment=None):
    """Where ``gradescope-bundle`` writes: ``dist/<id>_autograder.zip`` (the course's default assignment unless
    ``--assignment``)."""
    from .. import packs
    return Path("dist") / f"{assignment or packs.default_id()}_autograder.zip"


def bundle(out_zip, pack=None):
    """Write the Gradescope autograder zip of ``pack`` (default: the course's default assignment); returns its path."""
    pack = pack or packs.load()
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            zf.writestr(info, (HERE / name).read_text())
        zf.writestr(ASSIGNMENT_FILE, pack.id + "\n")
        info = zipfile.ZipInfo(secret.FILE_NAME)  # the same key as the course's: the same data on every route
        info.external_attr = 0o600 << 16
        zf.writestr(info, secret.key().decode() + "\n")
        for f in grading_files():  # what grader_version hashes: the bundle states the course's version
            zf.write(f, str(f.relative_to(paths.ROOT)))
    return out_zip


def find_notebook(submission_dir, pack):
    """The submitted notebook: ``<id>.ipynb`` of ``pack`` if there is one, else the first ``.ipynb`` (or None)."""
    nbs = sorted(Path(submission_dir).rglob("*.ipynb"))
    preferred = [nb for nb in nbs if nb.name == pack.notebook.name]
    return (preferred or nbs or [None])[0]


def bundled_assignment(source_dir):
    """The id a bundle unpacked in ``source_dir`` was built for (None: no :data:`ASSIGNMENT_FILE` there)."""
    path = Path(source_dir) / ASSIGNMENT_FILE
    return path.read_text().strip() if path.is_file() else None


def run(root, assignment=None):
    """Grade ``root/submission`` for ``assignment`` (an id; default: the one the bundle in ``root/source`` was
    built for, else the course's default) and write ``root/results/results.json`` (always)."""
    from ..grade.report import gradescope_json
    from ..grade.run import grade_submissions
    from ..results import SubmissionResult
    from ..worker import confinement

    root = Path(root)
    pack = packs.load(assignment or bundled_assignment(root / "source"))
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    mode = confinement.probe()
    print(("WARNING: " if mode != "namespaces" else "") + confinement.expected_line(mode), flush=True)
    notebook = find_notebook(root / "submission", pack)
    if notebook is None:
        data = gradescope_json(SubmissionResult("student", "", error="no .ipynb file was submitted"))
    elif mode == "none":
        data = gradescope_json(SubmissionResult("student", str(notebook), error="not graded: nothing can confine student code in this container (not root, no namespaces)"))
    else:
        with confinement.guard(mode, [results_dir, secret.location()], top=str(root), shared=True) as notes:
            print(*notes, sep="\n", flush=True)
            result = grade_submissions([("student", notebook)], workers=1, progress=False, pack=pack)[0]
        data = gradescope_json(result)
        print(("WARNING: " if confinement.is_degraded(data["isolation"]) else "") + data["isolation"])
    (results_dir / "results.json").write_text(json.dumps(data, indent=1))
    return data


def main_bundle(out=None, assignment=None):
    pack = packs.load(assignment)
    path = bundle(out or default_zip(assignment), pack)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB): upload it as the Gradescope autograder of {pack.title}")


def main_run(root, assignment=None):
    data = run(root, assignment)
    print(f"score {data['score']:g}; results in {Path(root) / 'results' / 'results.json'}")
