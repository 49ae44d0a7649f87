//! The CLI's JSON documents (a result's summary beside its tables' rows), streamed to a
//! writer through [`crate::json`]; and [`cell`], one cell of a result column as text.

use std::io::{self, Write};

use arrow_array::RecordBatch;
use serde_json::Value;

pub use crate::cell::cell;
use crate::json::{JsonRows, Member, write_object};

/// A table's rows streamed as a member of a JSON document.
fn rows_member<'a>(batch: &'a RecordBatch) -> Member<'a> {
    Member::Write(Box::new(move |w, depth| {
        let mut rows = JsonRows::begin(w, depth);
        rows.batch(batch)?;
        rows.end()
    }))
}

/// A validation report as JSON: its summary, and the findings table's rows.
pub fn write_report_json(
    r: &localcare::footprint::Report,
    findings: &RecordBatch,
    w: &mut dyn Write,
) -> io::Result<()> {
    write_object(
        vec![
            ("has_errors", Value::from(r.has_errors()).into()),
            ("units", Value::from(r.units()).into()),
            ("practices", Value::from(r.practices()).into()),
            ("total_population", people_json(r.total_population()).into()),
            (
                "accountable_units",
                Value::from(r.accountable_units()).into(),
            ),
            (
                "aco_count_range",
                Value::from(r.aco_count_range().map(|x| x.to_string())).into(),
            ),
            ("summary", Value::from(r.summary()).into()),
            ("findings", rows_member(findings)),
        ],
        w,
    )
}

/// An allocation as JSON: the budget, the ACO pool, and the allocation table's rows.
pub fn write_allocation_json(
    a: &localcare::allocate::Allocation,
    rows: &RecordBatch,
    w: &mut dyn Write,
) -> io::Result<()> {
    write_object(
        vec![
            ("budget_pence", Value::from(a.budget_pence()).into()),
            ("aco_pool_pence", Value::from(a.aco_pool_pence()).into()),
            ("rows", rows_member(rows)),
        ],
        w,
    )
}

/// An allocation's explanation as JSON: the unit, its allocation and every step with its
/// numbers (`name`, exact `value` text, `unit`), the structured form every face shows.
pub fn explanation_json(e: &localcare::allocate::AllocationExplanation) -> Value {
    let steps: Vec<Value> = e
        .steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "kind": s.kind,
                "unit_id": s.unit_id,
                "text": s.text,
                "numbers": s.numbers.iter().map(|n| serde_json::json!({
                    "name": n.name, "value": n.value, "unit": n.unit,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "unit_id": e.unit_id,
        "tier": e.tier,
        "ruleset": e.ruleset,
        "allocation_pence": e.allocation_pence,
        "steps": steps,
        "text": e.to_text(),
    })
}

/// A shift-left run as JSON: the totals (each the sum of its column; with benchmarks,
/// the settlements' total too) and the `shift` table's rows.
pub fn write_shift_json(
    run: &crate::shift::ShiftRun,
    rows: &RecordBatch,
    w: &mut dyn Write,
) -> io::Result<()> {
    use localcare::money::decimal_text;
    let t = &run.totals;
    let mut totals = serde_json::json!({
        "units": t.units,
        "emergency_admissions": t.emergency_admissions,
        "admissions_avoided": decimal_text(t.admissions_avoided),
        "bed_days_released": decimal_text(t.bed_days_released),
        "beds_released": decimal_text(t.beds_released),
        "gross_savings_pence": t.gross_savings_pence,
        "reinvestment_pence": t.reinvestment_pence,
        "net_savings_pence": t.net_savings_pence,
    });
    let finals: Option<Vec<i64>> = run
        .rows
        .iter()
        .map(|r| r.settlement.as_ref().map(|s| s.final_pence))
        .collect();
    if let Some(f) = finals.filter(|f| !f.is_empty()) {
        // i128: a sum of i64 pence cannot overflow it; shown as a JSON number when it fits.
        let sum: i128 = f.iter().map(|&p| i128::from(p)).sum();
        totals["final_pence"] = i64::try_from(sum).map_or(Value::Null, Value::from);
    }
    write_object(
        vec![("totals", totals.into()), ("rows", rows_member(rows))],
        w,
    )
}

/// The smallest change of one weight that swaps the top two, as JSON (decimals as
/// exact text); `None` when there is none. Every face names its fields so.
pub fn swap_json(a: &localcare::appraise::Appraisal) -> Option<Value> {
    use localcare::money::decimal_text;
    a.swap.as_ref().map(|s| {
        serde_json::json!({
            "criterion": s.criterion,
            "weight": decimal_text(s.weight),
            "tie_weight": decimal_text(s.tie_weight),
            "change": decimal_text(s.change),
            "exact": s.exact,
            "swaps_at_tie": s.swaps_at_tie,
        })
    })
}

/// An appraisal as JSON: what was weighed, the preferred option, the weight change that
/// swaps the top two, the explanation's lines, and the rows of its four tables, each
/// table built when its turn comes and dropped once written, so one is held at a time.
pub fn write_appraisal_json(
    a: &localcare::appraise::Appraisal,
    face: crate::spec::Face,
    w: &mut dyn Write,
) -> io::Result<()> {
    use localcare::money::decimal_text;
    let swap = swap_json(a);
    let table = |make: fn(&localcare::appraise::Appraisal, crate::spec::Face) -> RecordBatch| {
        Member::Write(Box::new(move |w: &mut dyn Write, depth| {
            let batch = make(a, face);
            let mut rows = JsonRows::begin(w, depth);
            rows.batch(&batch)?;
            rows.end()
        }))
    };
    write_object(
        vec![
            ("ruleset", Value::from(a.ruleset.as_str()).into()),
            ("options", Value::from(a.options.len()).into()),
            (
                "long_list",
                a.long_list
                    .map_or(
                        Value::Null,
                        |(lo, hi)| serde_json::json!({"min_sites": lo, "max_sites": hi}),
                    )
                    .into(),
            ),
            ("sites", Value::from(a.sites).into()),
            ("zones", Value::from(a.zones).into()),
            (
                "total_patients",
                Value::from(decimal_text(a.total_patients)).into(),
            ),
            ("shortlisted", Value::from(a.ranking.len()).into()),
            (
                "preferred",
                Value::from(a.preferred().map(|o| o.id.as_str())).into(),
            ),
            ("swap", swap.unwrap_or(Value::Null).into()),
            ("explanation", Value::from(a.explanation()).into()),
            ("appraisal", table(crate::write::appraisal)),
            ("hurdles", table(crate::write::hurdles)),
            ("volumes", table(crate::write::volumes)),
            ("evaluation", table(crate::write::evaluation)),
            ("search", table(crate::write::search)),
            // The preferred option's, as `--table catchment` gives it (none when no
            // option is ranked).
            (
                "catchment",
                table(|a, face| {
                    crate::write::catchment(a, &a.ranking[..a.ranking.len().min(1)], face)
                }),
            ),
        ],
        w,
    )
}

/// A population in JSON: a number when whole (as it always was), else its exact
/// decimal text (a JSON number would be read back as a float).
pub fn people_json(p: localcare::Population) -> Value {
    match p.as_whole() {
        Some(n) => Value::from(n),
        None => Value::from(p.to_string()),
    }
}
