//! Every output table of `localcare-tables` written from a drawn core result, zero rows
//! included, as CSV and JSON, and read back where a reader exists.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use localcare::allocate::{Need, Needs, Scenario};
use localcare::appraise::{
    AppraisalInput, AppraisalOption, AppraisalRequest, Site, TravelTime, Zone,
};
use localcare::register::{self, PersonCount};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare::shift::ShiftInput;
use localcare_tables::shift::{self as table_shift, ShiftBenchmark};
use localcare_tables::spec::{self, Face, TableSpec};
use localcare_tables::{Reader, csv, format, json, read, register as table_register, sweep, write};

use crate::Bytes;
use crate::fixtures::{banded_ruleset, default_ruleset, footprint, stroke_ruleset};

/// A written table against itself: the CSV reads back with the same header and rows,
/// each described column's cells the text the writer gave them (trimmed, empty as
/// none); streaming the CSV gives the same bytes; the streamed JSON parses, one object
/// of every column per row.
fn written(batch: &RecordBatch, spec: &'static TableSpec) -> String {
    let name = spec.name;
    let text = csv::write(batch);
    let mut streamed = Vec::new();
    csv::write_to(batch, true, &mut streamed).expect("writing to memory cannot fail");
    assert_eq!(streamed, text.as_bytes(), "{name}: streamed CSV differs");
    let read = csv::read(text.as_bytes())
        .unwrap_or_else(|e| panic!("{name}: the written CSV does not read: {e}\n{text}"));
    let t = &read.table;
    let schema = batch.schema();
    assert_eq!(t.rows(), batch.num_rows(), "{name}: rows read back");
    assert!(
        t.names()
            .eq(schema.fields().iter().map(|f| f.name().as_str())),
        "{name}: header read back"
    );
    let r = Reader::new(t, spec);
    for (f, a) in schema.fields().iter().zip(batch.columns()) {
        if spec.column(f.name()).is_none() {
            continue;
        }
        let cells = r
            .text(f.name())
            .unwrap_or_else(|e| panic!("{name}.{}: {e}", f.name()))
            .unwrap_or_else(|| panic!("{name}.{} not read back", f.name()));
        for (row, got) in cells.iter().enumerate() {
            let mut want = String::new();
            format::cell(a, row, &mut want);
            let want = want.trim();
            assert_eq!(
                got.as_deref(),
                (!want.is_empty()).then_some(want),
                "{name}.{} row {row} read back",
                f.name()
            );
        }
    }
    let json = parsed(|w| json::write_table(batch, w));
    let rows = json.as_array().expect("JSON rows are an array");
    assert_eq!(rows.len(), batch.num_rows(), "{name}: JSON rows");
    for row in rows {
        assert_eq!(
            row.as_object().map(|o| o.len()),
            Some(batch.num_columns()),
            "{name}: a JSON row without every column"
        );
    }
    text
}

/// A JSON document written to memory, parsed: it must be valid JSON.
fn parsed(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> serde_json::Value {
    let mut out = Vec::new();
    write(&mut out).expect("writing to memory cannot fail");
    serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "written JSON does not parse: {e}\n{}",
            String::from_utf8_lossy(&out)
        )
    })
}

/// Up to four shift units, each parameter given or the ruleset's.
fn shift_inputs(b: &mut Bytes<'_>) -> Vec<ShiftInput> {
    (0..b.below(4)).map(|i| crate::shift::input(b, i)).collect()
}

/// An appraisal input of up to four sites (with the stroke ruleset's measures and
/// capability now and then), up to four zones and any travel times.
fn appraisal_input(b: &mut Bytes<'_>) -> AppraisalInput {
    let sites: Vec<Site> = (0..1 + b.below(4))
        .map(|i| {
            let mut s = Site::new(format!("S{i}"), b.count());
            if b.u8() % 4 != 0 {
                s.capabilities.push("seven_day_consultant".into());
            }
            for m in ["esd_share", "thrombolysed_60min", "admitted_4h"] {
                if b.u8() % 8 != 0 {
                    s.measures.insert(m.into(), b.share());
                }
            }
            s
        })
        .collect();
    let zones: Vec<Zone> = (0..1 + b.below(4))
        .map(|i| match b.u8() % 3 {
            0 => Zone::population(format!("Z{i}"), b.count()),
            _ => Zone {
                id: format!("Z{i}"),
                strokes: Some(b.quantity()),
                population: None,
                in_area: true,
            },
        })
        .collect();
    let mut travel = Vec::new();
    for z in &zones {
        for s in &sites {
            if b.u8() % 4 != 0 {
                travel.push(TravelTime {
                    zone_id: z.id.clone(),
                    site_id: s.id.clone(),
                    minutes: b.quantity(),
                });
            }
        }
    }
    AppraisalInput {
        sites,
        zones,
        travel,
        matrix: None,
    }
}

