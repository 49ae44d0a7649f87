//! NHS England's practice file (the bundled 2024/25 copy, `examples/data/`) into footprint
//! and needs tables: every practice once, weighted populations copied exactly as written,
//! rows in any order giving the same tables, and the committed Kent and Medway tables
//! (`scripts/derive-examples`, written independently in Python) reproduced exactly.

use std::collections::HashMap;

use localcare_tables::nhse::{self, Component, Grouping};
use localcare_tables::{Table, csv};

mod common;
use common::root;

/// The 2024/25 components of `england-icb-2024` and NHS England's column names for them.
fn components() -> Vec<Component> {
    [
        ("core", "Final WP"),
        ("primary_medical_care", "Final PMC WP"),
        ("primary_medical_care_need", "Primary Medical Care WP"),
        ("general_and_acute", "G&A WP"),
        ("community", "CS WP"),
        ("mental_health", "MH WP"),
        ("maternity", "Mat WP"),
        ("prescribing", "Prescr WP"),
        ("health_inequalities", "Health Ineq WP"),
    ]
    .into_iter()
    .map(|(id, alias)| Component {
        id: id.into(),
        aliases: vec![alias.into()],
    })
    .collect()
}

fn file_bytes() -> Vec<u8> {
    std::fs::read(root().join("examples/data/nhs-practice-weighted-populations-2024-25.csv"))
        .unwrap()
}

fn read(bytes: &[u8]) -> Table {
    csv::read(bytes).unwrap().table
}

#[test]
fn england_by_icb_keeps_every_practice_and_every_figure_as_written() {
    let bytes = file_bytes();
    let p = nhse::practices(&read(&bytes), Grouping::Icb, &[], &components()).unwrap();
    assert_eq!(p.counts, (42, 0, 6553));
    assert_eq!(p.footprint.num_rows(), 42 + 6553);
    assert_eq!(p.needs.num_rows(), 6553);
    let names: Vec<String> = p.needs.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names[0], "unit_id");
    assert_eq!(names.len(), 10, "every component column present: {names:?}");
    // Every practice's Final WP and population, as the file writes them.
    let text = std::str::from_utf8(&bytes).unwrap();
    let mut rdr = ::csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let want: HashMap<String, (String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[col("Practice_Code")].to_string(),
                (r[col("pop 2022/23")].to_string(), r[col("Final WP")].to_string()),
            )
        })
        .collect();
    let out = csv::write(&p.needs);
    let core = names.iter().position(|n| n == "wp_core").unwrap();
    for line in out.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[core], want[cells[0]].1, "{}", cells[0]);
    }
    let fp = csv::write(&p.footprint);
    for line in fp.lines().skip(1).filter(|l| l.contains(",gp_practice,")) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[3], want[cells[0]].0, "{}", cells[0]);
    }
}

#[test]
fn rows_in_any_order_give_the_same_tables() {
    let bytes = file_bytes();
    let text = std::str::from_utf8(&bytes).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    // A fixed interleaving as well as the reversal.
    let (a, b) = lines.split_at(lines.len() / 3);
    let shuffled: Vec<&str> = b.iter().chain(a.iter()).copied().collect();
    let again = format!("{header}\n{}\n", shuffled.join("\n"));
    for grouping in [Grouping::Icb, Grouping::District] {
        let one = nhse::practices(&read(&bytes), grouping, &[], &components()).unwrap();
        let two = nhse::practices(&read(again.as_bytes()), grouping, &[], &components()).unwrap();
        assert_eq!(csv::write(&one.footprint), csv::write(&two.footprint));
        assert_eq!(csv::write(&one.needs), csv::write(&two.needs));
    }
}

#[test]
fn kent_and_medway_as_four_places_matches_the_committed_tables() {
    let mapping = read(&std::fs::read(root().join("examples/data/kent-medway-places.csv")).unwrap());
    let p = nhse::practices(
        &read(&file_bytes()),
        Grouping::Mapping(&mapping),
        &["QKS".to_string()],
        &components(),
    )
    .unwrap();
    assert_eq!(p.counts, (1, 4, 194));
    let committed = |name: &str| {
        std::fs::read_to_string(root().join("examples/data").join(name)).unwrap()
    };
    assert_eq!(csv::write(&p.footprint), committed("kent-medway-footprint.csv"));
    assert_eq!(csv::write(&p.needs), committed("kent-medway-needs.csv"));
}

#[test]
fn a_district_in_two_icbs_is_a_place_in_each() {
    let p = nhse::practices(&read(&file_bytes()), Grouping::District, &[], &components()).unwrap();
    let fp = csv::write(&p.footprint);
    assert!(fp.contains("\nCopeland (QE1),QE1,place,,"), "{}", &fp[..200]);
    assert!(fp.contains("\nCopeland (QHM),QHM,place,,"));
    assert!(fp.contains("\nDartford,QKS,place,,"));
}
