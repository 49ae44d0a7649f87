//! The bad-input matrix (`tests/bad-inputs/`) through the Rust core and the table
//! readers, as a Rust caller holding Arrow tables would run it: each case refused with
//! its kind of error, its message, and (for a table) its row and column.

use std::path::PathBuf;

use localcare::Ruleset;
use localcare_tables::{read, spec::Face, write};
use serde_json::Value;

mod common;
use common::{root, table};

/// The error a case gives: (kind, message, row, column).
type Refusal = (&'static str, String, Option<usize>, Option<String>);

fn refused(e: localcare_tables::TableError) -> Refusal {
    ("input", e.to_string(), e.row, e.column)
}

fn run(doc: &Value, case: &Value) -> Result<(), Refusal> {
    let rs = if let Some(rep) = case.get("ruleset_replace") {
        let text =
            std::fs::read_to_string(root().join("crates/localcare/rulesets/kent-medway-2017.toml"))
                .unwrap();
        let (from, to) = (rep[0].as_str().unwrap(), rep[1].as_str().unwrap());
        assert!(text.contains(from), "the case's fixture drifted");
        Ruleset::from_toml_str(&text.replacen(from, to, 1))
    } else {
        let name = case
            .get("ruleset")
            .unwrap_or(&doc["ruleset"])
            .as_str()
            .unwrap();
        Ruleset::load(Some(name))
    }
    .map_err(|e| ("ruleset", e.to_string(), None, None))?;
    let rs = &rs;
    match doc["call"].as_str().unwrap() {
        "classify" => {
            let u = read::units(&table(&case["units"]), rs).map_err(refused)?;
            write::classification(rs, &u, true, Face::C);
        }
        "validate" => {
            let fp = read::footprint(&table(&case["footprint"])).map_err(refused)?;
            rs.validate(&fp);
        }
        "allocate" => {
            let fp = read::footprint(&table(&case["footprint"])).map_err(refused)?;
            let needs = match case.get("needs") {
                Some(n) if !n.as_array().unwrap().is_empty() => {
                    read::needs(&table(n), rs).map_err(refused)?
                }
                _ => Default::default(),
            };
            let baselines = match case.get("baselines") {
                Some(b) if !b.as_array().unwrap().is_empty() => {
                    read::baselines(&table(b)).map_err(refused)?
                }
                _ => Vec::new(),
            };
            let budget = case["budget_pence"].as_i64().unwrap();
            rs.allocate(&fp, budget, &needs, baselines)
                .map_err(|e| ("allocation", e.to_string(), None, None))?;
        }
        "practices" => {
            let mapping = case.get("mapping").map(table);
            let grouping = match (case["by"].as_str().unwrap(), &mapping) {
                ("icb", _) => localcare_tables::nhse::Grouping::Icb,
                ("district", _) => localcare_tables::nhse::Grouping::District,
                (_, Some(m)) => localcare_tables::nhse::Grouping::Mapping(m),
                (by, None) => panic!("grouping {by} without a mapping"),
            };
            localcare_tables::run::practices::practices(rs, &table(&case["file"]), grouping, &[])
                .map_err(|e| match e.as_table_error() {
                Some(t) => refused(t),
                None => ("input", e.to_string(), None, None),
            })?;
        }
        "bridge" => {
            use localcare_tables::run::{RunError, bridge};
            let steps = table(&case["steps"]);
            let activity = case.get("activity").map(table);
            let tables = bridge::BridgeTables {
                steps: Some(&steps),
                activity: activity.as_ref(),
            };
            let b = bridge::bridge(rs, tables).map_err(|e| match (&e, e.as_table_error()) {
                (RunError::Table(t), _) => refused(t.clone()),
                (_, t) => ("bridge", e.to_string(), t.and_then(|t| t.row), None),
            })?;
            b.table(Face::C);
        }
        "appraise" => {
            let input = read::appraisal_input(
                &table(&case["sites"]),
                &table(&case["zones"]),
                &table(&case["travel"]),
            )
            .map_err(refused)?;
            let request = appraisal_request(case).map_err(refused)?;
            let a = rs
                .appraise(&input, &request)
                .map_err(|e| ("appraisal", e.to_string(), None, None))?;
            write::appraisal(&a, Face::C);
        }
        _ => {
            let inputs = read::settlement_inputs(&table(&case["inputs"])).map_err(refused)?;
            rs.settle_batch(&inputs)
                .map_err(|e| ("settlement", e.to_string(), None, None))?;
        }
    }
    Ok(())
}

/// An appraise case's request: its options, scores, sites per option and bound.
fn appraisal_request(
    case: &Value,
) -> Result<localcare::appraise::AppraisalRequest, localcare_tables::TableError> {
    let mut r = localcare::appraise::AppraisalRequest::default();
    if let Some(o) = case.get("options") {
        r.options = Some(read::options(&table(o))?);
    }
    if let Some(s) = case.get("scores") {
        r.scores = read::scores(&table(s))?;
    }
    if let Some(k) = case.get("sites_per_option") {
        r.sites_per_option = Some((
            k[0].as_u64().unwrap() as usize,
            k[1].as_u64().unwrap() as usize,
        ));
    }
    r.max_options = case.get("max_options").and_then(Value::as_u64);
    Ok(r)
}

#[test]
fn every_bad_input_is_refused_with_its_error() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/bad-inputs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut count = 0;
    let mut failures = Vec::new();
    for path in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            count += 1;
            let name = format!("{}: {}", path.display(), case["name"].as_str().unwrap());
            match run(&doc, case) {
                Ok(()) => failures.push(format!("{name}: accepted")),
                Err((kind, message, row, column)) => {
                    if kind != case["error"].as_str().unwrap() {
                        failures.push(format!(
                            "{name}: {kind} error, expected {}: {message}",
                            case["error"]
                        ));
                    }
                    if !message.contains(case["message"].as_str().unwrap()) {
                        failures.push(format!("{name}: `{message}` lacks `{}`", case["message"]));
                    }
                    if kind == "input" || kind == "bridge" {
                        if row != case["row"].as_u64().map(|r| r as usize) {
                            failures.push(format!("{name}: row {row:?}, expected {}", case["row"]));
                        }
                        if column.as_deref() != case["column"].as_str() {
                            failures.push(format!(
                                "{name}: column {column:?}, expected {}",
                                case["column"]
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 60, "the matrix has {count} cases");
}
