"""Runs `sslrun bench` and its PyTorch twin (scripts/bench_torch.py) on one
spec, one after the other, and prints the ratios as a Markdown table.

    /usr/bin/python3 scripts/bench_compare.py experiments/X.hcl \
        [--batch B] [--steps N] [--threads T] [--augment-images N] \
        [--var k=v]... [--json OUT]

It builds sslrun (`go build -o` into a temporary folder), resolves the spec
with `sslrun validate --print --no-data`, runs `sslrun bench` with
GOMAXPROCS=T, then the twin with torch.set_num_threads(T) (default 2), and
never both at once. Ratios are sslrun / PyTorch: above 1 means sslrun is
faster in images/s, and slower or bigger in seconds per step and memory.
Augmentation is compared per core:
sslrun's loader on T cores divided by T, torchvision in one thread. --json
also writes both sides' figures and the ratios.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TWIN = os.path.join(REPO, "scripts", "bench_torch.py")

# (label, field, unit format) of each compared row.
ROWS = [
    ("training step, images/s", "step_images_per_s", "{:.1f}"),
    ("seconds per step", "seconds_per_step", "{:.3f}"),
    ("peak resident memory, MiB", "peak_rss_mb", "{:.0f}"),
    ("augmentation, images/s per core", "augment_images_per_s_per_core", "{:.0f}"),
]


def run(cmd, env=None, stdin=None):
    """Runs cmd, passing its stderr through, and returns its stdout."""
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, cwd=REPO, env=env, input=stdin, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit(f"bench_compare.py: {cmd[0]} exited with status {p.returncode}")
    return p.stdout


def last_json(out, what):
    lines = out.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as e:
        raise SystemExit(f"bench_compare.py: {what} printed no JSON line ({e}):\n{out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec", help="the experiment's .hcl file")
    ap.add_argument("--batch", type=int, default=0, help="source images per step (0: the spec's batch_size)")
    ap.add_argument("--steps", type=int, default=5, help="timed steps after one warm-up step")
    ap.add_argument("--threads", type=int, default=2, help="GOMAXPROCS for sslrun, torch.set_num_threads for PyTorch")
    ap.add_argument("--augment-images", type=int, default=2048, help="source images to augment on each side")
    ap.add_argument("--var", action="append", default=[], metavar="k=v", help="spec variable (repeatable)")
    ap.add_argument("--json", default=None, metavar="OUT", help="also write every figure and ratio here")
    ap.add_argument("--python", default="/usr/bin/python3", help="the Python with torch and torchvision")
    args = ap.parse_args()
    spec = os.path.abspath(args.spec)
    var_args = [a for v in args.var for a in ("--var", v)]
    common = ["--steps", str(args.steps), "--batch", str(args.batch), "--augment-images", str(args.augment_images)]

    with tempfile.TemporaryDirectory() as tmp:
        sslrun = os.path.join(tmp, "sslrun")
        run(["go", "build", "-o", sslrun, "./cmd/sslrun"])
        resolved = run([sslrun, "validate", "--print", "--no-data", *var_args, spec])
        env = dict(os.environ, GOMAXPROCS=str(args.threads))
        ours = last_json(run([sslrun, "bench", spec, *var_args, *common], env=env), "sslrun bench")
    theirs = last_json(run([args.python, TWIN, "--threads", str(args.threads), *common], stdin=resolved), "bench_torch.py")

    ratios = {field: ours[field] / theirs[field] for _, field, _ in ROWS if theirs.get(field)}
    print(f"{ours['experiment']}: {ours['backbone']}, views {ours['views']}, batch {ours['batch']}, "
          f"{ours['steps']} steps, {args.threads} threads ({ours['go_version']}; torch {theirs['torch']})\n")
    print("| | sslrun | PyTorch | sslrun / PyTorch |")
    print("|---|---|---|---|")
    for label, field, fmt in ROWS:
        ratio = f"{ratios[field]:.2f}x" if field in ratios else "-"
        print(f"| {label} | {fmt.format(ours[field])} | {fmt.format(theirs[field])} | {ratio} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sslrun": ours, "pytorch": theirs, "ratios": ratios}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
