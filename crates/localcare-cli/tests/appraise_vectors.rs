//! Every appraisal vector (`tests/vectors/appraise/`) through `localcare appraise`, from
//! CSV files, with the cells (and errors) the Rust, Python and C runners check.

use std::path::{Path, PathBuf};
use std::process::Command;

use localcare::rust_decimal::Decimal;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Rows as CSV, columns in order of first appearance; a list joined by `;`, null empty.
fn csv(path: &Path, rows: &[Value]) {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for k in r.as_object().unwrap().keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let mut text = names.join(",") + "\n";
    for r in rows {
        let cells: Vec<String> = names
            .iter()
            .map(|c| match &r[c] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(";"),
                v => v.to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// The same cell: decimal text as numbers, an empty cell as null.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::String(g), Value::String(w)) => {
            match (g.parse::<Decimal>(), w.parse::<Decimal>()) {
                (Ok(g), Ok(w)) => g == w,
                _ => g == w,
            }
        }
        (Value::String(g), Value::Null) => g.is_empty(),
        _ => got == want,
    }
}

fn same_rows(got: &Value, want: &Value, what: &str) {
    let (got, want) = (got.as_array().unwrap(), want.as_array().unwrap());
    assert_eq!(got.len(), want.len(), "{what}: rows");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (k, wv) in w.as_object().unwrap() {
            assert!(
                same(&g[k], wv),
                "{what} row {i} `{k}`: got {}, expected {wv}",
                g[k]
            );
        }
    }
}

#[test]
fn every_appraisal_vector_through_the_cli() {
    let dir = std::env::temp_dir().join(format!("lc-appraise-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/vectors/appraise"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let what = path.display().to_string();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let ruleset = match (&v["ruleset"], &v["ruleset_toml"]) {
            (Value::String(name), _) => name.clone(),
            (_, Value::String(text)) => {
                let f = dir.join("ruleset.toml");
                std::fs::write(&f, text).unwrap();
                f.display().to_string()
            }
            _ => panic!("{what}: no ruleset"),
        };
        let mut args = vec![
            "appraise".to_string(),
            "--ruleset".into(),
            ruleset,
            "--format=json".into(),
        ];
        for key in ["sites", "zones", "travel", "options", "scores"] {
            if let Some(rows) = v[key].as_array() {
                let f = dir.join(format!("{key}.csv"));
                csv(&f, rows);
                args.push(format!("--{key}"));
                args.push(f.display().to_string());
            }
        }
        for (k, w) in v["weights"].as_object().into_iter().flatten() {
            args.push(format!(
                "--weight={k}={}",
                w.as_str().map_or(w.to_string(), str::to_string)
            ));
        }
        let o = Command::new(env!("CARGO_BIN_EXE_localcare"))
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        if let Some(want) = v.get("expected_error") {
            assert_eq!(o.status.code(), Some(3), "{what}: {stderr}");
            assert!(stderr.contains(want.as_str().unwrap()), "{what}: {stderr}");
            continue;
        }
        assert!(o.status.success(), "{what}: {stderr}");
        let got: Value = serde_json::from_slice(&o.stdout).unwrap();
        let ex = &v["expected"];
        for table in ["appraisal", "volumes", "hurdles", "evaluation"] {
            same_rows(&got[table], &ex[table], &format!("{what}: {table}"));
        }
        assert_eq!(got["preferred"], ex["preferred"], "{what}");
        match &ex["swap"] {
            Value::Null => assert!(got["swap"].is_null(), "{what}"),
            w => same_rows(
                &Value::Array(vec![got["swap"].clone()]),
                &Value::Array(vec![w.clone()]),
                &format!("{what}: swap"),
            ),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
