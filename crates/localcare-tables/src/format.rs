//! One cell of a result column as text or JSON, the same for CSV and JSON output.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int8Type, Int16Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use serde_json::{Map, Value};

/// Appends the text of `a[row]` to `out`; a null is empty.
pub fn cell(a: &ArrayRef, row: usize, out: &mut String) {
    if a.is_null(row) {
        return;
    }
    match a.data_type() {
        DataType::Utf8 => out.push_str(a.as_string::<i32>().value(row)),
        DataType::Int64 => {
            let _ = write!(out, "{}", a.as_primitive::<Int64Type>().value(row));
        }
        DataType::Float64 => {
            let _ = write!(out, "{}", a.as_primitive::<Float64Type>().value(row));
        }
        DataType::Boolean => out.push_str(if a.as_boolean().value(row) {
            "true"
        } else {
            "false"
        }),
        // Result categories have 8- or 16-bit keys (see `write::coded`), a sweep's
        // 32-bit keys (see `sweep::sweep`).
        DataType::Dictionary(k, _) => match k.as_ref() {
            DataType::Int32 => {
                let d = a.as_dictionary::<Int32Type>();
                cell(d.values(), d.keys().value(row) as usize, out);
            }
            DataType::Int8 => {
                let d = a.as_dictionary::<Int8Type>();
                cell(d.values(), d.keys().value(row) as usize, out);
            }
            DataType::Int16 => {
                let d = a.as_dictionary::<Int16Type>();
                cell(d.values(), d.keys().value(row) as usize, out);
            }
            _ => {}
        },
        // Result columns are of the types above.
        _ => {}
    }
}

fn json_cell(a: &ArrayRef, row: usize) -> Value {
    if a.is_null(row) {
        return Value::Null;
    }
    match a.data_type() {
        DataType::Int64 => Value::from(a.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => Value::from(a.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => Value::Bool(a.as_boolean().value(row)),
        _ => {
            let mut s = String::new();
            cell(a, row, &mut s);
            Value::String(s)
        }
    }
}

/// A result batch as JSON: an array of one object per row, keyed by column name.
pub fn json_rows(batch: &RecordBatch) -> Value {
    let schema = batch.schema();
    let rows = (0..batch.num_rows())
        .map(|row| {
            let mut m = Map::with_capacity(batch.num_columns());
            for (f, a) in schema.fields().iter().zip(batch.columns()) {
                m.insert(f.name().clone(), json_cell(a, row));
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(rows)
}

/// A validation report as JSON: its summary, and the findings table's rows.
pub fn report_json(r: &localcare::footprint::Report, findings: &RecordBatch) -> Value {
    serde_json::json!({
        "has_errors": r.has_errors(),
        "units": r.units(),
        "practices": r.practices(),
        "total_population": r.total_population(),
        "accountable_units": r.accountable_units(),
        "aco_count_range": r.aco_count_range().map(|x| x.to_string()),
        "summary": r.summary(),
        "findings": json_rows(findings),
    })
}

/// An allocation as JSON: the budget, the ACO pool, and the allocation table's rows.
pub fn allocation_json(a: &localcare::allocate::Allocation, rows: &RecordBatch) -> Value {
    serde_json::json!({
        "budget_pence": a.budget_pence(),
        "aco_pool_pence": a.aco_pool_pence(),
        "rows": json_rows(rows),
    })
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
pub fn shift_json(run: &crate::shift::ShiftRun, rows: &RecordBatch) -> Value {
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
    serde_json::json!({ "totals": totals, "rows": json_rows(rows) })
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
/// swaps the top two, the explanation's lines, and the rows of its four tables.
pub fn appraisal_json(a: &localcare::appraise::Appraisal, face: crate::spec::Face) -> Value {
    use localcare::money::decimal_text;
    let swap = swap_json(a);
    serde_json::json!({
        "ruleset": a.ruleset,
        "options": a.options.len(),
        "long_list": a.long_list.map(|(lo, hi)| serde_json::json!({"min_sites": lo, "max_sites": hi})),
        "sites": a.sites,
        "zones": a.zones,
        "total_patients": decimal_text(a.total_patients),
        "shortlisted": a.ranking.len(),
        "preferred": a.preferred().map(|o| o.id.as_str()),
        "swap": swap,
        "explanation": a.explanation(),
        "appraisal": json_rows(&crate::write::appraisal(a, face)),
        "hurdles": json_rows(&crate::write::hurdles(a, face)),
        "volumes": json_rows(&crate::write::volumes(a, face)),
        "evaluation": json_rows(&crate::write::evaluation(a, face)),
    })
}
