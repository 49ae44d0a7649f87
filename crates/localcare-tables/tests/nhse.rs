//! NHS England's practice file (the bundled 2024/25 copy, `examples/data/`) into footprint
//! and needs tables: every practice once, weighted populations copied exactly as written,
//! rows in any order giving the same tables, and the committed Kent and Medway tables
//! (`scripts/derive-examples`, written independently in Python) reproduced exactly.

use std::collections::HashMap;

use localcare::Ruleset;
use localcare_tables::nhse::{self, Grouping};
use localcare_tables::{Table, csv, run};

mod common;
use common::root;

/// The file's practices through the run layer under `england-icb-2024`.
fn practices(t: &Table, grouping: Grouping<'_>, icbs: &[String]) -> nhse::Practices {
    let rs = Ruleset::builtin("england-icb-2024").unwrap();
    run::practices::practices(&rs, t, grouping, icbs).unwrap()
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
    let p = practices(&read(&bytes), Grouping::Icb, &[]);
    assert_eq!(p.counts, (42, 0, 6553));
    assert_eq!(p.footprint.num_rows(), 42 + 6553);
    assert_eq!(p.needs.num_rows(), 6553);
    let names: Vec<String> = p
        .needs
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
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
                (
                    r[col("pop 2022/23")].to_string(),
                    r[col("Final WP")].to_string(),
                ),
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
        let one = practices(&read(&bytes), grouping, &[]);
        let two = practices(&read(again.as_bytes()), grouping, &[]);
        assert_eq!(csv::write(&one.footprint), csv::write(&two.footprint));
        assert_eq!(csv::write(&one.needs), csv::write(&two.needs));
    }
}

#[test]
fn kent_and_medway_as_four_places_matches_the_committed_tables() {
    let mapping =
        read(&std::fs::read(root().join("examples/data/kent-medway-places.csv")).unwrap());
    let p = practices(
        &read(&file_bytes()),
        Grouping::Mapping(&mapping),
        &["QKS".to_string()],
    );
    assert_eq!(p.counts, (1, 4, 194));
    let committed =
        |name: &str| std::fs::read_to_string(root().join("examples/data").join(name)).unwrap();
    assert_eq!(
        csv::write(&p.footprint),
        committed("kent-medway-footprint.csv")
    );
    assert_eq!(csv::write(&p.needs), committed("kent-medway-needs.csv"));
}

#[test]
fn a_district_in_two_icbs_is_a_place_in_each() {
    let p = practices(&read(&file_bytes()), Grouping::District, &[]);
    let fp = csv::write(&p.footprint);
    assert!(
        fp.contains("\nCopeland (QE1),QE1,place,,"),
        "{}",
        &fp[..200]
    );
    assert!(fp.contains("\nCopeland (QHM),QHM,place,,"));
    assert!(fp.contains("\nDartford,QKS,place,,"));
}

/// The shared vectors (`tests/vectors/practices/`): rows cut from the file, given in
/// another order, into the tables the vector states (worked out by
/// `scripts/derive-examples`, independently of this library).
#[test]
fn practices_vectors() {
    let dir = root().join("tests/vectors/practices");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let grouping = match doc["by"].as_str().unwrap() {
            "icb" => Grouping::Icb,
            _ => Grouping::District,
        };
        let p = practices(&common::table(&doc["file"]), grouping, &[]);
        for (batch, key) in [(&p.footprint, "footprint"), (&p.needs, "needs")] {
            let got = rows(&csv::write(batch));
            let want: Vec<Vec<(String, String)>> = doc["expected"][key]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect()
                })
                .collect();
            assert_eq!(got, want, "{}: {key}", path.display());
        }
        n += 1;
    }
    assert!(n >= 2);
}

/// CSV text as rows of (column, value), columns sorted by name.
fn rows(text: &str) -> Vec<Vec<(String, String)>> {
    let mut r = ::csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let mut row: Vec<(String, String)> = header
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            row.sort();
            row
        })
        .collect()
}
