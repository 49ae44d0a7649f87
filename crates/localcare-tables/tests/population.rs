//! Exact fractional populations through the tables: NHS England's adjusted
//! populations (`pop 2022/23`, up to 9 decimal places) read exactly from text, floats
//! and Arrow decimals; bands compare exactly; bad cells named by row and column.
//!
//! The two practices are rows of NHS England's practice-level weighted populations
//! for 2024/25 (`../shared/data/nhs-practice-weighted-populations-2024-25.csv`):
//! A81001 `pop 2022/23` 4068.906409 and Y00212 0.081775254 (the file's smallest).
//! Contains public sector information licensed under the Open Government Licence v3.0.

use std::sync::Arc;

use arrow_array::{ArrayRef, Decimal128Array, Float64Array, Int64Array, StringArray};
use localcare::{Population, Ruleset};
use localcare_tables::spec::Face;
use localcare_tables::{Table, csv, read, write};

fn rs() -> Ruleset {
    Ruleset::builtin("kent-medway-2017").unwrap()
}

fn units(population: ArrayRef, caps: &[&str]) -> Table {
    let n = population.len();
    let caps: ArrayRef = Arc::new(StringArray::from(caps[..n].to_vec()));
    Table::from_columns(
        "units",
        vec![
            ("population".into(), vec![population]),
            ("capabilities".into(), vec![caps]),
        ],
    )
    .unwrap()
}

const T1: &str = "enhanced_in_hours;extended_hours";

#[test]
fn fractional_populations_classify_exactly_from_text() {
    let t = csv::read(
        format!(
            "unit_id,population,capabilities\nA81001,4068.906409,\nY00212,0.081775254,\n\
             E1,19999.5,{T1}\nE2,20000,{T1}\nE3,20000.000000001,{T1}\n"
        )
        .as_bytes(),
    )
    .unwrap()
    .table;
    let rs = rs();
    let u = read::units(&t, &rs).unwrap();
    let out = csv::write(&write::classification(&rs, &u, true, Face::Cli));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "unit_id,population,tier,band_status,reasons");
    assert!(lines[1].starts_with("A81001,4068.906409,gp_practice,in_band,\"extended_practice: population 4,068.906409 below the minimum 20,000"), "{}", lines[1]);
    assert!(
        lines[2].starts_with("Y00212,0.081775254,gp_practice,"),
        "{}",
        lines[2]
    );
    // 19,999.5 is below the 20,000 minimum of an extended practice; 20,000 is in it.
    assert!(lines[3].starts_with("E1,19999.5,gp_practice,in_band,\"extended_practice: population 19,999.5 below the minimum 20,000"), "{}", lines[3]);
    assert!(
        lines[4].starts_with("E2,20000,extended_practice,"),
        "{}",
        lines[4]
    );
    assert!(
        lines[5].starts_with("E3,20000.000000001,extended_practice,"),
        "{}",
        lines[5]
    );
}

#[test]
fn whole_populations_still_come_out_as_int64() {
    let rs = rs();
    let t = csv::read(b"population\n30000\n12\n").unwrap().table;
    let u = read::units(&t, &rs).unwrap();
    assert!(u.exact.is_none());
    let b = write::classification(&rs, &u, false, Face::Python);
    let col = b.column_by_name("population").unwrap();
    assert_eq!(col.data_type(), &arrow_schema::DataType::Int64);
    // A float column of whole numbers (pandas after a NaN) is whole too.
    let f: ArrayRef = Arc::new(Float64Array::from(vec![30000.0, 12.0]));
    let u = read::units(&units(f, &["", ""]), &rs).unwrap();
    assert!(u.exact.is_none());
    assert_eq!(u.populations, [30000, 12]);
}

