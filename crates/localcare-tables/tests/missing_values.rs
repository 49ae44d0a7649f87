//! A missing value means the same whatever type its column was given (notebook
//! conventions, issue 25 item 4): pandas reads an empty CSV column as float64 (NaN,
//! which reaches Arrow as nulls), polars as its Null type, a pyarrow table as nulls of
//! any type. A column whose every value is null reads as a column of missing values,
//! and whether a value may be missing is the column's description's to say.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, NullArray, StringArray};
use localcare::Ruleset;
use localcare_tables::{Table, read, sweep};

fn table(what: &'static str, cols: Vec<(&str, ArrayRef)>) -> Table {
    Table::from_columns(
        what,
        cols.into_iter()
            .map(|(n, a)| (n.to_string(), vec![a]))
            .collect(),
    )
    .unwrap()
}

/// The empty overrides of a `scenarios` table, as each kind of table gives them.
fn empties() -> Vec<(&'static str, ArrayRef)> {
    vec![
        (
            "float nulls (pandas NaN)",
            Arc::new(Float64Array::from(vec![None, None])),
        ),
        (
            "text nulls",
            Arc::new(StringArray::from(vec![None::<&str>, None])),
        ),
        ("int nulls", Arc::new(Int64Array::from(vec![None, None]))),
        ("Null type (polars)", Arc::new(NullArray::new(2))),
    ]
}

#[test]
fn an_empty_override_keeps_the_rulesets_value_whatever_its_type() {
    let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    for (what, empty) in empties() {
        let t = table(
            "scenarios",
            vec![
                ("scenario", Arc::new(StringArray::from(vec!["a", "b"]))),
                ("budget_pence", Arc::new(Int64Array::from(vec![100, 200]))),
                ("pace_rate", empty),
            ],
        );
        let s = sweep::scenarios(&t, &rs, None).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            s.scenarios.iter().all(|s| s.policy.is_none()),
            "{what}: an empty override is the ruleset's"
        );
    }
}

#[test]
fn a_column_of_missing_capabilities_reads_as_none_whatever_its_type() {
    for (what, empty) in empties() {
        let t = table(
            "footprint",
            vec![
                ("unit_id", Arc::new(StringArray::from(vec!["A", "P1"]))),
                (
                    "parent_id",
                    Arc::new(StringArray::from(vec![None, Some("A")])),
                ),
                (
                    "declared_tier",
                    Arc::new(StringArray::from(vec!["aco", "gp_practice"])),
                ),
                (
                    "population",
                    Arc::new(Int64Array::from(vec![None, Some(5000)])),
                ),
                ("capabilities", empty),
            ],
        );
        let fp = read::footprint(&t).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(fp.len(), 2, "{what}");
    }
}

#[test]
fn a_missing_required_value_is_still_an_error_naming_its_row() {
    let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    let t = table(
        "scenarios",
        vec![
            ("scenario", Arc::new(StringArray::from(vec!["a", "b"]))),
            (
                "budget_pence",
                Arc::new(Float64Array::from(vec![None, None])),
            ),
        ],
    );
    let e = sweep::scenarios(&t, &rs, None).unwrap_err().to_string();
    assert!(
        e.contains("budget_pence") && e.contains("row 0") && e.contains("missing"),
        "{e}"
    );
}
