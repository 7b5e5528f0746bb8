#!/usr/bin/python3
"""Checks the pooling reference (tests/reference_pool.cpp) against PyTorch.

Not part of ctest: PyTorch is not a dependency of halconv. Run

    cmake --build build --target halconv_pool_oracle_dump
    mkdir -p /tmp/pool_oracle && build/tests/halconv_pool_oracle_dump /tmp/pool_oracle
    /usr/bin/python3 tests/pool_oracle.py /tmp/pool_oracle

with a Python that has torch. Every sweep case (with the exact data the tests
use) is recomputed with torch.nn.functional: max pooling values and indices
exactly, averages and gradients in float64 to 1e-12 relative, unpooling and
subsampling exactly. Exit status 0 when everything agrees.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def load(d, name, dtype, shape):
    return np.fromfile(os.path.join(d, name), dtype=dtype).reshape(shape)


def same_exact(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def close(a, b, rel=1e-12):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    nan = np.isnan(a) | np.isnan(b)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    inf = np.isinf(a) | np.isinf(b)
    if not np.array_equal(a[inf & ~nan], b[inf & ~nan]):
        return False
    fin = ~(nan | inf)
    return bool(np.all(np.abs(a[fin] - b[fin]) <= rel * (1.0 + np.abs(b[fin]))))


def check(d, c):
    errors = []
    op = c["op"]
    x = torch.from_numpy(load(d, c["input"], np.float32, c["input_shape"]).copy())
    out_shape = c["output_shape"]
    if op == "max_pool2d":
        y, idx = F.max_pool2d(x, c["kernel"], c["stride"], c["padding"], c["dilation"],
                              ceil_mode=c["ceil_mode"], return_indices=True)
        if list(y.shape) != out_shape:
            return ["shape %s vs torch %s" % (out_shape, list(y.shape))]
        if not same_exact(load(d, c["value"], np.float32, out_shape), y.numpy()):
            errors.append("values")
        if not np.array_equal(load(d, c["index"], np.int64, out_shape), idx.numpy()):
            errors.append("indices")
        # backward: autograd in float64 (same maxima and indices as float32 data)
        xd = x.double().requires_grad_(True)
        yd = F.max_pool2d(xd, c["kernel"], c["stride"], c["padding"], c["dilation"], ceil_mode=c["ceil_mode"])
        g = torch.from_numpy(load(d, c["grad_output"], np.float32, out_shape).copy()).double()
        yd.backward(g)
        if not close(load(d, c["grad_input"], np.float64, c["input_shape"]), xd.grad.numpy()):
            errors.append("max_pool2d backward")
    elif op == "avg_pool2d":
        div = c["divisor_override"] or None
        xd = x.double().requires_grad_(True)
        y = F.avg_pool2d(xd, c["kernel"], c["stride"], c["padding"], ceil_mode=c["ceil_mode"],
                         count_include_pad=c["count_include_pad"], divisor_override=div)
        if list(y.shape) != out_shape:
            return ["shape %s vs torch %s" % (out_shape, list(y.shape))]
        if not close(load(d, c["value"], np.float64, out_shape), y.detach().numpy()):
            errors.append("values")
        g = torch.from_numpy(load(d, c["grad_output"], np.float32, out_shape).copy()).double()
        y.backward(g)
        if not close(load(d, c["grad_input"], np.float64, c["input_shape"]), xd.grad.numpy()):
            errors.append("avg_pool2d backward")
    elif op == "subsample2d":
        (sh, sw), (oh, ow) = c["stride"], c["offset"]
        y = x[:, :, oh::sh, ow::sw]
        if list(y.shape) != out_shape:
            return ["shape %s vs torch %s" % (out_shape, list(y.shape))]
        if not same_exact(load(d, c["value"], np.float32, out_shape), y.numpy()):
            errors.append("values")
    elif op == "max_unpool2d":
        idx = torch.from_numpy(load(d, c["indices"], np.int64, c["input_shape"]).copy())
        y = F.max_unpool2d(x, idx, c["kernel"], c["stride"], c["padding"], output_size=c["output_size"])
        if list(y.shape) != out_shape:
            return ["shape %s vs torch %s" % (out_shape, list(y.shape))]
        if not same_exact(load(d, c["value"], np.float32, out_shape), y.numpy()):
            errors.append("values")
    elif op == "adaptive_pool2d":
        size = tuple(s if s != 0 else None for s in c["output_size"])
        a = F.adaptive_avg_pool2d(x.double(), size)
        m, idx = F.adaptive_max_pool2d(x, size, return_indices=True)
        if list(a.shape) != out_shape or list(m.shape) != out_shape:
            return ["shape %s vs torch %s" % (out_shape, list(a.shape))]
        if not close(load(d, c["avg"], np.float64, out_shape), a.numpy()):
            errors.append("adaptive avg values")
        if not same_exact(load(d, c["max"], np.float32, out_shape), m.numpy()):
            errors.append("adaptive max values")
        if not np.array_equal(load(d, c["index"], np.int64, out_shape), idx.numpy()):
            errors.append("adaptive max indices")
    else:
        errors.append("unknown op " + op)
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    d = sys.argv[1]
    with open(os.path.join(d, "manifest.json")) as f:
        cases = json.load(f)
    torch.set_num_threads(1)  # PyTorch's CPU kernels, deterministic
    bad = 0
    counts = {}
    for c in cases:
        counts[c["op"]] = counts.get(c["op"], 0) + 1
        errs = check(d, c)
        if errs:
            bad += 1
            print("MISMATCH %s %s: %s" % (c["op"], c["name"], ", ".join(errs)))
    print("torch %s: %d cases (%s), %d mismatches" % (
        torch.__version__, len(cases), ", ".join("%s %d" % kv for kv in sorted(counts.items())), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
