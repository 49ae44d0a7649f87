//! Sweeps (`docs/allocation.md#sweeps`): many scenarios on one prepared footprint in one call, spread
//! over the cores, into one matrix per column (scenarios x rows) rather than one
//! [`Allocation`](super::Allocation) per scenario.
//!
//! A scenario's rows are exactly a single allocation's: both run the same evaluation
//! ([`PreparedFootprint::evaluate`]) with the same conservation check folded in, so a sweep is
//! identical, penny for penny, to calling [`PreparedFootprint::allocate`] per scenario,
//! whatever the order of the scenarios and the number of threads.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    AllocationError, Columns, PolicyRun, PreparedFootprint, Scenario, Tree,
    distance_from_target_ppm,
};
use crate::money::Scratch;

/// The result of a sweep: for every scenario (in the order given) the rows of a single
/// allocation, units in top-down order then the commissioner's pots, held as
/// scenario-major matrices of `scenario_count() x width()` pence.
#[derive(Debug, Clone)]
pub struct Sweep {
    tree: Arc<Tree>,
    pot_ids: Vec<String>,
    scenarios: usize,
    allocation: Vec<i64>,
    /// `None` when no scenario had baselines: every allocation is its target.
    target: Option<Vec<i64>>,
}

impl Sweep {
    /// Number of scenarios.
    pub fn scenario_count(&self) -> usize {
        self.scenarios
    }
    /// Rows per scenario: units, then pots.
    pub fn width(&self) -> usize {
        self.tree.ids.len() + self.pot_ids.len()
    }
    /// Number of units (the first rows of each scenario).
    pub fn unit_count(&self) -> usize {
        self.tree.ids.len()
    }
    /// Unit ids in row order.
    pub fn unit_ids(&self) -> &[String] {
        &self.tree.ids
    }
    /// Pot ids, in row order after the units.
    pub fn pot_ids(&self) -> &[String] {
        &self.pot_ids
    }
    /// Row ids of one scenario: unit ids, then pot ids.
    pub fn row_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.tree
            .ids
            .iter()
            .chain(&self.pot_ids)
            .map(String::as_str)
    }
    /// Allocations, pence: `scenario_count() x width()`, scenario-major.
    pub fn allocation_pence(&self) -> &[i64] {
        &self.allocation
    }
    /// Targets, pence, in the same shape (the allocations when no scenario had
    /// baselines).
    pub fn target_pence(&self) -> &[i64] {
        self.target.as_deref().unwrap_or(&self.allocation)
    }
    /// One scenario's allocations, pence, by row.
    pub fn scenario_allocation(&self, s: usize) -> &[i64] {
        let w = self.width();
        &self.allocation[s * w..(s + 1) * w]
    }
    /// One scenario's targets, pence, by row.
    pub fn scenario_target(&self, s: usize) -> &[i64] {
        let w = self.width();
        &self.target_pence()[s * w..(s + 1) * w]
    }
    /// The allocation matrix and, when it differs, the target matrix, moved out (to
    /// become Arrow buffers without a copy).
    pub fn into_pence(self) -> (Vec<i64>, Option<Vec<i64>>) {
        (self.allocation, self.target)
    }
    /// Whether allocation and target are the same column (no scenario had baselines).
    pub fn allocation_is_target(&self) -> bool {
        self.target.is_none()
    }
    /// The distance from target of every cell, millionths, as in an allocation's rows
    /// (`None` where the target is 0).
    pub fn distance_from_target_ppm(&self) -> impl Iterator<Item = Option<i64>> + '_ {
        let zero_when_same = self.target.is_none();
        self.allocation
            .iter()
            .zip(self.target_pence())
            .map(move |(&a, &t)| {
                if zero_when_same {
                    (t != 0).then_some(0)
                } else {
                    distance_from_target_ppm(a, t)
                }
            })
    }
}

/// A thread's working space, reused from scenario to scenario.
struct Buffers {
    /// The targets, when a scenario's allocation differs from them.
    target: Vec<i64>,
    scratch: Scratch,
}

/// A sweep row's columns (its `units` units, then its pots): without baselines the
/// allocation is the target, written straight into the row; with them the target goes
/// to the thread's `target` buffer and the row takes the allocation. A sweep keeps no
/// retained column.
fn row_columns<'a>(
    row: &'a mut [i64],
    units: usize,
    baselined: bool,
    target: &'a mut [i64],
) -> Columns<'a> {
    let (units, pots) = row.split_at_mut(units);
    let (target, allocation) = if baselined {
        (target, units)
    } else {
        (units, &mut [][..])
    };
    Columns {
        target,
        allocation,
        retained: None,
        pots,
    }
}

