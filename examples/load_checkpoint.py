#!/usr/bin/env python3
"""Evaluate a dendrite-lab run's checkpoint with numpy and safetensors alone.

    python3 examples/load_checkpoint.py RUN_FOLDER [--file best.safetensors] [--data DIR]

Reads the file's `model` metadata (which model it holds, the layers, the dendrite
formula and activation, the input transform: docs/checkpoints.md), rebuilds the forward
pass in numpy, runs the experiment's test set through it and prints the test accuracy.
For `best.safetensors` this is the `test_accuracy` of the run's summary.json; for
`checkpoint.safetensors` of a finished run, its `final_test_accuracy`.

Test sets: MNIST and Fashion-MNIST as IDX files (raw or .gz), CIFAR-10 as test_batch.bin,
found in --data, else the experiment's `dataset.directory`, else $DENDRITE_DATA_DIR/NAME,
else ~/.cache/dendrite-lab/NAME (where `dendrite-lab data NAME` puts them). Toy and CSV
data are generated or split inside the program and are not read here.
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
from safetensors.numpy import load_file
from safetensors import safe_open


# --- branch activations (docs/design.md 2.1 and 2.4) -------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "dcaap": lambda z: sigmoid(4 * z) * (1 - sigmoid(z)),
    "nmda": lambda z: sigmoid(4 * (z - 1)),
}


# --- layers -------------------------------------------------------------------------

def dense(x, w, b):
    """x: [B, in], w: [out, in], b: [out] -> [B, out]."""
    return x @ w.T + b


def conv2d(x, w, b, stride, pad):
    """x: [B, Cin, H, W], w: [F, Cin, k, k] -> [B, F, Ho, Wo] (cross-correlation, as torch)."""
    batch, cin, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    cols = np.empty((batch, cin, k, k, ho, wo), dtype=np.float32)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
    y = np.einsum("bcijhw,fcij->bfhw", cols, w, optimize=True)
    return y + b[None, :, None, None]


def maxpool(x, k):
    batch, c, h, w = x.shape
    ho, wo = h // k, w // k
    return x[:, :, :ho * k, :wo * k].reshape(batch, c, ho, k, wo, k).max(axis=(3, 5))


def neuron_layer(x, spec, t, name, sets, activation):
    """One Dense or Conv2D layer with its dendrite sets:

        z_d = W_d x + b_d + sum_{i<d} K_d[i, c] v_i,   v_d = f(z_d),   y = W x + b + sum_d A_d[c] v_d

    For a convolution, K and A are one number per output channel, broadcast over the map.
    """
    words = spec.split()
    if words[0] == "dense":
        x = x.reshape(x.shape[0], -1)
        apply = lambda w, b: dense(x, w, b)
        per_unit = lambda a: a[None, :]
    else:
        stride = int(words[words.index("stride") + 1]) if "stride" in words else 1
        pad = int(words[words.index("pad") + 1]) if "pad" in words else 0
        apply = lambda w, b: conv2d(x, w, b, stride, pad)
        per_unit = lambda a: a[None, :, None, None]
    y = apply(t[f"{name}.weight"], t[f"{name}.bias"])
    f = ACTIVATIONS[activation]
    outputs = []
    for d in range(sets):
        p = f"{name}.dendrites.{d}"
        synapses = t.get(f"synapses/{p}")
        if synapses is not None:
            # A sampled dendrite (`dendrites: inputs: local K`...): dendrite c reads only the
            # K inputs listed in row c, with the K weights of row c.
            idx = synapses.astype(np.int64)                        # [C, K]
            z = np.einsum("bck,ck->bc", x[:, idx], t[f"{p}.weight"]) + t[f"{p}.bias"][None, :]
        else:
            z = apply(t[f"{p}.weight"], t[f"{p}.bias"])
        if d > 0:
            k = t[f"{p}.K"]                       # [d, C]
            for i in range(d):
                z = z + per_unit(k[i]) * outputs[i]
        v = f(z)
        outputs.append(v)
        y = y + per_unit(t[f"{p}.A"]) * v
    return y


def forward(x, card, t):
    for index, spec in enumerate(card["layers"]):
        kind = spec.split()[0]
        name = f"layers.{index}"
        if kind in ("dense", "conv"):
            x = neuron_layer(x, spec, t, name, card["dendrites"][index], card["dendrite_activation"])
        elif kind == "maxpool":
            x = maxpool(x, int(spec.split()[1]))
        elif kind == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind in ("relu", "tanh", "sigmoid"):
            x = ACTIVATIONS[kind](x)
        else:
            sys.exit(f"layer {index} '{spec}' is not supported by this example")
    return x


# --- data ---------------------------------------------------------------------------

def read_maybe_gz(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            opener = gzip.open if candidate.endswith(".gz") else open
            with opener(path, "rb") as fh:
                return fh.read()
    sys.exit(f"{folder}: no {name} or {name}.gz")


def test_set(dataset, folder):
    """Returns (bytes as uint8 [N, *shape], labels [N])."""
    if dataset in ("mnist", "fashion-mnist"):
        images = read_maybe_gz(folder, "t10k-images-idx3-ubyte")
        labels = read_maybe_gz(folder, "t10k-labels-idx1-ubyte")
        n, h, w = struct.unpack(">III", images[4:16])
        x = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(n, 1, h, w)
        return x, np.frombuffer(labels, dtype=np.uint8, offset=8).astype(np.int64)
    if dataset == "cifar10":
        raw = np.frombuffer(read_maybe_gz(folder, "test_batch.bin"), dtype=np.uint8).reshape(-1, 3073)
        return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)
    sys.exit(f"dataset '{dataset}' is generated inside dendrite-lab; this example reads MNIST, "
             "Fashion-MNIST and CIFAR-10 files")


def data_folder(args, experiment):
    spec = experiment["dataset"]
    if args.data:
        return args.data
    if spec.get("directory"):
        return spec["directory"]
    root = os.environ.get("DENDRITE_DATA_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dendrite-lab")
    return os.path.join(root, spec["name"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="a run folder written by `dendrite-lab train`")
    parser.add_argument("--file", default="best.safetensors", help="best.safetensors or checkpoint.safetensors")
    parser.add_argument("--data", help="folder with the dataset's test files")
    args = parser.parse_args()

    path = os.path.join(args.run, args.file)
    with safe_open(path, framework="numpy") as fh:
        meta = fh.metadata()
    card = json.loads(meta["model"])
    if not card["dendrite_formula"].startswith("dendrites 1:"):
        sys.exit(f"{path}: dendrite formula '{card['dendrite_formula']}' is newer than this example")
    tensors = load_file(path)
    # The experiment as run (dataset name and folder) is the checkpoint's own copy.
    with safe_open(os.path.join(args.run, "checkpoint.safetensors"), framework="numpy") as fh:
        experiment = json.loads(fh.metadata()["experiment"])

    pixels, labels = test_set(experiment["dataset"]["name"], data_folder(args, experiment))
    norm = card["normalization"]
    x = pixels.astype(np.float32) * np.float32(norm["scale"]) + np.float32(norm["shift"])
    x = x.reshape((x.shape[0], *card["input"]))
    logits = np.concatenate([forward(x[i:i + 1000], card, tensors) for i in range(0, len(x), 1000)])
    if card["output"] == "logistic":
        predicted = (logits[:, 0] > 0).astype(np.int64)
    else:
        predicted = logits.argmax(axis=1)
    correct = int((predicted == labels).sum())
    print(f"{path}: holds the {card['holds']} model (epoch {card['epoch']}); "
          f"test accuracy {correct / len(labels):.6f} ({correct} of {len(labels)})")


if __name__ == "__main__":
    main()
