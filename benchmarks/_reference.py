"""Load the reference NICE implementation from the assignment 07 source notebook.

The API cells (exactly what ``autograder.notebook.graded_cells`` yields: no tests, no experiments)
are executed in one namespace dict, so the benchmarks always measure the notebook's current code.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = ROOT / "source" / "assignment07"
NOTEBOOK = ASSIGNMENT / "assignment07.ipynb"


def load_reference(quick=True):
    """Return the namespace dict with CouplingLayer, NICE, train, evaluate_nll, H, tf, tfp, ..."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("NICE_QUICK", "1" if quick else "0")
    for path in (str(ROOT), str(ASSIGNMENT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    from autograder.notebook import graded_cells, read_notebook

    namespace = {"__name__": "nice_reference"}
    for cell, nbg in graded_cells(read_notebook(NOTEBOOK)):
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        exec(compile(source, f"<assignment07:{nbg['grade_id']}>", "exec"), namespace)
    return namespace


def graded_ids():
    """grade_ids of the cells load_reference executes (for the report)."""
    from autograder.notebook import graded_cells, read_notebook
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return [nbg["grade_id"] for _, nbg in graded_cells(read_notebook(NOTEBOOK))]


def bf16_shift_network(tf):
    """A make_shift_network twin whose Dense layers compute in bfloat16 ("mixed_bfloat16" policy:
    float32 weights, bf16 matmuls) and whose output is cast back to float32, so the coupling's
    addition, the scaling layer and the likelihood stay float32."""
    def make(in_dim, out_dim, hidden_units=(64, 64), activation="relu"):
        layers = [tf.keras.Input((in_dim,))]
        layers += [tf.keras.layers.Dense(u, activation=activation, dtype="mixed_bfloat16")
                   for u in hidden_units]
        layers += [tf.keras.layers.Dense(out_dim, dtype="mixed_bfloat16"),
                   tf.keras.layers.Activation("linear", dtype="float32")]  # cast back to float32
        return tf.keras.Sequential(layers)
    return make


def nice_with_bf16_couplings(ns, *args, **kwargs):
    """ns["NICE"](*args, **kwargs) with bf16 coupling networks: the reference classes unchanged, the
    given make_shift_network swapped for the build only (CouplingLayer looks it up at __init__)."""
    original = ns["make_shift_network"]
    ns["make_shift_network"] = bf16_shift_network(ns["tf"])
    try:
        return ns["NICE"](*args, **kwargs)
    finally:
        ns["make_shift_network"] = original


def invertibility_error(model, x):
    """max |backward(forward(x)) - x| over a batch (a Python float)."""
    tf = __import__("tensorflow")
    x = tf.convert_to_tensor(x, tf.float32)
    return float(tf.reduce_max(tf.abs(model.backward(model.forward(x)) - x)))
