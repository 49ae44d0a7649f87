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
        // The tables allocated in the vector's lines: pence per line and need indices.
        let mut args = vec![
            "allocate".to_string(),
            "--ruleset=england-icb-2024".into(),
            format!("--needs={}", needs.display()),
            "--format=csv".into(),
        ];
        for (line, pence) in doc["expected"]["lines"].as_object().unwrap() {
            args.push(format!("--budget={line}={pence}p"));
        }
        args.push(fp.display().to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let table = rows(&ok(&run(&args, "")));
        for row in &table {
            let unit = &row["unit_id"];
            for (line, pence) in doc["expected"]["allocation_pence"][unit]
                .as_object()
                .unwrap()
            {
                assert_eq!(
                    row[&format!("{line}_allocation_pence")],
                    pence.to_string(),
                    "{}: {unit} {line}",
                    path.display()
                );
            }
            if let Some(indices) = doc["expected"]["need_index"][unit].as_object() {
                for (c, v) in indices {
                    assert_eq!(
                        &row[&format!("need_index_{c}")],
                        v.as_str().unwrap(),
                        "{unit} {c}"
                    );
                }
            }
        }
        n += 1;
    }
    assert!(n >= 2);
    let _ = std::fs::remove_dir_all(dir);
}

/// England's 42 ICBs under one national budget, from the published file to the
/// allocation through the command line: each ICB's money on each line is the exact
/// apportionment of the line by its summed weighted population as published (worked out
/// here from the file's text with integers, largest remainder, ties to the smaller ICB
/// code), and every line and the total are conserved.
#[test]
fn england_under_one_national_budget_is_exact_apportionment() {
    let dir = tmp("england");
    ok(&run(
        &[
            "practices",
            FILE,
            "--by",
            "icb",
            "--out-dir",
            dir.to_str().unwrap(),
        ],
        "",
    ));
    let lines = [
        ("core", "Final WP", 12_345_678_901_234_i128),
        ("primary_medical_care", "Final PMC WP", 1_234_567_890_123),
    ];
    let mut args = vec![
        "allocate".to_string(),
        "--ruleset=england-icb-2024".into(),
        format!("--needs={}", dir.join("needs.csv").display()),
        "--format=csv".into(),
    ];
    for (line, _, pence) in lines {
        args.push(format!("--budget={line}={pence}p"));
    }
    args.push(dir.join("footprint.csv").display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let table = rows(&ok(&run(&args, "")));
    let icbs: Vec<&BTreeMap<String, String>> =
        table.iter().filter(|r| r["tier"] == "icb").collect();
    assert_eq!(icbs.len(), 42);
    let file = rows(&std::fs::read_to_string(root().join(FILE)).unwrap());
    let mut total = 0i128;
    for (line, column, pence) in lines {
        let mut by_icb: BTreeMap<String, i128> = BTreeMap::new();
        for r in &file {
            *by_icb.entry(r["ICS22"].clone()).or_default() += billionths(&r[column]);
        }
        let want = largest_remainder(pence, &by_icb);
        let mut sum = 0i128;
        for r in &icbs {
            let got: i128 = r[&format!("{line}_allocation_pence")].parse().unwrap();
            assert_eq!(got, want[&r["unit_id"]], "{line}: {}", r["unit_id"]);
            sum += got;
        }
        assert_eq!(sum, pence, "{line} conserved");
        total += pence;
    }
    let all: i128 = icbs
        .iter()
        .map(|r| r["allocation_pence"].parse::<i128>().unwrap())
        .sum();
    assert_eq!(all, total, "the budget conserved");
    let _ = std::fs::remove_dir_all(dir);
}

/// Largest remainder, remainder ties to the smaller key in byte order (a `BTreeMap`
/// iterates in that order).
fn largest_remainder(amount: i128, weights: &BTreeMap<String, i128>) -> BTreeMap<String, i128> {
    let total: i128 = weights.values().sum();
    let mut parts: BTreeMap<String, i128> = weights
        .iter()
        .map(|(k, w)| (k.clone(), amount * w / total))
        .collect();
    let left = amount - parts.values().sum::<i128>();
    let mut order: Vec<(&String, i128)> = weights
        .iter()
        .map(|(k, w)| (k, amount * w % total))
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_bytes().cmp(b.0.as_bytes())));
    for (k, _) in order.into_iter().take(left as usize) {
        *parts.get_mut(k).unwrap() += 1;
    }
    parts
}

/// A decimal's text in billionths, exactly (at most nine places).
fn billionths(text: &str) -> i128 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 9, "{text}");
    int.parse::<i128>().unwrap() * 1_000_000_000 + format!("{frac:0<9}").parse::<i128>().unwrap()
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
    let report = ok(&run(
        &["validate", "--ruleset", "england-icb-2024", "-"],
        &fp,
    ));
    assert!(report.contains("0 errors"), "{report}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn both_tables_cannot_go_to_standard_output() {
    let o = run(&["practices", FILE, "--footprint", "-", "--needs", "-"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}
