#!/usr/bin/env bash
# Output memory and time, JSON beside CSV in the same run (a script, not a test): each
# command's wall time and peak memory (`/usr/bin/time -v`, maximum resident set size)
# with the output written to /dev/null, on the SYNTHETIC inputs:
#   1. a sweep of N scenarios on the England-shaped footprint (examples/england/
#      generate.py: 8,670 units and 1 pot, so N x 8,671 rows), `allocate --scenarios`;
#      target: 100,000 scenarios as JSON in at most 2 GB peak;
#   2. the 189,750-option appraisal of crates/localcare/benches/appraise.rs
#      (benches/appraise_input.py writes it as CLI files), `appraise`; target: JSON at
#      most 1.5x the CSV's time and memory.
# Usage: bash benches/json_output.sh [N scenarios, default 100000] [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
bin=${2:-}
if [[ -z "$bin" ]]; then
    cargo build --release -q -p localcare-cli
    bin=target/release/localcare
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 examples/england/generate.py --footprint "$tmp/fp.csv" --scenarios "$n" --scenarios-out "$tmp/sc.csv" >/dev/null
python3 benches/appraise_input.py "$tmp/ap"

measure() { # label, command...: prints wall seconds and peak MB; sets $wall and $mb
    local label=$1; shift
    /usr/bin/time -v "$@" >/dev/null 2>"$tmp/time" || { echo "$label: failed"; tail -5 "$tmp/time"; return 1; }
    read -r wall mb < <(awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
        /Maximum resident set size/ { m = $2 / 1024 }
        END { print w, m }' "$tmp/time")
    printf "%-34s %9.2f s wall %9.0f MB peak\n" "$label" "$wall" "$mb"
}
# With LOCALCARE_BENCH_RECORD set (scripts/bench), JSON's time and peak memory are also
# recorded beside CSV's (a JSON line as benches/record.py writes, peaks in MB).
rec() { # job, CSV's wall and MB, JSON's wall and MB, [scenarios]
    [[ -n ${LOCALCARE_BENCH_RECORD:-} ]] || return 0
    printf '{"job": "%s", "seconds": %s, "reference": "the same written as CSV", "reference_seconds": %s, "peak_mb": %s, "reference_peak_mb": %s%s}\n' \
        "$1" "$4" "$2" "$5" "$3" "${6:+, \"scenarios\": $6}" >> "$LOCALCARE_BENCH_RECORD"
}

row=()
for f in csv json; do
    measure "sweep of $n scenarios, $f" "$bin" allocate --scenarios "$tmp/sc.csv" "$tmp/fp.csv" --format "$f"
    row+=("$wall" "$mb")
done
rec json_sweep "${row[@]}" "$n"
ap=(appraise --ruleset "$tmp/ap/ruleset.toml" --sites "$tmp/ap/sites.csv" --zones "$tmp/ap/zones.csv" --travel "$tmp/ap/travel.csv")
row=()
for f in csv json; do
    measure "appraisal of 189,750 options, $f" "$bin" "${ap[@]}" --format "$f"
    row+=("$wall" "$mb")
done
rec json_appraisal "${row[@]}"
