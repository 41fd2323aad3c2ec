"""Find submissions: a notebook, a folder of notebooks, or nbgrader's submitted/<student>/<assignment>/ tree."""
import re
from pathlib import Path

from .. import paths


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "student"


def discover(inputs, assignment=paths.ASSIGNMENT):
    """Return ``[(student, notebook_path)]``, students unique and named for folders."""
    found = []
    for raw in inputs:
        path = Path(raw)
        if path.is_file():
            parent = path.parent
            student = parent.parent.name if parent.name == assignment else path.stem
            found.append((student, path))
        elif path.is_dir():
            tree = sorted(path.glob(f"*/{assignment}/*.ipynb"))
            if tree:
                found += [(nb.parent.parent.name, nb) for nb in tree if nb.stem == assignment] or \
                         [(nb.parent.parent.name, nb) for nb in tree]
            else:
                found += [(nb.stem, nb) for nb in sorted(path.glob("*.ipynb"))]
        else:
            raise FileNotFoundError(f"no such notebook or folder: {raw}")
    seen, unique = {}, []
    for student, nb in found:
        name = _safe(student)
        seen[name] = seen.get(name, 0) + 1
        unique.append((name if seen[name] == 1 else f"{name}-{seen[name]}", nb))
    return unique
