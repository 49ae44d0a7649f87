//! Every shift-left vector (`tests/vectors/shift/`) through `localcare shift`, from CSV
//! files, with the values (and errors) the Rust, Python and C runners check.

use std::path::{Path, PathBuf};
use std::process::Command;

use localcare::rust_decimal::Decimal;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Rows as CSV with the given columns (a missing value is an empty cell).
fn csv(path: &Path, rows: &[Value], columns: &[&str]) {
    let mut text = columns.join(",") + "\n";
    for r in rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match &r[*c] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// The same value: numbers equal, decimal text equal as decimals (`0.3` is `0.300000`).
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::String(g), Value::String(w)) => {
            match (g.parse::<Decimal>(), w.parse::<Decimal>()) {
                (Ok(g), Ok(w)) => g == w,
                _ => g == w,
            }
        }
        _ => got == want,
    }
}

const BENCHMARK: [&str; 4] = [
    "benchmark_pence",
    "assigned_population",
    "quality",
    "target",
];

#[test]
fn every_shift_vector_through_the_cli() {
    let dir = std::env::temp_dir().join(format!("lc-shift-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/vectors/shift"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for path in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let inputs = v["inputs"].as_array().unwrap();
        let mut activity_cols: Vec<&str> = Vec::new();
        for r in inputs {
            for k in r.as_object().unwrap().keys() {
                if !BENCHMARK.contains(&k.as_str()) && !activity_cols.contains(&k.as_str()) {
                    activity_cols.push(k);
                }
            }
        }
        let activity = dir.join(format!("{name}.activity.csv"));
        csv(&activity, inputs, &activity_cols);
        let mut args: Vec<String> = vec!["shift".into(), "--format".into(), "json".into()];
        match (v.get("ruleset"), v.get("ruleset_toml")) {
            (Some(Value::String(id)), _) => args.extend(["--ruleset".into(), id.clone()]),
            (_, Some(Value::String(text))) => {
                let file = dir.join(format!("{name}.ruleset.toml"));
                std::fs::write(&file, text).unwrap();
                args.extend(["--ruleset".into(), file.display().to_string()]);
            }
            _ => {}
        }
        let question = v["question"].as_str().unwrap();
        let needs_benchmarks = matches!(
            question,
            "shift_settle" | "reduction_for_minimum_savings_rate"
        );
        if needs_benchmarks {
            let b = dir.join(format!("{name}.benchmarks.csv"));
            let cols: Vec<&str> = [
                "unit_id",
                "benchmark_pence",
                "assigned_population",
                "quality",
            ]
            .into_iter()
            .filter(|c| *c == "unit_id" || inputs.iter().any(|r| r.get(*c).is_some()))
            .collect();
            csv(&b, inputs, &cols);
            args.extend(["--benchmarks".into(), b.display().to_string()]);
        }
        match question {
            "break_even_reduction" => args.push("--break-even".into()),
            "reduction_for_minimum_savings_rate" => args.push("--minimum-savings-rate".into()),
            "reduction_for_target" => {
                args.push(format!("--target={}p", v["target_pence"]));
            }
            _ => {}
        }
        args.push(activity.display().to_string());
        let o = Command::new(env!("CARGO_BIN_EXE_localcare"))
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        if let Some(want) = v["expected_error"].as_str() {
            // The core names a batch's row (`row 1: ...`); the CLI names its line.
            let (want, line) = match want.strip_prefix("row ").and_then(|r| r.split_once(": ")) {
                Some((row, rest)) => (
                    rest,
                    row.parse::<u64>().ok().map(|r| format!(":{}: ", r + 2)),
                ),
                None => (want, None),
            };
            let placed = line.as_deref().is_none_or(|l| stderr.contains(l));
            if o.status.success() || !stderr.contains(want) || !placed {
                failures.push(format!(
                    "{name}: expected the error `{want}`, got {:?}: {stderr}",
                    o.status.code()
                ));
            }
            continue;
        }
        if !o.status.success() {
            failures.push(format!("{name}: {stderr}"));
            continue;
        }
        let got: Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut check = |got: &Value, want: &Value, at: &str| {
            for (k, w) in want.as_object().unwrap() {
                // The settle table has no separate savings: with benchmarks it is the
                // net savings (see the `shift` table's description).
                let key = if k == "savings_pence" {
                    "net_savings_pence"
                } else {
                    k.as_str()
                };
                if !same(&got[key], w) {
                    failures.push(format!("{name}: {at}.{k}: {} != {w}", got[key]));
                }
            }
        };
        match question {
            "shift" => {
                let rows = got["rows"].as_array().unwrap();
                for (i, w) in v["expected"]["units"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                {
                    check(&rows[i], w, &format!("rows[{i}]"));
                }
                check(&got["totals"], &v["expected"]["totals"], "totals");
            }
            "shift_settle" => {
                let rows = got["rows"].as_array().unwrap();
                for (i, w) in v["expected"].as_array().unwrap().iter().enumerate() {
                    check(&rows[i], w, &format!("rows[{i}]"));
                }
            }
            _ => {
                let answers = got.as_array().unwrap();
                let mut want = v["expected"].clone();
                // Not reachable: the CLI leaves the reduction empty (null).
                let unreachable_but_given =
                    want["reduction"].is_null() && !answers[0]["reduction"].is_null();
                if want["reduction"].is_null() {
                    want.as_object_mut().unwrap().remove("reduction");
                }
                check(&answers[0], &want, "answer");
                if unreachable_but_given {
                    failures.push(format!("{name}: a reduction where none is reachable"));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(files.len() >= 16, "{} shift vectors", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
