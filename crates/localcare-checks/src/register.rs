//! Registers into needs (`localcare::register`), whole or in parts, as a cluster does.

use std::collections::BTreeMap;

use localcare::register::{self, Person, PersonCount, needs_from_counts, tally, weight_millionths};
use localcare::rust_decimal::Decimal;
use localcare_tables::spec::Face;
use localcare_tables::{csv, register as table_register, write};

use crate::Bytes;
use crate::fixtures::{banded_ruleset, default_ruleset};

/// One person as owned text: (person, practice, band, weight).
type Row = (String, String, Option<String>, Option<Decimal>);

fn people(rows: &[Row]) -> Vec<Person<'_>> {
    rows.iter()
        .map(|(p, u, band, w)| Person {
            person_id: p,
            unit_id: u,
            age_band: band.as_deref(),
            weight: *w,
        })
        .collect()
}

/// Counts added up by practice and band, as a cluster's `sum` over longs does.
fn merged(counts: &[PersonCount]) -> BTreeMap<(String, Option<String>), (i64, Option<i64>)> {
    let mut m = BTreeMap::new();
    for c in counts {
        let e = m
            .entry((c.unit_id.clone(), c.age_band.clone()))
            .or_insert((0i64, c.weight_sum.map(|_| 0)));
        e.0 += c.persons;
        e.1 = e.1.zip(c.weight_sum).map(|(a, b)| a + b);
    }
    m
}

/// A register as a `persons` CSV file.
fn persons_csv(rows: &[Row], bands: bool, weights: bool) -> String {
    let mut out = String::from("person_id,unit_id");
    out += if bands { ",age_band" } else { "" };
    out += if weights { ",hi_weight\n" } else { "\n" };
    for (p, u, band, w) in rows {
        out += &format!("{p},{u}");
        if bands {
            out += &format!(",{}", band.as_deref().unwrap_or(""));
        }
        if weights {
            out += &format!(",{}", w.map(|w| w.to_string()).unwrap_or_default());
        }
        out.push('\n');
    }
    out
}

/// A register of up to 47 people (some listed twice, some bands unknown or missing,
/// weights of any size) under a ruleset with or without age bands: refused with an
/// error, or
/// - the counts hold every person once, each cell the sum of its people's weights;
/// - the same in any row order;
/// - split into two parts, tallied apart and added up, the same counts and the same
///   needs (as Spark runs it);
/// - the tables' face tallies the `persons` file to the same counts, and reads the
///   written `person_counts` back into the same needs.
pub fn register(data: &[u8]) {
    let mut b = Bytes(data);
    let rs = if b.flag() {
        banded_ruleset()
    } else {
        default_ruleset()
    };
    let known = register::age_bands(rs);
    let n = b.below(48);
    // 0-5: a band on every row; 6: none; 7: some.
    let band_mode = b.u8() % 8;
    // 0: no weights; 1-6: on every row; 7: on some.
    let weight_mode = b.u8() % 8;
    let rows: Vec<Row> = (0..n)
        .map(|i| {
            let person = if b.u8() % 16 == 0 {
                format!("p{}", b.below(i + 1))
            } else {
                format!("p{i}")
            };
            let unit = format!("P{}", b.u8() % 5);
            let band = match band_mode {
                6 => None,
                7 if b.flag() => None,
                _ => match b.below(known.len() + 1) {
                    j if j < known.len() => Some(known[j].clone()),
                    _ => (b.u8() % 4 == 0).then(|| "unknown".into()),
                },
            };
            let weight = match weight_mode {
                0 => None,
                7 if b.flag() => None,
                _ if b.u8() % 8 == 0 => Some(b.any_decimal()),
                _ => Some(Decimal::new(
                    i64::from(b.u32() % 4_000_000),
                    u32::from(b.u8() % 10),
                )),
            };
            (person, unit, band, weight)
        })
        .collect();
    let split = b.below(n + 1);
    let mut shuffled = rows.clone();
    b.shuffle(&mut shuffled);

    let whole = tally(rs, &people(&rows));
    let again = tally(rs, &people(&shuffled));
    assert_eq!(whole.is_ok(), again.is_ok(), "row order decides refusal");
    let has_bands = rows.iter().any(|r| r.2.is_some());
    let has_weights = rows.iter().any(|r| r.3.is_some());
    let face = csv::read(persons_csv(&rows, has_bands, has_weights).as_bytes())
        .map(|f| table_register::tally(&f.table, rs));
    let Ok(counts) = whole else {
        if let Ok(face) = face {
            assert!(
                face.is_err(),
                "the tables' face tallies what the core refuses"
            );
        }
        return;
    };
    assert_eq!(
        again.as_ref().ok(),
        Some(&counts),
        "row order changed the counts"
    );

    // Every person once; each cell its people's weights.
    assert_eq!(counts.iter().map(|c| c.persons).sum::<i64>(), n as i64);
    for c in &counts {
        let mine = rows
            .iter()
            .filter(|r| r.1 == c.unit_id && r.2 == c.age_band)
            .collect::<Vec<_>>();
        assert_eq!(
            c.persons,
            mine.len() as i64,
            "{} {:?}",
            c.unit_id,
            c.age_band
        );
        let w: Option<i64> = mine
            .iter()
            .map(|r| {
                r.3.map(|w| weight_millionths(w).expect("a tallied weight is usable"))
            })
            .sum();
        assert_eq!(c.weight_sum, w.filter(|_| has_weights));
    }

    // Two parts, tallied apart and added up.
    let (a, z) = shuffled.split_at(split);
    let ta = tally(rs, &people(a)).expect("part of an accepted register is refused");
    let tz = tally(rs, &people(z)).expect("part of an accepted register is refused");
    let mut parts: Vec<PersonCount> = ta.into_iter().chain(tz).collect();
    assert_eq!(
        merged(&parts),
        merged(&counts),
        "the parts do not add up to the whole"
    );
    let needs = needs_from_counts(rs, &counts).expect("counts of a tally are refused");
    b.shuffle(&mut parts);
    assert_eq!(
        needs_from_counts(rs, &parts).as_ref(),
        Ok(&needs),
        "the parts' counts give other needs"
    );
    assert_eq!(
        register::needs_from_persons(rs, &people(&rows)).as_ref(),
        Ok(&needs)
    );

    // The tables' face: the persons file, and the counts written and read back.
    match face {
        Ok(Ok(c)) => assert_eq!(c, counts, "the tables' face tallies otherwise"),
        Ok(Err(e)) => panic!("the tables' face refuses what the core tallies: {e}"),
        Err(e) => panic!("a written persons file does not read: {e}"),
    }
    let written = csv::write(&write::person_counts(&parts, Face::Cli));
    let read = csv::read(written.as_bytes()).expect("written person counts do not read");
    assert_eq!(
        table_register::needs_from_counts(&read.table, rs).as_ref(),
        Ok(&needs),
        "person counts written and read give other needs"
    );
}
