//! Budget lines through the tables: NHS England's column names as aliases, the
//! per-component and per-line columns of the `allocation` table, in each face.

use localcare::Ruleset;
use localcare_tables::run::allocate::{AllocateOptions, AllocateTables, allocate};
use localcare_tables::spec::Face;
use localcare_tables::{csv, read};

const FOOTPRINT: &[u8] = b"unit_id,parent_id,declared_tier,population\n\
I1,,icb,\nI2,,icb,\nPL1,I1,place,\nP1,PL1,gp_practice,1000\nP2,PL1,gp_practice,3000\nP3,I2,gp_practice,2000\n";

const NEEDS: &[u8] = b"unit_id,Final WP,Final PMC WP\n\
P1,1500.5,1200\nP2,2500.25,2900.123456789\nP3,2000.000000001,1900\n";

fn run(face: Face) -> String {
    let rs = Ruleset::builtin("england-icb-2024").unwrap();
    let fp = csv::read(FOOTPRINT).unwrap().table;
    let needs = csv::read(NEEDS).unwrap().table;
    let a = allocate(
        &rs,
        AllocateTables {
            footprint: &fp,
            needs: Some(&needs),
            baselines: None,
        },
        AllocateOptions {
            lines: vec![
                ("core".into(), 100_000),
                ("primary_medical_care".into(), 20_001),
            ],
            ..AllocateOptions::default()
        },
    )
    .unwrap();
    csv::write(&a.table(&rs, None, face))
}

#[test]
fn lines_and_need_indices_in_the_allocation_table() {
    let out = run(Face::Cli);
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "unit_id,tier,parent_id,weighted_population,weighted_population_micro,relative_need_index,target_pence,target_pounds,baseline_pence,baseline_pounds,allocation_pence,allocation_pounds,retained_pence,retained_pounds,distance_from_target,distance_from_target_ppm,per_head_gross_pence,per_head_deduction_pence,per_head_payment_pence,per_head_payment_pounds,wp_core,need_index_core,wp_primary_medical_care,need_index_primary_medical_care,core_target_pence,core_allocation_pence,core_allocation_pounds,primary_medical_care_target_pence,primary_medical_care_allocation_pence,primary_medical_care_allocation_pounds"
    );
    let p1 = out.lines().find(|l| l.starts_with("P1,")).unwrap();
    assert_eq!(
        p1,
        "P1,gp_practice,PL1,1000.000000,1000000000,1.000000000,29005,290.05,,,29005,290.05,29005,290.05,0.000000,0,,,,,1500.500000,1.500312461,1200.000000,1.199975309,25005,25005,250.05,4000,4000,40.00"
    );
    // Python shows the float twins; C neither twins nor pounds.
    let py = run(Face::Python);
    assert!(
        py.lines()
            .next()
            .unwrap()
            .contains("need_index_core,need_index_core_float,wp_primary_medical_care")
    );
    let c = run(Face::C);
    assert!(!c.contains("_float") && !c.contains("_pounds"));
}

#[test]
fn a_component_under_two_names_is_refused() {
    let rs = Ruleset::builtin("england-icb-2024").unwrap();
    let t = csv::read(b"unit_id,Final WP,wp_core\nP1,1,1\n" as &[u8])
        .unwrap()
        .table;
    let e = read::needs(&t, &rs).unwrap_err().to_string();
    assert!(
        e.contains("again; it is already given as `Final WP`"),
        "{e}"
    );
}

mod common;
use common::{root, table};

/// The shared lines vectors (`tests/vectors/lines/`) through the readers, the run layer
/// and the `allocation` table of each face: every expected cell, by column name.
#[test]
fn lines_vectors() {
    let dir = root().join("tests/vectors/lines");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let rs = Ruleset::builtin(v["ruleset"].as_str().unwrap()).unwrap();
        let (fp, needs) = (table(&v["footprint"]), table(&v["needs"]));
        let lines: Vec<(String, i64)> = v["budget_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l[0].as_str().unwrap().to_string(), l[1].as_i64().unwrap()))
            .collect();
        let a = allocate(
            &rs,
            AllocateTables {
                footprint: &fp,
                needs: Some(&needs),
                baselines: None,
            },
            AllocateOptions {
                lines,
                ..AllocateOptions::default()
            },
        )
        .unwrap();
        for face in [Face::Cli, Face::Python, Face::C] {
            let out = csv::write(&a.table(&rs, None, face));
            let head: Vec<&str> = out.lines().next().unwrap().split(',').collect();
            for want in v["expected"]["rows"].as_array().unwrap() {
                let id = want["unit_id"].as_str().unwrap();
                let row: Vec<&str> = out
                    .lines()
                    .find(|l| l.starts_with(&format!("{id},")))
                    .unwrap()
                    .split(',')
                    .collect();
                for (col, value) in want.as_object().unwrap() {
                    let got = row[head.iter().position(|h| h == col).unwrap()];
                    let value = match value {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    assert_eq!(got, value, "{}: {id} {col}", path.display());
                }
            }
        }
    }
}