impl PreparedFootprint {
    /// Runs many scenarios in one call, over all the cores (the current rayon pool),
    /// into one [`Sweep`]. Each scenario's rows equal [`PreparedFootprint::allocate`]'s
    /// for it; the first failing scenario (by index) is returned as
    /// [`AllocationError::Scenario`] and no result.
    ///
    /// Work independent of the scenario is done once: the weighted population under
    /// each distinct policy (once for all scenarios keeping the ruleset's), the tree
    /// and the split keys; per scenario only the pence move.
    ///
    /// ```
    /// use localcare::{Ruleset, Footprint, FootprintUnit, allocate::{Needs, Scenario}};
    /// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    /// let hub = ["mdt", "mental_health", "seven_day"];
    /// let fp = Footprint::new(vec![
    ///     FootprintUnit::aggregate("A1", None, "aco", &["population_accountability", "capitated_budget"]),
    ///     FootprintUnit::aggregate("H1", Some("A1"), "mcp_hub", &hub),
    ///     FootprintUnit::aggregate("H2", Some("A1"), "mcp_hub", &hub),
    ///     FootprintUnit::practice("P1", "H1", 150_000, &[]),
    ///     FootprintUnit::practice("P2", "H1", 50_000, &[]),
    ///     FootprintUnit::practice("P3", "H2", 200_000, &[]),
    /// ]);
    /// let prepared = rs.prepare(&fp, &Needs::default()).unwrap();
    /// let sweep = prepared.sweep(&[Scenario::budget(1_000), Scenario::budget(2_000)]).unwrap();
    /// assert_eq!(sweep.width(), 7); // 6 units and the specialised commissioning pot
    /// assert_eq!(sweep.scenario_allocation(1), &[1_600, 800, 800, 600, 200, 800, 400]);
    /// ```
    pub fn sweep(&self, scenarios: &[Scenario]) -> Result<Sweep, AllocationError> {
        let at = |index: usize| {
            move |e: AllocationError| AllocationError::Scenario {
                index,
                source: Box::new(e),
            }
        };
        let (runs, run_of) = self.policy_runs(scenarios)?;
        // A sweep runs single budgets: a scenario of lines, or a single budget under a
        // policy of lines, is refused before any money moves.
        for (i, s) in scenarios.iter().enumerate() {
            if !s.lines.is_empty() {
                return Err(at(i)(AllocationError::LinesInSweep));
            }
            self.check_single(&runs[run_of[i]].policy).map_err(at(i))?;
        }
        let pot_ids = runs[0].pot_ids.clone();

        let n = self.tree.ids.len();
        let width = n + pot_ids.len();
        let with_target = scenarios.iter().any(|s| !s.baselines.is_empty());
        let mut allocation = vec![0i64; scenarios.len() * width];
        let mut target = vec![0i64; if with_target { allocation.len() } else { 0 }];

        let init = || Buffers {
            target: vec![0; n],
            scratch: Scratch::default(),
        };
        // Each scenario's cascades check conservation as they split (see
        // `PreparedFootprint::cascade`): nothing is read back after.
        let one = |buf: &mut Buffers, i: usize, a_row: &mut [i64], t_row: &mut [i64]| {
            let s = &scenarios[i];
            let run = &runs[run_of[i]];
            let baseline = self.baselines(&s.baselines)?;
            let mut cols = row_columns(a_row, n, baseline.is_some(), &mut buf.target);
            self.evaluate(
                run,
                run.weights(),
                s.budget_pence,
                baseline.as_deref(),
                &mut cols,
                &mut buf.scratch,
            )?;
            if !t_row.is_empty() {
                match &baseline {
                    None => t_row.copy_from_slice(a_row),
                    Some(_) => {
                        t_row[..n].copy_from_slice(&buf.target);
                        t_row[n..].copy_from_slice(&a_row[n..]);
                    }
                }
            }
            Ok::<(), AllocationError>(())
        };
        let results: Vec<Result<(), AllocationError>> = if width == 0 {
            // No rows at all: still evaluate each scenario for its errors.
            (0..scenarios.len())
                .into_par_iter()
                .map_init(init, |buf, i| one(buf, i, &mut [], &mut []))
                .collect()
        } else if with_target {
            allocation
                .par_chunks_mut(width)
                .zip(target.par_chunks_mut(width))
                .enumerate()
                .map_init(init, |buf, (i, (a, t))| one(buf, i, a, t))
                .collect()
        } else {
            allocation
                .par_chunks_mut(width)
                .enumerate()
                .map_init(init, |buf, (i, a)| one(buf, i, a, &mut []))
                .collect()
        };
        if let Some((i, e)) = results
            .into_iter()
            .enumerate()
            .find_map(|(i, r)| r.err().map(|e| (i, e)))
        {
            return Err(at(i)(e));
        }
        Ok(Sweep {
            tree: Arc::clone(&self.tree),
            pot_ids,
            scenarios: scenarios.len(),
            allocation,
            target: with_target.then_some(target),
        })
    }

