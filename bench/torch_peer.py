#!/usr/bin/python3
"""PyTorch peer of the halconv benchmark harness (bench/torch_peer.h).

    /usr/bin/python3 bench/torch_peer.py <op> <dir>

<dir>/request.json (written by bench/torch_peer.cpp):
    {"op": "flow_warp", "threads": 2, "min_runs": 20, "min_time": 0.3, "rounds": 3,
     "inputs": {"input": {"file": "input.f32", "shape": [N, C, H, W]}, ...},
     "params": {...}}
Every input is a raw little-endian float32 file. The script loads them, builds
the op (OPS[op]), checks it once, times each of its timed functions (first
call, then a warm-up of >= 50 ms; then `rounds` rounds of >= min_runs/rounds
calls and >= min_time/rounds seconds, each call timed on its own with
time.perf_counter; median of the pooled samples; 30 ms sleep before each
segment, as the C++ harness does), writes the outputs as raw float32 files
and <dir>/result.json:
    {"ok": true, "torch": "1.13.0", "threads": 2, "method": {...},
     "timings": {"forward": {"median_ms": .., "min_ms": .., "mean_ms": ..,
                             "runs": .., "foreign_ticks": .., "total_ticks": ..}},
     "outputs": {"output": {"file": "out_output.f32", "shape": [...]}}}
or {"ok": false, "unavailable": "why"} (torch cannot be imported: exit 3), or
{"ok": false, "error": "why"} (exit 1).

Adding an op (deform_conv2d next): write a function (inputs, params) -> Op
and add it to OPS; the C++ side (torch_peer::run) is generic.
"""
import json
import os
import sys
import time
import traceback


