#!/usr/bin/python3
"""torchvision's deform_conv2d on cases written by tests/test_deform_torchvision.cpp.

    deform_torchvision.py DIR

DIR/manifest.json lists the cases: shapes, stride, padding, dilation and the
files of the float32 inputs (little-endian raw arrays: input, offset,
weight, optional bias and mask, grad_output). For each case the inputs are
widened to float64 and run through torchvision.ops.deform_conv2d (weight
groups and offset groups inferred from the shapes, as torchvision does);
the backward is autograd on y.backward(grad_output) (torchvision's own CPU
backward kernel). The results are written as float64 raw arrays
DIR/<id>_tv_<what>.bin, what = out, grad_input, grad_offset, grad_weight,
grad_mask (with a mask), grad_bias (with a bias); then DIR/done.json with the
versions. Exits 0 on success, 2 on bad usage; any exception propagates (non-zero).

The C++ test never passes NaN offsets (torchvision 0.14 may crash on them)
nor sizes torchvision treats differently from halconv (halconv refuses a
padded input smaller than the dilated kernel).
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.ops import deform_conv2d


def load(d, name, shape):
    a = np.fromfile(os.path.join(d, name), dtype="<f4")
    if a.size != int(np.prod(shape)):
        raise ValueError("%s has %d elements, expected %s" % (name, a.size, shape))
    return torch.from_numpy(a.reshape(shape).astype(np.float64))


def save(d, case_id, what, t):
    t.detach().numpy().astype("<f8").tofile(os.path.join(d, "%d_tv_%s.bin" % (case_id, what)))


def run_case(d, c):
    x = load(d, c["input"], c["input_shape"]).requires_grad_(True)
    off = load(d, c["offset"], c["offset_shape"]).requires_grad_(True)
    w = load(d, c["weight"], c["weight_shape"]).requires_grad_(True)
    b = load(d, c["bias"], [c["weight_shape"][0]]).requires_grad_(True) if c.get("bias") else None
    m = load(d, c["mask"], c["mask_shape"]).requires_grad_(True) if c.get("mask") else None
    y = deform_conv2d(x, off, w, b, stride=tuple(c["stride"]), padding=tuple(c["padding"]),
                      dilation=tuple(c["dilation"]), mask=m)
    if list(y.shape) != c["output_shape"]:
        raise ValueError("case %s: torchvision's output has shape %s, halconv's %s" % (
            c["name"], list(y.shape), c["output_shape"]))
    y.backward(load(d, c["grad_output"], c["output_shape"]))
    save(d, c["id"], "out", y)
    save(d, c["id"], "grad_input", x.grad)
    save(d, c["id"], "grad_offset", off.grad)
    save(d, c["id"], "grad_weight", w.grad)
    if m is not None:
        save(d, c["id"], "grad_mask", m.grad)
    if b is not None:
        save(d, c["id"], "grad_bias", b.grad)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    d = sys.argv[1]
    with open(os.path.join(d, "manifest.json")) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    for c in cases:
        run_case(d, c)
    with open(os.path.join(d, "done.json"), "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": len(cases)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