    /// Runs many scenarios like [`PreparedFootprint::sweep`], but holds no matrix:
    /// each scenario is evaluated into its thread's buffers (reused from scenario to
    /// scenario) and its rows handed to `each(index, allocation, target)` on that
    /// thread, units then pots, the target row being the allocation row when the
    /// scenario has no baselines. Scenarios run over all cores, so `each` is called in
    /// no particular order; a writer that needs them in order collects by index. The
    /// rows are exactly the sweep's; so is the error, the first failing scenario by
    /// index.
    pub fn sweep_each<F>(&self, scenarios: &[Scenario], each: F) -> Result<(), AllocationError>
    where
        F: Fn(usize, &[i64], &[i64]) + Sync,
    {
        let at = |index: usize| {
            move |e: AllocationError| AllocationError::Scenario {
                index,
                source: Box::new(e),
            }
        };
        let (runs, run_of) = self.policy_runs(scenarios)?;
        for (i, s) in scenarios.iter().enumerate() {
            if !s.lines.is_empty() {
                return Err(at(i)(AllocationError::LinesInSweep));
            }
            self.check_single(&runs[run_of[i]].policy).map_err(at(i))?;
        }
        let n = self.tree.ids.len();
        let width = n + runs[0].pot_ids.len();
        let init = || {
            (
                Buffers {
                    target: vec![0; n],
                    scratch: Scratch::default(),
                },
                vec![0i64; width],
                Vec::new(),
            )
        };
        let results: Vec<Result<(), AllocationError>> = (0..scenarios.len())
            .into_par_iter()
            .map_init(init, |(buf, row, target_row), i| {
                let s = &scenarios[i];
                let baseline = self.baselines(&s.baselines)?;
                let mut cols = row_columns(row, n, baseline.is_some(), &mut buf.target);
                let run = &runs[run_of[i]];
                self.evaluate(
                    run,
                    run.weights(),
                    s.budget_pence,
                    baseline.as_deref(),
                    &mut cols,
                    &mut buf.scratch,
                )?;
                match &baseline {
                    None => each(i, row, row),
                    Some(_) => {
                        // The target row: the units' targets, then the pots (a pot's
                        // target is its allocation).
                        target_row.clear();
                        target_row.extend_from_slice(&buf.target);
                        target_row.extend_from_slice(&row[n..]);
                        each(i, row, target_row);
                    }
                }
                Ok(())
            })
            .collect();
        match results
            .into_iter()
            .enumerate()
            .find_map(|(i, r)| r.err().map(|e| (i, e)))
        {
            Some((i, e)) => Err(at(i)(e)),
            None => Ok(()),
        }
    }

    /// The scenarios' policies, each distinct one made ready once (in parallel: each may
    /// need a fresh weighted population), and which run each scenario uses. Policies are
    /// told apart by their full description; every run must keep the same pots.
    fn policy_runs(
        &self,
        scenarios: &[Scenario],
    ) -> Result<(Vec<PolicyRun>, Vec<usize>), AllocationError> {
        let at = |index: usize| {
            move |e: AllocationError| AllocationError::Scenario {
                index,
                source: Box::new(e),
            }
        };
        // Distinct policies, each made ready once (in parallel: each may need a fresh
        // weighted population). Policies are told apart by their full description.
        let base = self.policy_run(None)?;
        let mut distinct: Vec<(usize, &super::AllocationPolicy)> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut run_of = vec![0usize; scenarios.len()];
        for (i, s) in scenarios.iter().enumerate() {
            if let Some(p) = &s.policy {
                let next = distinct.len() + 1;
                let r = *by_key.entry(format!("{p:?}")).or_insert(next);
                if r == next {
                    distinct.push((i, p));
                }
                run_of[i] = r;
            }
        }
        let mut runs: Vec<PolicyRun> = vec![base];
        runs.extend(
            distinct
                .par_iter()
                .map(|&(i, p)| self.policy_run(Some(p)).map_err(at(i)))
                .collect::<Result<Vec<_>, _>>()?,
        );
        let pot_ids = runs[0].pot_ids.clone();
        for (j, r) in runs.iter().enumerate().skip(1) {
            if r.pot_ids != pot_ids {
                return Err(at(distinct[j - 1].0)(AllocationError::SweepPots {
                    expected: pot_ids.join(", "),
                    got: r.pot_ids.join(", "),
                }));
            }
        }
        Ok((runs, run_of))
    }
}