/// The request: the long list of a drawn range, or a few options of their own (none
/// at all now and then).
fn appraisal_request(b: &mut Bytes<'_>, input: &AppraisalInput) -> AppraisalRequest {
    let mut request = AppraisalRequest::default();
    if b.flag() {
        let options = (0..b.below(3))
            .map(|i| AppraisalOption {
                id: format!("O{i}"),
                sites: input
                    .sites
                    .iter()
                    .filter(|_| b.flag())
                    .map(|s| s.id.clone())
                    .collect(),
            })
            .collect();
        request.options = Some(options);
    } else {
        let lo = 1 + b.below(input.sites.len());
        request.sites_per_option = Some((lo, lo + b.below(input.sites.len() + 1 - lo)));
    }
    request
}

/// One output table kind, by the first byte, from a drawn core result of a few rows
/// (often none), for a drawn face: written and checked as [`written`] says, the
/// result's own JSON made, and where a reader exists (needs, person counts) the table
/// read back and written again to the same bytes. Never a panic.
pub fn writers(data: &[u8]) {
    let mut b = Bytes(data);
    let kind = b.u8() % 11;
    let face = [Face::Cli, Face::Python, Face::C][b.below(3)];
    let rs = default_ruleset();
    let n = b.below(5);
    match kind {
        0 => {
            let caps: Vec<&str> = rs.capabilities().iter().map(|c| c.id()).collect();
            let mut text = String::from("unit_id,population,capabilities\n");
            for i in 0..n {
                let mine: Vec<&str> = caps.iter().copied().filter(|_| b.flag()).collect();
                text += &format!("U{i},{},{}\n", b.u32() % 1_000_000, mine.join(";"));
            }
            let file = csv::read(text.as_bytes()).expect("a units file reads");
            let units = read::units(&file.table, rs).expect("drawn units are valid");
            let batch = write::classification(rs, &units, b.flag(), face);
            written(&batch, &spec::CLASSIFICATION);
        }
        1 => {
            let rs = banded_ruleset();
            let bands = register::age_bands(rs);
            let with_hi = b.flag();
            let with_ages = b.flag();
            let needs: Needs = (0..n)
                .map(|i| {
                    let need = Need {
                        hi_weighted_population: with_hi
                            .then(|| Decimal::new(b.i64() >> (b.u8() % 64), 6).abs()),
                        age_counts: if with_ages {
                            bands
                                .iter()
                                .map(|band| (band.clone(), u64::from(b.u32())))
                                .collect()
                        } else {
                            BTreeMap::new()
                        },
                        ..Need::default()
                    };
                    (format!("P{i}"), need)
                })
                .collect();
            let text = written(&write::needs(rs, &needs, face), &spec::NEEDS);
            let file = csv::read(text.as_bytes()).expect("written needs read");
            let again = read::needs(&file.table, rs).expect("written needs are refused");
            assert_eq!(
                csv::write(&write::needs(rs, &again, face)),
                text,
                "needs read back write otherwise"
            );
        }
        2 => {
            let counts: Vec<PersonCount> = (0..n)
                .map(|i| PersonCount {
                    unit_id: format!("P{}", i / 2),
                    age_band: b.maybe(|b| ["under_18", "adult", "over_65"][b.below(3)].to_string()),
                    persons: b.count(),
                    weight_sum: b.maybe(Bytes::i64),
                })
                .collect();
            let text = written(&write::person_counts(&counts, face), &spec::PERSON_COUNTS);
            let file = csv::read(text.as_bytes()).expect("written person counts read");
            let again = table_register::counts(&file.table).expect("written counts are refused");
            assert_eq!(again, counts, "person counts read back otherwise");
        }
        3 => {
            let (fp, _, _) = footprint(&mut b);
            let fp = if n == 0 {
                localcare::Footprint::new(Vec::new())
            } else {
                fp
            };
            let report = rs.validate(&fp);
            let batch = write::findings(&report, face);
            written(&batch, &spec::FINDINGS);
            parsed(|w| format::write_report_json(&report, &batch, w));
        }
        4 => {
            let (fp, needs, acos) = footprint(&mut b);
            let Ok(prepared) = rs.prepare(&fp, &needs) else {
                return;
            };
            let mut s = Scenario::budget(b.pence());
            if b.flag() {
                s.baselines = acos.iter().map(|a| (a.clone(), b.pence())).collect();
            }
            let Ok(a) = prepared.allocate(&s) else {
                return;
            };
            let batch = write::allocation(&a, rs, None, face);
            written(&batch, &spec::ALLOCATION);
            let labels = write::AllocationLabels::new(&a, rs);
            assert_eq!(write::allocation(&a, rs, Some(&labels), face), batch);
            parsed(|w| format::write_allocation_json(&a, &batch, w));
            let _ = a.to_text();
        }
        5 => {
            let (fp, needs, _) = footprint(&mut b);
            let Ok(prepared) = rs.prepare(&fp, &needs) else {
                return;
            };
            let scenarios: Vec<Scenario> = (0..n).map(|_| Scenario::budget(b.pence())).collect();
            let ids: Vec<String> = (0..n).map(|i| format!("S{i}")).collect();
            let Ok(sw) = prepared.sweep(&scenarios) else {
                return;
            };
            let rows = sw.scenario_count() * sw.width();
            let batch = sweep::sweep(&ids, sw, face);
            assert_eq!(batch.num_rows(), rows);
            written(&batch, &spec::SWEEP);
        }
        6 => {
            let inputs: Vec<SettlementInput> = (0..n)
                .map(|i| SettlementInput {
                    unit_id: format!("A{i}"),
                    benchmark_pence: b.pence(),
                    actual_pence: b.pence(),
                    assigned_population: u64::from(b.u32() % 100_000),
                    quality: b.share(),
                    participant_revenue_pence: b.maybe(Bytes::pence),
                })
                .collect();
            if let Ok(s) = rs.settle_batch(&inputs) {
                written(&write::settlements(&s, face), &spec::SETTLEMENT);
            }
        }
        7 => {
            let inputs = shift_inputs(&mut b);
            let benchmarks: Option<Vec<ShiftBenchmark>> = b.flag().then(|| {
                inputs
                    .iter()
                    .map(|_| ShiftBenchmark {
                        benchmark_pence: b.pence(),
                        assigned_population: u64::from(b.u32() % 100_000),
                        quality: b.maybe(Bytes::share),
                    })
                    .collect()
            });
            if let Ok(run) = table_shift::run(rs, &inputs, benchmarks.as_deref()) {
                let batch = write::shift(&run, face);
                written(&batch, &spec::SHIFT);
                parsed(|w| format::write_shift_json(&run, &batch, w));
            }
        }
        8 => {
            let inputs = shift_inputs(&mut b);
            let reductions: Vec<Decimal> = (0..n).map(|_| b.share()).collect();
            if let Ok(runs) = table_shift::sweep(rs, &inputs, None, &reductions) {
                written(&write::reductions(&runs, face), &spec::REDUCTIONS);
            }
        }
        9 => {
            let inputs = shift_inputs(&mut b);
            let mut answers = Vec::new();
            for i in &inputs {
                if let Ok(a) = rs.break_even_reduction(i) {
                    answers.push(("break_even", Some(i.unit_id.as_str()), a));
                }
            }
            if let Ok(a) = rs.reduction_for_target(&inputs, b.pence()) {
                answers.push(("target", None, a));
            }
            let rows: Vec<_> = answers.iter().map(|(q, u, a)| (*q, *u, a)).collect();
            written(&write::answers(&rows, face), &spec::ANSWERS);
        }
        _ => {
            let rs = stroke_ruleset();
            let input = appraisal_input(&mut b);
            let request = appraisal_request(&mut b, &input);
            let Ok(a) = rs.appraise(&input, &request) else {
                return;
            };
            written(&write::appraisal(&a, face), &spec::APPRAISAL);
            written(&write::hurdles(&a, face), &spec::HURDLES);
            written(&write::volumes(&a, face), &spec::VOLUMES);
            written(&write::evaluation(&a, face), &spec::EVALUATION);
            parsed(|w| format::write_appraisal_json(&a, face, w));
            let _ = localcare_tables::appraise::explanation(&a);
        }
    }
}
