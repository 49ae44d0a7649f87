use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

/// The built-in ruleset with two ILLUSTRATIVE age bands.
fn banded() -> Ruleset {
    let text = Ruleset::builtin_toml("kent-medway-2017").unwrap().replace(
        "[allocation.retained_share]",
        "[allocation.age_band_weights]\nunder_65 = \"0.9\"\nover_65 = \"2.5\"\n\n[allocation.retained_share]",
    );
    Ruleset::from_toml_str(&text).unwrap()
}

fn person<'a>(id: &'a str, unit: &'a str, band: &'a str, w: &str) -> Person<'a> {
    Person {
        person_id: id,
        unit_id: unit,
        age_band: Some(band),
        weight: Some(w.parse().unwrap()),
    }
}

#[test]
fn counts_and_weights_by_practice() {
    let rs = banded();
    let people = [
        person("a", "P2", "over_65", "1.5"),
        person("b", "P1", "under_65", "0.333333"),
        person("c", "P1", "under_65", "0.333333"),
        person("d", "P1", "over_65", "2"),
    ];
    let counts = tally(&rs, &people).unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (
                c.unit_id.as_str(),
                c.age_band.as_deref(),
                c.persons,
                c.weight_sum
            ))
            .collect::<Vec<_>>(),
        [
            ("P1", Some("over_65"), 1, Some(2_000_000)),
            ("P1", Some("under_65"), 2, Some(666_666)),
            ("P2", Some("over_65"), 1, Some(1_500_000)),
        ]
    );
    let needs = needs_from_persons(&rs, &people).unwrap();
    let (id, p1) = &needs.rows()[0];
    assert_eq!(id, "P1");
    assert_eq!(p1.age_counts["under_65"], 2);
    assert_eq!(p1.age_counts["over_65"], 1);
    assert_eq!(p1.hi_weighted_population, Some(Decimal::new(2_666_666, 6)));
    assert_eq!(needs.rows()[1].0, "P2");
}

#[test]
fn weights_round_half_to_even_once_per_person() {
    assert_eq!(weight_millionths("0.0000005".parse().unwrap()), Ok(0));
    assert_eq!(weight_millionths("0.0000015".parse().unwrap()), Ok(2));
    assert_eq!(
        weight_millionths("1000".parse().unwrap()),
        Ok(1_000_000_000)
    );
    assert!(weight_millionths("1000.000001".parse().unwrap()).is_err());
    assert!(weight_millionths("-0.1".parse().unwrap()).is_err());
    assert_eq!(weight_millionths("-0".parse().unwrap()), Ok(0));
}

#[test]
fn bad_registers_are_errors_at_their_row() {
    let rs = banded();
    let e = tally(
        &rs,
        &[
            person("a", "P1", "under_65", "1"),
            person("a", "P2", "over_65", "1"),
        ],
    )
    .unwrap_err();
    assert_eq!(
        e,
        RegisterError::DuplicatePerson {
            row: 1,
            first: 0,
            person_id: "a".into()
        }
    );
    assert_eq!(e.field(), Some("person_id"));

    let e = tally(&rs, &[person("a", "P1", "teen", "1")]).unwrap_err();
    assert_eq!(e.row(), Some(0));
    assert_eq!(
        e.to_string(),
        "\"teen\" is not an age band of ruleset kent-medway-2017; its age bands are: over_65, under_65"
    );

    let e = tally(&rs, &[person("a", "P1", "under_65", "-1")]).unwrap_err();
    assert_eq!(e.field(), Some("weight"));
    assert!(e.to_string().contains("negative"), "{e}");

    let mut no_weight = person("b", "P1", "under_65", "1");
    no_weight.weight = None;
    let e = tally(&rs, &[person("a", "P1", "under_65", "1"), no_weight]).unwrap_err();
    assert_eq!(e, RegisterError::MissingWeight { row: 1 });

    let mut no_band = person("b", "P1", "under_65", "1");
    no_band.age_band = None;
    let e = tally(&rs, &[no_band, person("a", "P1", "under_65", "1")]).unwrap_err();
    assert_eq!(e, RegisterError::MissingAgeBand { row: 0 });

    // The built-in ruleset has no age bands: a banded register is an error naming that.
    let plain = Ruleset::builtin("kent-medway-2017").unwrap();
    let e = tally(&plain, &[person("a", "P1", "under_65", "1")]).unwrap_err();
    assert!(e.to_string().contains("its age bands are: none"), "{e}");

    let e = needs_from_counts(
        &rs,
        &[PersonCount {
            unit_id: "P1".into(),
            age_band: Some("under_65".into()),
            persons: -1,
            weight_sum: None,
        }],
    )
    .unwrap_err();
    assert_eq!(e, RegisterError::NegativeCount { row: 0, count: -1 });
}

#[test]
fn registers_without_bands_sum_weights_only() {
    let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    let people = [
        Person {
            person_id: "a",
            unit_id: "P1",
            age_band: None,
            weight: Some(Decimal::new(12, 1)),
        },
        Person {
            person_id: "b",
            unit_id: "P1",
            age_band: None,
            weight: Some(Decimal::new(8, 1)),
        },
    ];
    let needs = needs_from_persons(&rs, &people).unwrap();
    let (_, n) = &needs.rows()[0];
    assert!(n.age_counts.is_empty());
    assert_eq!(n.hi_weighted_population, Some(Decimal::new(2_000_000, 6)));
}

proptest! {
    /// Tallying parts of a register and adding the counts gives what the whole gives:
    /// what lets Spark split the work.
    #[test]
    fn split_tallies_add_up(
        rows in proptest::collection::vec((0u8..5, any::<bool>(), 0u32..3_000_000), 0..60),
        cut in 0usize..60,
    ) {
        let rs = banded();
        let ids: Vec<String> = (0..rows.len()).map(|i| format!("p{i}")).collect();
        let units: Vec<String> = rows.iter().map(|r| format!("P{}", r.0)).collect();
        let people: Vec<Person<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| Person {
                person_id: &ids[i],
                unit_id: &units[i],
                age_band: Some(if r.1 { "over_65" } else { "under_65" }),
                weight: Some(Decimal::new(i64::from(r.2), 6)),
            })
            .collect();
        let cut = cut.min(people.len());
        let mut parts = tally(&rs, &people[..cut]).unwrap();
        parts.extend(tally(&rs, &people[cut..]).unwrap());
        prop_assert_eq!(
            needs_from_counts(&rs, &parts).unwrap(),
            needs_from_persons(&rs, &people).unwrap()
        );
    }
}
