#!/usr/bin/env python3
"""PyTorch reference for dendrite-bench: the same workloads, measured the same way.

Each run prints one JSON object per line:
  {"workload": ..., "threads": n, "samples_per_second": x, "peak_rss_mb": y}
Workloads mirror Benchmarks/dendrite-bench: random 28x28 inputs, 10 classes, batch 128,
SGD lr 0.1 (no momentum), PyTorch's default initialisation, one warm-up pass excluded.

Dendrites are written here the way DESIGN.md 2.1 defines them (the structure the public
perforatedai library builds in its GD mode): each dendrite set is a full copy of the
layer that sees the same input, with cascade scalars K and output scalars A per neuron.

Install (not part of CI; about 5 GB):  python3 -m venv /opt/torch-venv &&
  /opt/torch-venv/bin/pip install torch numpy
"""
import argparse, json, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Dendrites(nn.Module):
    """D dendrite sets around a Linear or Conv2d `base` (sigmoid dendrites)."""

    def __init__(self, base, count, conv):
        super().__init__()
        self.base, self.conv = base, conv
        c = base.out_channels if conv else base.out_features
        self.sets = nn.ModuleList()
        for _ in range(count):
            if conv:
                m = nn.Conv2d(base.in_channels, c, base.kernel_size, base.stride, base.padding)
            else:
                m = nn.Linear(base.in_features, c)
            self.sets.append(m)
        self.K = nn.ParameterList([nn.Parameter(torch.zeros(d, c)) for d in range(1, count)])
        self.A = nn.Parameter(torch.zeros(count, c)) if count else None

    def _shape(self, v):
        return v.view(1, -1, 1, 1) if self.conv else v.view(1, -1)

    def forward(self, x, detach_input=False):
        y = self.base(x)
        xin = x.detach() if detach_input else x
        outs = []
        for d, m in enumerate(self.sets):
            z = m(xin)
            for i in range(d):
                z = z + self._shape(self.K[d - 1][i]) * outs[i]
            v = torch.sigmoid(z)
            outs.append(v)
            y = y + self._shape(self.A[d]) * v
        return y, outs


class Net(nn.Module):
    def __init__(self, kind, hidden, dendrites):
        super().__init__()
        self.kind = kind
        if kind == "mlp":
            self.l1 = Dendrites(nn.Linear(784, hidden), dendrites, False)
            self.l2 = Dendrites(nn.Linear(hidden, 10), dendrites, False)
        else:
            self.c1 = Dendrites(nn.Conv2d(1, 16, 3), dendrites, True)
            self.c2 = Dendrites(nn.Conv2d(16, 32, 3), dendrites, True)
            self.fc = Dendrites(nn.Linear(32 * 5 * 5, 10), dendrites, False)

    def forward(self, x, collect=False):
        outs = []
        def run(layer, h):
            y, o = layer(h, detach_input=collect)
            outs.append((y, o))
            return y
        if self.kind == "mlp":
            h = F.relu(run(self.l1, x.view(x.shape[0], -1)))
            return run(self.l2, h), outs
        h = F.max_pool2d(F.relu(run(self.c1, x)), 2)
        h = F.max_pool2d(F.relu(run(self.c2, h)), 2)
        return run(self.fc, h.flatten(1)), outs


def correlation_loss(outs, errors):
    """Negative summed |cov(V, E)| of the newest dendrite against fixed residual errors."""
    loss = 0
    for (_, o), e in zip(outs, errors):
        v = o[-1]
        dims = [0, 2, 3] if v.dim() == 4 else [0]
        vc = v - v.mean(dim=dims, keepdim=True)
        ec = e - e.mean(dim=dims, keepdim=True)
        loss = loss - (vc * ec).mean(dim=dims).abs().sum()
    return loss


def bench(kind, hidden, dendrites, phase, threads, samples, batch, epochs):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x_all = torch.rand(samples, 1, 28, 28)
    y_all = torch.randint(0, 10, (samples,))
    net = Net(kind, hidden, dendrites)
    if phase == "P":
        # Dendrite phase: only the newest dendrite set trains, against the neurons' error.
        for p in net.parameters():
            p.requires_grad_(False)
        layers = [net.l1, net.l2] if kind == "mlp" else [net.c1, net.c2, net.fc]
        for l in layers:
            for p in l.sets[-1].parameters():
                p.requires_grad_(True)
            if dendrites > 1:
                l.K[-1].requires_grad_(True)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.1)

    def one_epoch():
        for s in range(0, samples - batch + 1, batch):
            xb, yb = x_all[s:s + batch], y_all[s:s + batch]
            if phase == "P":
                out, outs = net(xb, collect=True)
                errors = [torch.randn_like(y) for (y, _) in outs]
                loss = correlation_loss(outs, errors)
            else:
                out, _ = net(xb)
                loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()

    one_epoch()  # warm-up
    t0 = time.perf_counter()
    for _ in range(epochs):
        one_epoch()
    dt = time.perf_counter() - t0
    n = (samples // batch) * batch * epochs
    return n / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True,
                    help="mlp | cnn | narrow-gd1 | narrow-gd3 | narrow-pb1 | narrow-pb3 | cnn-gd1 | cnn-gd3 | cnn-pb1 | cnn-pb3")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--narrow", type=int, default=8, help="hidden width of the narrow MLP")
    a = ap.parse_args()
    w = a.workload
    if w == "mlp":
        spec = ("mlp", 128, 0, "N")
    elif w == "cnn":
        spec = ("cnn", 0, 0, "N")
    else:
        base, mode = w.split("-")
        kind = "mlp" if base == "narrow" else "cnn"
        spec = (kind, a.narrow, int(mode[2:]), "P" if mode.startswith("pb") else "N")
    sps = bench(*spec, a.threads, a.samples, a.batch, a.epochs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"workload": w, "threads": a.threads, "samples_per_second": sps,
                      "peak_rss_mb": peak, "torch": torch.__version__}))


if __name__ == "__main__":
    sys.exit(main())
