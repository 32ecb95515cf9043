#!/usr/bin/env bash
# The benchmark run behind benches/RESULTS.md.
#
#   benches/run.sh              # everything (about 10 minutes on 2 cores)
#   RECORDS=20000 REPS=3 BIG_MB=256 benches/run.sh   # a quicker pass
#
# 1. `cargo bench --bench throughput`: generates W1 / W2 (RECORDS records each, seeded, written
#    to $DIR) and measures, interleaved over REPS repetitions, the serde_json baseline, the
#    Python reference (W1) and pounce as a library (one and two threads). Table on stdout,
#    medians in $DIR/throughput.tsv. First, the W2 rules timed one by one (--profile-rules).
# 2. The CLI end to end on the same files (`pounce eval -r ... FILE > /dev/null`, one and two
#    threads), the Python reference end to end (interpreter start-up included), interleaved
#    over CLI_REPS repetitions; ratios against the serde_json baseline of step 1 and the Python
#    run of this step.
# 3. Peak RSS of the CLI on a ~BIG_MB MB input made of copies of w1.ndjson (the seed policy)
#    and of w2.ndjson (the whole pack), against its RSS on an empty input.
# 4. `pounce test policies/` wall time against loading the same pack alone
#    (`pounce eval -r policies/ --include-disabled /dev/null`).
#
# 5. With WAIT_IDLE=SECONDS: waits up to that long for both cores to be idle (another build on
#    a shared machine leaves the second thread nothing to run on), then measures one against two
#    threads again, library and CLI, while it stays quiet.
#
# Environment: RECORDS (100000), REPS (5), CLI_REPS (3), BIG_MB (1024), DIR (target/bench-data),
# SKIP_BENCH=1 (reuse the files and TSV of a previous run), SKIP_BIG_W2=1 (RSS of W1 only),
# WAIT_IDLE (unset: no step 5).
set -euo pipefail

cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-100000}
REPS=${REPS:-5}
CLI_REPS=${CLI_REPS:-3}
BIG_MB=${BIG_MB:-1024}
DIR=${DIR:-target/bench-data}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
POUNCE="$TARGET_DIR/release/pounce"
SEED=policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml
mkdir -p "$DIR"
SUMMARY="$DIR/run-summary.txt"
: >"$DIR/stderr.log" # the commands' own messages (the CLI's summaries)

say() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
: >"$SUMMARY"

say "# pounce benchmark run, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "rustc: $(rustc --version)"
say "python: $(python3 --version 2>&1 || echo none)"
say ""

cargo build --release --quiet
if [[ "${SKIP_BENCH:-}" != 1 ]]; then
    say "## 1. library throughput (cargo bench --bench throughput -- --records $RECORDS --reps $REPS)"
    cargo bench --quiet --bench throughput -- --records "$RECORDS" --reps "$REPS" --dir "$DIR" \
        --profile-rules | tee -a "$SUMMARY"
fi

