#!/usr/bin/env python3
"""Command-line tests of `halconv tune` and `halconv tune-report` (ctest label "cli").

    tune_cli_test.py --halconv PATH GROUP

Groups:
  errors      bad options are refused with a message naming the option (exit 2)
  kill        a run killed with SIGKILL in the middle of its search leaves a
              valid records file; running again resumes (no candidate measured
              twice, trial numbers continue); then SIGINT stops a run cleanly
              (exit 130, records kept); tune-report draws the result
  memory      a candidate that takes the process past --memory-limit is
              recorded as failed with the reason and the run exits with 75;
              running again resumes after it (the next candidate)
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# A conv2d small enough to compile and time quickly.
SHAPE = "id=tiny,N=1,C=8,H=12,W=13,K=16,R=3,S=3,stride=1,pad=1,dil=1,groups=1"


def run(halconv, args, **kw):
    return subprocess.run([halconv] + args, capture_output=True, text=True, timeout=600, **kw)


def expect(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


def records_of(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.endswith("\n"):
                out.append(json.loads(line))
    return out


def group_errors(halconv, tmp):
    rec = os.path.join(tmp, "r.jsonl")
    cases = [
        (["tune"], "missing OP"),
        (["tune", "conv2d", "--records", rec], "missing --shape"),
        (["tune", "conv2d", "--shape", "r50_3x3_56"], "missing --records"),
        (["tune", "nope", "--shape", "x", "--records", rec], "unknown op 'nope'"),
        (["tune", "conv2d", "--shape", "no_such_entry", "--records", rec], "no conv2d entry 'no_such_entry'"),
        (["tune", "conv2d", "--shape", "r50_3x3_56", "--records", rec, "--strategy", "hill"], "--strategy"),
        (["tune", "conv2d", "--shape", "r50_3x3_56", "--records", rec, "--target", "tpu"], "--target"),
        (["tune", "conv2d", "--shape", "r50_3x3_56", "--records", rec, "--autoschedulers", "Adams2020"], "Adams2020"),
        (["tune", "conv2d", "--shape", "r50_3x3_56", "--records", rec, "--target", "opencl",
          "--autoschedulers", "Adams2019"], "CPUs only"),
        (["tune", "conv2d", "--shape", "r50_3x3_56", "--records", rec, "--budget", "0"], "--budget"),
        (["tune-report", "-o", tmp], "records"),
    ]
    for args, message in cases:
        r = run(halconv, args)
        expect(r.returncode == 2, f"{args}: exit {r.returncode}, expected 2; stderr: {r.stderr}")
        expect(message in r.stderr, f"{args}: message {message!r} not in stderr: {r.stderr}")
    expect(not os.path.exists(rec), "a refused command wrote a records file")
    r = run(halconv, ["tune", "--list"])
    expect(r.returncode == 0 and "conv2d" in r.stdout and "deform_conv2d" in r.stdout, f"--list: {r.stdout}")
    # (scripts/tune-suite tunes the filter pipelines with at least one entry.)
    expect("conv2d  (suite family conv2d, 10 suite entries," in r.stdout
           and "filter_separable_integer_u16  (suite family filters_image, 0 suite entries," in r.stdout,
           f"--list counts each op's suite entries: {r.stdout}")
    # `halconv tune` runs in halconv-tune beside it; without it, a clear error.
    lone = os.path.join(tmp, "lone")
    os.mkdir(lone)
    shutil.copy(halconv, os.path.join(lone, "halconv"))
    r = run(os.path.join(lone, "halconv"), ["tune", "--list"])
    expect(r.returncode == 1 and "cannot run" in r.stderr and "halconv-tune" in r.stderr,
           f"halconv without halconv-tune: exit {r.returncode}; stderr: {r.stderr}")


def group_kill(halconv, tmp):
    rec = os.path.join(tmp, "kill.jsonl")
    base = ["tune", "conv2d", "--shape", SHAPE, "--records", rec, "--strategy", "random",
            "--min-time", "0.01", "--repeats", "3", "--no-progress"]
    p = subprocess.Popen([halconv] + base + ["--budget", "50"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline:
        if os.path.exists(rec) and len(records_of(rec)) >= 3:
            break
        time.sleep(0.2)
    p.kill()
    p.wait()
    before = records_of(rec)
    expect(len(before) >= 3, f"killed run recorded {len(before)} trials")
    tuned_before = [r for r in before if r["kind"] == "tuned"]
    # Resume: the budget counts the trials already recorded.
    r = run(halconv, base + ["--budget", str(len(tuned_before) + 2)])
    expect(r.returncode == 0, f"resume: exit {r.returncode}: {r.stderr}")
    expect("resuming after %d" % len(tuned_before) in r.stderr, f"resume message missing: {r.stderr}")
    after = records_of(rec)
    tuned = [r for r in after if r["kind"] == "tuned"]
    keys = [json.dumps(r["params"], sort_keys=True) for r in tuned]
    expect(len(keys) == len(set(keys)), "a candidate was measured twice after resuming")
    expect([r["trial"] for r in tuned] == list(range(1, len(tuned) + 1)), "trial numbers do not continue")
    expect(len(tuned) == len(tuned_before) + 2, f"resume measured {len(tuned) - len(tuned_before)} candidates, expected 2")
    for r in after:
        for key in ("op", "entry", "shape", "target", "kind", "params", "status", "halconv_version", "machine", "time"):
            expect(key in r, f"record without {key}: {r}")
    # SIGINT: stops after the trial in flight, exit 130, records valid.
    p = subprocess.Popen([halconv] + base + ["--budget", "50"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    n0 = len(records_of(rec))
    while time.time() < deadline + 300 and len(records_of(rec)) < n0 + 2:
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=300)
    expect(p.returncode == 130, f"SIGINT: exit {p.returncode}: {err}")
    expect("interrupted" in err, f"SIGINT: no 'interrupted' note: {err}")
    records_of(rec)  # every complete line parses
    # The report of what was measured.
    out = os.path.join(tmp, "report")
    r = run(halconv, ["tune-report", rec, "-o", out])
    expect(r.returncode == 0, f"tune-report: exit {r.returncode}: {r.stderr}")
    files = os.listdir(out)
    expect("report.md" in files, f"report files: {files}")
    expect(any(f.startswith("convergence_") and f.endswith(".png") for f in files), f"no convergence plot: {files}")
    expect(any(f.startswith("bars_") and f.endswith(".png") for f in files), f"no bar chart: {files}")


def group_memory(halconv, tmp):
    rec = os.path.join(tmp, "memory.jsonl")
    # (A limit below the process's own footprint: the first guarded
    # candidate passes it at once. The hand schedule, the reference, is not
    # guarded.)
    base = ["tune", "conv2d", "--shape", SHAPE, "--records", rec, "--strategy", "random", "--budget", "5",
            "--min-time", "0.01", "--repeats", "3", "--no-progress", "--memory-limit", "0.001"]
    for attempt in (1, 2):
        r = run(halconv, base)
        expect(r.returncode == 75, f"attempt {attempt}: exit {r.returncode}, expected 75; stderr: {r.stderr}")
        expect("--memory-limit" in r.stderr and "GB of memory" in r.stderr,
               f"attempt {attempt}: no memory message in stderr: {r.stderr}")
        failed = [x for x in records_of(rec) if x["kind"] == "tuned"]
        expect(len(failed) == attempt, f"attempt {attempt}: {len(failed)} tuned records, expected {attempt}")
        last = failed[-1]
        expect(last["status"] == "failed" and "past the limit of 0.001 GB" in last["error"],
               f"attempt {attempt}: record {last}")
    tuned = [x for x in records_of(rec) if x["kind"] == "tuned"]
    expect(json.dumps(tuned[0]["params"], sort_keys=True) != json.dumps(tuned[1]["params"], sort_keys=True),
           "the second run measured the abandoned candidate again instead of resuming after it")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--halconv", required=True)
    ap.add_argument("group", choices=["errors", "kill", "memory"])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        {"errors": group_errors, "kill": group_kill, "memory": group_memory}[a.group](a.halconv, tmp)
    print("ok")


if __name__ == "__main__":
    main()
