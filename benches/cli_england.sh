#!/usr/bin/env bash
# CLI benchmark on the SYNTHETIC England-shaped footprint (examples/england/generate.py:
# 8,670 units, 6,528 practices, 60.3 million people), each beside a plain reference in
# the same run (a script, not a test):
#   1. the whole path: read, validate, allocate, write CSV (`localcare allocate`), beside
#      `cp` of the footprint file and `sort` of it (a plain tool reading and writing it);
#   2. a sweep of N scenarios (`localcare allocate --scenarios`), writing the long sweep
#      table as CSV, beside `cp` of a file of the same size as that output.
# Usage: bash benches/cli_england.sh [N scenarios, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo build --release -q -p localcare-cli
bin=target/release/localcare
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 examples/england/generate.py --footprint "$tmp/fp.csv" --scenarios "$n" --scenarios-out "$tmp/sc.csv" >/dev/null

best() { # best wall time in ms of 5 runs of "$@"
    local b=999999999 t0 t1 ms
    for _ in 1 2 3 4 5; do
        t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 )); (( ms < b )) && b=$ms
    done
    echo "$b"
}
# With LOCALCARE_BENCH_RECORD set (scripts/bench), each figure is also recorded as a JSON
# line beside its reference (benches/record.py): job, seconds, reference, its seconds.
rec() { # job seconds reference reference_seconds [extra JSON fields]
    [[ -n ${LOCALCARE_BENCH_RECORD:-} ]] || return 0
    printf '{"job": "%s", "seconds": %s, "reference": "%s", "reference_seconds": %s%s}\n' "$1" "$2" "$3" "$4" "${5:+, $5}" >> "$LOCALCARE_BENCH_RECORD"
}
ratio() { python3 -c "print(f'{$1 / max($2, 1):.2f}x')"; }

whole=$(best "$bin" allocate --budget '£90bn' "$tmp/fp.csv" --format csv)
cp_ms=$(best cp "$tmp/fp.csv" "$tmp/copy.csv")
sort_ms=$(best sort -o "$tmp/sorted.csv" "$tmp/fp.csv")
echo "whole path (read, validate, allocate, write CSV): ${whole} ms; cp ${cp_ms} ms (ratio $(ratio "$cp_ms" "$whole")); sort ${sort_ms} ms (ratio $(ratio "$sort_ms" "$whole"))"

"$bin" allocate --scenarios "$tmp/sc.csv" "$tmp/fp.csv" > "$tmp/sweep.csv"
rows=$(( $(wc -l < "$tmp/sweep.csv") - 1 ))
sweep=$(best "$bin" allocate --scenarios "$tmp/sc.csv" "$tmp/fp.csv")
cp2=$(best cp "$tmp/sweep.csv" "$tmp/sweep-copy.csv")
rec cli_england_whole_path "$(python3 -c "print($whole / 1000)")" "cp of the footprint file" "$(python3 -c "print($cp_ms / 1000)")"
rec cli_sweep "$(python3 -c "print($sweep / 1000)")" "cp of the output ($rows rows of CSV)" "$(python3 -c "print($cp2 / 1000)")" "\"scenarios\": $n"
echo "sweep of $n scenarios ($rows rows, $(du -h "$tmp/sweep.csv" | cut -f1) of CSV): ${sweep} ms; cp of the output ${cp2} ms (ratio $(ratio "$cp2" "$sweep"))"