def cpu_ticks():
    """(busy ticks of the machine, ticks of this process) from /proc, as bench/common.cpp."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6]
        total = busy + v[3] + v[4] + v[7]
        with open("/proc/self/stat") as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        self_ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        return busy, total, self_ticks
    except Exception:
        return 0, 0, 0


def time_fn(fn, min_runs, min_time, rounds):
    fn()  # first call: lazy init, allocations
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.05:
        fn()
    samples = []
    b0, t_0, s0 = cpu_ticks()
    for _ in range(rounds):
        time.sleep(0.03)
        runs = max(1, -(-min_runs // rounds))
        seg_time = min_time / rounds
        start = time.perf_counter()
        n = 0
        while n < runs or time.perf_counter() - start < seg_time:
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1e3)
            n += 1
    b1, t_1, s1 = cpu_ticks()
    samples.sort()
    k = len(samples)
    median = samples[k // 2] if k % 2 else 0.5 * (samples[k // 2 - 1] + samples[k // 2])
    return {"median_ms": median, "min_ms": samples[0], "mean_ms": sum(samples) / k, "runs": k,
            "foreign_ticks": max(0, (b1 - b0) - (s1 - s0)), "total_ticks": t_1 - t_0}


class Op:
    """timed: name -> callable (the first one is the op's main timing);
    outputs: callable -> {name: float32 tensor}; method: {timing name: what it times}."""

    def __init__(self, timed, outputs, method):
        self.timed, self.outputs, self.method = timed, outputs, method


# --- flow_warp: grid_sample with the flow converted to a normalised grid --------------
# flow [N, 2, H, W], channel 0 = dx, 1 = dy in pixels; align_corners=True and
# padding_mode="zeros" make grid_sample equal halconv::flow_warp (warp.h), as
# in BasicVSR++'s flow_warp and tests/deform_oracle.py.

def _flow_warp_fn(torch, shape):
    N, C, H, W = shape
    F = torch.nn.functional
    gy, gx = torch.meshgrid(torch.arange(H, dtype=torch.float32), torch.arange(W, dtype=torch.float32),
                            indexing="ij")

    def to_grid(flow):
        px = gx + flow[:, 0]
        py = gy + flow[:, 1]
        return torch.stack([2.0 * px / (W - 1) - 1.0, 2.0 * py / (H - 1) - 1.0], dim=-1)

    def sample(x, grid):
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)

    return to_grid, sample


def op_flow_warp(torch, t, params):
    x, flow = t["input"], t["flow"]
    to_grid, sample = _flow_warp_fn(torch, list(x.shape))
    grid = to_grid(flow)

    def fwd():
        with torch.no_grad():
            return sample(x, to_grid(flow))

    def fwd_sample_only():
        with torch.no_grad():
            return sample(x, grid)

    return Op({"forward": fwd, "grid_sample_only": fwd_sample_only},
              lambda: {"output": fwd()},
              {"forward": "flow -> normalised grid (elementwise ops, stack) + F.grid_sample(bilinear, zeros, "
                          "align_corners=True), under torch.no_grad()",
               "grid_sample_only": "F.grid_sample alone on a precomputed grid"})


def op_flow_warp_backward(torch, t, params):
    x = t["input"].clone().requires_grad_(True)
    flow = t["flow"].clone().requires_grad_(True)
    go = t["grad_output"]
    to_grid, sample = _flow_warp_fn(torch, list(x.shape))
    y = sample(x, to_grid(flow))  # the graph, retained across the timed backward calls

    def bwd():
        return torch.autograd.grad(y, (x, flow), go, retain_graph=True)

    def fwd_bwd():
        yy = sample(x, to_grid(flow))
        return torch.autograd.grad(yy, (x, flow), go)

    def outputs():
        gi, gf = bwd()
        return {"grad_input": gi, "grad_flow": gf}

    return Op({"backward": bwd, "forward_backward": fwd_bwd}, outputs,
              {"backward": "torch.autograd.grad(y, (input, flow), grad_output, retain_graph=True) on a graph "
                           "built once (grid_sampler_2d_backward + the backward of the flow -> grid conversion); "
                           "the forward is not timed",
               "forward_backward": "forward with autograd + torch.autograd.grad (a fresh graph per call)"})


OPS = {
    "flow_warp": op_flow_warp,
    "flow_warp_backward": op_flow_warp_backward,
    # "deform_conv2d": torchvision.ops.deform_conv2d, to come.
}


def main():
    if len(sys.argv) != 3:
        print("usage: torch_peer.py <op> <dir>", file=sys.stderr)
        return 2
    op_name, d = sys.argv[1], sys.argv[2]
    result_path = os.path.join(d, "result.json")

    def finish(res, rc):
        with open(result_path + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(result_path + ".tmp", result_path)
        return rc

    try:
        import numpy as np
        import torch
    except Exception as e:  # ImportError, or a broken installation
        return finish({"ok": False, "unavailable": "cannot import torch/numpy with %s: %s: %s" % (
            sys.executable, type(e).__name__, e)}, 3)
    try:
        with open(os.path.join(d, "request.json")) as f:
            req = json.load(f)
        if op_name not in OPS:
            raise ValueError("unknown op %r (known: %s)" % (op_name, ", ".join(sorted(OPS))))
        if req.get("op") != op_name:
            raise ValueError("request.json is for op %r, not %r" % (req.get("op"), op_name))
        threads = int(req.get("threads", 1))
        torch.set_num_threads(threads)
        tensors = {}
        for name, spec in req["inputs"].items():
            a = np.fromfile(os.path.join(d, spec["file"]), dtype="<f4")
            shape = [int(s) for s in spec["shape"]]
            if a.size != int(np.prod(shape)):
                raise ValueError("input %s: %d floats, shape %s" % (name, a.size, shape))
            tensors[name] = torch.from_numpy(a.reshape(shape).copy())
        op = OPS[op_name](torch, tensors, req.get("params", {}))
        outs = {}
        for name, v in op.outputs().items():
            fname = "out_%s.f32" % name
            v.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(d, fname))
            outs[name] = {"file": fname, "shape": list(v.shape)}
        timings = {}
        for name, fn in op.timed.items():
            timings[name] = time_fn(fn, int(req.get("min_runs", 20)), float(req.get("min_time", 0.3)),
                                    max(1, int(req.get("rounds", 3))))
        return finish({"ok": True, "torch": torch.__version__, "python": sys.version.split()[0],
                       "threads": torch.get_num_threads(), "parallel_info": torch.__config__.parallel_info(),
                       "method": op.method, "timings": timings, "outputs": outs}, 0)
    except Exception as e:
        return finish({"ok": False, "error": "%s: %s" % (type(e).__name__, e),
                       "traceback": traceback.format_exc()}, 1)


if __name__ == "__main__":
    sys.exit(main())
