//! Issue 26 through `localcare appraise`: the fast path's sentinel, the ruleset's range
//! of sites per option clipped at the sites given, and a weight out of range. (Separators
//! in site ids and an overflowing remedy are cases of the bad-input matrix.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn localcare(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lc-appraise-rel-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, text: &str) -> String {
    let f = d.join(name);
    std::fs::write(&f, text).unwrap();
    f.display().to_string()
}

/// The hand-worked vector's ruleset with one text replaced.
fn ruleset(d: &Path, from: &str, to: &str) -> String {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/vectors/appraise/hand-worked.json")).unwrap(),
    )
    .unwrap();
    let text = v["ruleset_toml"].as_str().unwrap().replacen(from, to, 1);
    write(d, "ruleset.toml", &text)
}

#[test]
fn the_long_list_and_given_options_agree_past_the_fast_paths_sentinel() {
    let d = dir("sentinel");
    let rs = ruleset(&d, "within_minutes = 30", "within_minutes = 10000000000");
    let sites = write(
        &d,
        "sites.csv",
        "site_id,admissions,thrombolysed_60min\nA,0,0.6\nB,0,0.6\n",
    );
    let zones = write(&d, "zones.csv", "zone_id,strokes\nZ1,1\nZ2,1\nZ3,1\n");
    let travel = write(
        &d,
        "travel.csv",
        "zone_id,site_id,minutes\nZ1,A,30.000000001\nZ2,B,10\nZ3,A,10\n",
    );
    let options = write(&d, "options.csv", "option_id,sites\nA+B,A;B\n");
    let base = [
        "appraise",
        "--ruleset",
        &rs,
        "--sites",
        &sites,
        "--zones",
        &zones,
        "--travel",
        &travel,
        "--format",
        "json",
    ];
    let long = localcare(&[&base[..], &["--sites-per-option", "2"]].concat());
    let given = localcare(&[&base[..], &["--options", &options]].concat());
    for o in [&long, &given] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&long.stdout).unwrap(),
        serde_json::from_slice(&given.stdout).unwrap(),
    );
    assert_eq!(a["appraisal"], b["appraisal"]);
    assert_eq!(a["hurdles"], b["hurdles"]);
    let share = &a["appraisal"][0]["share_within"];
    assert!(
        share.as_str().is_some_and(|s| s.starts_with('1')) || share.as_f64() == Some(1.0),
        "{share}"
    );
}

#[test]
fn the_stroke_rulesets_range_is_clipped_at_three_sites() {
    let d = dir("clip");
    let ex = root().join("examples/kent-medway-stroke");
    let all = std::fs::read_to_string(ex.join("sites.csv")).unwrap();
    let keep: Vec<&str> = all.lines().take(4).collect();
    let ids: Vec<&str> = keep[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let sites = write(&d, "sites.csv", &(keep.join("\n") + "\n"));
    let travel_all = std::fs::read_to_string(ex.join("travel.csv")).unwrap();
    let travel: Vec<&str> = travel_all
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || ids.contains(&l.split(',').nth(1).unwrap()))
        .map(|(_, l)| l)
        .collect();
    let travel = write(&d, "travel.csv", &(travel.join("\n") + "\n"));
    let zones = ex.join("zones.csv").display().to_string();
    let o = localcare(&[
        "appraise", "--sites", &sites, "--zones", &zones, "--travel", &travel,
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(text.contains("every set of 2 to 3 of 3 sites"), "{text}");
}

#[test]
fn a_weight_beyond_a_decimal_is_out_of_range() {
    let ex = "examples/kent-medway-stroke";
    let o = localcare(&[
        "appraise",
        "--sites",
        &format!("{ex}/sites.csv"),
        "--zones",
        &format!("{ex}/zones.csv"),
        "--travel",
        &format!("{ex}/travel.csv"),
        "--weight",
        "access=1e308",
    ]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("the weight of `access`, 1e308, is out of range; expected 0 to 1000000000000"),
        "{e}"
    );
    let o = localcare(&[
        "appraise",
        "--sites",
        &format!("{ex}/sites.csv"),
        "--zones",
        &format!("{ex}/zones.csv"),
        "--travel",
        &format!("{ex}/travel.csv"),
        "--weight",
        "access=3e28",
    ]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("is out of range"), "{e}");
}
