#!/usr/bin/env bash
# CloudTrail rule-pack throughput: the whole pack (rules/) over generated CloudTrail events,
# on one thread and on all cores, against a baseline measured in the same run (`eval -e true`
# over the same file: each record parsed whole into a serde_json Value, nothing else).
# Usage: benches/cloudtrail.sh [EVENTS] [ALERT_SHARE]   (defaults 100000 and 0.01; needs python3
# with PyYAML)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
share="${2:-0.01}"
bin="${POUNCE_BIN:-target/release/pounce}"
[ -x "$bin" ] || cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 benches/gen_cloudtrail.py "$n" "$work/events.ndjson" "$share"
bytes=$(stat -c %s "$work/events.ndjson")
cores=$(nproc)

run() { # label, args...: best wall time of 3 runs, in seconds
  local label="$1"; shift
  local best=""
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" "$@" "$work/events.ndjson" > "$work/out" 2> "$work/err"
    t1=$(date +%s.%N)
    local t; t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$label $best"
}

base=$(run baseline eval -e true --threads 1 | cut -d' ' -f2)
one=$(run pack1 eval -r rules/ --threads 1 | cut -d' ' -f2)
tried=$(grep -o '[0-9]* of [0-9]* applicable' "$work/err" | head -1)
alerts=$(grep -o '[0-9]* finding(s)' "$work/err" | head -1)
all=$(run packN eval -r rules/ --threads "$cores" | cut -d' ' -f2)

rate() { echo "scale=0; $n / $1" | bc -l; }
mbs() { echo "scale=1; $bytes / 1048576 / $1" | bc -l; }
t=$(echo "$tried" | cut -d' ' -f1); a=$(echo "$tried" | cut -d' ' -f3)
echo "alert share of the generated events: $share"
echo "events: $n ($(echo "scale=1; $bytes/1048576" | bc -l) MiB), rules: $(ls rules/aws_cloudtrail | wc -l), cores: $cores, $alerts"
printf '%-34s %12s %10s %8s\n' "run" "events/s" "MB/s" "ratio"
printf '%-34s %12s %10s %8s\n' "baseline: parse whole (eval -e true)" "$(rate "$base")" "$(mbs "$base")" "1.00"
printf '%-34s %12s %10s %8s\n' "pack, 1 thread" "$(rate "$one")" "$(mbs "$one")" "$(echo "scale=2; $base / $one" | bc -l)"
printf '%-34s %12s %10s %8s\n' "pack, $cores threads" "$(rate "$all")" "$(mbs "$all")" "$(echo "scale=2; $base / $all" | bc -l)"
echo "rules tried per event: $(echo "scale=2; $t / $n" | bc -l) of $(echo "scale=0; $a / $n" | bc -l) applicable ($(echo "scale=1; 100 * $t / $a" | bc -l)%)"
