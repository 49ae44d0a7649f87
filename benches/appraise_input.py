#!/usr/bin/env python3
"""Write the appraisal benchmark's instance as CLI input files (SYNTHETIC): 24 sites on a
160 x 100 km county, 2,000 zones, every pair's minutes, and the ruleset of
`crates/localcare/benches/appraise.rs` (every option of 3 to 6 sites: 189,750 options,
three hurdles, two criteria). The same generator as that bench (xorshift, same seed).

    python3 benches/appraise_input.py OUTDIR    # OUTDIR/{sites,zones,travel}.csv, ruleset.toml
"""
import math
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
SITES, ZONES = 24, 2000
MASK = (1 << 64) - 1


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    x = 0x2017_0000_5EED

    def nxt() -> int:
        nonlocal x
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        return x

    sites = []
    for i in range(SITES):
        admissions = 200 + nxt() % 300
        caps = "seven_day_consultant" if i % 5 != 4 else ""
        sites.append((f"S{i:02}", admissions, caps, (nxt() % 160, nxt() % 100)))
    zones = []
    for i in range(ZONES):
        strokes = 2 + nxt() % 5
        zones.append((f"Z{i:04}", strokes, (nxt() % 160, nxt() % 100)))
    with open(out / "sites.csv", "w") as f:
        f.write("site_id,admissions,capabilities\n")
        for s, a, c, _ in sites:
            f.write(f"{s},{a},{c}\n")
    with open(out / "zones.csv", "w") as f:
        f.write("zone_id,strokes\n")
        for z, n, _ in zones:
            f.write(f"{z},{n}\n")
    with open(out / "travel.csv", "w") as f:
        f.write("zone_id,site_id,minutes\n")
        for z, _, zp in zones:
            for s, _, _, sp in sites:
                km = math.sqrt((zp[0] - sp[0]) ** 2 + (zp[1] - sp[1]) ** 2)
                f.write(f"{z},{s},{5 + int(km * 1.2 / 75.0 * 60.0)}\n")
    bench = (HERE.parent / "crates/localcare/benches/appraise.rs").read_text()
    ruleset = re.search(r'const RULESET: &str = r#"(.*?)"#;', bench, re.S).group(1)
    (out / "ruleset.toml").write_text(ruleset.lstrip())


if __name__ == "__main__":
    main()
