"""Inpainting (NICE section 5.2) on the notebook's MNIST model, against the mean-image fill.

Trains the notebook's MNIST model exactly as its ``mnist_train`` cell does (``H.load_mnist()``, the first
sixth of the training images as validation, dequantized with rng = default_rng(0); NICE(784, 4 couplings,
128x128, logistic prior), ``train`` for --train-steps steps, batch 200, lr 3e-3, seed 0), then inpaints
--images test digits under three masks with the notebook's ``inpaint`` (the section 5.2 rule through the
notebook's ``inpainting_step``), starting from the mean training image, for each --units value.

The peer is the mean-image fill itself (the starting point), measured in the same run: reported per
mask and unit are the mean squared error on the hidden pixels, its ratio to the mean fill's (< 1: the
model's inpainting is better than the mean image), and the mean log-likelihood of the completed images
next to the test set's.

    PYTHONPATH=. .venv/bin/python benchmarks/inpainting_quality.py            # ~4 min on 2 CPU cores
    PYTHONPATH=. .venv/bin/python benchmarks/inpainting_quality.py --train-steps 50 --images 8 --steps 20
"""
import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks._reference import load_reference  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--train-steps", type=int, default=3000, help="training steps (notebook: 3000)")
    p.add_argument("--images", type=int, default=200, help="test digits inpainted per mask")
    p.add_argument("--steps", type=int, default=1000, help="inpainting steps (notebook: 1000)")
    p.add_argument("--units", type=float, nargs="+", default=[1.0, 1 / 8, 1 / 32, 1 / 128],
                   help="units of the update (notebook: 1/32; the paper's rule taken literally: 1)")
    return p.parse_args(argv)


def masks():
    rows, cols = np.arange(784) // 28, np.arange(784) % 28
    return {"bottom half hidden": rows < 14, "left half hidden": cols >= 14,
            "75% random hidden": np.random.default_rng(1).uniform(size=784) < 0.25}


def main(argv=None):
    args = parse_args(argv)
    ns = load_reference(quick=False)
    tf, H = ns["tf"], ns["H"]
    train_full, test, source = H.load_mnist()
    rng = np.random.default_rng(0)
    n_val = len(train_full) // 6
    validation = H.dequantize(train_full[:n_val], rng)
    train = H.dequantize(train_full[n_val:], rng)
    test = H.dequantize(test, rng)
    tf.keras.utils.set_random_seed(0)
    model = ns["NICE"](784, num_couplings=4, hidden_units=(128, 128), prior="logistic")
    started = time.time()
    ns["train"](model, train, steps=args.train_steps, batch_size=200, learning_rate=3e-3,
                validation_data=validation, eval_every=max(1, args.train_steps // 10), progress=False)
    test_ll = -ns["evaluate_nll"](model, test)
    print(f"data: {source}")
    print(f"model: {args.train_steps} steps in {time.time() - started:.0f} s; test log-likelihood {test_ll:.1f} nats")

    def mean_ll(x):
        return float(np.mean(ns["log_likelihood"](model, tf.constant(x))))

    images = test[: args.images]
    print(f"\n{args.images} test digits, {args.steps} steps, start = mean training image")
    print(f"{'mask':20s} {'unit':>7s} {'MSE':>8s} {'MSE mean':>9s} {'ours/peer':>9s} {'LL':>9s} "
          f"{'LL mean':>9s} {'seconds':>7s}")
    for name, mask in masks().items():
        observed = np.broadcast_to(mask, images.shape).astype(np.float32)
        start = H.mean_fill(images, observed, train.mean(axis=0))
        peer = H.hidden_mse(start, images, observed)
        for unit in args.units:
            began = time.time()
            filled = ns["inpaint"](model, start, observed, steps=args.steps, unit=unit)
            mse = H.hidden_mse(filled, images, observed)
            print(f"{name:20s} 1/{1 / unit:<5.0f} {mse:8.4f} {peer:9.4f} {mse / peer:9.3f} "
                  f"{mean_ll(filled):9.1f} {mean_ll(start):9.1f} {time.time() - began:7.1f}")


if __name__ == "__main__":
    main()
