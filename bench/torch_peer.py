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

Ops (OPS): flow_warp, flow_warp_backward (torch grid_sample), deform_conv2d,
deform_conv2d_backward (torchvision.ops.deform_conv2d). Adding an op: write a
function (torch, inputs, params) -> Op and add it to OPS; the C++ side
(torch_peer::run) is generic. An op whose library is missing (torchvision)
raises Unavailable: {"ok": false, "unavailable": ...}, exit 3, as for torch.

Interleaved mode (torch_peer::Session, so that a slow phase of the machine hits
halconv and torch alike):

    /usr/bin/python3 bench/torch_peer.py --serve <op> <dir>

does the same up to the outputs (result.json without timings), writes one line
{"ready": true} (or {"ready": false}) to its stdout, then serves requests, one
JSON line each on stdin, one JSON line each on stdout:
    {"cmd": "time", "timing": "forward", "runs": 7, "min_time": 0.1}
        -> one untimed call (re-warm after the harness's pause), then >= runs
           calls and >= min_time seconds, each timed on its own:
           {"ms": [...], "own_ticks": CPU ticks this process used meanwhile}
    {"cmd": "quit"} (or end of input) -> exit 0.
An error in a request answers {"error": "why"}. Anything else the libraries
print goes to stderr (the log), never into the replies.

The result also says which BLAS the process really loaded ("blas": the
libraries mapped in /proc/self/maps, the libblas.so.3 alternative, OpenBLAS's
config and thread count when it is OpenBLAS), and repeats it as
method["blas"] (the C++ side keeps "method"). torch.set_num_threads does not
reach a generic-BLAS build's OpenBLAS: the script sets OpenBLAS's own thread
count to the same `threads` (openblas_set_num_threads) when it is loaded.
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


# --- deform_conv2d: torchvision.ops.deform_conv2d (DCN v1, v2 with a mask) ------------
# inputs input [N, C, H, W], offset [N, 2*G*R*S, OH, OW], weight [K, C/groups, R, S],
# bias [K] (optional), mask [N, G*R*S, OH, OW] (optional); torchvision infers the
# offset groups G from offset's channels and the weight groups from weight.shape[1].
# params: stride, padding, dilation ([h, w] or one int).

class Unavailable(Exception):
    """A library the op needs cannot be imported: the peer is unavailable, not failing."""


def _pair(params, key, default):
    v = params.get(key, default)
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise ValueError("param %s: %r is not [h, w]" % (key, v))
        return (int(v[0]), int(v[1]))
    return (int(v), int(v))


def _deform_conv2d_fn(params):
    try:
        import torchvision
        from torchvision.ops import deform_conv2d
    except Exception as e:
        raise Unavailable("cannot import torchvision with %s: %s: %s" % (sys.executable, type(e).__name__, e))
    kw = {"stride": _pair(params, "stride", 1), "padding": _pair(params, "padding", 0),
          "dilation": _pair(params, "dilation", 1)}

    def f(x, offset, weight, bias, mask):
        return deform_conv2d(x, offset, weight, bias, mask=mask, **kw)

    return f, torchvision.__version__, kw


def op_deform_conv2d(torch, t, params):
    f, tv, kw = _deform_conv2d_fn(params)
    x, offset, weight = t["input"], t["offset"], t["weight"]
    bias, mask = t.get("bias"), t.get("mask")

    def fwd():
        with torch.no_grad():
            return f(x, offset, weight, bias, mask)

    return Op({"forward": fwd}, lambda: {"output": fwd()},
              {"forward": "torchvision %s ops.deform_conv2d(input, offset, weight, %s, mask=%s, stride=%s, "
                          "padding=%s, dilation=%s) under torch.no_grad(), float32, CPU (allocates its output)" % (
                              tv, "bias" if bias is not None else "None", "mask" if mask is not None else "None",
                              kw["stride"], kw["padding"], kw["dilation"])})


def op_deform_conv2d_backward(torch, t, params):
    f, tv, kw = _deform_conv2d_fn(params)
    names = [n for n in ("input", "offset", "weight", "bias", "mask") if n in t]
    leaves = {n: t[n].clone().requires_grad_(True) for n in names}
    go = t["grad_output"]
    y = f(leaves["input"], leaves["offset"], leaves["weight"], leaves.get("bias"), leaves.get("mask"))
    if tuple(y.shape) != tuple(go.shape):
        raise ValueError("grad_output shape %s, output %s" % (list(go.shape), list(y.shape)))
    wrt = tuple(leaves[n] for n in names)

    def bwd():  # the graph is built once above and retained: backward only
        return torch.autograd.grad(y, wrt, go, retain_graph=True)

    def outputs():
        return {"grad_" + n: g for n, g in zip(names, bwd())}

    return Op({"backward": bwd}, outputs,
              {"backward": "torch.autograd.grad(y, (%s), grad_output, retain_graph=True) on the graph of "
                           "torchvision %s ops.deform_conv2d(..., stride=%s, padding=%s, dilation=%s) built once, "
                           "float32, CPU: backward only (torchvision's deform_conv2d_backward), the forward is not "
                           "timed" % (", ".join(names), tv, kw["stride"], kw["padding"], kw["dilation"])})


OPS = {
    "flow_warp": op_flow_warp,
    "flow_warp_backward": op_flow_warp_backward,
    "deform_conv2d": op_deform_conv2d,
    "deform_conv2d_backward": op_deform_conv2d_backward,
}


def blas_info(threads):
    """Which BLAS this process really uses (torch's build says only BLAS_INFO=generic on Debian: it
    links the system libblas.so.3, whatever the alternatives point it to). Sets OpenBLAS's thread
    count to `threads` when OpenBLAS is loaded. Never raises."""
    info = {"env": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}
    try:
        libs = []
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(p).lower()
                if ("blas" in base or "lapack" in base or "mkl" in base) and p not in libs:
                    libs.append(p)
        info["loaded"] = libs
        alt = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"
        info["libblas_so_3_alternative"] = os.path.realpath(alt) if os.path.exists(alt) else None
        ob = [p for p in libs if "openblas" in os.path.basename(p).lower()]
        if ob:
            import ctypes
            lib = ctypes.CDLL(ob[0])  # already loaded: the same handle
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_set_num_threads(int(threads))
            info["openblas"] = {"library": ob[0], "config": lib.openblas_get_config().decode(),
                                "num_threads": int(lib.openblas_get_num_threads())}
            info["summary"] = "OpenBLAS (%s, %d threads) via %s; OMP_WAIT_POLICY=%s" % (
                info["openblas"]["config"], info["openblas"]["num_threads"], ob[0],
                os.environ.get("OMP_WAIT_POLICY"))
        elif any("mkl" in os.path.basename(p).lower() for p in libs):
            info["summary"] = "MKL: " + ", ".join(libs)
        elif libs:
            info["summary"] = "not OpenBLAS (reference BLAS?): " + ", ".join(libs)
        else:
            info["summary"] = "no BLAS library mapped"
    except Exception as e:
        info["error"] = "%s: %s" % (type(e).__name__, e)
        info.setdefault("summary", "unknown (" + info["error"] + ")")
    return info


def own_ticks():
    return cpu_ticks()[2]


def time_segment(fn, runs, min_time):
    """One untimed call, then >= runs calls and >= min_time seconds, each timed: ms."""
    fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < runs or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1e3)
    return samples


