#!/usr/bin/env bash
# GPU check of the XLA engine (issue 16), for one ~15-minute session on a
# machine with an NVIDIA GPU, python3 with JAX's CUDA plugin and PyTorch:
#
#     scripts/gpu_check.sh [OUT]        (OUT defaults to ./gpu-check-out)
#
# Parts, each under its own time budget, each one's output in OUT/NAME.log
# and its exit status in OUT/status.tsv; a failed part does not stop the
# others (only a failed build does):
#   1. find the plugin (SSLRUN_PJRT_PLUGIN, else
#      <site-packages>/jax_plugins/xla_cuda13|12/xla_cuda_plugin.so);
#   2. build sslrun and the xla test binary (or take SSLRUN_BIN and
#      XLA_TEST_BIN, built elsewhere with `go build -o bin/sslrun
#      ./cmd/sslrun && go test -c -o bin/xla.test ./internal/xla/`, when this
#      machine has no Go or no module cache);
#   3. TestDeviceStepMatchesEngine: two steps on the GPU against the CPU
#      engine (convnet SimCLR, SwAV multi-crop, ResNet-18 at 16x16);
#   4. short `sslrun run --engine xla` runs (SimCLR, MoCo v2+), resumed on
#      the CPU engine;
#   5. sslrun bench --engine xla for simclr_cifar10 and
#      swav_multicrop_cifar10 at batch 256 in fp32 and bf16 (bf16 products,
#      fp32 master weights) and scripts/bench_torch.py --device cuda in fp32
#      and bf16 (autocast);
#   6. the rest of the xla tests (XLA_TESTS_BUDGET seconds, default 300;
#      0 leaves them out);
# then one JSON object of images/s and ratios, printed and saved as
# OUT/summary.json. Everything printed is also in OUT/gpu_check.log.
set -euo pipefail

OUT=${1:-./gpu-check-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
exec > >(tee -a "$OUT/gpu_check.log") 2>&1
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
BATCH=${BATCH:-256}
STEPS=${STEPS:-20}
export GOPJRT_CUDA_CHECKS=0
printf 'part\tstatus\tseconds\n' > "$OUT/status.tsv"

# part NAME SECONDS CMD...: runs CMD under timeout, its output in
# OUT/NAME.log (and here), its status in OUT/status.tsv; never fails.
part() {
	local name=$1 budget=$2 start rc
	shift 2
	echo "== $name (budget ${budget}s): $*"
	start=$(date +%s)
	if timeout --kill-after=10 "$budget" "$@" > "$OUT/$name.log" 2>&1; then rc=0; else rc=$?; fi
	cat "$OUT/$name.log"
	printf '%s\t%s\t%s\n' "$name" "$rc" "$(($(date +%s) - start))" >> "$OUT/status.tsv"
	echo "== $name: exit $rc"
	return 0
}

ok() { awk -F'\t' -v n="$1" '$1 == n && $2 == 0 { found = 1 } END { exit !found }' "$OUT/status.tsv"; }

timeout 30 nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || echo "nvidia-smi failed (see $OUT/nvidia-smi.txt)"

if [[ -z ${SSLRUN_PJRT_PLUGIN:-} ]]; then
	SSLRUN_PJRT_PLUGIN=$(timeout 60 "$PY" - <<'EOF' || true
import os, site, sys
dirs = list(site.getsitepackages()) + [site.getusersitepackages()] + sys.path
for d in dirs:
    for v in ("xla_cuda13", "xla_cuda12"):
        p = os.path.join(d, "jax_plugins", v, "xla_cuda_plugin.so")
        if os.path.isfile(p):
            print(os.path.abspath(p))
            sys.exit(0)
EOF
)
fi
if [[ -z $SSLRUN_PJRT_PLUGIN ]]; then
	echo "no JAX CUDA plugin under $PY's site-packages; set SSLRUN_PJRT_PLUGIN" >&2
	exit 1
fi
export SSLRUN_PJRT_PLUGIN
echo "plugin: $SSLRUN_PJRT_PLUGIN"

GO=$(command -v go || echo /usr/local/go/bin/go)
SSLRUN=${SSLRUN_BIN:-$OUT/sslrun}
XLATEST=${XLA_TEST_BIN:-$OUT/xla.test}
if [[ -z ${SSLRUN_BIN:-} ]]; then
	part build_sslrun 240 "$GO" build -o "$SSLRUN" ./cmd/sslrun
	ok build_sslrun || { echo "build failed" >&2; exit 1; }
fi
if [[ -z ${XLA_TEST_BIN:-} ]]; then
	part build_xla_test 240 "$GO" test -c -o "$XLATEST" ./internal/xla/
fi
SSLRUN=$(realpath "$SSLRUN")
XLATEST=$(realpath "$XLATEST" 2>/dev/null || echo "$XLATEST")

# The test binary runs in its package's folder, for testdata.
part device_step 240 bash -c "cd '$ROOT/xla' && '$XLATEST' -test.run 'TestDeviceStepMatchesEngine' -test.v -test.count=1"

# A short run end to end on the device (the XLA trainer, checkpoints read
# back, evaluation on the CPU), then resumed on the CPU engine: a checkpoint
# written by one engine must continue on the other.
cat > "$OUT/smoke.hcl" <<'EOF'
experiment "gpu_smoke" { seed = 0 }
dataset "synthetic" "train" {
  size       = 256
  classes    = 4
  image_size = 16
}
dataset "synthetic" "test" {
  size       = 64
  classes    = 4
  image_size = 16
  split      = "test"
}
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 16
    scale = [0.3, 1.0]
  }
}
backbone "convnet" { channels = [16, 32] }
head "projection_mlp" "proj" {
  hidden_dim = 32
  output_dim = 16
}
objective "nt_xent" {}
optimizer "lars" { lr = 0.3 }
train {
  epochs           = 2
  batch_size       = 64
  checkpoint_every = "2 steps"
  log_every        = 1
}
evaluate "knn" { k = 5 }
EOF
rm -rf "$OUT/smoke-run"
part run_xla_smoke 120 "$SSLRUN" run "$OUT/smoke.hcl" --engine xla --out "$OUT/smoke-run" --max-steps 5
part resume_cpu_smoke 120 "$SSLRUN" resume "$OUT/smoke-run" --to-end
# The same as MoCo v2+: a momentum teacher followed in the program and a
# queue of its keys the host feeds.
sed 's/objective "nt_xent" {}/objective "mocov2plus" { queue_size = 128 }/' "$OUT/smoke.hcl" > "$OUT/smoke_moco.hcl"
rm -rf "$OUT/smoke-moco-run"
part run_xla_smoke_moco 120 "$SSLRUN" run "$OUT/smoke_moco.hcl" --engine xla --out "$OUT/smoke-moco-run" --max-steps 5
part resume_cpu_smoke_moco 120 "$SSLRUN" resume "$OUT/smoke-moco-run" --to-end

