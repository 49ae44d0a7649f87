#!/usr/bin/env bash
# CLI benchmark on REAL data: NHS England's 2024/25 practice file (examples/data/; 6,553
# practices in 42 ICBs, nine weighted populations each; Open Government Licence v3.0,
# see examples/data/README.md), beside `cp` of the file in the same run (a script, not a
# test):
#   1. `localcare practices`: read the published file, check it, write the footprint and
#      needs tables (practices directly under their ICBs);
#   2. `localcare allocate`: read those tables, validate the footprint under
#      england-icb-2024, split one budget line per component (nine lines, each by its own
#      weighted population) over the 42 ICBs and their practices, write the allocation;
#   3. the two together: the whole path from the published file to the allocation.
# Each time is the best wall time of 7 runs. Measure on a quiet machine (`uptime`: load
# under 1.5); the load is printed with the result.
# Usage: bash benches/cli_nhs_england.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p localcare-cli
bin=target/release/localcare
file=examples/data/nhs-practice-weighted-populations-2024-25.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One budget line per component of england-icb-2024, illustrative amounts (the whole
# £120bn is not NHS England's figure; any amounts time the same).
lines=(--budget core=£100bn --budget primary_medical_care=£10bn
       --budget primary_medical_care_need=£1bn --budget general_and_acute=£1bn
       --budget community=£1bn --budget mental_health=£1bn --budget maternity=£1bn
       --budget prescribing=£4bn --budget health_inequalities=£1bn)

practices() { "$bin" practices "$file" --by icb --out-dir "$tmp/t" >/dev/null; }
allocate() {
    "$bin" allocate --ruleset england-icb-2024 --needs "$tmp/t/needs.csv" "${lines[@]}" \
        --format csv "$tmp/t/footprint.csv" >"$tmp/allocation.csv"
}
both() { practices && allocate; }
copy() { cp "$file" "$tmp/copy.csv"; }

best() { # best wall time in microseconds of 7 runs of "$@"
    local b=999999999999 t0 t1 us
    for _ in 1 2 3 4 5 6 7; do
        t0=$(date +%s%N); "$@"; t1=$(date +%s%N)
        us=$(( (t1 - t0) / 1000 )); (( us < b )) && b=$us
    done
    echo "$b"
}
# With LOCALCARE_BENCH_RECORD set (scripts/bench), each figure is also recorded as a JSON
# line beside its reference (benches/record.py): job, seconds, reference, its seconds.
rec() { # job seconds reference reference_seconds
    [[ -n ${LOCALCARE_BENCH_RECORD:-} ]] || return 0
    printf '{"job": "%s", "seconds": %s, "reference": "%s", "reference_seconds": %s}\n' "$1" "$2" "$3" "$4" >> "$LOCALCARE_BENCH_RECORD"
}
ms() { python3 -c "print(f'{$1 / 1000:.1f}')"; }
ratio() { python3 -c "print(f'{$1 / max($2, 1):.1f}x')"; }

both # once, to check it runs and warm the page cache
rows=$(( $(wc -l < "$tmp/allocation.csv") - 1 ))
p=$(best practices)
a=$(best allocate)
w=$(best both)
c=$(best copy)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
echo "practices (read the published file, write footprint and needs): $(ms "$p") ms"
echo "allocate (read, validate, 9 lines over 42 ICBs and 6,553 practices, write $rows rows): $(ms "$a") ms"
rec cli_nhs_england "$(python3 -c "print($w / 1e6)")" "cp of the file" "$(python3 -c "print($c / 1e6)")"
echo "whole path: $(ms "$w") ms; cp of the file: $(ms "$c") ms; whole path / cp: $(ratio "$w" "$c")"
