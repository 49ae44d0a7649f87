//! Sweeps as tables: the `scenarios` table (with per-scenario `baselines`) into the
//! core's scenarios, and a [`Sweep`] out as the long `sweep` table, its columns built
//! straight into Arrow buffers (the pence columns are the core's own vectors, moved,
//! not copied).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_buffer::{Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{Field, Schema};
use localcare::Ruleset;
use localcare::allocate::{AllocationError, PreparedFootprint, Scenario, Sweep};

use crate::columns::{Reader, Table};
use crate::error::TableError;
use crate::spec::{self, Face};

type Res<T> = Result<T, TableError>;

/// Scenarios read from a `scenarios` table, in its row order.
#[derive(Debug, Clone, Default)]
pub struct Scenarios {
    /// Scenario ids, unique.
    pub ids: Vec<String>,
    /// The scenarios, one per id.
    pub scenarios: Vec<Scenario>,
}

/// Reads a `scenarios` table under `rs` (whose allocation policy the overrides
/// change), with optional `baselines` (rows with a `scenario` belong to it; rows
/// without one go to every scenario that has none of its own).
pub fn scenarios(t: &Table, rs: &Ruleset, baselines: Option<&Table>) -> Res<Scenarios> {
    let r = Reader::new(t, &spec::SCENARIOS);
    if let Some(other) = t.other_columns(&spec::SCENARIOS).next() {
        return Err(r.err(
            other,
            None,
            format!(
                "unknown column; a scenario has {}",
                spec::SCENARIOS
                    .columns
                    .iter()
                    .map(|c| format!("`{}`", c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let ids = r.ids("scenario")?.unwrap_or_default();
    let n = ids.len();
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (row, id) in ids.iter().enumerate() {
        if let Some(first) = seen.insert(id.as_str(), row) {
            return Err(r.err(
                "scenario",
                Some(row),
                format!("duplicate scenario `{id}` (first in row {first})"),
            ));
        }
    }
    let budget_col = r.find("budget_pence")?.map_or("budget_pence", |f| f.name);
    let budgets = r.ints("budget_pence")?.unwrap_or_default();
    let opt = |name: &str| -> Res<Vec<Option<_>>> {
        Ok(r.decimals(name)?.unwrap_or_else(|| vec![None; n]))
    };
    let (h, share, rate, min_g, max_g) = (
        opt("inequalities_weight")?,
        opt("aco_commissioned_share")?,
        opt("pace_rate")?,
        opt("min_growth")?,
        opt("max_growth")?,
    );
    let base = rs.allocation_policy();
    let mut out = Vec::with_capacity(n);
    for row in 0..n {
        let budget = budgets[row].ok_or_else(|| {
            r.err(
                budget_col,
                Some(row),
                "missing; expected the scenario's budget",
            )
        })?;
        let mut s = Scenario::budget(budget);
        let any_override = [h[row], share[row], rate[row], min_g[row], max_g[row]]
            .iter()
            .any(Option::is_some);
        if any_override {
            let Some(base) = base else {
                return Err(r.err(
                    "scenario",
                    Some(row),
                    format!("overrides a policy but ruleset {} has none", rs.id()),
                ));
            };
            let mut p = base.clone();
            if let Some(v) = h[row] {
                p.inequalities_weight = v;
            }
            if let Some(v) = share[row] {
                p.aco_commissioned_share = v;
            }
            let pace_over = [
                ("pace_rate", rate[row]),
                ("min_growth", min_g[row]),
                ("max_growth", max_g[row]),
            ];
            if let Some((col, _)) = pace_over.iter().find(|(_, v)| v.is_some()) {
                let Some(pace) = p.pace_of_change.as_mut() else {
                    return Err(r.err(
                        col,
                        Some(row),
                        format!(
                            "ruleset {} has no `allocation.pace_of_change` to override",
                            rs.id()
                        ),
                    ));
                };
                if let Some(v) = rate[row] {
                    pace.rate = v;
                }
                if let Some(v) = min_g[row] {
                    pace.min_growth = Some(v);
                }
                if let Some(v) = max_g[row] {
                    pace.max_growth = Some(v);
                }
            }
            s = s.with_policy(p);
        }
        out.push(s);
    }
    if let Some(b) = baselines {
        attach_baselines(b, &ids, &mut out)?;
    }
    Ok(Scenarios {
        ids,
        scenarios: out,
    })
}

/// Puts each `baselines` row on its scenario (or on every scenario, when it names none).
fn attach_baselines(t: &Table, ids: &[String], out: &mut [Scenario]) -> Res<()> {
    let r = Reader::new(t, &spec::BASELINES);
    let rows = crate::read::baselines(t)?;
    let which = r.text("scenario")?;
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut common = Vec::new();
    for (row, b) in rows.into_iter().enumerate() {
        match which
            .as_ref()
            .and_then(|w| w[row].as_deref())
            .filter(|s| !s.is_empty())
        {
            None => common.push(b),
            Some(s) => {
                let &i = index.get(s).ok_or_else(|| {
                    r.err(
                        "scenario",
                        Some(row),
                        format!("no scenario `{s}` in the scenarios table"),
                    )
                })?;
                out[i].baselines.push(b);
            }
        }
    }
    if !common.is_empty() {
        for s in out.iter_mut().filter(|s| s.baselines.is_empty()) {
            s.baselines = common.clone();
        }
    }
    Ok(())
}

/// Runs the sweep, naming a failing scenario by its id and row.
pub fn run(prepared: &PreparedFootprint, s: &Scenarios) -> Result<Sweep, AllocationError> {
    prepared.sweep(&s.scenarios).map_err(|e| match e {
        AllocationError::Scenario { index, source } => AllocationError::NamedScenario {
            id: s.ids.get(index).cloned().unwrap_or_default(),
            row: index,
            source,
        },
        e => e,
    })
}

/// The `sweep` table: one row per scenario and unit (then pot), scenario-major. The
/// sweep's pence vectors become the pence columns without a copy (one buffer serves
/// both when every allocation is its target).
pub fn sweep(ids: &[String], sw: Sweep, face: Face) -> RecordBatch {
    let (s, w) = (sw.scenario_count(), sw.width());
    let rows = s * w;
    let dict = |labels: StringArray, keys: Vec<i32>| -> ArrayRef {
        let keys = Int32Array::new(ScalarBuffer::from(keys), None);
        Arc::new(
            DictionaryArray::<Int32Type>::try_new(keys, Arc::new(labels))
                .expect("keys index labels"),
        )
    };
    let shows = |name: &str| {
        spec::SWEEP
            .column(name)
            .is_some_and(|c| c.shown.in_face(face))
    };
    let distance: Option<ArrayRef> = shows("distance_from_target_ppm").then(|| {
        let mut v = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        for d in sw.distance_from_target_ppm() {
            v.push(d.unwrap_or(0));
            valid.push(d.is_some());
        }
        let nulls = NullBuffer::from(valid);
        Arc::new(Int64Array::new(
            ScalarBuffer::from(v),
            (nulls.null_count() > 0).then_some(nulls),
        )) as ArrayRef
    });
    let unit_labels = StringArray::from_iter_values(sw.row_ids());
    let (allocation, target) = sw.into_pence();
    let allocation = Buffer::from_vec(allocation);
    let target = target.map_or_else(|| allocation.clone(), Buffer::from_vec);
    let pence =
        |b: &Buffer| -> ArrayRef { Arc::new(Int64Array::new(ScalarBuffer::from(b.clone()), None)) };
    let mut distance = distance;
    let mut unit_labels = Some(unit_labels);
    let mut cols: Vec<(&'static str, ArrayRef)> = Vec::with_capacity(5);
    for c in spec::SWEEP.columns.iter().filter(|c| c.shown.in_face(face)) {
        let a: ArrayRef = match c.name {
            "scenario" => {
                let mut keys = Vec::with_capacity(rows);
                for i in 0..s {
                    keys.extend(std::iter::repeat_n(i as i32, w));
                }
                dict(StringArray::from_iter_values(ids.iter().take(s)), keys)
            }
            "unit_id" => {
                let mut keys = Vec::with_capacity(rows);
                for _ in 0..s {
                    keys.extend(0..w as i32);
                }
                dict(unit_labels.take().expect("one unit_id column"), keys)
            }
            "allocation_pence" => pence(&allocation),
            "target_pence" => pence(&target),
            "distance_from_target_ppm" => distance.take().expect("one distance column"),
            other => panic!("sweep.{other} has no writer"),
        };
        cols.push((c.name, a));
    }
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| {
            let required = spec::SWEEP.column(n).is_some_and(|c| c.required);
            Field::new(*n, a.data_type().clone(), a.null_count() > 0 || !required)
        })
        .collect();
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        cols.into_iter().map(|(_, a)| a).collect(),
        &options,
    )
    .expect("sweep columns match their description")
}
