"""Time one NICE training step: the reference notebook's code vs TFP's RealNVP vs a matmul ceiling.

All variants run in ONE process on the same machine, with the same architecture and the same
batches of (dequantized) MNIST digits:

  eager        the reference train step run eagerly (make_train_step(...).python_function)
  function     the reference train step as make_train_step(model, optimizer) builds it (@tf.function)
  xla          make_train_step(model, optimizer, jit_compile=True): the step train() uses where the
               notebook's xla_pays_off(dim, steps) says so (the report names the one it picks)
  peer         the same model built from TFP: RealNVP(num_masked=+-D/2, shift-only fn wrapping Keras
               networks, is_constant_jacobian=True) x num_couplings, then tfb.Scale(log_scale=...),
               inverted into a TransformedDistribution over the same logistic prior; Adam over the
               explicitly collected Keras variables (TFP bijectors do not track them)
  ceiling      plain tf.matmul with exactly the model's Dense shapes, forward + backward
               (3 x the forward matmul FLOPs), tf.function: what the matmuls alone cost
  bf16         the reference model with mixed-precision coupling networks (Dense layers under the
               "mixed_bfloat16" policy: float32 weights, bf16 compute, outputs cast back to float32,
               so the additions, the scaling and the likelihood stay float32), tf.function
  bf16-xla     the bf16 model under tf.function(jit_compile=True)
  ceiling-bf16 the matmul ceiling in bfloat16

Timing: every variant is warmed up first (tracing / XLA compilation is excluded), then the timed
repeats go round-robin over the variants (so load from other processes hits all of them alike);
each repeat times --steps consecutive steps and the median per-step time over --repeats is reported.
GFLOP/s counts only the matmul FLOPs of the Dense layers: 2*m*n*k per matmul, x3 for forward+backward.

Also reported: the invertibility error max|backward(forward(x)) - x| of the float32 and of the bf16
model on MNIST-like inputs (the adoption rule for bf16 is <= 1e-4), and how far the bf16
log-likelihood is from the float32 one with identical weights.

    PYTHONPATH=. .venv/bin/python benchmarks/train_step.py              # paper size, ~2 min on 2 cores
    PYTHONPATH=. .venv/bin/python benchmarks/train_step.py --small      # seconds: smoke test
"""
import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("NICE_QUICK", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._reference import invertibility_error, load_reference, nice_with_bf16_couplings  # noqa: E402

ALL_VARIANTS = ("eager", "function", "xla", "peer", "ceiling", "bf16", "bf16-xla", "ceiling-bf16")
BF16_VARIANTS = ("bf16", "bf16-xla", "ceiling-bf16")
INVERTIBILITY_RULE = 1e-4


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dim", type=int, default=784)
    p.add_argument("--couplings", type=int, default=4)
    p.add_argument("--hidden", type=int, nargs="+", default=[1000] * 5,
                   help="hidden units of each coupling network (default: 1000 1000 1000 1000 1000)")
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--warmup", type=int, default=2, help="untimed steps per variant (after tracing)")
    p.add_argument("--train-steps", type=int, default=3000,
                   help="the training length whose step the report names (the notebook's MNIST budget)")
    p.add_argument("--steps", type=int, default=3, help="steps per timed repeat")
    p.add_argument("--repeats", type=int, default=5, help="timed repeats; the median is reported")
    p.add_argument("--variants", nargs="+", default=list(ALL_VARIANTS), choices=ALL_VARIANTS)
    p.add_argument("--no-bf16", action="store_true", help="skip the bfloat16 variants")
    p.add_argument("--data", choices=("mnist", "uniform"), default="mnist",
                   help="batches of dequantized MNIST digits (H.load_mnist) or uniform [0,1] values")
    p.add_argument("--small", action="store_true",
                   help="smoke-test size: hidden 256 256, 1 warm-up step, 2 steps x 2 repeats")
    args = p.parse_args(argv)
    if args.small:
        args.hidden, args.warmup, args.steps, args.repeats, args.data = [256, 256], 1, 2, 2, "uniform"
    return args


def cpu_bf16_support():
    """(supported, description) from /proc/cpuinfo flags (x86 Linux); oneDNN needs AVX512-BF16 or AMX."""
    try:
        flags = set()
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        return False, "unknown (no /proc/cpuinfo)"
    found = sorted(f for f in flags if f in ("avx512_bf16", "amx_bf16", "amx_tile"))
    if found:
        return True, "CPU flags " + ", ".join(found)
    return False, "no avx512_bf16 / amx_bf16 CPU flag: bf16 would be emulated"


def mnist_batches(H, np, count, batch, dim, data="mnist"):
    """`count` batches of dequantized MNIST digits (any data source H.load_mnist finds)."""
    rng = np.random.default_rng(0)
    if dim == 784 and data == "mnist":
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            x_train, _, source = H.load_mnist()  # keras prints its download attempt
    else:  # uniform values on the 0..255 grid, dequantized like MNIST
        x_train = np.round(rng.uniform(size=(count * batch, dim)) * 255) / 255
        source = "uniform [0,1] values (no MNIST)"
    x = H.dequantize(x_train[rng.integers(0, len(x_train), count * batch)], rng)
    return [x[i * batch:(i + 1) * batch] for i in range(count)], source


def build(args):
    with contextlib.redirect_stdout(io.StringIO()):  # the setup cell prints versions
        ns = load_reference()
    tf, tfp, np, H = ns["tf"], ns["tfp"], ns["np"], ns["H"]
    tfb = tfp.bijectors
    dim, hidden = args.dim, tuple(args.hidden)

    def new_nice():
        tf.keras.utils.set_random_seed(0)
        model = ns["NICE"](dim, num_couplings=args.couplings, hidden_units=hidden, prior="logistic")
        model.forward(tf.zeros((1, dim)))
        return model

    def adam(variables):
        opt = tf.keras.optimizers.Adam(1e-3)
        opt.build(variables)
        return opt

    def reference_step(model, jit_compile=False):
        return ns["make_train_step"](model, adam(model.trainable_variables), jit_compile=jit_compile)

    def new_bf16_nice():
        tf.keras.utils.set_random_seed(0)
        model = nice_with_bf16_couplings(ns, dim, num_couplings=args.couplings, hidden_units=hidden,
                                         prior="logistic")
        model.forward(tf.zeros((1, dim)))
        return model

    # ---------------------------------------------------------------- the TFP peer
    class TFPNice:
        """NICE from TFP bijectors; Keras networks as shift functions, variables collected by hand."""

        def __init__(self):
            tf.keras.utils.set_random_seed(0)
            half = dim // 2
            self.nets = []
            bijectors = []  # data -> latent, in application order
            for i in range(args.couplings):
                keep = half if i % 2 == 0 else dim - half
                net = ns["make_shift_network"](keep, dim - keep, hidden, "relu")
                self.nets.append(net)
                bijectors.append(tfb.RealNVP(
                    num_masked=half if i % 2 == 0 else -(dim - half),  # negative: mask the last units
                    shift_and_log_scale_fn=lambda x0, units, _net=net: (_net(x0), None),
                    is_constant_jacobian=True))
            self.log_scale = tf.Variable(tf.zeros(dim), name="log_scale")
            bijectors.append(tfb.Scale(log_scale=self.log_scale))
            forward = tfb.Chain(list(reversed(bijectors)))  # Chain applies its last bijector first
            prior = ns["make_prior"]("logistic", dim)
            self.flow = tfp.distributions.TransformedDistribution(prior, tfb.Invert(forward))
            self.trainable_variables = [v for net in self.nets for v in net.trainable_variables]
            self.trainable_variables.append(self.log_scale)

        def log_prob(self, x):
            return self.flow.log_prob(x)

        def copy_from(self, model):
            for net, coupling in zip(self.nets, model.couplings):
                net.set_weights(coupling.shift_net.get_weights())
            self.log_scale.assign(model.scaling.log_scale)

    def peer_step():
        peer = TFPNice()
        opt = adam(peer.trainable_variables)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = -tf.reduce_mean(peer.log_prob(x))
            grads = tape.gradient(loss, peer.trainable_variables)
            opt.apply_gradients(zip(grads, peer.trainable_variables))
            return loss
        return peer, step

    # ---------------------------------------------------------------- the matmul ceiling
    def dense_shapes():
        shapes = []
        for i in range(args.couplings):
            keep = dim // 2 if i % 2 == 0 else dim - dim // 2
            widths = [keep, *hidden, dim - keep]
            shapes += [(widths[j], widths[j + 1]) for j in range(len(widths) - 1)]
        return shapes

    def ceiling_step(dtype):
        # Per coupling network: forward h_{j+1} = h_j W_j, backward dW_j = h_j^T g, g <- g W_j^T.
        # Exactly the Dense kernels' shapes (biases, ReLU, the flow and Adam left out); the couplings
        # run in sequence (each input depends on the previous network's output, as in the flow).
        rng = np.random.default_rng(0)
        nets = []
        for i in range(args.couplings):
            keep = dim // 2 if i % 2 == 0 else dim - dim // 2
            widths = [keep, *hidden, dim - keep]
            nets.append([tf.Variable((rng.standard_normal((widths[j], widths[j + 1]))
                                      / np.sqrt(widths[j])).astype(np.float32))
                         for j in range(len(widths) - 1)])

        @tf.function
        def step(x):
            x = tf.cast(x, dtype)
            link = tf.zeros([], dtype)
            total = tf.zeros([])
            for net in nets:
                ws = [tf.cast(w, dtype) for w in net]
                h = x[:, :ws[0].shape[0]] + link
                acts = []
                for w in ws:
                    acts.append(h)
                    h = tf.matmul(h, w)
                link = tf.reduce_mean(h) * tf.constant(1e-3, dtype)
                g = tf.ones_like(h) * tf.constant(1e-3, dtype)
                for a, w in zip(reversed(acts), reversed(ws)):
                    total += tf.cast(tf.reduce_sum(tf.matmul(a, g, transpose_a=True)), tf.float32)
                    g = tf.matmul(g, w, transpose_b=True)
                total += tf.cast(tf.reduce_sum(g), tf.float32)
            return total
        return step

    shapes = dense_shapes()
    forward_flops = sum(2 * args.batch * m * n for m, n in shapes)
    return ns, new_nice, new_bf16_nice, reference_step, peer_step, ceiling_step, TFPNice, \
        forward_flops, shapes


def time_variants(steps_by_name, batches, args):
    import numpy as np
    ordered = list(steps_by_name)
    sync = lambda out: float(np.asarray(out))
    compile_s = {}
    for name in ordered:  # trace / compile + warm-up, untimed
        start = time.perf_counter()
        sync(steps_by_name[name](batches[0]))
        compile_s[name] = time.perf_counter() - start
        for i in range(args.warmup):
            sync(steps_by_name[name](batches[(i + 1) % len(batches)]))
    per_step = {name: [] for name in ordered}
    k = 0
    for _ in range(args.repeats):
        for name in ordered:  # round-robin: background load is shared by all variants
            start = time.perf_counter()
            for _ in range(args.steps):
                out = steps_by_name[name](batches[k % len(batches)])
                k += 1
            sync(out)
            per_step[name].append((time.perf_counter() - start) / args.steps)
    return {name: statistics.median(v) for name, v in per_step.items()}, per_step, compile_s


def main(argv=None):
    args = parse_args(argv)
    wall = time.perf_counter()
    variants = [v for v in args.variants if not (args.no_bf16 and v in BF16_VARIANTS)]
    bf16_ok, bf16_note = cpu_bf16_support()
    if not bf16_ok:
        variants = [v for v in variants if v not in BF16_VARIANTS]

    (ns, new_nice, new_bf16_nice, reference_step, peer_step, ceiling_step, TFPNice,
     forward_flops, shapes) = build(args)
    tf, np, H = ns["tf"], ns["np"], ns["H"]
    batches, source = mnist_batches(H, np, 4, args.batch, args.dim, args.data)
    batches = [tf.constant(b) for b in batches]
    step_flops = 3 * forward_flops

    print(f"NICE training step: D={args.dim}, {args.couplings} couplings, hidden {'x'.join(map(str, args.hidden))} "
          f"ReLU, batch {args.batch}, logistic prior, Adam")
    print(f"TensorFlow {tf.__version__}, TFP {ns['tfp'].__version__}, {os.cpu_count()} CPU cores, "
          f"intra-op threads {tf.config.threading.get_intra_op_parallelism_threads() or 'default'}; "
          f"bf16: {bf16_note}")
    print(f"data: {source.split(':')[0]}; matmul FLOPs per step: {forward_flops / 1e9:.2f} G forward, "
          f"{step_flops / 1e9:.2f} G forward+backward ({len(shapes)} Dense layers)")
    print(f"timing: {args.warmup} warm-up steps, then median of {args.repeats} repeats x {args.steps} steps "
          f"(round-robin over variants)\n")

    steps, models = {}, {}
    if "eager" in variants:
        models["eager"] = new_nice()
        steps["eager"] = reference_step(models["eager"]).python_function
    if "function" in variants:
        models["function"] = new_nice()
        steps["function"] = reference_step(models["function"])
    if "xla" in variants:
        models["xla"] = new_nice()
        steps["xla"] = reference_step(models["xla"], jit_compile=True)
    if "peer" in variants:
        models["peer"], steps["peer"] = peer_step()
    if "ceiling" in variants:
        steps["ceiling"] = ceiling_step(tf.float32)
    if "bf16" in variants:
        models["bf16"] = new_bf16_nice()
        steps["bf16"] = reference_step(models["bf16"])
    if "bf16-xla" in variants:
        models["bf16-xla"] = new_bf16_nice()
        steps["bf16-xla"] = reference_step(models["bf16-xla"], jit_compile=True)
    if "ceiling-bf16" in variants:
        steps["ceiling-bf16"] = ceiling_step(tf.bfloat16)

    # Equivalence check before anything trains: TFP peer with our weights gives our log-likelihood.
    if "peer" in models:
        ref = new_nice()
        models["peer"].copy_from(ref)
        ours = ns["log_likelihood"](ref, batches[0]).numpy()
        theirs = models["peer"].log_prob(batches[0]).numpy()
        gap = np.max(np.abs(ours - theirs))
        models["peer"].copy_from(new_nice())  # same initial weights as the reference variants
        print(f"equivalence: TFP peer vs reference log p(x) with identical weights: max |diff| = {gap:.2e} nats "
              f"(|log p| ~ {np.mean(np.abs(ours)):.0f})\n")

    median, samples, compile_s = time_variants(steps, batches, args)

    base = median.get("function")
    print(f"{'variant':13s} {'ms/step':>9s} {'examples/s':>11s} {'GFLOP/s':>8s} {'spread':>13s} "
          f"{'1st call s':>10s} {'vs function':>11s}")
    for name in steps:
        t = median[name]
        lo, hi = min(samples[name]) * 1e3, max(samples[name]) * 1e3
        rel = f"{base / t:10.2f}x" if base else ""
        print(f"{name:13s} {t * 1e3:9.1f} {args.batch / t:11.0f} {step_flops / t / 1e9:8.1f} "
              f"{lo:6.0f}-{hi:<6.0f} {compile_s[name]:10.1f} {rel:>11s}")

    print()
    for ours in ("function", "xla", "bf16", "bf16-xla"):
        if ours not in median:
            continue
        parts = []
        if "peer" in median:
            parts.append(f"ours/peer = {median['peer'] / median[ours]:.2f}")
        if "ceiling" in median:
            parts.append(f"ours/ceiling = {median['ceiling'] / median[ours]:.2f}")
        if parts:
            print(f"throughput ratio [{ours}]: " + ", ".join(parts))
    chosen = "xla" if ns["xla_pays_off"](args.dim, args.train_steps) else "function"
    if chosen in median and "peer" in median:
        print(f"the notebook's train() for {args.train_steps} steps at this size runs [{chosen}]: "
              f"ours/peer = {median['peer'] / median[chosen]:.2f}")

    # ---------------------------------------------------------- bf16 cost: invertibility
    if "bf16" in models or "bf16-xla" in models:
        print()
        x = tf.concat(batches, axis=0)

        inv_error = lambda model: invertibility_error(model, x)
        fp32_model = models.get("function") or new_nice()
        bf16_model = models.get("bf16") or models["bf16-xla"]
        same = new_bf16_nice()
        same.set_weights(fp32_model.get_weights())  # bf16 compute with the float32 model's weights
        ll_gap = float(tf.reduce_max(tf.abs(ns["log_likelihood"](same, x) - ns["log_likelihood"](fp32_model, x))))
        trained = args.warmup + 1 + args.repeats * args.steps
        e32, e16, e16same = inv_error(fp32_model), inv_error(bf16_model), inv_error(same)
        print(f"invertibility max|backward(forward(x)) - x| on {len(x)} inputs ({source.split(':')[0]}) "
              f"(models after ~{trained} training steps):")
        print(f"  float32 {e32:.2e}   bf16 {e16:.2e}   bf16 with the float32 weights {e16same:.2e}   "
              f"(adoption rule <= {INVERTIBILITY_RULE:.0e})")
        print(f"  bf16 vs float32 log p(x), identical weights: max |diff| = {ll_gap:.2f} nats")
        for name in ("bf16", "bf16-xla"):
            if name in median:
                ref = "xla" if name == "bf16-xla" and "xla" in median else "function"
                if ref in median:
                    print(f"  speed-up {name} vs {ref}: {median[ref] / median[name]:.2f}x")
        worst = max(e16, e16same)
        verdict = "stays within" if worst <= INVERTIBILITY_RULE else "VIOLATES"
        print(f"  bf16 {verdict} the <= {INVERTIBILITY_RULE:.0e} invertibility rule "
              f"(worst {worst:.2e}); float32 {'passes' if e32 <= INVERTIBILITY_RULE else 'fails'}")
    elif not bf16_ok:
        print(f"\nbf16 skipped: {bf16_note}")
    print(f"\ntotal wall time {time.perf_counter() - wall:.0f} s")


if __name__ == "__main__":
    main()
