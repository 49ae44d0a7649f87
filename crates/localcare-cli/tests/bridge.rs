//! `localcare bridge`: every bridge vector (`tests/vectors/bridge/`) through the command
//! line from CSV files, with the values and errors the Rust, Python and C runners check;
//! the built-in bridge's text; the steps table given back as input.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Rows as CSV, columns in order of first appearance (a missing value is an empty cell).
fn csv(path: &Path, rows: &Value) {
    let rows = rows.as_array().unwrap();
    let mut cols: Vec<String> = Vec::new();
    for r in rows {
        for k in r.as_object().unwrap().keys() {
            if !cols.contains(k) {
                cols.push(k.clone());
            }
        }
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut text = cols.join(",") + "\n";
    for r in rows {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match &r[c] {
                Value::Null => String::new(),
                Value::String(s) => quote(s),
                v => v.to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn localcare(args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

#[test]
fn every_bridge_vector_through_the_cli() {
    let dir = std::env::temp_dir().join(format!("lc-bridge-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/vectors/bridge"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mut args: Vec<String> = vec![
            "bridge".into(),
            "--format=json".into(),
            format!("--ruleset={}", v["ruleset"].as_str().unwrap()),
        ];
        if let Some(a) = v.get("activity") {
            let f = dir.join(format!("{name}.activity.csv"));
            csv(&f, a);
            args.push(format!("--activity={}", f.display()));
        }
        if let Some(s) = v.get("steps") {
            let f = dir.join(format!("{name}.steps.csv"));
            csv(&f, s);
            args.push(f.display().to_string());
        }
        let o = localcare(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if let Some(want) = v["expected_error"].as_str() {
            assert_eq!(o.status.code(), Some(3), "{name}: {stderr}");
            assert!(stderr.contains(want), "{name}: `{stderr}` lacks `{want}`");
            assert!(o.stdout.is_empty(), "{name}: wrote output");
            continue;
        }
        assert!(o.status.success(), "{name}: {stderr}");
        let got: Value = serde_json::from_slice(&o.stdout).unwrap();
        let got = got.as_array().unwrap();
        let rows = v["expected"]["rows"].as_array().unwrap();
        assert_eq!(got.len(), rows.len(), "{name}: rows");
        for (i, (g, want)) in got.iter().zip(rows).enumerate() {
            for (c, w) in want.as_object().unwrap() {
                assert_eq!(&g[c], w, "{name}: row {i} {c}");
            }
        }
        let last = got.last().unwrap();
        assert_eq!(
            last["running_total_pence"], v["expected"]["residual_pence"],
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_built_in_bridge_in_words() {
    let o = localcare(&["bridge".into()]);
    assert!(o.status.success());
    insta::assert_snapshot!(String::from_utf8(o.stdout).unwrap());
}

#[test]
fn the_steps_table_given_back_computes_the_local_care_step() {
    let dir = std::env::temp_dir().join(format!("lc-bridge-steps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = localcare(&[
        "bridge".into(),
        "--format=csv".into(),
        "--table=steps".into(),
    ]);
    assert!(o.status.success());
    let steps = dir.join("steps.csv");
    std::fs::write(&steps, &o.stdout).unwrap();
    let o = localcare(&[
        "bridge".into(),
        "--format=csv".into(),
        "--activity=examples/kent-medway-activity.csv".into(),
        steps.display().to_string(),
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success());
    // The demo's activity: 182,305 admissions x 30% x £600 net = £32,814,900.00.
    assert!(
        out.contains(",computed,model,3281490000,32814900.00,-40118510000,"),
        "{out}"
    );
    assert!(out.contains(
        "residual,,Residual gap: still to close after every step,residual,sum,-21118510000,"
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
