//! The bad-input matrix (`tests/bad-inputs/`) through the command line: each case
//! written as CSV files, refused with its exit status, its message at `FILE:LINE` (and
//! column), and nothing on standard output.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes rows as CSV (columns in order of first appearance, lists joined by `;`, null
/// empty); returns the header.
fn write_csv(path: &Path, rows: &Value) -> Vec<String> {
    let rows = rows.as_array().unwrap();
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for k in r.as_object().unwrap().keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut text = names.join(",") + "\n";
    for r in rows {
        let cells: Vec<String> = names
            .iter()
            .map(|n| match &r[n] {
                Value::Null => String::new(),
                Value::String(s) => quote(s),
                Value::Array(items) => quote(
                    &items
                        .iter()
                        .map(|i| i.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                v => v.to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
    names
}

#[test]
fn every_bad_input_is_refused_with_its_exit_status_and_place() {
    let tmp = std::env::temp_dir().join(format!("lc-bad-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/bad-inputs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let call = doc["call"].as_str().unwrap();
        for (i, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
            count += 1;
            let name = format!("{}: {}", path.display(), case["name"].as_str().unwrap());
            let dir = tmp.join(format!("{call}-{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            let ruleset = if let Some(rep) = case.get("ruleset_replace") {
                let text = std::fs::read_to_string(
                    root().join("crates/localcare/rulesets/kent-medway-2017.toml"),
                )
                .unwrap();
                let file = dir.join("ruleset.toml");
                std::fs::write(
                    &file,
                    text.replacen(rep[0].as_str().unwrap(), rep[1].as_str().unwrap(), 1),
                )
                .unwrap();
                file.display().to_string()
            } else {
                case.get("ruleset")
                    .unwrap_or(&doc["ruleset"])
                    .as_str()
                    .unwrap()
                    .to_string()
            };
            let mut args: Vec<String> = vec![call.into(), "--ruleset".into(), ruleset];
            if call == "appraise" {
                args.push("--format=csv".into());
            }
            // The table the case's input error is in, with its header.
            let mut tables: Vec<(String, PathBuf, Vec<String>)> = Vec::new();
            let mut table = |key: &str, table_name: &str| {
                let file = dir.join(format!("{key}.csv"));
                let header = write_csv(&file, &case[key]);
                tables.push((table_name.to_string(), file.clone(), header));
                file.display().to_string()
            };
            match call {
                "classify" => args.push(table("units", "units")),
                "validate" => args.push(table("footprint", "footprint")),
                "allocate" => {
                    args.push(format!("--budget={}p", case["budget_pence"]));
                    for (key, flag) in [("needs", "--needs"), ("baselines", "--baselines")] {
                        if case
                            .get(key)
                            .is_some_and(|v| !v.as_array().unwrap().is_empty())
                        {
                            args.push(flag.into());
                            args.push(table(key, key));
                        }
                    }
                    args.push(table("footprint", "footprint"));
                }
                "practices" => {
                    let by = match case["by"].as_str().unwrap() {
                        "mapping" => table("mapping", "place_mapping"),
                        by => by.to_string(),
                    };
                    args.push(format!("--by={by}"));
                    for out in ["footprint", "needs"] {
                        args.push(format!(
                            "--{out}={}",
                            dir.join(format!("out-{out}.csv")).display()
                        ));
                    }
                    args.push(table("file", "nhse_practices"));
                }
                "appraise" => {
                    for key in ["sites", "zones", "travel", "options", "scores"] {
                        if case.get(key).is_some() {
                            args.push(format!("--{key}"));
                            args.push(table(key, key));
                        }
                    }
                    if let Some(k) = case.get("sites_per_option") {
                        args.push(format!("--sites-per-option={}-{}", k[0], k[1]));
                    }
                    if let Some(n) = case.get("max_options") {
                        args.push(format!("--max-options={n}"));
                    }
                }
                "bridge" => {
                    if case.get("activity").is_some() {
                        args.push("--activity".into());
                        args.push(table("activity", "activity"));
                    }
                    args.push("--format=csv".into());
                    args.push(table("steps", "bridge_steps"));
                }
                _ => args.push(table("inputs", "results")),
            }
            let o = Command::new(env!("CARGO_BIN_EXE_localcare"))
                .args(&args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            let kind = case["error"].as_str().unwrap();
            let status = if matches!(kind, "input" | "ruleset") {
                2
            } else {
                3
            };
            if o.status.code() != Some(status) {
                failures.push(format!(
                    "{name}: exit {:?}, expected {status}: {stderr}",
                    o.status.code()
                ));
            }
            if !o.stdout.is_empty() {
                failures.push(format!("{name}: wrote to standard output"));
            }
            if !stderr.contains(case["message"].as_str().unwrap()) {
                failures.push(format!("{name}: `{stderr}` lacks `{}`", case["message"]));
            }
            if let (Some(row), "bridge") = (case["row"].as_u64(), kind) {
                // A refused step is placed at its line of the steps file.
                let at = format!("{}:{}: ", tables[0].1.display(), row + 2);
                if !stderr.contains(&at) {
                    failures.push(format!("{name}: `{stderr}` does not name `{at}`"));
                }
            }
            if kind == "input" {
                // The message names the file, the line of the row (header is line 1)
                // and the column.
                let column = case["column"].as_str().unwrap();
                let line = case["row"].as_u64().map_or(1, |r| r + 2);
                let place = tables.iter().find_map(|(_, file, header)| {
                    let at = format!("{}:{line}: column ", file.display());
                    let col = match header.iter().position(|h| h == column) {
                        Some(p) => format!("{at}{} ({column})", p + 1),
                        None => format!("{at}`{column}`"),
                    };
                    stderr.contains(&col).then_some(col)
                });
                if place.is_none() {
                    failures.push(format!(
                        "{name}: `{stderr}` does not name line {line}, column {column}"
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 60, "the matrix has {count} cases");
}
