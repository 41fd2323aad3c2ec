"""Quality and speed of the reference NICE on the parabola, trained exactly as the notebook does.

Repeats the notebook's ``toy_parabola`` cell in normal mode: seed 0, NICE(2, num_couplings=6,
hidden_units=(128, 128), prior="normal"), the notebook's own ``train`` loop for 4000 steps, batch 256,
learning rate 3e-3, training data H.parabola(20000, seed=1), test data H.parabola(10000, seed=2).
The test NLL is compared with the distribution's differential entropy (4.2242 nats, the lowest
expected NLL any model can reach); the target is to come within 0.02 nats.

Besides the final test NLL it reports the first evaluation step (every --eval-every steps; the
notebook uses steps // 50 = 80) at which the test NLL was within the tolerance, the time at which
that happened, and the wall-clock seconds of the whole train() call, as the notebook measures it
(evaluations included). The evaluation schedule does not change the training itself.

    PYTHONPATH=. .venv/bin/python benchmarks/parabola_quality.py               # ~30-60 s on 2 cores
    PYTHONPATH=. .venv/bin/python benchmarks/parabola_quality.py --steps 200   # smoke test
"""
import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("NICE_QUICK", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._reference import load_reference  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=4000, help="training steps (notebook: 4000)")
    p.add_argument("--eval-every", type=int, default=None,
                   help="evaluate the test NLL every N steps (default: the notebook's steps // 50)")
    p.add_argument("--tolerance", type=float, default=0.02, help="target gap to the entropy, nats")
    p.add_argument("--seed", type=int, default=0, help="tf.keras.utils.set_random_seed (notebook: 0)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with contextlib.redirect_stdout(io.StringIO()):  # the setup cell prints versions
        ns = load_reference()
    tf, H = ns["tf"], ns["H"]
    eval_every = args.eval_every or max(1, args.steps // 50)

    # Timestamp every evaluation: train() looks evaluate_nll up in the namespace at call time.
    evaluate_nll, stamps = ns["evaluate_nll"], []

    def timed_evaluate_nll(model, data, batch_size=2000):
        value = evaluate_nll(model, data, batch_size)
        stamps.append(time.perf_counter())
        return value

    ns["evaluate_nll"] = timed_evaluate_nll

    # ---- the notebook's toy_parabola cell, with the steps and the evaluation interval as flags
    tf.keras.utils.set_random_seed(args.seed)
    parabola_train, parabola_test = H.parabola(20000, seed=1), H.parabola(10000, seed=2)
    model = ns["NICE"](2, num_couplings=6, hidden_units=(128, 128), prior="normal")
    start = time.perf_counter()
    history = ns["train"](model, parabola_train, steps=args.steps, batch_size=256, learning_rate=3e-3,
                          validation_data=parabola_test, eval_every=eval_every, progress=False)
    seconds = time.perf_counter() - start
    ns["evaluate_nll"] = evaluate_nll
    test_nll = evaluate_nll(model, parabola_test)
    train_nll = evaluate_nll(model, parabola_train)

    entropy, tol = H.PARABOLA_ENTROPY, args.tolerance
    gap = test_nll - entropy
    hit = next(((s, v, t) for s, v, t in zip(history["val_step"], history["val_loss"], stamps)
                if v - entropy <= tol), None)
    best = min(zip(history["val_loss"], history["val_step"]))

    print(f"parabola, reference NICE (6 additive couplings, hidden 128x128 ReLU, normal prior), "
          f"{args.steps} steps, batch 256, Adam 3e-3, TF {tf.__version__}, {os.cpu_count()} CPU cores")
    print(f"test NLL {test_nll:.4f} nats, entropy {entropy:.4f}: gap {gap:+.4f} "
          f"({'within' if gap <= tol else 'NOT within'} the {tol} target); train NLL {train_nll:.4f}")
    print(f"best evaluated test NLL {best[0]:.4f} at step {best[1]} "
          f"(evaluated every {eval_every} steps)")
    if hit:
        print(f"first within {tol}: step {hit[0]} (test NLL {hit[1]:.4f}) after {hit[2] - start:.1f} s")
    else:
        print(f"never within {tol} at an evaluation")
    print(f"train() wall time {seconds:.1f} s ({seconds / args.steps * 1e3:.2f} ms/step including "
          f"{len(stamps)} test evaluations)")
    trace = ", ".join(f"{s}:{v:.3f}" for s, v in list(zip(history["val_step"], history["val_loss"]))[::5])
    print(f"test NLL by step (every 5th evaluation): {trace}")


if __name__ == "__main__":
    main()
