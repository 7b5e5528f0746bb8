#!/usr/bin/python3
"""Checks the deformable-convolution reference (tests/reference_deform.cpp)
against torchvision and PyTorch.

Not part of ctest: torchvision is not a dependency of halconv. Run

    cmake --build build --target halconv_deform_oracle_dump
    mkdir -p /tmp/deform_oracle && build/tests/halconv_deform_oracle_dump /tmp/deform_oracle
    /usr/bin/python3 tests/deform_oracle.py /tmp/deform_oracle

with a Python that has torch and torchvision (Debian: python3-torchvision,
0.14.1). Every case's float32 inputs are recomputed in float64:
  * deform_conv2d with torchvision.ops.deform_conv2d, the backward with
    autograd (torchvision's own CPU backward kernel): output, grad_input,
    grad_offset, grad_weight, grad_mask, grad_bias;
  * flow_warp with torch.nn.functional.grid_sample (bilinear, zeros padding,
    align_corners=True; pixel (y + dy, x + dx) -> normalised 2 p / (size-1) - 1),
    the backward with autograd: output, grad_input, grad_flow.
Every element must satisfy |ref - torch| <= 1e-9 (1 + |torch|). Prints the
largest such relative difference per quantity and exits 0 when all agree.

--probe also prints what torchvision does where the reference departs from
it on purpose (infinite offsets; its output-size rule); NaN offsets are run
in a child process because torchvision may crash on them.
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import deform_conv2d

REL = 1e-9


def load(d, name, dtype, shape):
    return np.fromfile(os.path.join(d, name), dtype=dtype).reshape(shape)


def t64(d, name, shape, requires_grad=False):
    a = torch.from_numpy(load(d, name, np.float32, shape).astype(np.float64))
    return a.requires_grad_(requires_grad)


def rel_diff(ref, want):
    """max |ref - want| / (1 + |want|), inf on a shape mismatch or NaN."""
    ref = np.asarray(ref, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if ref.shape != want.shape:
        return float("inf")
    if ref.size == 0:
        return 0.0
    r = np.abs(ref - want) / (1.0 + np.abs(want))
    if np.any(np.isnan(r)):
        return float("inf")
    return float(r.max())


def check_deform(d, c):
    x = t64(d, c["input"], c["input_shape"], True)
    off = t64(d, c["offset"], c["offset_shape"], True)
    w = t64(d, c["weight"], c["weight_shape"], True)
    b = t64(d, c["bias_data"], [c["weight_shape"][0]], True) if c["bias"] else None
    m = t64(d, c["mask"], c["mask_shape"], True) if c["mask_shape"] is not None else None
    y = deform_conv2d(x, off, w, b, stride=tuple(c["stride"]), padding=tuple(c["padding"]),
                      dilation=tuple(c["dilation"]), mask=m)
    out_shape = c["output_shape"]
    if list(y.shape) != out_shape:
        return {"shape": float("inf")}
    g = t64(d, c["grad_output"], out_shape)
    y.backward(g)
    res = {
        "out": rel_diff(load(d, c["out"], np.float64, out_shape), y.detach().numpy()),
        "grad_input": rel_diff(load(d, c["grad_input"], np.float64, c["input_shape"]), x.grad.numpy()),
        "grad_offset": rel_diff(load(d, c["grad_offset"], np.float64, c["offset_shape"]), off.grad.numpy()),
        "grad_weight": rel_diff(load(d, c["grad_weight"], np.float64, c["weight_shape"]), w.grad.numpy()),
    }
    if m is not None:
        res["grad_mask"] = rel_diff(load(d, c["grad_mask"], np.float64, c["mask_shape"]), m.grad.numpy())
    if b is not None:
        res["grad_bias"] = rel_diff(load(d, c["grad_bias"], np.float64, [c["weight_shape"][0]]), b.grad.numpy())
    return res


def flow_warp_grid_sample(x, flow):
    """flow_warp with grid_sample: out[n,c,y,x] = bilinear x at (y + flow[n,1], x + flow[n,0])."""
    N, C, H, W = x.shape
    ys = torch.arange(H, dtype=torch.float64).view(1, H, 1)
    xs = torch.arange(W, dtype=torch.float64).view(1, 1, W)
    px = xs + flow[:, 0]
    py = ys + flow[:, 1]
    grid = torch.stack([2.0 * px / (W - 1) - 1.0, 2.0 * py / (H - 1) - 1.0], dim=-1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)


def check_flow(d, c):
    s = c["input_shape"]
    x = t64(d, c["input"], s, True)
    flow = t64(d, c["flow"], [s[0], 2, s[2], s[3]], True)
    y = flow_warp_grid_sample(x, flow)
    g = t64(d, c["grad_output"], s)
    y.backward(g)
    return {
        "out": rel_diff(load(d, c["out"], np.float64, s), y.detach().numpy()),
        "grad_input": rel_diff(load(d, c["grad_input"], np.float64, s), x.grad.numpy()),
        "grad_flow": rel_diff(load(d, c["grad_flow"], np.float64, [s[0], 2, s[2], s[3]]), flow.grad.numpy()),
    }


PROBE_NAN = r"""
import torch
from torchvision.ops import deform_conv2d
x = torch.arange(20, dtype=torch.float64).view(1, 1, 4, 5).requires_grad_(True)
w = torch.ones(1, 1, 1, 1, dtype=torch.float64)
off = torch.zeros(1, 2, 4, 5, dtype=torch.float64)
off[0, 0, 1, 1] = float('nan')
off.requires_grad_(True)
y = deform_conv2d(x, off, w)
y.sum().backward()
print('  NaN dy offset: output', y[0, 0, 1, 1].item(), 'grad_offset (dy, dx)',
      off.grad[0, 0, 1, 1].item(), off.grad[0, 1, 1, 1].item())
