"""GPU training throughput: tfx on CuPy beside PyTorch on the same GPU.

Rows: the MNIST-shaped MLP (784-300-100-10, relu, Adam, sparse softmax cross-entropy) at batch
1024 and 4096, and a matmul-bound MLP (4096-4096-4096-10) at batch 4096; samples/s of one
training step (forward, gradients, Adam update: one fused kernel per variable on the GPU), the
GPU synchronized before each clock read.

    python benchmarks/gpu.py [--steps 50] [--json out.json]

Without a GPU it says so and exits 0.
"""
import argparse
import json
import sys
import time

import numpy as np


def _tfx_step(sizes, batch):
    import tfx
    from tfx.backend import gpu

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch).astype(np.int32)
    with tfx.device("/GPU:0"):
        layers = [tfx.keras.layers.Dense(n, activation="relu" if i < len(sizes) - 2 else None)
                  for i, n in enumerate(sizes[1:])]
        xb, yb = tfx.constant(x), tfx.constant(y)
        h = xb
        for layer in layers:  # builds the weights, on the GPU in this scope
            h = layer(h)
        variables = [v for layer in layers for v in layer.trainable_variables]
        opt = tfx.keras.optimizers.Adam(1e-3)

    def forward(h):
        for layer in layers:
            h = layer(h)
        return tfx.reduce_mean(tfx.nn.sparse_softmax_cross_entropy_with_logits(yb, h))

    def step():
        with tfx.device("/GPU:0"):
            with tfx.GradientTape() as tape:
                loss = forward(xb)
            opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

    def sync():
        gpu.xp.cuda.get_current_stream().synchronize()

    return step, sync


def _torch_step(sizes, batch):
    import torch

    dev = torch.device("cuda")
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32), device=dev)
    y = torch.tensor(rng.integers(0, sizes[-1], batch), device=dev)
    mods = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods).to(dev)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 products, as CuPy's default

    def step():
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, torch.cuda.synchronize


def _rate(make, batch, steps):
    step, sync = make()
    for _ in range(5):
        step()
    sync()
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        best = max(best, steps * batch / (time.perf_counter() - t0))
    return best


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    from tfx.backend import gpu
    if not gpu.available():
        print("no CUDA GPU visible (CuPy with a GPU is needed): nothing to measure")
        return 0
    try:
        import torch
        have_torch = torch.cuda.is_available()
    except ImportError:
        have_torch = False
    cases = [("MLP 784-300-100-10", [784, 300, 100, 10], 1024),
             ("MLP 784-300-100-10", [784, 300, 100, 10], 4096),
             ("MLP 4096-4096-4096-10", [4096, 4096, 4096, 10], 4096)]
    rows = []
    for name, sizes, batch in cases:
        row = {"model": name, "batch": batch}
        row["tfx"] = _rate(lambda: _tfx_step(sizes, batch), batch, args.steps)
        row["torch"] = _rate(lambda: _torch_step(sizes, batch), batch, args.steps) \
            if have_torch else None
        rows.append(row)
        t = row["torch"]
        print(f"{name:24s} batch {batch:5d}: tfx {row['tfx']:12,.0f}  torch "
              + (f"{t:12,.0f}  tfx/torch {row['tfx'] / t:.2f}x" if t else "(no torch)")
              + "  samples/s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
