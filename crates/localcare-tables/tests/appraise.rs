//! The appraisal through the table model: CSV in, every output table out.

use localcare::Ruleset;
use localcare::appraise::AppraisalRequest;
use localcare_tables::spec::{self, Face};
use localcare_tables::{csv, read, write};

fn vector() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/appraise/hand-worked.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn hand_worked_vector_from_csv_tables() {
    let v = vector();
    let rs = Ruleset::from_toml_str(v["ruleset_toml"].as_str().unwrap()).unwrap();
    let sites = csv::read(
        b"site_id,name,admissions,capabilities,thrombolysed_60min\n\
          C,Site C,250,seven_day,0.55\nA,Site A,300,seven_day,0.6\nB,Site B,200,seven_day,0.5\n",
    )
    .unwrap();
    let zones =
        csv::read(b"zone_id,strokes,population\nZ4,,100000\nZ1,400,\nZ2,300,\nZ3,350,\n").unwrap();
    let mut travel = String::from("zone_id,site_id,minutes\n");
    for t in v["travel"].as_array().unwrap() {
        travel += &format!(
            "{},{},{}\n",
            t["zone_id"].as_str().unwrap(),
            t["site_id"].as_str().unwrap(),
            t["minutes"]
        );
    }
    let travel = csv::read(travel.as_bytes()).unwrap();
    let scores = csv::read(b"option_id,criterion,score\nA+C,access,0\nB+C,access,++\n").unwrap();
    let input = read::appraisal_input(&sites.table, &zones.table, &travel.table).unwrap();
    let request = AppraisalRequest {
        scores: read::scores(&scores.table).unwrap(),
        ..AppraisalRequest::default()
    };
    let a = rs.appraise(&input, &request).unwrap();
    assert_eq!(a.preferred().unwrap().id, "B+C");
    for face in [Face::Cli, Face::Python, Face::C] {
        for (batch, t) in [
            (write::appraisal(&a, face), &spec::APPRAISAL),
            (write::hurdles(&a, face), &spec::HURDLES),
            (write::volumes(&a, face), &spec::VOLUMES),
            (write::evaluation(&a, face), &spec::EVALUATION),
        ] {
            let names: Vec<String> = batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            assert_eq!(names, t.names(face), "{}", t.name);
        }
    }
    let text = csv::write(&write::volumes(&a, Face::Cli));
    assert!(
        text.starts_with(
            "option_id,site_id,current_admissions,projected_admissions,zones\nA,A,300,1250"
        ),
        "{text}"
    );
    assert_eq!(write::hurdles(&a, Face::Cli).num_rows(), 24);
    assert_eq!(write::evaluation(&a, Face::Cli).num_rows(), 4);
}

#[test]
fn bad_scores_and_travel_name_their_row() {
    let scores = csv::read(b"option_id,criterion,score\nA+C,access,+++\n").unwrap();
    let e = read::scores(&scores.table).unwrap_err();
    assert_eq!(
        (e.table, e.column.as_deref(), e.row),
        ("scores", Some("score"), Some(0))
    );
    let travel = csv::read(b"zone_id,site_id,minutes\nZ1,A,\n").unwrap();
    let e = read::travel(&travel.table).unwrap_err();
    assert_eq!(
        (e.table, e.column.as_deref(), e.row),
        ("travel", Some("minutes"), Some(0))
    );
}