# The recipes read CIFAR-10 as an image folder; the bench only needs the
# images' shape, so a few random 32x32 PNGs stand in when none is given.
DATA=${DATA_DIR:-$OUT/data}
if [[ -z ${DATA_DIR:-} ]]; then
	part fake_data 60 "$PY" - "$DATA" <<'EOF'
import os, random, sys
from PIL import Image
rng = random.Random(0)
for split in ("train", "test"):
    for c in ("a", "b"):
        d = os.path.join(sys.argv[1], split, c)
        os.makedirs(d, exist_ok=True)
        for i in range(8):
            Image.frombytes("RGB", (32, 32), rng.randbytes(32 * 32 * 3)).save(os.path.join(d, f"{i}.png"))
EOF
fi

for exp in simclr_cifar10 swav_multicrop_cifar10; do
	spec=experiments/$exp.hcl
	part "xla_${exp}_fp32" 150 "$SSLRUN" bench "$spec" --engine xla --batch "$BATCH" --steps "$STEPS" --var "data_dir=$DATA"
	part "xla_${exp}_bf16" 150 "$SSLRUN" bench "$spec" --engine xla --precision bf16 --batch "$BATCH" --steps "$STEPS" --var "data_dir=$DATA"
	part "spec_$exp" 30 "$SSLRUN" validate --print --no-data "$spec" --var "data_dir=$DATA"
	for prec in fp32 bf16; do
		part "torch_${exp}_$prec" 150 "$PY" scripts/bench_torch.py --spec-json "$OUT/spec_$exp.log" \
			--device cuda --precision "$prec" --batch "$BATCH" --steps "$STEPS" --augment-images 64
	done
done

# XLA_TESTS_BUDGET=0 leaves them out, to fit one 600-second call.
budget=${XLA_TESTS_BUDGET:-300}
if ((budget > 0)); then
	part xla_tests "$budget" bash -c "cd '$ROOT/xla' && '$XLATEST' -test.count=1 -test.timeout=$((budget - 20))s"
fi

"$PY" - "$OUT" <<'EOF' | tee "$OUT/summary.json"
import json, os, sys
out = sys.argv[1]
def last_json(name):
    try:
        lines = open(os.path.join(out, name + ".log")).read().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None
status = {}
for line in open(os.path.join(out, "status.tsv")).read().splitlines()[1:]:
    name, rc, secs = line.split("\t")
    status[name] = {"exit": int(rc), "seconds": int(secs)}
summary = {"plugin": os.environ.get("SSLRUN_PJRT_PLUGIN"), "parts": status, "bench": {}}
for exp in ("simclr_cifar10", "swav_multicrop_cifar10"):
    row = {}
    for prec in ("fp32", "bf16"):
        for side in ("xla", "torch"):
            r = last_json(f"{side}_{exp}_{prec}")
            row[f"{side}_{prec}_images_per_s"] = r["step_images_per_s"] if r else None
            if r and side == "xla":
                row["device"] = r.get("device")
            if r and side == "torch":
                row["torch_device"] = r.get("device")
    for prec in ("fp32", "bf16"):
        x, t = row[f"xla_{prec}_images_per_s"], row[f"torch_{prec}_images_per_s"]
        row[f"ratio_{prec}"] = x / t if x and t else None
    best = max([v for v in (row["xla_fp32_images_per_s"], row["xla_bf16_images_per_s"]) if v] or [0])
    t16 = row["torch_bf16_images_per_s"]
    row["ratio_best_xla_vs_torch_bf16"] = best / t16 if best and t16 else None
    summary["bench"][exp] = row
print(json.dumps(summary, indent=1))
EOF
