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
    let mapping =
        read(&std::fs::read(root().join("examples/data/kent-medway-places.csv")).unwrap());
    let kent = ["QKS".to_string()];
    for (grouping, icbs) in [
        (Grouping::Icb, &[][..]),
        (Grouping::District, &[][..]),
        (Grouping::Mapping(&mapping), &kent[..]),
    ] {
        let one = practices(&read(&bytes), grouping, icbs);
        let two = practices(&read(again.as_bytes()), grouping, icbs);
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
        check_vector_allocation(&doc, &p, &path);
        n += 1;
    }
    assert!(n >= 2);
}

/// A vector's tables allocated in its budget lines: each unit's pence per line and each
/// aggregate's need index per component, as the vector works them out.
fn check_vector_allocation(doc: &serde_json::Value, p: &nhse::Practices, path: &std::path::Path) {
    let rs = Ruleset::builtin("england-icb-2024").unwrap();
    let lines: Vec<(String, i64)> = doc["expected"]["lines"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
        .collect();
    let fp = read(csv::write(&p.footprint).as_bytes());
    let needs = read(csv::write(&p.needs).as_bytes());
    let a = run::allocate::allocate(
        &rs,
        run::allocate::AllocateTables {
            footprint: &fp,
            needs: Some(&needs),
            baselines: None,
        },
        run::allocate::AllocateOptions {
            lines,
            ..Default::default()
        },
    )
    .unwrap()
    .allocation;
    let want = &doc["expected"]["allocation_pence"];
    for l in a.lines() {
        for row in l.allocation.rows() {
            assert_eq!(
                Some(row.allocation_pence),
                want[row.unit_id][&l.line].as_i64(),
                "{}: {} {}",
                path.display(),
                l.line,
                row.unit_id
            );
        }
    }
    for (unit, indices) in doc["expected"]["need_index"].as_object().unwrap() {
        let q = a.unit_ids().iter().position(|u| u == unit).unwrap();
        for (component, text) in indices.as_object().unwrap() {
            let got = a.need_indices(Some(component)).unwrap()[q].unwrap().text();
            assert_eq!(
                got,
                text.as_str().unwrap(),
                "{}: {unit} {component}",
                path.display()
            );
        }
    }
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

/// Largest remainder of `amount` over `weights` (keyed, sorted by key in byte order),
/// remainder ties to the smaller key: the reference, written apart from the library.
fn largest_remainder(amount: i128, weights: &[(String, i128)]) -> HashMap<String, i128> {
    let total: i128 = weights.iter().map(|(_, w)| w).sum();
    let mut parts: HashMap<String, i128> = weights
        .iter()
        .map(|(k, w)| (k.clone(), amount * w / total))
        .collect();
    let left = amount - parts.values().sum::<i128>();
    let mut order: Vec<&(String, i128)> = weights.iter().collect();
    order.sort_by(|a, b| {
        (amount * b.1 % total)
            .cmp(&(amount * a.1 % total))
            .then(a.0.as_bytes().cmp(b.0.as_bytes()))
    });
    for (k, _) in order.into_iter().take(left as usize) {
        *parts.get_mut(k).unwrap() += 1;
    }
    parts
}

/// A decimal's text in billionths, exactly (at most nine places).
fn billionths(text: &str) -> i128 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 9, "{text}");
    let frac = format!("{frac:0<9}");
    int.parse::<i128>().unwrap() * 1_000_000_000 + frac.parse::<i128>().unwrap()
}

/// England's 42 ICBs under one national budget in two lines: each ICB's money on each
/// line is the exact apportionment of the line by its summed published weighted
/// population (`Final WP`, `Final PMC WP`), to the penny, and every line is conserved.
#[test]
fn england_by_icb_is_exact_apportionment_by_the_published_weighted_populations() {
    let bytes = file_bytes();
    let rs = Ruleset::builtin("england-icb-2024").unwrap();
    let p = practices(&read(&bytes), Grouping::Icb, &[]);
    let fp = read(csv::write(&p.footprint).as_bytes());
    let needs = read(csv::write(&p.needs).as_bytes());
    let lines = vec![
        ("core".to_string(), 12_345_678_901_234_i64),
        ("primary_medical_care".to_string(), 1_234_567_890_123),
    ];
    let a = run::allocate::allocate(
        &rs,
        run::allocate::AllocateTables {
            footprint: &fp,
            needs: Some(&needs),
            baselines: None,
        },
        run::allocate::AllocateOptions {
            lines: lines.clone(),
            ..Default::default()
        },
    )
    .unwrap()
    .allocation;
    // The reference from the file's text.
    let text = std::str::from_utf8(&bytes).unwrap();
    let mut rdr = ::csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let records: Vec<::csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    for ((line, pence), column) in lines.iter().zip(["Final WP", "Final PMC WP"]) {
        let mut by_icb: std::collections::BTreeMap<String, i128> = Default::default();
        for r in &records {
            *by_icb.entry(r[col("ICS22")].to_string()).or_default() += billionths(&r[col(column)]);
        }
        let weights: Vec<(String, i128)> = by_icb.into_iter().collect();
        let want = largest_remainder(i128::from(*pence), &weights);
        let got = a.lines().iter().find(|l| &l.line == line).unwrap();
        let mut sum = 0i128;
        let mut icbs = 0;
        for row in got.allocation.rows().filter(|r| r.tier == "icb") {
            assert_eq!(
                i128::from(row.allocation_pence),
                want[row.unit_id],
                "{line}: {}",
                row.unit_id
            );
            sum += i128::from(row.allocation_pence);
            icbs += 1;
        }
        assert_eq!(icbs, 42);
        assert_eq!(sum, i128::from(*pence), "{line} conserved");
        // Each ICB's practices add up to it.
        let practices: i128 = got
            .allocation
            .rows()
            .filter(|r| r.tier == "gp_practice")
            .map(|r| i128::from(r.allocation_pence))
            .sum();
        assert_eq!(practices, i128::from(*pence), "{line}: practices conserved");
    }
    assert_eq!(a.budget_pence(), lines.iter().map(|(_, p)| p).sum::<i64>());
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(48))]

    /// Any subset of Kent and Medway's practices, in any order, gives the tables of the
    /// same subset in the file's order.
    #[test]
    fn any_order_of_any_subset_gives_the_same_tables(
        picks in proptest::sample::subsequence((0..194usize).collect::<Vec<_>>(), 1..40)
            .prop_shuffle(),
    ) {
        let bytes = file_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let kent: Vec<&str> = lines.filter(|l| l.contains(",QKS,")).collect();
        prop_assert_eq!(kent.len(), 194);
        let mut sorted = picks.clone();
        sorted.sort_unstable();
        let csv_of = |idx: &[usize]| {
            let body: Vec<&str> = idx.iter().map(|&i| kent[i]).collect();
            format!("{header}\n{}\n", body.join("\n"))
        };
        // (A mapping naming a district the file lacks is refused, so a subset is grouped
        // by ICB and by district here; the mapping's order is checked on the whole file.)
        for grouping in [Grouping::Icb, Grouping::District] {
            let one = practices(&read(csv_of(&picks).as_bytes()), grouping, &[]);
            let two = practices(&read(csv_of(&sorted).as_bytes()), grouping, &[]);
            prop_assert_eq!(csv::write(&one.footprint), csv::write(&two.footprint));
            prop_assert_eq!(csv::write(&one.needs), csv::write(&two.needs));
            prop_assert_eq!(one.counts.2, picks.len());
        }
    }
}
