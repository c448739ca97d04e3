#!/usr/bin/env python3
"""PyTorch reference for dendrite-bench: the same workloads, measured the same way.

Prints one JSON object:
  {"workload": ..., "threads": n, "samples_per_second": x, "cpu_share": c, "peak_rss_mb": y, "torch": v}
Workloads mirror Benchmarks/dendrite-bench (Workload.swift): 60000 random 28x28 inputs,
10 classes, batch 128, SGD lr 0.1 (no momentum), PyTorch's default initialisation for
the neurons. The first --warmup batches (default 30) of the first epoch are not timed;
the timed part runs from there to the end of --epochs epochs and includes each epoch's
end: evaluation on 128 validation samples and, in a PB dendrite phase, the candidates'
correlation measured over 1024 training samples (as our Trainer does).

Dendrites follow docs/design.md 2.1 / our PerforatedLayer: each dendrite set is a full copy
of the layer (all sets of a layer computed as ONE wider Linear/Conv2d, as our engine
does) seeing the same input, with cascade scalars K and output scalars A per neuron;
new sets start at 0.01 * randn with A = 0, sigmoid dendrites.
  <base>-gd<k>: GD mode, k sets, everything trained by SGD 0.1 through the dendrites.
  <base>-pb<k>: PB dendrite phase training the k-th set: k-1 frozen sets plus a pool of
    --pool candidates per neuron (dendrite-bench passes DendriteConfig.defaultPool, 4; one
    wider Linear/Conv2d, pool-major channels p*C + c as ours) whose input is detached and
    which do not change y; each candidate sees its neuron's error. Each step:
    forward, cross-entropy, backward to every perforated layer's output (the error
    E = B dL/dy), the running correlation objective of CorrelationObjective.swift per
    layer, and one Adam (lr 1e-3) step on the candidates' W, b, K only.
<base> is `narrow` (MLP 784-8-10) or `cnn`.
  dann: the dendritic ANN of issue 13 done with masked dense weights (what a PyTorch
    user writes): 128 somas x 8 dendrites x 16 inputs, each dendrite a 4x4 pixel patch at
    a random place, Linear(784, 1024) * mask -> LeakyReLU 0.1 -> Linear(1024, 128) * block
    mask -> LeakyReLU 0.1 -> Linear(128, 10). It pays for all 784 x 1024 + 1024 x 128
    weights; ours (DendriticLayer) computes only the 1024 x 16 + 1024 that exist.

Install (not part of CI; from PyPI, about 5 GB with its CUDA wheels):  python3 -m venv /opt/torch-venv &&
  /opt/torch-venv/bin/pip install torch numpy    (from PyPI)
"""
import argparse, json, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def sibling(base, outputs, conv):
    """A layer of the same kind and input geometry as `base` with `outputs` neurons."""
    if conv:
        return nn.Conv2d(base.in_channels, outputs, base.kernel_size, base.stride, base.padding)
    return nn.Linear(base.in_features, outputs)


def randn_(p, scale=0.01):
    with torch.no_grad():
        p.copy_(scale * torch.randn_like(p))


class Perforated(nn.Module):
    """A Linear or Conv2d `base` with `frozen + trainable` dendrite sets in one bank, and
    optionally a PB candidate set."""

    def __init__(self, base, sets, conv, candidate, pool=1):
        super().__init__()
        self.base, self.conv, self.sets, self.pool = base, conv, sets, pool
        c = self.c = base.out_channels if conv else base.out_features
        self.bank = sibling(base, sets * c, conv) if sets else None
        if self.bank is not None:
            randn_(self.bank.weight); randn_(self.bank.bias)
        self.K = nn.Parameter(0.01 * torch.randn(sets, sets, c))   # K[j, i] used for i < j
        self.A = nn.Parameter(torch.zeros(sets, c))
        self.cand = sibling(base, pool * c, conv) if candidate else None
        if self.cand is not None:
            randn_(self.cand.weight); randn_(self.cand.bias)
            self.candK = nn.Parameter(0.01 * torch.randn(sets, pool * c))
        self.V = None

    def _b(self, v):
        return v.view(1, -1, 1, 1) if self.conv else v.view(1, -1)

    def forward(self, x):
        y = self.base(x)
        outs = []
        if self.bank is not None:
            z = self.bank(x)
            zs = z.split(self.c, dim=1)
            for j in range(self.sets):
                zj = zs[j]
                for i in range(j):
                    zj = zj + self._b(self.K[j, i]) * outs[i]
                v = torch.sigmoid(zj)
                outs.append(v)
                y = y + self._b(self.A[j]) * v
        if self.cand is not None:
            # Detached input and frozen dendrites: the candidate sees them, moves nothing.
            zc = self.cand(x.detach())
            for i, v in enumerate(outs):
                tiled = v.detach().repeat(1, self.pool, *([1] * (v.dim() - 2)))   # [B, P*C, ...]
                zc = zc + self._b(self.candK[i]) * tiled
            self.V = torch.sigmoid(zc)
        return y


