//! The shared sweep vectors (`tests/vectors/sweep/`) through `localcare allocate
//! --scenarios`: inputs written as CSV files, the sweep table read back from CSV.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Rows as CSV with the columns given; a list is joined by `;`, a null is empty.
fn csv(rows: &Value, cols: &[&str]) -> String {
    let mut out = cols.join(",") + "\n";
    for r in rows.as_array().unwrap() {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match &r[*c] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .map(|i| i.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(";"),
                v => v.to_string(),
            })
            .collect();
        out += &(cells.join(",") + "\n");
    }
    out
}

#[test]
fn sweep_vectors_through_the_cli() {
    let dir = root().join("tests/vectors/sweep");
    let tmp = std::env::temp_dir().join(format!("localcare-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.display().to_string();
        let rs = tmp.join("rs.toml");
        std::fs::write(&rs, v["ruleset_toml"].as_str().unwrap()).unwrap();
        let fp = tmp.join("fp.csv");
        std::fs::write(
            &fp,
            csv(
                &v["footprint"],
                &[
                    "unit_id",
                    "parent_id",
                    "declared_tier",
                    "population",
                    "capabilities",
                ],
            ),
        )
        .unwrap();
        let mut cols: Vec<&str> = vec!["scenario", "budget_pence"];
        for s in v["scenarios"].as_array().unwrap() {
            for k in s.as_object().unwrap().keys() {
                if !cols.contains(&k.as_str()) {
                    cols.push(k);
                }
            }
        }
        let sc = tmp.join("sc.csv");
        std::fs::write(&sc, csv(&v["scenarios"], &cols)).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_localcare"));
        cmd.args(["allocate", "--ruleset"])
            .arg(&rs)
            .arg("--scenarios")
            .arg(&sc);
        if !v["baselines"].as_array().unwrap().is_empty() {
            let b = tmp.join("b.csv");
            std::fs::write(
                &b,
                csv(&v["baselines"], &["scenario", "unit_id", "baseline_pence"]),
            )
            .unwrap();
            cmd.arg("--baselines").arg(&b);
        }
        let o = cmd.arg(&fp).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        if let Some(err) = v["expected"].get("error") {
            assert!(!o.status.success(), "{name}");
            assert!(stderr.contains(err.as_str().unwrap()), "{name}: {stderr}");
            // The error is placed at its line of the scenarios file.
            assert!(stderr.contains("sc.csv:"), "{name}: {stderr}");
            continue;
        }
        assert!(o.status.success(), "{name}: {stderr}");
        let mut lines = stdout.lines();
        assert_eq!(
            lines.next(),
            Some("scenario,unit_id,allocation_pence,target_pence,distance_from_target_ppm")
        );
        for (line, e) in lines.zip(v["expected"]["rows"].as_array().unwrap()) {
            let want = format!(
                "{},{},{},{},{}",
                e["scenario"].as_str().unwrap(),
                e["unit_id"].as_str().unwrap(),
                e["allocation_pence"],
                e["target_pence"],
                e["distance_from_target_ppm"]
                    .as_i64()
                    .map_or(String::new(), |d| d.to_string())
            );
            assert_eq!(line, want, "{name}");
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
