"""Build the example submissions that ship with the autograder (the README's main job grades them).

Each example is the student release with some solution cells filled in from the reference, possibly
with one realistic mistake.  ``python -m assignments.assignment07.examples.build`` rewrites them; a test checks that
the committed files are what this produces.
"""
import json
from pathlib import Path

from autograder import packs

HERE = Path(__file__).resolve().parent
SOLUTION_CELLS = ("coupling_layer", "scaling_layer", "nice_model", "log_likelihood", "training",
                  "inpainting", "outlier_score")

#: name -> (solved cells, {grade_id: (old, new)} mistakes, what it is, the checks it must fail)
EXAMPLES = {
    "student_model_only": (
        ("coupling_layer", "scaling_layer", "nice_model"), {},
        "finished the flow itself, not the likelihood, training and applications",
        ("test_inpainting_step_rule", "test_inpaint_behaviour", "test_log_likelihood[logistic]",
         "test_log_likelihood[normal]", "test_nll_loss", "test_outlier_score", "test_parabola_training",
         "test_training_moves_the_scale", "test_batch_of_one")),
    "student_backward_adds_shift": (
        SOLUTION_CELLS,
        {"coupling_layer": ("return self.merge_halves(keep, change - self.shift_net(keep))",
                            "return self.merge_halves(keep, change + self.shift_net(keep))")},
        "CouplingLayer.backward adds the shift instead of subtracting it",
        ("test_coupling_inverse", "test_nice_inverse", "test_sampling")),
    "student_logdet_sign_flipped": (
        SOLUTION_CELLS,
        {"scaling_layer": ("return tf.reduce_sum(self.log_scale)", "return -tf.reduce_sum(self.log_scale)")},
        "ScalingLayer.log_det_jacobian returns -sum(s)",
        ("test_log_likelihood[logistic]", "test_log_likelihood[normal]", "test_nll_loss",
         "test_scaling_layer_log_det", "test_model_log_det_matches_jacobian")),
}


def _cells_by_id(nb):
    return {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}


def build(out=HERE):
    """Write every example into ``out``."""
    out = Path(out)
    pack = packs.load("assignment07")
    source = json.loads(pack.notebook.read_text())
    release_text = pack.release_notebook.read_text()
    solved = _cells_by_id(source)
    (out / "reference.ipynb").write_text(pack.notebook.read_text())
    (out / "untouched_release.ipynb").write_text(release_text)
    for name, (cells, mistakes, _, _) in EXAMPLES.items():
        nb = json.loads(release_text)
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in cells:
                text = "".join(solved[gid]["source"])
                if gid in mistakes:
                    old, new = mistakes[gid]
                    assert text.count(old) == 1, f"{name}: mistake does not match exactly once"
                    text = text.replace(old, new)
                cell["source"] = text.splitlines(keepends=True)
        (out / f"{name}.ipynb").write_text(json.dumps(nb, indent=1) + "\n")


if __name__ == "__main__":
    build()