class Net(nn.Module):
    def __init__(self, kind, hidden, sets, candidate, pool=1):
        super().__init__()
        self.kind = kind
        P = lambda base, conv: Perforated(base, sets, conv, candidate, pool)
        if kind == "mlp":
            self.layers = nn.ModuleList([P(nn.Linear(784, hidden), False), P(nn.Linear(hidden, 10), False)])
        else:
            self.layers = nn.ModuleList([P(nn.Conv2d(1, 16, 3), True), P(nn.Conv2d(16, 32, 3), True),
                                         P(nn.Linear(32 * 5 * 5, 10), False)])

    def forward(self, x, ys=None):
        """ys, when given, collects every perforated layer's output y (to take dL/dy)."""
        def run(layer, h):
            y = layer(h)
            if ys is not None:
                if not y.requires_grad:
                    y.requires_grad_(True)   # frozen layer: still need dL/dy at it
                ys.append(y)
            return y
        L = self.layers
        if self.kind == "mlp":
            h = F.relu(run(L[0], x.view(x.shape[0], -1)))
            return run(L[1], h)
        h = F.max_pool2d(F.relu(run(L[0], x)), 2)
        h = F.max_pool2d(F.relu(run(L[1], h)), 2)
        return run(L[2], h.flatten(1))


class MaskedDANN(nn.Module):
    """dANN with masked dense weights: dendrites see a local 4x4 patch, somas their own 8."""

    def __init__(self, somas=128, dendrites=8, k=16, side=28):
        super().__init__()
        n, p = somas * dendrites, int(round(k ** 0.5))
        self.dend, self.soma, self.out = nn.Linear(side * side, n), nn.Linear(n, somas), nn.Linear(somas, 10)
        m1 = torch.zeros(n, side * side)
        for d in range(n):
            r, c = torch.randint(0, side - p + 1, (2,)).tolist()
            for i in range(p):
                m1[d, (r + i) * side + c:(r + i) * side + c + p] = 1
        m2 = torch.zeros(somas, n)
        for s in range(somas):
            m2[s, s * dendrites:(s + 1) * dendrites] = 1
        self.register_buffer("m1", m1)
        self.register_buffer("m2", m2)

    def forward(self, x):
        h = F.leaky_relu(F.linear(x.flatten(1), self.dend.weight * self.m1, self.dend.bias), 0.1)
        h = F.leaky_relu(F.linear(h, self.soma.weight * self.m2, self.soma.bias), 0.1)
        return self.out(h)


class Correlation:
    """CorrelationObjective.swift: S_c = sign(cov_run) cov_batch(V, E) / (sd_run(V) sd_run(E) + eps),
    running means / variances / covariance at rate r (the first batch seeds them)."""

    def __init__(self, c, r=0.01):
        self.r, self.n = r, 0
        z = lambda: torch.zeros(c)
        self.mV, self.mE, self.vV, self.vE, self.cov = z(), z(), z(), z(), z()

    def objective(self, V, E):
        dims = [0, 2, 3] if V.dim() == 4 else [0]
        r = 1.0 if self.n == 0 else self.r
        self.n += 1
        mV = (1 - r) * self.mV + r * V.mean(dim=dims)             # depends on V
        mE = (1 - r) * self.mE + r * E.mean(dim=dims)
        shape = [1, -1, 1, 1] if V.dim() == 4 else [1, -1]
        dV, dE = V - mV.view(shape), E - mE.view(shape)
        cov = (dV * dE).mean(dim=dims)
        varV = (1 - r) * self.vV + r * (dV * dV).mean(dim=dims)
        varE = (1 - r) * self.vE + r * (dE * dE).mean(dim=dims)
        covRun = (1 - r) * self.cov + r * cov
        self.mV, self.mE, self.vV, self.vE, self.cov = (t.detach() for t in (mV, mE, varV, varE, covRun))
        sign = torch.where(covRun.detach() < 0, -1.0, 1.0)
        den = varV.clamp_min(1e-30).sqrt() * varE.detach().clamp_min(0).sqrt() + 1e-8
        return (sign * cov / den).sum()


