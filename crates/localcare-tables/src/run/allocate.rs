//! `allocate`: a budget over the `footprint` table (with optional `needs` and
//! `baselines`) into the `allocation` table; and the sweep, many `scenarios` over the
//! one footprint into the `sweep` table.

use arrow_array::RecordBatch;
use localcare::allocate::{Allocation, AllocationError, AllocationExplanation, Scenario, Sweep};
use localcare::{Needs, PreparedFootprint, Ruleset};

use super::{Place, RunError};
use crate::spec::{self, Face};
use crate::stream::SweepOutput;
use crate::write::AllocationLabels;
use crate::{Table, format, read, sweep, write};

/// The input tables of an allocation.
#[derive(Debug, Clone, Copy)]
pub struct AllocateTables<'a> {
    /// The `footprint` table.
    pub footprint: &'a Table,
    /// The `needs` table; `None` for none.
    pub needs: Option<&'a Table>,
    /// The `baselines` table; `None` for [`AllocateOptions::baselines`].
    pub baselines: Option<&'a Table>,
}

/// Options of a single allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocateOptions {
    /// The budget, pence.
    pub budget_pence: i64,
    /// ACO baselines `(unit_id, pence)` given as values rather than a table (a face's
    /// mapping); ignored when the `baselines` table is given.
    pub baselines: Vec<(String, i64)>,
    /// Budget lines `(line, pence)`: when given, the budget is their sum and
    /// `budget_pence` is ignored; each line is split by its component.
    pub lines: Vec<(String, i64)>,
}

/// An allocation made.
#[derive(Debug, Clone)]
pub struct Allocated {
    /// The core's allocation.
    pub allocation: Allocation,
}

/// Reads the tables and allocates the budget under `rs`. A refusal about one row of
/// `needs` or `baselines` is placed at that row.
pub fn allocate(
    rs: &Ruleset,
    tables: AllocateTables<'_>,
    options: AllocateOptions,
) -> Result<Allocated, RunError> {
    let fp = read::footprint(tables.footprint)?;
    let needs = read_needs(tables.needs, rs)?;
    let baselines = match tables.baselines {
        Some(t) => read::baselines(t)?,
        None => options.baselines,
    };
    let baseline_ids: Vec<String> = baselines.iter().map(|(id, _)| id.clone()).collect();
    let scenario = if options.lines.is_empty() {
        Scenario::budget(options.budget_pence)
    } else {
        Scenario::lines(options.lines)
    }
    .with_baselines(baselines);
    let allocation = rs
        .prepare(&fp, &needs)
        .and_then(|p| p.allocate(&scenario))
        .map_err(|e| placed(e, &needs, &baseline_ids))?;
    Ok(Allocated { allocation })
}

impl Allocated {
    /// The `allocation` table (`labels`: its text columns built once for many
    /// allocations of one prepared footprint).
    pub fn table(
        &self,
        rs: &Ruleset,
        labels: Option<&AllocationLabels>,
        face: Face,
    ) -> RecordBatch {
        write::allocation(&self.allocation, rs, labels, face)
    }

    /// The ACOs and pots as text.
    pub fn text(&self) -> String {
        self.allocation.to_text()
    }

    /// Writes the allocation as JSON to `w`: its summary and the table's rows.
    pub fn write_json(
        &self,
        rs: &Ruleset,
        face: Face,
        w: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        format::write_allocation_json(&self.allocation, &self.table(rs, None, face), w)
    }

    /// One unit's (or pot's) allocation explained.
    pub fn explain(&self, unit_id: &str) -> Result<AllocationExplanation, RunError> {
        Ok(self.allocation.explain(unit_id)?)
    }
}

/// The input tables of a sweep.
#[derive(Debug, Clone, Copy)]
pub struct SweepTables<'a> {
    /// The `footprint` table.
    pub footprint: &'a Table,
    /// The `needs` table; `None` for none.
    pub needs: Option<&'a Table>,
    /// The `scenarios` table.
    pub scenarios: &'a Table,
    /// The `baselines` table (a `scenario` column puts a row on one scenario).
    pub baselines: Option<&'a Table>,
}

/// A sweep run: the scenarios' ids and the core's sweep.
#[derive(Debug, Clone)]
pub struct Swept {
    /// The scenario ids, in the table's order.
    pub ids: Vec<String>,
    /// The core's sweep.
    pub sweep: Sweep,
}

