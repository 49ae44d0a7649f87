//! Every output table with no rows, in every face's columns, written by every writer:
//! CSV (whole, and streamed) is the header alone, JSON an empty array. A zero-row
//! category column may have no labels at all, which arrow's `normalized_keys` refuses
//! with a panic: the CSV writer once did (`localcare appraise --sites-per-option 1
//! --format csv --table evaluation` exited 101).

use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchOptions, new_empty_array};
use arrow_schema::{DataType, Field, Schema};
use localcare::Ruleset;
use localcare::allocate::Needs;
use localcare_tables::spec::{self, Direction, Face, Kind};
use localcare_tables::stream::SweepOutput;
use localcare_tables::sweep::Scenarios;
use localcare_tables::{csv, json, read, write};

/// The Arrow type a result column of `kind` is written as.
fn arrow_type(kind: Kind) -> DataType {
    match kind {
        Kind::Int | Kind::Pence => DataType::Int64,
        Kind::Float => DataType::Float64,
        Kind::Bool => DataType::Boolean,
        Kind::Category => DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
        _ => DataType::Utf8,
    }
}

fn csv_streamed(batch: &RecordBatch) -> String {
    let mut out = Vec::new();
    csv::write_to(batch, true, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn json_text(batch: &RecordBatch) -> String {
    let mut out = Vec::new();
    json::write_table(batch, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn check(batch: &RecordBatch, header: &str, what: &str) {
    assert_eq!(batch.num_rows(), 0, "{what}");
    assert_eq!(csv::write(batch), header, "{what}: CSV");
    assert_eq!(csv_streamed(batch), header, "{what}: CSV streamed");
    assert_eq!(json_text(batch), "[]\n", "{what}: JSON");
}

#[test]
fn every_output_table_with_no_rows_writes_its_header() {
    let outputs: Vec<_> = spec::ALL
        .iter()
        .filter(|t| t.direction == Direction::Output)
        .collect();
    // `bridge` is covered by the loop; its writer never makes an empty table (a bridge
    // always has its start and residual rows). `catchment` is empty when no option is
    // shortlisted: the loop covers its columns.
    assert_eq!(outputs.len(), 15, "a new output table: cover it here");
    for t in outputs {
        for face in [Face::Cli, Face::Python, Face::C] {
            let fields: Vec<Field> = t
                .columns
                .iter()
                .filter(|c| c.shown.in_face(face))
                .map(|c| Field::new(c.name, arrow_type(c.kind), true))
                .collect();
            let columns = fields
                .iter()
                .map(|f| new_empty_array(f.data_type()))
                .collect();
            let batch = RecordBatch::try_new_with_options(
                Arc::new(Schema::new(fields)),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(0)),
            )
            .unwrap();
            let header = format!("{}\n", t.names(face).join(","));
            check(&batch, &header, &format!("{} ({face:?})", t.name));
        }
    }
}

#[test]
fn the_writers_own_empty_tables_write_their_header() {
    let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    let head = |t: &spec::TableSpec| format!("{}\n", t.names(Face::Cli).join(","));
    // classification of no units
    let units = csv::read(b"unit_id,population,capabilities\n").unwrap();
    let units = read::units(&units.table, &rs).unwrap();
    let batch = write::classification(&rs, &units, true, Face::Cli);
    check(&batch, &head(&spec::CLASSIFICATION), "classification");
    // settlement of no units
    let batch = write::settlements(&[], Face::Cli);
    check(&batch, &head(&spec::SETTLEMENT), "settlement");
    // answers to no question
    let batch = write::answers(&[], Face::Cli);
    check(&batch, &head(&spec::ANSWERS), "answers");
    // a sweep of no scenarios: its category columns have no labels
    let fp = csv::read(
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/kent-medway-synthetic.csv"
        ))
        .unwrap()
        .as_slice(),
    )
    .unwrap();
    let fp = read::footprint(&fp.table).unwrap();
    let prepared = rs.prepare(&fp, &Needs::default()).unwrap();
    let sweep = SweepOutput::run(prepared.clone(), Scenarios::default()).unwrap();
    let mut out = Vec::new();
    sweep.write_csv(Face::Cli, &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), head(&spec::SWEEP));
    let sweep = SweepOutput::run(prepared, Scenarios::default()).unwrap();
    let mut out = Vec::new();
    sweep.write_json(Face::Cli, &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "[]\n");
}