def errors_at(net, xb, yb):
    """Forward, cross-entropy, and E = B dL/dy at every perforated layer (neurons frozen)."""
    ys = []
    out = net(xb, ys)
    loss = F.cross_entropy(out, yb)
    grads = torch.autograd.grad(loss, ys)
    return loss, [g.detach() * xb.shape[0] for g in grads]


def bench(kind, hidden, sets, phase, threads, samples, batch, epochs, warmup, pool):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x_all = torch.rand(samples, 1, 28, 28)
    y_all = torch.randint(0, 10, (samples,))
    x_val, y_val = torch.rand(128, 1, 28, 28), torch.randint(0, 10, (128,))
    pb = phase == "P"
    net = MaskedDANN() if kind == "dann" else Net(kind, hidden, sets - 1 if pb else sets, pb, pool)
    if pb:
        for p in net.parameters():
            p.requires_grad_(False)
        params = []
        for l in net.layers:
            l.cand.weight.requires_grad_(True); l.cand.bias.requires_grad_(True); l.candK.requires_grad_(True)
            params += [l.cand.weight, l.cand.bias, l.candK]
        opt = torch.optim.Adam(params, lr=1e-3)
        objectives = [Correlation(pool * l.c) for l in net.layers]
    else:
        opt = torch.optim.SGD(net.parameters(), lr=0.1)

    def step(xb, yb):
        if pb:
            _, errs = errors_at(net, xb, yb)
            s = sum(o.objective(l.V, e.repeat(1, pool, *([1] * (e.dim() - 2))))
                    for o, l, e in zip(objectives, net.layers, errs))
            loss = -s                        # ascend the objective
        else:
            loss = F.cross_entropy(net(xb), yb)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()

    def epoch_end():
        with torch.no_grad():
            F.cross_entropy(net(x_val), y_val)
        if pb:   # |corr(V, E)| over a fixed 1024-sample subset, batches of 256
            for s in range(0, 1024, 256):
                errors_at(net, x_all[s:s + 256], y_all[s:s + 256])

    perm = torch.randperm(samples)
    starts = list(range(0, samples, batch))
    for s in starts[:warmup]:
        idx = perm[s:s + batch]
        step(x_all[idx], y_all[idx])
    t0, c0 = time.perf_counter(), time.process_time()
    for e in range(epochs):
        for s in (starts[warmup:] if e == 0 else starts):
            idx = perm[s:s + batch]
            step(x_all[idx], y_all[idx])
        epoch_end()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = samples * epochs - min(warmup, len(starts)) * batch
    return n / dt, cpu / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True,
                    help="mlp | cnn | dann | narrow-gd1 | narrow-gd3 | narrow-pb1 | narrow-pb3 | cnn-gd1 | cnn-gd3 | cnn-pb1 | cnn-pb3")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=30, help="untimed batches before timing")
    ap.add_argument("--narrow", type=int, default=8, help="hidden width of the narrow MLP")
    ap.add_argument("--pool", type=int, default=1, help="candidates per neuron in a PB dendrite phase")
    a = ap.parse_args()
    w = a.workload
    if w == "mlp":
        spec = ("mlp", 128, 0, "N")
    elif w == "cnn":
        spec = ("cnn", 0, 0, "N")
    elif w == "dann":
        spec = ("dann", 0, 0, "N")
    else:
        base, mode = w.split("-")
        kind = "mlp" if base == "narrow" else "cnn"
        spec = (kind, a.narrow, int(mode[2:]), "P" if mode.startswith("pb") else "N")
    sps, cpu = bench(*spec, a.threads, a.samples, a.batch, a.epochs, a.warmup, a.pool)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"workload": w, "threads": a.threads, "samples_per_second": sps, "cpu_share": cpu,
                      "peak_rss_mb": peak, "torch": torch.__version__}))


if __name__ == "__main__":
    sys.exit(main())
