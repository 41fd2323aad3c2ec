"""The ``publish`` verb: one assignment's executed reference solution and its HTML export, in ``solutions/<id>/``.

Runs ``nbgrader generate_solution`` (the hidden checks are cleared by the course config, so the
published notebook never imports the autograder) and exports HTML beside it, with the course config's
HTML settings (formulas as MathML, no CDN: :mod:`autograder.nbgrader_bridge.maths`).  The assignment's quick variable = 0 (the
default here; the pack names it, :attr:`autograder.packs.Pack.quick_env`) trains for real
into ``solutions/<id>/``, the committed solution; ``--quick`` uses the short budgets and writes to
``build/solutions-quick/<id>/``, so a quick run never replaces the real numbers unless ``--out solutions``
asks for it.  Into the published folder it writes ``made_from.json``: the command and the hashes of
:func:`inputs` (tests/test_generated_files.py checks the committed ones).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from . import packs, paths
from .made_from import record

QUICK_OUT = Path("build") / "solutions-quick"
COMMAND = "python -m autograder publish"
RECORD = "made_from.json"


def inputs(pack):
    """What ``pack``'s published solution is made from: its source folder (notebook, helpers, self-checks), the
    course configuration (nbgrader's steps, kernels), this command and the pinned packages."""
    return [f"source/{pack.id}", "nbgrader_config.py", "autograder/publish.py", "requirements.txt"]


def command(pack, quick=False):
    """The command that publishes ``pack`` (the default assignment's names none)."""
    return COMMAND + (f" --assignment {pack.id}" if pack.id != packs.default_id() else "") + (" --quick" if quick else "")


def main(root=paths.ROOT, quick=False, out=None, assignment=None):
    """Publish ``assignment`` (an id; default: the course's default) into ``out/<id>/`` (``out`` relative to
    ``root``; default ``solutions`` or, quick, ``build/solutions-quick``); returns that folder."""
    root, pack = Path(root).resolve(), packs.load(assignment)
    made_from = record(inputs(pack), command(pack, quick), root)  # the inputs as this run reads them
    out_dir = root / (out or (QUICK_OUT if quick else "solutions"))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if pack.quick_env:
        env[pack.quick_env] = "1" if quick else "0"
    subprocess.run(["nbgrader", "db", "assignment", "add", pack.id], cwd=root, env=env, check=True,
                   capture_output=True)
    subprocess.run(["nbgrader", "generate_solution", pack.id, "--force", "--Execute.timeout=7200",
                    f"--CourseDirectory.solution_directory={out_dir}"], cwd=root, env=env, check=True)
    published = out_dir / pack.id
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", f"--config={root / 'nbgrader_config.py'}",
                    str(published / pack.notebook.name)], cwd=published, env=env, check=True)
    (published / RECORD).write_text(json.dumps(made_from, indent=1) + "\n")
    print(f"published {published}: {', '.join(sorted(p.name for p in published.iterdir()))}; "
          f"what it was made from: {published / RECORD}")
    return published