"""


def probe():
    print("probes of torchvision %s (where the reference departs on purpose):" % torchvision.__version__)
    x = torch.arange(1.0, 21.0, dtype=torch.float64).view(1, 1, 4, 5).requires_grad_(True)
    w = torch.ones(1, 1, 1, 1, dtype=torch.float64)
    for val in (float("inf"), -float("inf"), 1e30):
        off = torch.zeros(1, 2, 4, 5, dtype=torch.float64)
        off[0, 0, 1, 1] = val
        off.requires_grad_(True)
        x.grad = None
        y = deform_conv2d(x, off, w)
        y.sum().backward()
        print("  dy offset %g: output %g, grad_offset (dy, dx) = (%g, %g)   [reference: 0, (0, 0)]" % (
            val, y[0, 0, 1, 1].item(), off.grad[0, 0, 1, 1].item(), off.grad[0, 1, 1, 1].item()))
    r = subprocess.run([sys.executable, "-c", PROBE_NAN], capture_output=True, text=True)
    if r.returncode == 0:
        print(r.stdout.rstrip() + "   [reference: 0, (0, 0)]")
    else:
        print("  NaN dy offset: the child process died with status %d   [reference: 0, (0, 0)]" % r.returncode)
    # output size: torchvision divides with C++ truncation
    x = torch.zeros(1, 1, 2, 2, dtype=torch.float64)
    w = torch.zeros(1, 1, 3, 3, dtype=torch.float64)
    try:
        y = deform_conv2d(x, torch.zeros(1, 18, 1, 1, dtype=torch.float64), w, stride=2)
        print("  H=W=2, 3x3, stride 2, no padding: torchvision gives output %s (conv2d's floor rule: 0, invalid)"
              % list(y.shape))
    except RuntimeError as e:
        print("  H=W=2, 3x3, stride 2: torchvision refuses: %s" % str(e).splitlines()[0])


def main():
    args = [a for a in sys.argv[1:] if a != "--probe"]
    if len(args) != 1:
        print(__doc__)
        return 2
    d = args[0]
    with open(os.path.join(d, "manifest.json")) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    bad = 0
    worst = {}
    for c in cases:
        res = check_deform(d, c) if c["op"] == "deform_conv2d" else check_flow(d, c)
        for k, v in res.items():
            key = c["op"] + " " + k
            worst[key] = max(worst.get(key, 0.0), v)
        fails = ["%s %.3g" % (k, v) for k, v in res.items() if not v <= REL]
        if fails:
            bad += 1
            print("MISMATCH %s %s (offsets %s, spread %s): %s" % (
                c["op"], c["name"], c["offset_mode"], c["spread"], ", ".join(fails)))
    for k in sorted(worst):
        print("  max rel diff %-28s %.3g" % (k, worst[k]))
    counts = {}
    for c in cases:
        counts[c["op"]] = counts.get(c["op"], 0) + 1
    print("torch %s, torchvision %s: %d cases (%s), %d mismatches (tolerance %g (1 + |torch|))" % (
        torch.__version__, torchvision.__version__, len(cases),
        ", ".join("%s %d" % kv for kv in sorted(counts.items())), bad, REL))
    if "--probe" in sys.argv[1:]:
        probe()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
