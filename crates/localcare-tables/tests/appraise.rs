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
            "option_id,site_id,current_admissions,projected_admissions,out_of_area_admissions,fixed_open,zones\nA,A,300,1250.000000,0.000000,false"
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

/// The bundled Kent and Medway stroke example's travel table pivoted to the wide form
/// it is published in (a zone column, one column per site, blank where unreachable):
/// the same appraisal, row for row, as from the pairs.
#[test]
fn the_wide_travel_matrix_gives_the_same_appraisal_as_the_pairs() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/kent-medway-stroke");
    let file = |name: &str| csv::read(&std::fs::read(dir.join(name)).unwrap()).unwrap();
    let (sites, zones, pairs) = (file("sites.csv"), file("zones.csv"), file("travel.csv"));
    let long = read::travel(&pairs.table).unwrap();
    let mut zone_ids: Vec<&str> = long.iter().map(|t| t.zone_id.as_str()).collect();
    let mut site_ids: Vec<&str> = long.iter().map(|t| t.site_id.as_str()).collect();
    zone_ids.sort_unstable();
    zone_ids.dedup();
    site_ids.sort_unstable();
    site_ids.dedup();
    // Columns in reverse id order and one pair left blank: neither may change a thing
    // but that pair.
    site_ids.reverse();
    let blank = (&long[3].zone_id, &long[3].site_id);
    let mut wide = format!("zone_id,{}\n", site_ids.join(","));
    for z in &zone_ids {
        let cells: Vec<String> = site_ids
            .iter()
            .map(|s| {
                long.iter()
                    .find(|t| {
                        t.zone_id == *z && t.site_id == *s && (&t.zone_id, &t.site_id) != blank
                    })
                    .map_or(String::new(), |t| t.minutes.to_string())
            })
            .collect();
        wide += &format!("{z},{}\n", cells.join(","));
    }
    let wide = csv::read(wide.as_bytes()).unwrap();
    let mut pairs_without = String::from("zone_id,site_id,minutes\n");
    for t in long.iter().filter(|t| (&t.zone_id, &t.site_id) != blank) {
        pairs_without += &format!("{},{},{}\n", t.zone_id, t.site_id, t.minutes);
    }
    let pairs_without = csv::read(pairs_without.as_bytes()).unwrap();
    let rs = Ruleset::builtin("kent-medway-stroke-2017").unwrap();
    let appraise = |travel: &csv::CsvTable| {
        let input = read::appraisal_input(&sites.table, &zones.table, &travel.table).unwrap();
        let a = rs.appraise(&input, &AppraisalRequest::default()).unwrap();
        (
            csv::write(&write::appraisal(&a, Face::Cli)),
            a.explanation(),
        )
    };
    let from_matrix = appraise(&wide);
    assert!(
        read::appraisal_input(&sites.table, &zones.table, &wide.table)
            .unwrap()
            .matrix
            .is_some()
    );
    assert_eq!(from_matrix, appraise(&pairs_without));
}

#[test]
fn a_wide_matrix_with_a_site_twice_or_text_minutes_is_refused_naming_it() {
    let sites = csv::read(b"site_id,name,admissions,capabilities\nA,A,1,\nB,B,1,\n").unwrap();
    let zones = csv::read(b"zone_id,strokes\nZ1,10\nZ2,20\n").unwrap();
    let rs = Ruleset::builtin("kent-medway-stroke-2017").unwrap();
    let err = |travel: &[u8]| {
        // A header naming a column twice is refused by the CSV reader itself.
        let travel = match csv::read(travel) {
            Ok(t) => t,
            Err(e) => return e.to_string(),
        };
        match read::appraisal_input(&sites.table, &zones.table, &travel.table) {
            Err(e) => e.to_string(),
            Ok(input) => rs
                .appraise(&input, &AppraisalRequest::default())
                .unwrap_err()
                .to_string(),
        }
    };
    let e = err(b"zone_id,A,B\nZ1,10,20\nZ2,49 min,5\n");
    assert!(e.contains("`49 min`"), "{e}");
    let e = err(b"zone_id,A,B\nZ1,10,20\nZ1,30,5\n");
    assert!(e.contains("zone `Z1` has two rows"), "{e}");
    let e = err(b"zone_id,A,A\nZ1,10,20\nZ2,30,5\n");
    assert!(e.contains("`A`"), "a site's column twice: {e}");
    let e = err(b"zone_id,A,C\nZ1,10,20\nZ2,30,5\n");
    assert!(e.contains("column `C`: unknown site"), "{e}");
}
