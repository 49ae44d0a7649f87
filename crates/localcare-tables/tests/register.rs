//! A register through the tables: `persons` into needs, through `person_counts`, and
//! back through the `needs` reader; bad rows named by column and row.

use localcare::Ruleset;
use localcare_tables::spec::Face;
use localcare_tables::{csv, read, register, write};

fn banded() -> Ruleset {
    let text = Ruleset::builtin_toml("kent-medway-2017").unwrap().replace(
        "[allocation.retained_share]",
        "[allocation.age_band_weights]\nunder_65 = \"0.9\"\nover_65 = \"2.5\"\n\n[allocation.retained_share]",
    );
    Ruleset::from_toml_str(&text).unwrap()
}

const REGISTER: &[u8] = b"person_id,practice_id,age_band,hi_weight\n\
a,P1,under_65,0.1\nb,P1,over_65,1.25\nc,P2,under_65,1e-6\nd,P1,under_65,0.2\n";

#[test]
fn persons_become_needs_that_read_back() {
    let rs = banded();
    let t = csv::read(REGISTER).unwrap().table;
    let needs = register::needs_from_persons(&t, &rs).unwrap();
    let out = write::needs(&rs, &needs, Face::Cli);
    assert_eq!(
        csv::write(&out),
        "unit_id,hi_weighted_population,over_65,under_65\nP1,1.550000,1,2\nP2,0.000001,0,1\n"
    );
    // The written table is a needs table: it reads back as the same needs, but for
    // the zero counts written for bands a practice has nobody in.
    let back = read::needs(&csv::read(csv::write(&out).as_bytes()).unwrap().table, &rs).unwrap();
    assert_eq!(back.rows()[0], needs.rows()[0]);

    // Tallied, written, read and finished: the same needs.
    let counts = register::tally(&t, &rs).unwrap();
    let table = write::person_counts(&counts, Face::Cli);
    let again = csv::read(csv::write(&table).as_bytes()).unwrap().table;
    assert_eq!(register::needs_from_counts(&again, &rs).unwrap(), needs);
}

#[test]
fn bad_rows_are_named_by_column_and_row() {
    let rs = banded();
    let cases: [(&[u8], &str); 4] = [
        (
            b"person_id,practice_id,age_band\na,P1,under_65\na,P2,over_65\n",
            "persons: column `person_id`, row 1: person \"a\" is listed more than once (first at row 0); a register counts each person once",
        ),
        (
            b"person_id,unit_id,age_band\na,P1,teen\n",
            "persons: column `age_band`, row 0: \"teen\" is not an age band of ruleset kent-medway-2017; its age bands are: over_65, under_65",
        ),
        (
            b"person_id,unit_id,hi_weight\na,P1,1\nb,P1,-2\n",
            "persons: column `hi_weight`, row 1: weight -2 cannot be used: it is negative; expected 0 or more",
        ),
        (
            b"person_id,unit_id,hi_weight\na,P1,1\nb,P1,\n",
            "persons: column `hi_weight`, row 1: missing; give a weight on every row or on none",
        ),
    ];
    for (input, want) in cases {
        let t = csv::read(input).unwrap().table;
        let e = register::needs_from_persons(&t, &rs).unwrap_err();
        assert_eq!(e.to_string(), want);
    }
    let t = csv::read(b"unit_id,age_band,persons\nP1,under_65,-3\n")
        .unwrap()
        .table;
    assert_eq!(
        register::needs_from_counts(&t, &rs)
            .unwrap_err()
            .to_string(),
        "person_counts: column `persons`, row 0: -3 is negative; expected 0 or more people"
    );
}