impl Swept {
    /// The `sweep` table (the sweep's pence vectors become its columns, moved).
    pub fn into_table(self, face: Face) -> RecordBatch {
        sweep::sweep(&self.ids, self.sweep, face)
    }
}

/// Prepares the footprint with its needs once for many scenarios.
pub fn prepare(
    rs: &Ruleset,
    footprint: &Table,
    needs: Option<&Table>,
) -> Result<PreparedFootprint, RunError> {
    let fp = read::footprint(footprint)?;
    let needs = read_needs(needs, rs)?;
    rs.prepare(&fp, &needs).map_err(|e| placed(e, &needs, &[]))
}

/// Reads the tables and runs every scenario under `rs`, over all cores. A scenario's
/// refusal is placed at its row of `scenarios`.
pub fn sweep(rs: &Ruleset, tables: SweepTables<'_>) -> Result<Swept, RunError> {
    let prepared = prepare(rs, tables.footprint, tables.needs)?;
    sweep_prepared(&prepared, tables.scenarios, tables.baselines)
}

/// [`sweep`] over a footprint already prepared.
pub fn sweep_prepared(
    prepared: &PreparedFootprint,
    scenarios: &Table,
    baselines: Option<&Table>,
) -> Result<Swept, RunError> {
    let list = sweep::scenarios(scenarios, prepared.ruleset(), baselines)?;
    let sw = sweep::run(prepared, &list).map_err(scenario_refused)?;
    Ok(Swept {
        ids: list.ids,
        sweep: sw,
    })
}

/// [`sweep`], to be written a slice of scenarios at a time ([`SweepOutput`]): every
/// scenario is run (and a refusal placed) before anything is written, and the whole
/// table is never held, so memory is bounded by a slice, not by the output.
pub fn sweep_streamed(rs: &Ruleset, tables: SweepTables<'_>) -> Result<SweepOutput, RunError> {
    let prepared = prepare(rs, tables.footprint, tables.needs)?;
    let list = sweep::scenarios(tables.scenarios, prepared.ruleset(), tables.baselines)?;
    SweepOutput::run(prepared, list).map_err(scenario_refused)
}

/// A sweep refused, at the row of `scenarios` of the scenario at fault.
fn scenario_refused(e: AllocationError) -> RunError {
    let place = match &e {
        AllocationError::NamedScenario { id, row, source } => Some(Place {
            table: spec::SCENARIOS.name,
            row: *row,
            column: None,
            message: format!("scenario `{id}`: {source}"),
        }),
        _ => None,
    };
    RunError::refused_at(e, place)
}

fn read_needs(needs: Option<&Table>, rs: &Ruleset) -> Result<Needs, RunError> {
    Ok(match needs {
        Some(t) => read::needs(t, rs)?,
        None => Needs::default(),
    })
}

/// An allocation refused, at the row of `needs` or `baselines` its unit came from (the
/// first row of the unit, or the last for a duplicate).
fn placed(e: AllocationError, needs: &Needs, baseline_ids: &[String]) -> RunError {
    use AllocationError as E;
    let (table, unit, last) = match &e {
        E::NeedUnknownUnit { unit_id, .. }
        | E::NeedNotPractice { unit_id, .. }
        | E::NeedInvalid { unit_id, .. } => (spec::NEEDS.name, unit_id, false),
        E::NeedDuplicate { unit_id, .. } => (spec::NEEDS.name, unit_id, true),
        E::BaselineNotAccountable { unit_id, .. } | E::BaselineNegative { unit_id, .. } => {
            (spec::BASELINES.name, unit_id, false)
        }
        E::BaselineDuplicate { unit_id, .. } => (spec::BASELINES.name, unit_id, true),
        _ => return RunError::refused(e),
    };
    let need_ids: Vec<&str>;
    let ids: Vec<&str> = if table == spec::NEEDS.name {
        need_ids = needs.rows().iter().map(|(id, _)| id.as_str()).collect();
        need_ids
    } else {
        baseline_ids.iter().map(String::as_str).collect()
    };
    let row = if last {
        ids.iter().rposition(|i| i == unit)
    } else {
        ids.iter().position(|i| i == unit)
    };
    let place = row.map(|row| Place {
        table,
        row,
        column: None,
        message: e.to_string(),
    });
    RunError::refused_at(e, place)
}
