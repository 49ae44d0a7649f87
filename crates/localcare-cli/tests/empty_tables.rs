//! Every result table the command line can give with no rows, in every format: CSV
//! is the header alone, JSON an empty array (alone, or as its member of the result's
//! document), text the header or nothing, always exit 0 and nothing on standard error.
//! (A zero-row `findings` or `allocation` cannot be asked of the command line; the
//! writers' own test, `localcare-tables/tests/empty_tables.rs`, covers every table.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use localcare_tables::spec::{self, Face, TableSpec};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Runs `args` and checks it succeeded quietly; its standard output.
fn ok(args: &[&str]) -> String {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    assert!(err.is_empty(), "{args:?}: {err}");
    String::from_utf8(o.stdout).unwrap()
}

fn header(t: &TableSpec) -> String {
    format!("{}\n", t.names(Face::Cli).join(","))
}

/// Checks that `csv` is a header alone, of `t`'s columns in order (every column that
/// is always there, and those optional columns the result has).
fn header_of(csv: &str, t: &TableSpec, what: &str) {
    let line = csv
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("{what}: {csv:?}"));
    assert!(!line.contains('\n'), "{what}: more than a header: {csv:?}");
    let mut names = t.columns.iter().filter(|c| c.shown.in_face(Face::Cli));
    for got in line.split(',') {
        let c = names
            .by_ref()
            .find(|c| c.name == got || c.required)
            .unwrap_or_else(|| panic!("{what}: `{got}` is not a column of {}", t.name));
        assert_eq!(c.name, got, "{what}: {} is missing", c.name);
    }
    assert!(
        names.all(|c| !c.required),
        "{what}: a column is missing from {line}"
    );
}

/// A fresh directory for the test's files.
fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("localcare-empty-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// `args` with `--format csv`, `json` and `text` (text where the command has it): the
/// CSV is `t`'s header, the JSON rows (at `member`, or the whole document) are `[]`.
fn every_format(args: &[&str], t: &TableSpec, member: Option<&str>, text: Option<&str>) {
    let with = |f: &'static str| [args, &["--format", f]].concat();
    let csv = ok(&with("csv"));
    header_of(&csv, t, &format!("{args:?} --format csv"));
    let json: Value = serde_json::from_str(&ok(&with("json"))).unwrap();
    let rows = match member {
        Some(m) => &json[m],
        None => &json,
    };
    assert_eq!(rows, &Value::Array(vec![]), "{args:?} --format json");
    if let Some(want) = text {
        assert_eq!(ok(&with("text")), want, "{args:?} --format text");
    }
}

#[test]
fn every_table_the_cli_gives_with_no_rows_has_its_header() {
    let d = tmp("cli");
    // classification
    let units = write(&d, "units.csv", "unit_id,population,capabilities\n");
    assert_eq!(ok(&["classify", &units]), header(&spec::CLASSIFICATION));
    let json: Value = serde_json::from_str(&ok(&["classify", "--format", "json", &units])).unwrap();
    assert_eq!(json, Value::Array(vec![]));
    // settlement
    let results = write(
        &d,
        "results.csv",
        "unit_id,benchmark,actual,assigned_population,quality\n",
    );
    every_format(&["settle", &results], &spec::SETTLEMENT, None, Some(""));
    // shift, reductions, answers
    let activity =
        std::fs::read_to_string(root().join("examples/kent-medway-activity.csv")).unwrap();
    let activity = write(&d, "activity.csv", activity.lines().next().unwrap());
    every_format(&["shift", &activity], &spec::SHIFT, Some("rows"), None);
    every_format(
        &["shift", &activity, "--reductions", "0,0.1"],
        &spec::REDUCTIONS,
        None,
        None,
    );
    every_format(
        &["shift", &activity, "--break-even"],
        &spec::ANSWERS,
        None,
        None,
    );
    // sweep: a header-only scenarios file
    let scenarios = write(&d, "scenarios.csv", "scenario,budget_pence\n");
    let sweep = [
        "allocate",
        "--scenarios",
        &scenarios,
        "examples/kent-medway-synthetic.csv",
    ];
    every_format(&sweep, &spec::SWEEP, None, None);
    header_of(&ok(&sweep), &spec::SWEEP, "the sweep's default format");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn appraisal_tables_with_no_rows_have_their_header() {
    let d = tmp("appraise");
    let s = "examples/kent-medway-stroke";
    let files = [
        "appraise",
        "--sites",
        &format!("{s}/sites.csv"),
        "--zones",
        &format!("{s}/zones.csv"),
        "--travel",
        &format!("{s}/travel.csv"),
    ]
    .map(String::from);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    // One site per option: none passes the hurdles, so nothing is evaluated.
    let one = [files.as_slice(), &["--sites-per-option", "1"]].concat();
    every_format(
        &[one.as_slice(), &["--table", "evaluation"]].concat(),
        &spec::EVALUATION,
        Some("evaluation"),
        None,
    );
    // A ruleset without hurdles: no hurdle rows.
    let toml = ok(&["ruleset", "show", "kent-medway-stroke-2017"]);
    let (head, rest) = toml.split_once("[[appraisal.hurdles]]").unwrap();
    let criteria = rest.find("[[appraisal.criteria]]").unwrap();
    let ruleset = write(
        &d,
        "no-hurdles.toml",
        &format!("{head}{}", &rest[criteria..]),
    );
    let no_hurdles = [files.as_slice(), &["--ruleset", &ruleset]].concat();
    every_format(
        &[no_hurdles.as_slice(), &["--table", "hurdles"]].concat(),
        &spec::HURDLES,
        Some("hurdles"),
        None,
    );
    std::fs::remove_dir_all(&d).unwrap();
}
