#!/usr/bin/env bash
# Time the experiment readout of an N-member demo: `counterfact analyze --json` (release build)
# against the same readout in Python as DuckDB SQL + scipy and as pandas + statsmodels
# (benches/compare/readout.py), each as its own process under /usr/bin/time -v (wall clock and
# peak RSS). Then compares the three readouts number by number and prints the ratios.
#
#   benches/compare/readout.sh [MEMBERS] [DIR]        # default 1000000 members, a temp dir
#
# Environment: PYTHON (default /work/refvenv/bin/python, the reference environment of
# tests/reference/requirements.txt), CARGO_TARGET_DIR (where the release CLI is built),
# PATHS (default "duckdb pandas"), KEEP=1 keeps DIR.
set -euo pipefail

MEMBERS=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-/work/refvenv/bin/python}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CLI=$TARGET/release/counterfact
PATHS=${PATHS:-duckdb pandas}
if [ -n "${2:-}" ]; then
    DIR=$2
else
    DIR=$(mktemp -d /tmp/counterfact-readout-XXXXXX)/demo
fi
LOG=$(mktemp -d /tmp/counterfact-readout-log-XXXXXX)

if [ ! -x "$CLI" ]; then
    (cd "$ROOT" && cargo build --release -q -p counterfact-cli)
fi

# measure LABEL CMD...: runs CMD under /usr/bin/time -v, stdout to $LOG/LABEL.out.
measure() {
    local label=$1
    shift
    /usr/bin/time -v -o "$LOG/$label.time" "$@" >"$LOG/$label.out"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
        for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$LOG/$label.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$LOG/$label.time")
    echo "$label $wall $rss" >>"$LOG/summary"
    printf '%-22s wall %9.2f s   peak RSS %9.1f MiB\n' "$label" "$wall" "$(awk "BEGIN {print $rss / 1024}")"
}

echo "demo: $MEMBERS members in $DIR"
if [ ! -f "$DIR/experiment.toml" ]; then
    measure generate "$CLI" demo --members "$MEMBERS" --out "$DIR"
fi
du -sh "$DIR"
measure counterfact "$CLI" analyze "$DIR/experiment.toml" --json
cp "$LOG/counterfact.out" "$DIR/.counterfact.json"
for p in $PATHS; do
    measure "$p" "$PYTHON" "$ROOT/benches/compare/readout.py" "$DIR" --path "$p" \
        --save "$DIR/.$p.json"
    printf '%-22s compute only (in process, after imports) %9.2f s\n' "  $p" \
        "$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["wall_seconds"])' <"$LOG/$p.out")"
done

awk '$1 == "counterfact" {w = $2; r = $3} END {}
     {wall[$1] = $2; rss[$1] = $3}
     END {for (k in wall) if (k != "counterfact" && k != "generate")
         printf "ratio %-8s / counterfact: wall %6.1fx   peak RSS %6.1fx\n", k, wall[k] / w, rss[k] / r}' \
    "$LOG/summary"

checks=("$DIR/.counterfact.json")
for p in $PATHS; do checks+=("$DIR/.$p.json"); done
"$PYTHON" "$ROOT/benches/compare/readout.py" --check "${checks[@]}"
rm -rf "$LOG"
if [ -z "${KEEP:-}" ] && [ -z "${2:-}" ]; then
    rm -rf "$(dirname "$DIR")"
fi