#[test]
fn floats_and_arrow_decimals_read_exactly() {
    let rs = rs();
    let want: Vec<Population> = ["4068.906409", "0.081775254"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let f: ArrayRef = Arc::new(Float64Array::from(vec![4068.906409, 0.081775254]));
    assert_eq!(
        read::units(&units(f, &["", ""]), &rs)
            .unwrap()
            .exact
            .unwrap(),
        want
    );
    let d: ArrayRef = Arc::new(
        Decimal128Array::from(vec![4_068_906_409_000_000i128, 81_775_254_000])
            .with_precision_and_scale(38, 12)
            .unwrap(),
    );
    assert_eq!(
        read::units(&units(d, &["", ""]), &rs)
            .unwrap()
            .exact
            .unwrap(),
        want
    );
    let out = write::classification(
        &rs,
        &read::units(
            &units(
                Arc::new(Float64Array::from(vec![4068.906409, 0.081775254])),
                &["", ""],
            ),
            &rs,
        )
        .unwrap(),
        false,
        Face::Python,
    );
    let col = out.column_by_name("population").unwrap();
    let text = col.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(text.value(0), "4068.906409");
    assert_eq!(text.value(1), "0.081775254");
}

#[test]
fn bad_populations_name_their_row_and_column() {
    let rs = rs();
    let cases: [(ArrayRef, usize, &str); 7] = [
        (
            Arc::new(StringArray::from(vec!["1", "0.1234567891"])),
            1,
            "units: column `population`, row 1: population 0.1234567891 has 10 decimal places; at most 9 are kept exactly, and the library does not round",
        ),
        (
            Arc::new(StringArray::from(vec!["1", "-5"])),
            1,
            "units: column `population`, row 1: population -5 is negative; expected 0 or more",
        ),
        (
            Arc::new(StringArray::from(vec!["NaN", "1"])),
            0,
            "units: column `population`, row 0: population `NaN` is not a number of people; expected a decimal such as 8843.471177",
        ),
        (
            Arc::new(StringArray::from(vec!["1", "1,5"])),
            1,
            "units: column `population`, row 1: population `1,5` is not a number of people; expected a decimal such as 8843.471177",
        ),
        (
            Arc::new(Float64Array::from(vec![1.0, -2.5])),
            1,
            "units: column `population`, row 1: population -2.5 is negative; expected 0 or more",
        ),
        (
            Arc::new(Float64Array::from(vec![f64::INFINITY, 1.0])),
            0,
            "units: column `population`, row 0: population `inf` is not a number of people; expected a decimal such as 8843.471177",
        ),
        (
            Arc::new(
                Decimal128Array::from(vec![10i128, 1])
                    .with_precision_and_scale(20, 10)
                    .unwrap(),
            ),
            1,
            "units: column `population`, row 1: population 0.0000000001 has 10 decimal places; at most 9 are kept exactly, and the library does not round",
        ),
    ];
    for (col, row, want) in cases {
        let e = read::units(&units(col, &["", ""]), &rs).unwrap_err();
        assert_eq!(e.to_string(), want);
        assert_eq!(e.row, Some(row));
        assert_eq!(e.column.as_deref(), Some("population"));
    }
    // A float's NaN is pandas' empty cell: missing, named as such.
    let e = read::units(
        &units(Arc::new(Float64Array::from(vec![1.0, f64::NAN])), &["", ""]),
        &rs,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "units: column `population`, row 1: missing; expected a number of people (population)"
    );
}

fn footprint_csv(p1: &str, p2: &str) -> Table {
    csv::read(
        format!(
            "unit_id,parent_id,declared_tier,population,capabilities\n\
             A1,,aco,,population_accountability;capitated_budget\n\
             H1,A1,mcp_hub,,mdt;mental_health;seven_day\n\
             A81001,H1,gp_practice,{p1},\n\
             Y00212,H1,gp_practice,{p2},\n"
        )
        .as_bytes(),
    )
    .unwrap()
    .table
}

#[test]
fn a_footprint_of_two_real_practices_sums_exactly() {
    let rs = rs();
    let fp = read::footprint(&footprint_csv("4068.906409", "0.081775254")).unwrap();
    let r = rs.validate(&fp);
    assert_eq!(r.total_population().to_string(), "4068.988184254");
    assert!(
        r.summary()
            .starts_with("4 units, 2 practices, population 4,068.988184254; 1 aco"),
        "{}",
        r.summary()
    );
    let text = r.to_text();
    assert!(
        text.contains("LC205 H1: H1 is declared mcp_hub but its population 4,068.988184254 is below the band 50,000–200,000"),
        "{text}"
    );
    let pops = rs.unit_populations(&fp);
    assert_eq!(pops["H1"].to_string(), "4068.988184254");
    // JSON keeps the exact total as text (a number when whole).
    let mut json = Vec::new();
    let findings = write::findings(&r, Face::Cli);
    localcare_tables::format::write_report_json(&r, &findings, &mut json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["total_population"], "4068.988184254");
}

#[test]
fn an_empty_practice_population_is_a_finding_and_a_bad_one_an_error() {
    let rs = rs();
    let fp = read::footprint(&footprint_csv("4068.906409", "")).unwrap();
    let r = rs.validate(&fp);
    assert!(
        r.to_text()
            .contains("LC201 Y00212: practice Y00212 has no population"),
        "{}",
        r.to_text()
    );
    let e = read::footprint(&footprint_csv("4068.9064090001", "1")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "footprint: column `population`, row 2: population 4068.9064090001 has 10 decimal places; at most 9 are kept exactly, and the library does not round"
    );
    let e = read::footprint(&footprint_csv("1", "-0.5")).unwrap_err();
    assert_eq!((e.row, e.column.as_deref()), (Some(3), Some("population")));
    // Whole int64 columns read as before.
    let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(5), None]));
    let t = Table::from_columns(
        "footprint",
        vec![
            (
                "unit_id".into(),
                vec![Arc::new(StringArray::from(vec!["P1", "H1"])) as ArrayRef],
            ),
            (
                "parent_id".into(),
                vec![Arc::new(StringArray::from(vec![Some("H1"), None])) as ArrayRef],
            ),
            (
                "declared_tier".into(),
                vec![Arc::new(StringArray::from(vec!["gp_practice", "mcp_hub"])) as ArrayRef],
            ),
            ("population".into(), vec![ints]),
        ],
    )
    .unwrap();
    let fp = read::footprint(&t).unwrap();
    assert_eq!(fp.units()[0].population, Some(Population::whole(5)));
}
