//! Fractional populations end to end through the `localcare` binary: classify,
//! validate and allocate on a footprint of two real practices, and the bad cells
//! refused with their line and column.
//!
//! A81001 (`pop 2022/23` 4068.906409) and Y00212 (0.081775254, the smallest) are rows
//! of NHS England's practice-level weighted populations for 2024/25
//! (`../shared/data/nhs-practice-weighted-populations-2024-25.csv`). Contains public
//! sector information licensed under the Open Government Licence v3.0.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A ruleset with no bands, the whole budget to the ACOs (the shared allocate
/// vectors' `vector-open-bands`), written to a file of this test's own.
fn open_ruleset() -> PathBuf {
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/vectors/allocate/invalid-footprint.json"))
            .unwrap(),
    )
    .unwrap();
    let path = std::env::temp_dir().join(format!("localcare-pop-{}.toml", std::process::id()));
    std::fs::write(&path, v["ruleset_toml"].as_str().unwrap()).unwrap();
    path
}

const FOOTPRINT: &str = "unit_id,parent_id,declared_tier,population,capabilities\n\
    A1,,aco,,\nH1,A1,mcp_hub,,\n\
    A81001,H1,gp_practice,4068.906409,\nY00212,H1,gp_practice,0.081775254,\n";

#[test]
fn classify_reads_and_echoes_fractional_populations() {
    let o = run(
        &["classify", "-"],
        "unit_id,population,capabilities\nA81001,4068.906409,\nE1,19999.5,enhanced_in_hours;extended_hours\nE2,20000,enhanced_in_hours;extended_hours\n",
    );
    assert!(o.status.success(), "{}", err(&o));
    let csv = out(&o);
    assert!(
        csv.contains("\nA81001,4068.906409,gp_practice,in_band,"),
        "{csv}"
    );
    // Bands compare exactly: 19,999.5 is below the 20,000 minimum.
    assert!(
        csv.contains("\nE1,19999.5,gp_practice,in_band,\"extended_practice: population 19,999.5 below the minimum 20,000"),
        "{csv}"
    );
    assert!(csv.contains("\nE2,20000,extended_practice,"), "{csv}");
}

#[test]
fn validate_and_allocate_two_real_practices() {
    let rs = open_ruleset();
    let rs = rs.to_str().unwrap();
    let o = run(&["validate", "--ruleset", rs, "-"], FOOTPRINT);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("4 units, 2 practices, population 4,068.988184254; 1 aco; 0 errors"),
        "{}",
        out(&o)
    );
    let o = run(
        &["validate", "--format", "json", "--ruleset", rs, "-"],
        FOOTPRINT,
    );
    assert!(
        out(&o).contains("\"total_population\": \"4068.988184254\""),
        "{}",
        out(&o)
    );
    // £1m by weighted population (need index 1; the allocation's weighted population
    // is in billionths, so Y00212 weighs 0.081775254 exactly): A81001 1e8 x
    // 4068.906409 / 4068.988184254 = 99,997,990.29p, Y00212 2,009.71p; the one penny
    // left goes to the larger remainder, Y00212. Both are of average need (index 1).
    let o = run(
        &["allocate", "--ruleset", rs, "--budget", "£1000000", "-"],
        FOOTPRINT,
    );
    assert!(o.status.success(), "{}", err(&o));
    let csv = out(&o);
    assert!(
        csv.contains("\nA81001,gp_practice,H1,4068.906409,4068906409,1.000000000,99997990,"),
        "{csv}"
    );
    assert!(
        csv.contains("\nY00212,gp_practice,H1,0.081775254,81775,1.000000000,2010,"),
        "{csv}"
    );
    let o = run(
        &[
            "allocate",
            "--ruleset",
            rs,
            "--budget",
            "£1000000",
            "--explain",
            "Y00212",
            "-",
        ],
        FOOTPRINT,
    );
    assert!(
        out(&o)
            .contains("need-weighted 0.081775254 registered x need index 1.000000 = 0.081775254"),
        "{}",
        out(&o)
    );
}

#[test]
fn bad_population_cells_name_line_and_column() {
    let cases = [
        (
            "unit_id,population\na,0.1234567891\n",
            "<stdin>:2: column 2 (population): population 0.1234567891 has 10 decimal places; at most 9 are kept exactly, and the library does not round",
        ),
        (
            "unit_id,population\na,1\nb,-0.5\n",
            "<stdin>:3: column 2 (population): population -0.5 is negative; expected 0 or more",
        ),
        (
            "unit_id,population\na,NaN\n",
            "<stdin>:2: column 2 (population): population `NaN` is not a number of people",
        ),
        (
            "unit_id,population\na,\"1,5\"\n",
            "<stdin>:2: column 2 (population): population `1,5` is not a number of people",
        ),
    ];
    for (input, message) in cases {
        let o = run(&["classify", "-"], input);
        assert_eq!(o.status.code(), Some(2), "{input}");
        assert!(err(&o).contains(message), "{input}: {}", err(&o));
        assert!(out(&o).is_empty());
    }
    let o = run(
        &["validate", "-"],
        &FOOTPRINT.replace("4068.906409", "4068.9064090001"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains(
            "<stdin>:4: column 4 (population): population 4068.9064090001 has 10 decimal places"
        ),
        "{}",
        err(&o)
    );
    // An empty population on a practice is validation's finding, LC201.
    let o = run(&["validate", "-"], &FOOTPRINT.replace("0.081775254", ""));
    assert!(
        out(&o).contains("LC201 Y00212: practice Y00212 has no population"),
        "{}",
        out(&o)
    );
}