# "wall cpu" seconds of a command (CPU: user + system, from /usr/bin/time; 0 without it),
# stdout discarded, stderr appended to $DIR/stderr.log.
timed() {
    local t0 t1 cpu=0
    t0=$EPOCHREALTIME
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f '%U %S' -o "$DIR/time.out" "$@" >/dev/null 2>>"$DIR/stderr.log" || true
        cpu=$(awk '{ print $1 + $2 }' "$DIR/time.out")
    else
        "$@" >/dev/null 2>>"$DIR/stderr.log" || true
    fi
    t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.4f %.4f", b - a, c }'
}
# Appends the wall and CPU seconds of a command to W[$1] and C[$1].
declare -A W C
run() {
    local k=$1 r
    shift
    r=$(timed "$@")
    W[$k]+=" ${r% *}"
    C[$k]+=" ${r#* }"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
tsv() { awk -F'\t' -v w="$1" -v m="$2" -v c="$3" '$1 == w && $2 == m { print $c }' "$DIR/throughput.tsv"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

W1="$DIR/w1.ndjson"
W2="$DIR/w2.ndjson"
N1=$(wc -l <"$W1")
N2=$(wc -l <"$W2")
B1=$(wc -c <"$W1")
B2=$(wc -c <"$W2")
HAVE_PY=0
if command -v python3 >/dev/null && python3 benches/reference.py "$W1" >/dev/null 2>&1; then HAVE_PY=1; fi

say ""
say "## 2. CLI end to end (median of $CLI_REPS interleaved runs; output to /dev/null)"
for _ in $(seq "$CLI_REPS"); do
    if [[ $HAVE_PY == 1 ]]; then run py python3 benches/reference.py "$W1"; fi
    run w1t1 "$POUNCE" eval -r "$SEED" --include-disabled --threads 1 "$W1"
    run w1t2 "$POUNCE" eval -r "$SEED" --include-disabled --threads 2 "$W1"
    run w2t1 "$POUNCE" eval -r policies --include-disabled --threads 1 "$W2"
    run w2t2 "$POUNCE" eval -r policies --include-disabled --threads 2 "$W2"
done
SERDE1=$(tsv W1 serde_value 3)
SERDE2=$(tsv W2 serde_value 3)
PY=""
if [[ $HAVE_PY == 1 ]]; then PY=$(echo "${W[py]}" | median); fi
printf '%-28s %9s %7s %6s %11s %8s %9s %9s\n' run seconds cpu cores records/s MB/s /serde /python | tee -a "$SUMMARY"
row() { # name key records bytes serde python
    local s c rps mbs
    s=$(echo "${W[$2]}" | median)
    c=$(echo "${C[$2]}" | median)
    rps=$(awk -v n="$3" -v s="$s" 'BEGIN { printf "%.0f", n / s }')
    mbs=$(awk -v b="$4" -v s="$s" 'BEGIN { printf "%.1f", b / 1e6 / s }')
    printf '%-28s %9.3f %7.3f %6s %11s %8s %9s %9s\n' "$1" "$s" "$c" "$(awk -v c="$c" -v s="$s" 'BEGIN { printf "%.2f", c / s }')" \
        "$rps" "$mbs" "$(ratio "$5" "$s")" "$(if [[ -n "$6" ]]; then ratio "$6" "$s"; else echo -; fi)" | tee -a "$SUMMARY"
}
if [[ -n "$PY" ]]; then row "W1 python reference (e2e)" py "$N1" "$B1" "$SERDE1" "$PY"; fi
row "W1 pounce CLI, 1 thread" w1t1 "$N1" "$B1" "$SERDE1" "$PY"
row "W1 pounce CLI, 2 threads" w1t2 "$N1" "$B1" "$SERDE1" "$PY"
row "W2 pounce CLI, 1 thread" w2t1 "$N2" "$B2" "$SERDE2" ""
row "W2 pounce CLI, 2 threads" w2t2 "$N2" "$B2" "$SERDE2" ""
m() { echo "${W[$1]}" | median; }
say "CLI two threads / one thread: W1 $(ratio "$(m w1t1)" "$(m w1t2)"), W2 $(ratio "$(m w2t1)" "$(m w2t2)")"
say "(/serde: the serde_json-parse baseline of step 1 (one thread, in process) / this time;"
say " cores: CPU time / wall time, below the thread count when the machine was busy)"

# Peak RSS (KiB) of a command.
peak_rss() {
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 || true
    else
        "$@" >/dev/null 2>&1 &
        local pid=$! hwm=0 v
        while kill -0 "$pid" 2>/dev/null; do
            v=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            [[ -n "$v" ]] && hwm=$v
            sleep 0.05
        done
        wait "$pid" || true
        echo "$hwm"
    fi
}
# A file of at least BIG_MB MB made of copies of $1.
big_file() {
    local src=$1 out=$2 want=$((BIG_MB * 1024 * 1024)) size
    if [[ -f "$out" && $(wc -c <"$out") -ge $want ]]; then return; fi
    : >"$out"
    size=0
    while [[ $size -lt $want ]]; do
        cat "$src" >>"$out"
        size=$(wc -c <"$out")
    done
}

say ""
say "## 3. peak RSS of the CLI (default threads; median of 3)"
big_file "$W1" "$DIR/big-w1.ndjson"
: >"$DIR/empty.ndjson"
RSS=()
for _ in 1 2 3; do RSS+=("$(peak_rss "$POUNCE" eval -r "$SEED" --include-disabled "$DIR/big-w1.ndjson")"); done
R1=$(echo "${RSS[*]}" | median)
RSS=()
for _ in 1 2 3; do RSS+=("$(peak_rss "$POUNCE" eval -r "$SEED" --include-disabled "$DIR/empty.ndjson")"); done
R0=$(echo "${RSS[*]}" | median)
say "W1 seed policy, $(($(wc -c <"$DIR/big-w1.ndjson") / 1048576)) MiB input: $((R1 / 1024)) MiB peak RSS ($R1 KiB); empty input: $((R0 / 1024)) MiB; ratio $(ratio "$R1" "$R0"); target 64 MiB: $(ratio "$R1" 65536) of it"
if [[ "${SKIP_BIG_W2:-}" != 1 ]]; then
    big_file "$W2" "$DIR/big-w2.ndjson"
    RSS=()
    for _ in 1 2 3; do RSS+=("$(peak_rss "$POUNCE" eval -r policies --include-disabled "$DIR/big-w2.ndjson")"); done
    R2=$(echo "${RSS[*]}" | median)
    RSS=()
    for _ in 1 2 3; do RSS+=("$(peak_rss "$POUNCE" eval -r policies --include-disabled "$DIR/empty.ndjson")"); done
    R0=$(echo "${RSS[*]}" | median)
    say "W2 whole pack, $(($(wc -c <"$DIR/big-w2.ndjson") / 1048576)) MiB input: $((R2 / 1024)) MiB peak RSS ($R2 KiB); empty input: $((R0 / 1024)) MiB; ratio $(ratio "$R2" "$R0"); target 64 MiB: $(ratio "$R2" 65536) of it"
fi

say ""
say "## 4. pounce test policies/ (median of $CLI_REPS interleaved runs)"
for _ in $(seq "$CLI_REPS"); do
    run test "$POUNCE" test policies/
    run load "$POUNCE" eval -r policies --include-disabled /dev/null
done
TT=$(m test)
TL=$(m load)
say "pounce test policies/: ${TT}s; loading the pack alone: ${TL}s; ratio $(ratio "$TT" "$TL"); target 1 s: $(ratio "$TT" 1) of it"
# Idle share of both CPUs over one second, in percent of one CPU (200: both idle).
idle() {
    local a b
    read -r -a a </proc/stat
    sleep 1
    read -r -a b </proc/stat
    awk -v u1="${a[1]}" -v n1="${a[2]}" -v s1="${a[3]}" -v i1="${a[4]}" -v w1="${a[5]}" -v q1="${a[6]}" -v r1="${a[7]}" -v t1="${a[8]}" \
        -v u2="${b[1]}" -v n2="${b[2]}" -v s2="${b[3]}" -v i2="${b[4]}" -v w2="${b[5]}" -v q2="${b[6]}" -v r2="${b[7]}" -v t2="${b[8]}" \
        'BEGIN { tot = (u2+n2+s2+i2+w2+q2+r2+t2) - (u1+n1+s1+i1+w1+q1+r1+t1); idl = (i2+w2) - (i1+w1); printf "%d", 200 * idl / (tot > 0 ? tot : 1) }'
}
if [[ -n "${WAIT_IDLE:-}" ]]; then
    say ""
    say "## 5. one against two threads on an idle machine (waiting up to ${WAIT_IDLE}s)"
    deadline=$((SECONDS + WAIT_IDLE))
    quiet=0
    while [[ $SECONDS -lt $deadline ]]; do
        if [[ $(idle) -ge 175 ]]; then quiet=1; break; fi
    done
    if [[ $quiet == 1 ]]; then
        say "idle at $(date -u +%H:%M:%S)"
        cargo bench --quiet --bench throughput -- --records "$RECORDS" --reps 3 --dir "$DIR/idle" --no-python \
            --measure pounce_1t --measure pounce_2t --measure stream_only | grep -E '^W|two threads' | tee -a "$SUMMARY"
        for k in w1t1 w1t2 w2t1 w2t2; do W[$k]=""; C[$k]=""; done
        for _ in 1 2 3; do
            run w1t1 "$POUNCE" eval -r "$SEED" --include-disabled --threads 1 "$W1"
            run w1t2 "$POUNCE" eval -r "$SEED" --include-disabled --threads 2 "$W1"
            run w2t1 "$POUNCE" eval -r policies --include-disabled --threads 1 "$W2"
            run w2t2 "$POUNCE" eval -r policies --include-disabled --threads 2 "$W2"
        done
        for k in w1t1 w1t2 w2t1 w2t2; do
            say "CLI $k: $(m $k)s wall, $(echo "${C[$k]}" | median)s CPU"
        done
        say "CLI two threads / one thread: W1 $(ratio "$(m w1t1)" "$(m w1t2)"), W2 $(ratio "$(m w2t1)" "$(m w2t2)"); idle after: $(idle)% of one CPU"
    else
        say "the machine never became idle: no measurement"
    fi
fi

say ""
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "summary written to $SUMMARY"