def serve(op, replies):
    """The request loop of --serve (see the module's doc)."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "quit":
                return 0
            if cmd != "time":
                raise ValueError("unknown cmd %r" % (cmd,))
            name = req.get("timing")
            if name not in op.timed:
                raise ValueError("unknown timing %r (known: %s)" % (name, ", ".join(op.timed)))
            s0 = own_ticks()
            ms = time_segment(op.timed[name], max(1, int(req.get("runs", 1))), float(req.get("min_time", 0)))
            reply = {"ms": ms, "own_ticks": own_ticks() - s0}
        except Exception as e:
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0


def main():
    args = sys.argv[1:]
    serving = bool(args) and args[0] == "--serve"
    if serving:
        args = args[1:]
    if len(args) != 2:
        print("usage: torch_peer.py [--serve] <op> <dir>", file=sys.stderr)
        return 2
    op_name, d = args
    result_path = os.path.join(d, "result.json")
    replies = None
    if serving:
        # The replies get the real stdout; whatever the libraries print goes to stderr.
        replies = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)

    def ready(ok):
        if replies is not None:
            replies.write(json.dumps({"ready": ok}) + "\n")
            replies.flush()

    def finish(res, rc):
        with open(result_path + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(result_path + ".tmp", result_path)
        ready(rc == 0)
        return rc

    # libgomp reads OMP_WAIT_POLICY when torch loads it. The harness sets
    # "passive" for itself (bench/main.cpp) and this process inherits it; run
    # standalone, set the same. With libgomp's default (active spinning),
    # torch's 2 idle OpenMP workers spin while OpenBLAS's 2 pthreads run the
    # GEMM on the same 2 cores: torchvision deform_conv2d dcn_r50 forward took
    # 60 ms instead of 9 here.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
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
        blas = blas_info(threads)
        tensors = {}
        for name, spec in req["inputs"].items():
            a = np.fromfile(os.path.join(d, spec["file"]), dtype="<f4")
            shape = [int(s) for s in spec["shape"]]
            if a.size != int(np.prod(shape)):
                raise ValueError("input %s: %d floats, shape %s" % (name, a.size, shape))
            tensors[name] = torch.from_numpy(a.reshape(shape).copy())
        try:
            op = OPS[op_name](torch, tensors, req.get("params", {}))
        except Unavailable as e:
            return finish({"ok": False, "unavailable": str(e)}, 3)
        op.method["blas"] = blas.get("summary", "?")
        outs = {}
        for name, v in op.outputs().items():
            fname = "out_%s.f32" % name
            v.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(d, fname))
            outs[name] = {"file": fname, "shape": list(v.shape)}
        timings = {}
        if not serving:
            for name, fn in op.timed.items():
                timings[name] = time_fn(fn, int(req.get("min_runs", 20)), float(req.get("min_time", 0.3)),
                                        max(1, int(req.get("rounds", 3))))
        rc = finish({"ok": True, "torch": torch.__version__, "python": sys.version.split()[0],
                     "threads": torch.get_num_threads(), "parallel_info": torch.__config__.parallel_info(),
                     "method": op.method, "blas": blas, "timings": timings, "outputs": outs,
                     "timed": list(op.timed)}, 0)
        return serve(op, replies) if serving else rc
    except Exception as e:
        return finish({"ok": False, "error": "%s: %s" % (type(e).__name__, e),
                       "traceback": traceback.format_exc()}, 1)


if __name__ == "__main__":
    sys.exit(main())
