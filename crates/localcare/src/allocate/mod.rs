//! Allocation (`docs/allocation.md`): the strategic commissioner's budget becomes need-weighted,
//! capitated allocations for ACOs and every unit beneath them, to the penny.
//!
//! The pipeline, every parameter from the ruleset's [`AllocationPolicy`]:
//!
//! 1. **Weighted population** of each practice:
//!    `wp = ((1 - h) * need_wp + h * hi_wp) * mff`, where `need_wp` is the registered
//!    population times its need index (or age-band counts times the ruleset's age-band
//!    weights), `hi_wp` the health-inequalities weighted population (default `need_wp`),
//!    `h` the inequalities weight and `mff` the market forces factor. It is computed
//!    exactly in integers and rounded once, half to even, to millionths of a person.
//!    Aggregates sum their practices.
//! 2. **Commissioner split**: the ACOs together get `aco_commissioned_share` of the
//!    budget; the commissioner's pots share the rest.
//! 3. **Targets**: each ACO's weighted share of the ACO pool.
//! 4. **Pace of change**, when baselines are given: see [`pace`].
//! 5. **Down the tree**: each unit keeps its tier's retained share (rounded down) and
//!    splits the rest among its children by weighted population, to the practices.
//!
//! Every split is [`crate::money::apportion`]: exact, with remainder ties going to the
//! smaller unit id. Before returning, the result is checked: at every node the
//! children's allocations plus what it retained equal its own allocation, the ACOs and
//! pots add up to the budget, and nothing is negative.
//!
//! Prepare once, evaluate many: [`PreparedFootprint`] holds the resolved tree and the
//! needs, and [`PreparedFootprint::allocate`] runs one [`Scenario`] (a budget, optional
//! baselines, optional policy) on it.
//!
//! ```
//! use localcare::{Ruleset, Footprint, FootprintUnit, allocate::{Needs, Scenario}};
//! let rs = Ruleset::builtin("kent-medway-2017").unwrap();
//! let hub = ["mdt", "mental_health", "seven_day"];
//! let fp = Footprint::new(vec![
//!     FootprintUnit::aggregate("A1", None, "aco", &["population_accountability", "capitated_budget"]),
//!     FootprintUnit::aggregate("H1", Some("A1"), "mcp_hub", &hub),
//!     FootprintUnit::aggregate("H2", Some("A1"), "mcp_hub", &hub),
//!     FootprintUnit::practice("P1", "H1", 200_000, &[]),
//!     FootprintUnit::practice("P2", "H2", 200_000, &[]),
//! ]);
//! let prepared = rs.prepare(&fp, &Needs::default()).unwrap();
//! let a = prepared.allocate(&Scenario::budget(1_000_000_00)).unwrap(); // £1m
//! assert_eq!(a.aco_pool_pence(), 800_000_00);
//! let p1 = a.rows().find(|r| r.unit_id == "P1").unwrap();
//! assert_eq!(p1.allocation_pence, 400_000_00);
//! ```

mod components;
mod explain;
mod lines;
mod need_index;
mod pace;
pub(crate) mod payments;
mod per_head;
pub(crate) mod policy;
mod shares;
mod sweep;

pub use explain::{AllocationExplanation, ExplainNumber, ExplanationStep};
pub use payments::{PerHeadBasis, PerHeadDeduction, PerHeadItem, PerHeadPayments};
pub use per_head::PerHeadLine;
pub use sweep::Sweep;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::Ruleset;
use crate::footprint::{Footprint, Resolved};
use crate::money::{
    self, FIXED_ONE, MoneyError, Scratch, apportion_into, mul_fixed_floor, to_fixed,
};
use crate::ruleset::{RulesetError, STRATEGIC_COMMISSIONER};
pub use need_index::NeedIndex;
pub use policy::{AllocationPolicy, BudgetLine, Component, PacePolicy, Pot};

/// Why an allocation could not be made. No partial result is ever returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// The ruleset has tiers only: no `[allocation]` policy to allocate by.
    #[error(
        "ruleset {ruleset} has no allocation policy; give it one from another ruleset (CLI `--allocation-from RULESET`, Python `Ruleset.with_allocation_policy(...)`, C `lc_ruleset_with_allocation_policy`) or an `[allocation]` table of its own"
    )]
    NoPolicy {
        /// The ruleset id.
        ruleset: String,
    },
    /// The footprint has validation errors; allocation needs a valid footprint.
    #[error("the footprint has {errors} validation error(s); the first: {first}")]
    InvalidFootprint {
        /// Number of error findings.
        errors: usize,
        /// The first, as `CODE unit: message`.
        first: String,
    },
    /// A need row is for a unit the footprint does not have.
    #[error("needs: unit {unit_id} is not in the footprint")]
    NeedUnknownUnit {
        /// The unit id given.
        unit_id: String,
    },
    /// A need row is for an aggregate; needs belong to practices.
    #[error("needs: unit {unit_id} is a {tier}; needs are given for practices only")]
    NeedNotPractice {
        /// The unit id given.
        unit_id: String,
        /// Its declared tier.
        tier: String,
    },
    /// Two need rows for one practice.
    #[error("needs: unit {unit_id} appears more than once")]
    NeedDuplicate {
        /// The unit id given twice.
        unit_id: String,
    },
    /// A need value is out of range or of the wrong form.
    #[error("needs: unit {unit_id}: `{field}` {message}")]
    NeedInvalid {
        /// The practice.
        unit_id: String,
        /// The column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A baseline is for a unit that is not an ACO of the footprint.
    #[error(
        "baselines: unit {unit_id} is not an {tier} of the footprint; baselines are given for {tier}s only"
    )]
    BaselineNotAccountable {
        /// The unit id given.
        unit_id: String,
        /// The accountable tier id.
        tier: String,
    },
    /// Baselines given for some ACOs but not all.
    #[error("baselines: missing for {missing}; give a baseline for every ACO or for none")]
    BaselineMissing {
        /// The ACOs without a baseline, comma-separated.
        missing: String,
    },
    /// A baseline is negative.
    #[error("baselines: unit {unit_id} has a negative baseline of {pence} pence")]
    BaselineNegative {
        /// The ACO.
        unit_id: String,
        /// The baseline given.
        pence: i64,
    },
    /// Two baselines for one ACO.
    #[error("baselines: unit {unit_id} appears more than once")]
    BaselineDuplicate {
        /// The ACO.
        unit_id: String,
    },
    /// The baselines add up to more than 64-bit pence can hold.
    #[error(
        "baselines: they add up to {total}, more than 64-bit pence can hold (£92,233,720,368,547,758.07); check their units (pence, not pounds x 100)",
        total = money::WidePounds(*total)
    )]
    BaselinesOverflow {
        /// Their sum, pence.
        total: i128,
    },
    /// Baselines were given but the ruleset has no pace-of-change policy.
    #[error("baselines were given but ruleset {ruleset} has no `allocation.pace_of_change` policy")]
    NoPacePolicy {
        /// The ruleset id.
        ruleset: String,
    },
    /// The growth floors cost more than the ACO pool holds.
    #[error("the minimum growth floor is infeasible: the floors need {needed} but the ACO pool is {pool}, short by {short}", needed = money::WidePounds(*needed), pool = money::Pounds(*pool), short = money::WidePounds(needed - i128::from(*pool)))]
    FloorInfeasible {
        /// Pence the floors (and distance limits) need at least: a sum over ACOs, so
        /// it may pass `i64`.
        needed: i128,
        /// Pence in the ACO pool.
        pool: i64,
    },
    /// The growth caps leave money that no ACO may take.
    #[error("the growth cap is infeasible: the caps allow at most {room} but the ACO pool is {pool}, over by {over}", room = money::Pounds(*room), pool = money::Pounds(*pool), over = money::Pounds(pool - room))]
    CapInfeasible {
        /// Pence the caps allow at most.
        room: i64,
        /// Pence in the ACO pool.
        pool: i64,
    },
    /// Money was to go to a unit whose children all have zero weighted population.
    #[error(
        "{unit_id} has {pence} pence to pass down but its children's weighted population is zero"
    )]
    ZeroWeight {
        /// The unit.
        unit_id: String,
        /// The pence it could not pass down.
        pence: i64,
    },
    /// The ACOs' weighted population is zero, so the pool cannot be split by need.
    #[error(
        "the ACOs' weighted population adds up to zero; the pool of {pool} pence cannot be split by need"
    )]
    ZeroPoolWeight {
        /// The ACO pool.
        pool: i64,
    },
    /// Money arithmetic failed (negative budget, overflow).
    #[error("{context}: {source}")]
    Money {
        /// What was being worked out.
        context: String,
        /// The money error.
        source: MoneyError,
    },
    /// Weighted population arithmetic overflowed.
    #[error("weighted population of {unit_id} is too large to compute exactly")]
    WeightOverflow {
        /// Where it overflowed.
        unit_id: String,
    },
    /// `explain` was asked about a unit that is neither in the footprint nor a pot.
    #[error("no unit or commissioner pot {unit_id} in this allocation")]
    UnknownUnit {
        /// The id given.
        unit_id: String,
    },
    /// A scenario's policy is not valid.
    #[error("scenario policy: {0}")]
    Policy(#[from] RulesetError),
    /// A scenario of a sweep has a policy whose commissioner pots differ from the
    /// ruleset's: every scenario of a sweep has the same rows.
    #[error("the scenario's policy has pots {got}; a sweep needs the ruleset's pots ({expected})")]
    SweepPots {
        /// The ruleset's pot ids.
        expected: String,
        /// The scenario's.
        got: String,
    },
    /// One scenario of a sweep failed, named by its id and its row in the scenarios
    /// table.
    #[error("scenarios: row {row}, scenario `{id}`: {source}")]
    NamedScenario {
        /// The scenario's id.
        id: String,
        /// Its row (0-based).
        row: usize,
        /// Its error.
        source: Box<AllocationError>,
    },
    /// One scenario of a batch failed.
    #[error("scenario {index}: {source}")]
    Scenario {
        /// Index of the scenario in the batch.
        index: usize,
        /// Its error.
        source: Box<AllocationError>,
    },
    /// A scenario gave a budget line the policy does not know.
    #[error(
        "budget line `{line}` is neither a budget line nor a component of ruleset {ruleset}; its lines: {known}"
    )]
    UnknownLine {
        /// The line given.
        line: String,
        /// The ruleset id.
        ruleset: String,
        /// The policy's lines and components, comma-separated.
        known: String,
    },
    /// A line's component was not given in the needs.
    #[error(
        "budget line `{line}` is split by component `{component}`, but the needs give no `{column}` column"
    )]
    ComponentNotGiven {
        /// The line.
        line: String,
        /// Its component.
        component: String,
        /// The needs column it is read from.
        column: String,
    },
    /// The same line twice in one scenario.
    #[error("budget line `{line}` is given more than once")]
    LineDuplicate {
        /// The line.
        line: String,
    },
    /// A single budget was given to a policy that splits its budget in lines.
    #[error(
        "ruleset {ruleset} splits its budget in lines ({lines}); give an amount per line (CLI `--budget LINE=AMOUNT`, Python `budget={{line: amount}}`, Rust `Scenario::lines`)"
    )]
    LinesRequired {
        /// The ruleset id.
        ruleset: String,
        /// Its budget lines, comma-separated.
        lines: String,
    },
    /// A scenario's lines do not add up to its budget.
    #[error(
        "the budget lines add up to {lines} pence, not the scenario's budget of {budget} pence"
    )]
    LinesTotal {
        /// The sum of the lines.
        lines: i128,
        /// The scenario's budget.
        budget: i64,
    },
    /// Baselines for the whole budget were given with budget lines.
    #[error(
        "a scenario of budget lines takes baselines per line (each line has its own pace of change), not for the whole budget"
    )]
    LineBaselines,
    /// Budget lines were given to a sweep: a sweep runs single budgets.
    #[error(
        "a sweep runs single budgets; allocate a scenario of budget lines on its own (`allocate`)"
    )]
    LinesInSweep,
    /// A conservation check failed. This is a bug in localcare, never the caller's
    /// fault; the result is withheld.
    #[error("internal check failed (please report): {0}")]
    Internal(String),
}

fn money_err(context: &str) -> impl FnOnce(MoneyError) -> AllocationError + '_ {
    move |source| AllocationError::Money {
        context: context.to_string(),
        source,
    }
}

/// Need data for one practice. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Need {
    /// Need index (1 = average need); `need_wp = population x need_index`. Default 1.
    pub need_index: Option<Decimal>,
    /// Age-band counts by band id (the ruleset's `age_band_weights`); when given,
    /// `need_wp = sum(count x weight)` instead of population x need index.
    pub age_counts: BTreeMap<String, u64>,
    /// Health-inequalities weighted population; default `need_wp`.
    pub hi_weighted_population: Option<Decimal>,
    /// Market forces factor; default the policy's.
    pub market_forces_factor: Option<Decimal>,
    /// Weighted populations given as published, by component id (the policy's
    /// `components`; the needs column `wp_<id>`), in people, exact to the billionth.
    /// Once any practice gives a component every practice must: a missing one is an
    /// error, never filled in.
    pub weighted_populations: BTreeMap<String, Decimal>,
}

/// Need data by practice id. Practices not listed have need index 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    rows: Vec<(String, Need)>,
}

impl Needs {
    /// No need data: every practice at need index 1.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds one practice's need data.
    pub fn push(&mut self, unit_id: impl Into<String>, need: Need) {
        self.rows.push((unit_id.into(), need));
    }
    /// The rows, as given.
    pub fn rows(&self) -> &[(String, Need)] {
        &self.rows
    }
}

impl FromIterator<(String, Need)> for Needs {
    fn from_iter<I: IntoIterator<Item = (String, Need)>>(iter: I) -> Self {
        Needs {
            rows: iter.into_iter().collect(),
        }
    }
}

/// One budget line of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineBudget {
    /// The line: one of the policy's `budget_lines`, or a component id (a line of the
    /// call's own, split by that component).
    pub line: String,
    /// Its amount, pence.
    pub budget_pence: i64,
    /// Last year's allocation of this line per ACO id, pence: all ACOs or none.
    pub baselines: Vec<(String, i64)>,
}

/// One allocation to run on a prepared footprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The whole budget, pence (with lines, their sum).
    pub budget_pence: i64,
    /// Last year's allocation per ACO id, pence: all ACOs or none (single budgets;
    /// lines carry their own).
    pub baselines: Vec<(String, i64)>,
    /// A policy replacing the ruleset's for this scenario.
    pub policy: Option<AllocationPolicy>,
    /// Budget lines, each split by its component's weighted population; empty for a
    /// single budget split by the policy's weighted population.
    pub lines: Vec<LineBudget>,
}

impl Scenario {
    /// A scenario of a budget alone (no baselines, the ruleset's policy).
    pub fn budget(budget_pence: i64) -> Self {
        Scenario {
            budget_pence,
            baselines: Vec::new(),
            policy: None,
            lines: Vec::new(),
        }
    }
    /// A scenario of budget lines `(line, pence)`: each split through the same tree
    /// and rules by its component's weighted population; the budget is their sum
    /// (saturated: a sum past `i64` is refused when allocating).
    pub fn lines(lines: Vec<(String, i64)>) -> Self {
        let total: i128 = lines.iter().map(|(_, p)| i128::from(*p)).sum();
        Scenario {
            budget_pence: i64::try_from(total).unwrap_or(if total < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
            baselines: Vec::new(),
            policy: None,
            lines: lines
                .into_iter()
                .map(|(line, budget_pence)| LineBudget {
                    line,
                    budget_pence,
                    baselines: Vec::new(),
                })
                .collect(),
        }
    }
    /// The same scenario with baselines for one of its lines (unchanged when the
    /// scenario has no such line).
    pub fn with_line_baselines(mut self, line: &str, baselines: Vec<(String, i64)>) -> Self {
        if let Some(l) = self.lines.iter_mut().find(|l| l.line == line) {
            l.baselines = baselines;
        }
        self
    }
    /// The same scenario with baselines.
    pub fn with_baselines(mut self, baselines: Vec<(String, i64)>) -> Self {
        self.baselines = baselines;
        self
    }
    /// The same scenario under another policy.
    pub fn with_policy(mut self, policy: AllocationPolicy) -> Self {
        self.policy = Some(policy);
        self
    }
}

/// The footprint's tree in top-down order, held by index: position `q` is the q-th unit
/// in breadth-first order from the ACOs, children of a unit contiguous and by id.
#[derive(Debug)]
struct Tree {
    ids: Vec<String>,
    /// Rank of the id in byte order: the apportionment tie-break key.
    rank: Vec<u32>,
    tier: Vec<u8>,
    parent: Vec<u32>,
    /// Children of position q are positions `child_start[q]..child_start[q + 1]`.
    child_start: Vec<u32>,
    /// Positions of the ACOs: `0..roots`.
    roots: usize,
    /// Practices' need-weighted population in billionths of a person (`need_wp`), and
    /// the inequalities-weighted one (`hi_wp`), by position; 0 for aggregates.
    need_wp: Vec<u128>,
    hi_wp: Vec<u128>,
    /// Practice market forces factor (fixed point), 0 meaning "the policy's".
    mff: Vec<u64>,
    /// Registered population by position, exact (practices; 0 for aggregates).
    population: Vec<crate::Population>,
    /// Practices whose need was given as age-band counts, by position (sorted), with
    /// `(band index into the ruleset's age_band_weights, count)`: kept only to explain.
    age_counts: Vec<(u32, AgeCounts)>,
}

impl Tree {
    /// A tree of no units (a placeholder while preparing).
    fn empty() -> Self {
        Tree {
            ids: Vec::new(),
            rank: Vec::new(),
            tier: Vec::new(),
            parent: Vec::new(),
            child_start: vec![0],
            roots: 0,
            need_wp: Vec::new(),
            hi_wp: Vec::new(),
            mff: Vec::new(),
            population: Vec::new(),
            age_counts: Vec::new(),
        }
    }
}

/// One practice's age-band counts: `(band index, count)`.
type AgeCounts = Box<[(u32, u64)]>;

const NO_PARENT: u32 = u32::MAX;

/// A footprint resolved, checked and joined to its needs, ready for many scenarios.
/// Cheap to clone (shared), `Send + Sync`.
#[derive(Debug, Clone)]
pub struct PreparedFootprint {
    ruleset: Ruleset,
    tree: Arc<Tree>,
    /// Weighted population under the ruleset's own policy, worked out once: scenarios
    /// that keep the policy (most of them) reuse it.
    base_wp: Arc<Vec<u64>>,
    /// The cascade's splits under that weighted population, worked out once.
    base_shares: Arc<shares::Shares>,
    /// The ruleset's own policy, shared with every allocation made under it.
    policy: Arc<AllocationPolicy>,
    /// The ruleset's per-head schedule, if any.
    per_head: Option<Arc<PerHeadPayments>>,
    /// Its columns under the ruleset's policy (or why they cannot be computed), worked
    /// out once beside the shares: they depend on the weighted population alone, so
    /// every allocation that keeps the policy shares them.
    base_per_head: Option<Result<Arc<per_head::PerHeadColumns>, AllocationError>>,
    /// Weighted populations given per component (`wp_<id>`), aggregated up the tree,
    /// for the components the needs give, in the policy's order.
    components: Arc<Vec<components::ComponentWeights>>,
}

impl Ruleset {
    /// Checks a footprint and joins its needs, once, for any number of scenarios.
    pub fn prepare(
        &self,
        footprint: &Footprint,
        needs: &Needs,
    ) -> Result<PreparedFootprint, AllocationError> {
        let policy = self.policy_or_error()?;
        // Only whether the tree is valid matters here: notes and warnings are not built.
        let resolved = Resolved::errors_only(self, footprint);
        let n = resolved.units.len();
        // The tree must be valid before any money moves.
        let order = resolved.order.clone();
        let parent_of = resolved.parent.clone();
        let tiers_of = resolved.tier.clone();
        let population = resolved.population.clone();
        let ids: Vec<&str> = resolved.units.iter().map(|u| u.unit_id.as_str()).collect();
        let report = resolved.report(self);
        if report.has_errors() {
            let errors = report.count(crate::footprint::Severity::Error);
            let f = &report.findings()[0];
            let unit = f
                .unit_id
                .as_deref()
                .map_or(String::new(), |u| format!(" {u}"));
            return Err(AllocationError::InvalidFootprint {
                errors,
                first: format!("{}{}: {}", f.code, unit, f.message),
            });
        }
        debug_assert_eq!(order.len(), n);

        let (mut tree, pos) = build_tree(&order, &ids, &tiers_of, &parent_of, &population);
        let frame = NeedsFrame {
            ids: &ids,
            tiers_of: &tiers_of,
            pos: &pos,
            population: &population,
        };
        self.join_needs(policy, needs, &frame, &mut tree)?;
        let comps = components::join(policy, self.id(), needs, &frame, &tree)?;
        tree.age_counts.sort_unstable_by_key(|(q, _)| *q);
        let mut prepared = PreparedFootprint {
            ruleset: self.clone(),
            tree: Arc::new(tree),
            base_wp: Arc::new(Vec::new()),
            base_shares: Arc::new(shares::Shares::new(&Tree::empty(), &[])),
            policy: Arc::new(policy.clone()),
            per_head: self.per_head_payments().cloned().map(Arc::new),
            base_per_head: None,
            components: Arc::new(comps),
        };
        let wp = prepared.weighted_population(&FixedPolicy::new(policy)?)?;
        prepared.base_shares = Arc::new(shares::Shares::new(&prepared.tree, &wp));
        prepared.base_per_head = prepared
            .per_head
            .as_ref()
            .map(|schedule| schedule.compute(&prepared.tree, &wp).map(Arc::new));
        prepared.base_wp = Arc::new(wp);
        Ok(prepared)
    }

    /// Joins the needs to the tree's practices, checked and in fixed point; a practice
    /// with no need row is weighted by its population alone.
    fn join_needs(
        &self,
        policy: &AllocationPolicy,
        needs: &Needs,
        frame: &NeedsFrame,
        tree: &mut Tree,
    ) -> Result<(), AllocationError> {
        let NeedsFrame {
            ids,
            tiers_of,
            pos,
            population,
        } = *frame;
        let n = ids.len();
        // Needs, checked and converted to fixed point once.
        let band_weights: HashMap<&str, (u32, u64)> = policy
            .age_band_weights
            .iter()
            .enumerate()
            .map(|(i, (b, w))| {
                Ok((
                    b.as_str(),
                    (
                        i as u32,
                        to_fixed(*w).map_err(money_err("age band weight"))?,
                    ),
                ))
            })
            .collect::<Result<_, AllocationError>>()?;
        let mut given = vec![false; n];
        for (unit_id, need) in needs.rows() {
            let k = ids.binary_search(&unit_id.as_str()).map_err(|_| {
                AllocationError::NeedUnknownUnit {
                    unit_id: unit_id.clone(),
                }
            })?;
            if tiers_of[k] != Some(0) {
                return Err(AllocationError::NeedNotPractice {
                    unit_id: unit_id.clone(),
                    tier: resolved_tier_name(self, tiers_of[k]),
                });
            }
            if std::mem::replace(&mut given[k], true) {
                return Err(AllocationError::NeedDuplicate {
                    unit_id: unit_id.clone(),
                });
            }
            let q = pos[k] as usize;
            let invalid = |field: &str, message: String| AllocationError::NeedInvalid {
                unit_id: unit_id.clone(),
                field: field.to_string(),
                message,
            };
            let fixed = |field: &str, d: Decimal| {
                to_fixed(d).map_err(|e| {
                    invalid(field, format!("{d} cannot be used: {}", fixed_reason(&e)))
                })
            };
            let need_wp = if need.age_counts.is_empty() {
                let index = fixed("need_index", need.need_index.unwrap_or(Decimal::ONE))?;
                // Branch `pop` (exact fractional populations): population and index are
                // both in billionths, so their product is in 1e-18 persons; need_wp stays
                // in billionths, rounded once, half to even. For a whole population the
                // product divides exactly, so whole-number footprints are unchanged.
                need_weighted(population[k], index).ok_or_else(|| {
                    AllocationError::WeightOverflow {
                        unit_id: unit_id.clone(),
                    }
                })?
            } else {
                if need.need_index.is_some() {
                    return Err(invalid(
                        "need_index",
                        "is given together with age-band counts; give one or the other".into(),
                    ));
                }
                let mut sum: u128 = 0;
                let mut detail = Vec::with_capacity(need.age_counts.len());
                for (band, count) in &need.age_counts {
                    let (i, w) = band_weights.get(band.as_str()).ok_or_else(|| {
                        invalid(band, format!("is not an age band of ruleset {}", self.id()))
                    })?;
                    detail.push((*i, *count));
                    sum = sum
                        .checked_add(u128::from(*count) * u128::from(*w))
                        .ok_or_else(|| AllocationError::WeightOverflow {
                            unit_id: unit_id.clone(),
                        })?;
                }
                tree.age_counts.push((q as u32, detail.into_boxed_slice()));
                sum
            };
            tree.need_wp[q] = need_wp;
            tree.hi_wp[q] = match need.hi_weighted_population {
                Some(d) => u128::from(fixed("hi_weighted_population", d)?),
                None => need_wp,
            };
            if let Some(m) = need.market_forces_factor {
                let f = fixed("market_forces_factor", m)?;
                if f == 0 {
                    return Err(invalid(
                        "market_forces_factor",
                        "is 0; expected a positive factor".into(),
                    ));
                }
                tree.mff[q] = f;
            }
        }
        for k in 0..n {
            if tiers_of[k] == Some(0) && !given[k] {
                let q = pos[k] as usize;
                // A population in billionths is its need-weighted population at index 1.
                tree.need_wp[q] = population[k].billionths();
                tree.hi_wp[q] = tree.need_wp[q];
            }
        }
        Ok(())
    }

    /// The allocation policy, or the error that says the ruleset has none.
    fn policy_or_error(&self) -> Result<&AllocationPolicy, AllocationError> {
        self.allocation_policy()
            .ok_or_else(|| AllocationError::NoPolicy {
                ruleset: self.id().to_string(),
            })
    }

    /// Prepares and runs one allocation: the footprint, a budget in pence, needs, and
    /// optional ACO baselines.
    pub fn allocate(
        &self,
        footprint: &Footprint,
        budget_pence: i64,
        needs: &Needs,
        baselines: Vec<(String, i64)>,
    ) -> Result<Allocation, AllocationError> {
        self.prepare(footprint, needs)?
            .allocate(&Scenario::budget(budget_pence).with_baselines(baselines))
    }
}

fn fixed_reason(e: &MoneyError) -> &'static str {
    match e {
        MoneyError::Decimal(_, why) => why,
        _ => "out of range",
    }
}

fn resolved_tier_name(rs: &Ruleset, t: Option<usize>) -> String {
    t.map_or_else(
        || "unit of unknown tier".into(),
        |t| rs.tiers()[t].id().to_string(),
    )
}

/// A policy converted to fixed point for the hot loops.
struct FixedPolicy {
    aco_share: u64,
    h: u64,
    mff: u64,
    pots: Vec<(String, u64)>,
    pace: Option<pace::FixedPace>,
    retained: Vec<u64>,
}

impl FixedPolicy {
    fn new(p: &AllocationPolicy) -> Result<Self, AllocationError> {
        let f = |what: &str, d: Decimal| to_fixed(d).map_err(money_err(what));
        Ok(FixedPolicy {
            aco_share: f("aco_commissioned_share", p.aco_commissioned_share)?,
            h: f("inequalities_weight", p.inequalities_weight)?,
            mff: f("market_forces_factor", p.market_forces_factor)?,
            pots: p
                .pots
                .iter()
                .map(|pot| Ok((pot.id.clone(), f("pot share", pot.share)?)))
                .collect::<Result<_, AllocationError>>()?,
            pace: p
                .pace_of_change
                .as_ref()
                .map(pace::FixedPace::new)
                .transpose()?,
            retained: p
                .retained_share
                .iter()
                .map(|s| f("retained share", *s))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A scenario's policy, ready to evaluate: what every scenario under it shares.
struct PolicyRun {
    policy: Arc<AllocationPolicy>,
    fp: FixedPolicy,
    /// Weighted population by position under this policy.
    wp: Arc<Vec<u64>>,
    /// The cascade's splits under it.
    shares: Arc<shares::Shares>,
    /// Weights and keys of the commissioner split: the ACO pool, then the pots by id.
    split_w: Vec<u64>,
    split_k: Vec<u32>,
    /// The pot ids, by id.
    pot_ids: Vec<String>,
}

/// The weighted population money is split by, by position, and the cascade's splits
/// under it: the policy's formula, or a budget line's component.
#[derive(Clone, Copy)]
struct Weights<'a> {
    wp: &'a [u64],
    shares: &'a shares::Shares,
}

impl PolicyRun {
    /// The policy formula's weights.
    fn weights(&self) -> Weights<'_> {
        Weights {
            wp: &self.wp,
            shares: &self.shares,
        }
    }
}

/// Where one scenario's columns go (by unit position; pots by id). `retained` is
/// written when given: a sweep does not report it.
struct Columns<'a> {
    target: &'a mut [i64],
    allocation: &'a mut [i64],
    retained: Option<&'a mut [i64]>,
    pots: &'a mut [i64],
}

impl PreparedFootprint {
    /// The ruleset the footprint was prepared under.
    pub fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.tree.ids.len()
    }

    /// Whether the footprint has no units.
    pub fn is_empty(&self) -> bool {
        self.tree.ids.is_empty()
    }

    /// Runs many scenarios on the same footprint; the first failure is returned with
    /// its index, and no results.
    pub fn allocate_many(
        &self,
        scenarios: &[Scenario],
    ) -> Result<Vec<Allocation>, AllocationError> {
        scenarios
            .iter()
            .enumerate()
            .map(|(index, s)| {
                self.allocate(s).map_err(|e| AllocationError::Scenario {
                    index,
                    source: Box::new(e),
                })
            })
            .collect()
    }

    /// Runs one scenario: a single budget, or budget lines (each allocated as a
    /// whole allocation by its component, the total their sum).
    pub fn allocate(&self, scenario: &Scenario) -> Result<Allocation, AllocationError> {
        let run = self.policy_run(scenario.policy.as_ref())?;
        if !scenario.lines.is_empty() {
            return self.allocate_lines(&run, scenario);
        }
        self.check_single(&run.policy)?;
        let w = run.weights();
        self.allocate_one(&run, w, scenario.budget_pence, &scenario.baselines, None)
    }

    /// A single budget is refused under a policy that splits its budget in lines:
    /// which line it would be is not guessed.
    fn check_single(&self, policy: &AllocationPolicy) -> Result<(), AllocationError> {
        if policy.budget_lines.is_empty() {
            return Ok(());
        }
        Err(AllocationError::LinesRequired {
            ruleset: self.ruleset.id().to_string(),
            lines: policy
                .budget_lines
                .iter()
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// One budget split by the weights `w` (the formula's, or a line's component
    /// `component`), checked.
    fn allocate_one(
        &self,
        run: &PolicyRun,
        w: Weights<'_>,
        budget_pence: i64,
        baselines: &[(String, i64)],
        component: Option<&str>,
    ) -> Result<Allocation, AllocationError> {
        let baseline = self.baselines(baselines)?;
        let n = self.tree.ids.len();
        let mut target = vec![0i64; n];
        let mut allocation = vec![0i64; if baseline.is_some() { n } else { 0 }];
        let mut retained = vec![0i64; n];
        let mut pots = vec![0i64; run.fp.pots.len()];
        let pool = self.evaluate(
            run,
            w,
            budget_pence,
            baseline.as_deref(),
            &mut Columns {
                target: &mut target,
                allocation: &mut allocation,
                retained: Some(&mut retained),
                pots: &mut pots,
            },
            &mut Scratch::default(),
        )?;
        let t = &*self.tree;
        // Per-head payments are paid on the formula's weighted population, once, on
        // the whole allocation (not on a line): the prepared columns when the scenario
        // keeps the ruleset's policy.
        let per_head = match (&self.per_head, component) {
            (Some(schedule), None) => Some(match &self.base_per_head {
                Some(base) if Arc::ptr_eq(&run.wp, &self.base_wp) => base.clone()?,
                _ => Arc::new(schedule.compute(t, &run.wp)?),
            }),
            _ => None,
        };
        let result = Allocation {
            tree: Arc::clone(&self.tree),
            tier_ids: self.ruleset.tier_ids().map(str::to_string).collect(),
            ruleset_id: self.ruleset.id().to_string(),
            policy: Arc::clone(&run.policy),
            per_head,
            per_head_schedule: self.per_head.clone().filter(|_| component.is_none()),
            budget_pence,
            aco_pool_pence: pool,
            weighted_population: match component {
                None => Arc::clone(&run.wp),
                Some(c) => Arc::clone(&self.component(c).expect("a line's component is given").wp),
            },
            component: component.map(str::to_string),
            components: Arc::clone(&self.components),
            lines: Vec::new(),
            target,
            baseline: baseline.unwrap_or_default(),
            allocation: (!allocation.is_empty()).then_some(allocation),
            retained,
            pots: run
                .pot_ids
                .iter()
                .zip(&pots)
                .map(|(id, &p)| PotRow {
                    id: id.clone(),
                    allocation_pence: p,
                })
                .collect(),
        };
        // The cascade checked conservation at every node as it went.
        Ok(result)
    }

    /// A scenario's policy made ready: checked, in fixed point, with its weighted
    /// population (the prepared one when the scenario keeps the ruleset's policy).
    fn policy_run(&self, policy: Option<&AllocationPolicy>) -> Result<PolicyRun, AllocationError> {
        let (policy, wp) = match policy {
            Some(p) => {
                self.ruleset.with_allocation_policy(p.clone())?;
                (Arc::new(p.clone()), None)
            }
            None => (
                Arc::clone(&self.policy),
                Some((Arc::clone(&self.base_wp), Arc::clone(&self.base_shares))),
            ),
        };
        let fp = FixedPolicy::new(&policy)?;
        let (wp, shares) = match wp {
            Some(w) => w,
            None => {
                let wp = self.weighted_population(&fp)?;
                let shares = shares::Shares::new(&self.tree, &wp);
                (Arc::new(wp), Arc::new(shares))
            }
        };
        // The commissioner split: the ACO pool first, then the pots by id.
        let mut pot_order: Vec<usize> = (0..fp.pots.len()).collect();
        pot_order.sort_by(|&a, &b| fp.pots[a].0.cmp(&fp.pots[b].0));
        let mut split_w = vec![fp.aco_share * FIXED_ONE];
        let mut split_k = vec![0u32];
        for (j, &i) in pot_order.iter().enumerate() {
            split_w.push((FIXED_ONE - fp.aco_share) * fp.pots[i].1);
            split_k.push(j as u32 + 1);
        }
        let pot_ids = pot_order.iter().map(|&i| fp.pots[i].0.clone()).collect();
        Ok(PolicyRun {
            policy,
            fp,
            wp,
            shares,
            split_w,
            split_k,
            pot_ids,
        })
    }

    /// The money of one scenario, into `cols`: the commissioner split, the ACO
    /// targets, pace of change from `baseline` (by ACO position) and the cascade down
    /// the tree. `cols.allocation` is written only when baselines are given (otherwise
    /// the allocation is the target). Returns the ACO pool. Shared by
    /// [`PreparedFootprint::allocate`] and [`PreparedFootprint::sweep`], so a sweep's
    /// rows are a single allocation's, penny for penny.
    fn evaluate(
        &self,
        run: &PolicyRun,
        w: Weights<'_>,
        budget_pence: i64,
        baseline: Option<&[i64]>,
        cols: &mut Columns<'_>,
        scratch: &mut Scratch,
    ) -> Result<i64, AllocationError> {
        let t = &*self.tree;
        let fp = &run.fp;
        let wp = w.wp;
        if budget_pence < 0 {
            return Err(AllocationError::Money {
                context: "budget".into(),
                source: MoneyError::Negative(budget_pence),
            });
        }
        // 2. Commissioner split: one apportionment over the ACO pool and the pots.
        let mut split = [0i64; 8];
        let mut split_vec;
        let split: &mut [i64] = if run.split_w.len() <= split.len() {
            &mut split[..run.split_w.len()]
        } else {
            split_vec = vec![0i64; run.split_w.len()];
            &mut split_vec
        };
        apportion_into(budget_pence, &run.split_w, &run.split_k, split, scratch)
            .map_err(money_err("commissioner split"))?;
        let pool = split[0];
        cols.pots.copy_from_slice(&split[1..]);

        // 3. Targets for the ACOs, by weighted share of the pool.
        let roots = t.roots;
        let keys = &t.rank[..roots];
        if wp[..roots].iter().all(|&w| w == 0) && pool > 0 {
            return Err(AllocationError::ZeroPoolWeight { pool });
        }
        let targets = &mut cols.target[..roots];
        match w.shares.roots_total() {
            Some(tot) => w
                .shares
                .split(tot, 0, roots, pool, wp, &t.rank, targets, scratch),
            None => apportion_into(pool, &wp[..roots], keys, targets, scratch),
        }
        .map_err(money_err("ACO targets"))?;

        // 4. Pace of change from baselines: the ACOs' allocations, when they differ
        //    from their targets.
        // 5. Down the tree, for targets and for allocations. Without baselines the
        //    allocation is the target, so it is cascaded once.
        let reported: &[i64] = match baseline {
            None => {
                self.cascade(run, w, cols.target, cols.retained.as_deref_mut(), scratch)?;
                cols.target
            }
            Some(b) => {
                let pace = fp
                    .pace
                    .as_ref()
                    .ok_or_else(|| AllocationError::NoPacePolicy {
                        ruleset: self.ruleset.id().to_string(),
                    })?;
                let moved = pace.apply(pool, &cols.target[..roots], b, &wp[..roots], keys)?;
                cols.allocation[..roots].copy_from_slice(&moved);
                // Each cascade writes every unit's retained amount, so the allocation's
                // (the one reported) overwrite the targets'.
                self.cascade(run, w, cols.target, cols.retained.as_deref_mut(), scratch)?;
                self.cascade(
                    run,
                    w,
                    cols.allocation,
                    cols.retained.as_deref_mut(),
                    scratch,
                )?;
                cols.allocation
            }
        };
        // Each cascade checked every node; what is left is the top: the ACOs add up to
        // the pool, and with the pots to the budget.
        check_total(&reported[..roots], budget_pence, pool, cols.pots)?;
        Ok(pool)
    }

    /// Weighted population in billionths of a person, by position: practices from the
    /// formula (rounded once, half to even, to the billionth), aggregates by summing
    /// children (bottom-up over the breadth-first order). Billionths, not millionths,
    /// so that a weighted population given as published (nine decimals) splits money
    /// exactly as its own value would: one unit for both.
    fn weighted_population(&self, fp: &FixedPolicy) -> Result<Vec<u64>, AllocationError> {
        let t = &*self.tree;
        let n = t.ids.len();
        let mut wp = vec![0u64; n];
        let one = u128::from(FIXED_ONE);
        let (h, keep) = (u128::from(fp.h), one - u128::from(fp.h));
        // blend (1e-18 persons) x mff (1e-9) = 1e-27 persons; to 1e-9: divide by 1e18.
        const DIV: u128 = 1_000_000_000_000_000_000;
        for q in 0..n {
            if t.tier[q] != 0 {
                continue;
            }
            let overflow = || AllocationError::WeightOverflow {
                unit_id: t.ids[q].clone(),
            };
            let mff = u128::from(if t.mff[q] == 0 { fp.mff } else { t.mff[q] });
            let blend = keep
                .checked_mul(t.need_wp[q])
                .and_then(|a| h.checked_mul(t.hi_wp[q]).and_then(|b| a.checked_add(b)))
                .ok_or_else(overflow)?;
            let x = blend.checked_mul(mff).ok_or_else(overflow)?;
            let (quot, rem) = (x / DIV, x % DIV);
            // Round half to even, once.
            let up = rem > DIV / 2 || (rem == DIV / 2 && quot % 2 == 1);
            wp[q] = u64::try_from(quot + u128::from(up)).map_err(|_| overflow())?;
        }
        for q in (0..n).rev() {
            let p = t.parent[q];
            if p != NO_PARENT {
                let p = p as usize;
                wp[p] =
                    wp[p]
                        .checked_add(wp[q])
                        .ok_or_else(|| AllocationError::WeightOverflow {
                            unit_id: t.ids[p].clone(),
                        })?;
            }
        }
        Ok(wp)
    }

    /// Baselines by ACO position, or `None` when none are given.
    fn baselines(&self, given: &[(String, i64)]) -> Result<Option<Vec<i64>>, AllocationError> {
        if given.is_empty() {
            return Ok(None);
        }
        let t = &*self.tree;
        let top = self.ruleset.accountable_tier();
        let top_id = self.ruleset.tiers()[top].id();
        let mut out: Vec<Option<i64>> = vec![None; t.roots];
        for (id, pence) in given {
            let q = t.ids[..t.roots]
                .iter()
                .position(|x| x == id)
                .ok_or_else(|| AllocationError::BaselineNotAccountable {
                    unit_id: id.clone(),
                    tier: top_id.to_string(),
                })?;
            if *pence < 0 {
                return Err(AllocationError::BaselineNegative {
                    unit_id: id.clone(),
                    pence: *pence,
                });
            }
            if out[q].replace(*pence).is_some() {
                return Err(AllocationError::BaselineDuplicate {
                    unit_id: id.clone(),
                });
            }
        }
        let missing: Vec<&str> = (0..t.roots)
            .filter(|&q| out[q].is_none())
            .map(|q| t.ids[q].as_str())
            .collect();
        if !missing.is_empty() {
            return Err(AllocationError::BaselineMissing {
                missing: missing.join(", "),
            });
        }
        Ok(Some(out.into_iter().map(|b| b.unwrap_or(0)).collect()))
    }

    /// Passes each unit's amount down: it keeps its tier's retained share (rounded
    /// down), its children split the rest by weighted population; a practice keeps all.
    ///
    /// The conservation check is folded in: right after each split, while its children
    /// are in cache, they are summed with what the unit kept and compared with its
    /// amount, and each is checked non-negative; the top units are checked last. So a
    /// cascade that returns `Ok` has conserved every penny at every node, without a
    /// second pass over the columns. `retained` is written when given (a sweep reports
    /// allocations only).
    fn cascade(
        &self,
        run: &PolicyRun,
        w: Weights<'_>,
        amount: &mut [i64],
        mut retained: Option<&mut [i64]>,
        scratch: &mut Scratch,
    ) -> Result<(), AllocationError> {
        let t = &*self.tree;
        let (fp, wp, shares) = (&run.fp, w.wp, w.shares);
        // Only units with children split; the practices (most of the rows) keep all.
        for &q in shares.parents() {
            let q = q as usize;
            let (c0, c1) = (t.child_start[q] as usize, t.child_start[q + 1] as usize);
            let rate = fp.retained[t.tier[q] as usize];
            let keep = if rate == 0 {
                0
            } else {
                mul_fixed_floor(amount[q], rate).map_err(money_err("retained share"))?
            };
            if let Some(r) = retained.as_deref_mut() {
                r[q] = keep;
            }
            let rest = amount[q] - keep;
            let zero = if shares.narrow {
                shares.total(q) == 0
            } else {
                wp[c0..c1].iter().all(|&w| w == 0)
            };
            if rest > 0 && zero {
                return Err(AllocationError::ZeroWeight {
                    unit_id: t.ids[q].clone(),
                    pence: rest,
                });
            }
            let (head, out) = amount.split_at_mut(c0);
            let out = &mut out[..c1 - c0];
            // amount[q] sits before its children (q < c0).
            if shares.narrow {
                shares.split(shares.total(q), c0, c1, rest, wp, &t.rank, out, scratch)
            } else {
                apportion_into(rest, &wp[c0..c1], &t.rank[c0..c1], out, scratch)
            }
            .map_err(money_err("split among children"))?;
            // The check: what was kept and what went down add up to the unit's amount,
            // nothing negative (each part is below 2^63, so an i128 sum cannot wrap).
            let mut negative = keep < 0 || head[q] < 0;
            let mut sum = i128::from(keep);
            for &a in out.iter() {
                negative |= a < 0;
                sum += i128::from(a);
            }
            if negative {
                return Err(AllocationError::Internal(format!(
                    "allocation of {} or of a child is negative",
                    t.ids[q]
                )));
            }
            if sum != i128::from(head[q]) {
                return Err(AllocationError::Internal(format!(
                    "children of {} plus retained != its allocation",
                    t.ids[q]
                )));
            }
        }
        // Every other unit's amount was checked as a child; the top units here.
        if let Some(q) = amount[..t.roots].iter().position(|&a| a < 0) {
            return Err(AllocationError::Internal(format!(
                "allocation of {} is negative",
                t.ids[q]
            )));
        }
        if let Some(r) = retained {
            for q in 0..t.ids.len() {
                if t.child_start[q] == t.child_start[q + 1] {
                    r[q] = amount[q];
                }
            }
        }
        Ok(())
    }
}

/// A commissioner pot's allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PotRow {
    /// The pot id.
    pub id: String,
    /// Its allocation, pence.
    pub allocation_pence: i64,
}

/// The result of one allocation: columns by unit, in top-down order (ACOs, then their
/// children level by level, by id within each parent), and the commissioner's pots.
#[derive(Debug, Clone)]
pub struct Allocation {
    tree: Arc<Tree>,
    tier_ids: Vec<String>,
    ruleset_id: String,
    /// The policy the allocation was made under (kept to explain it).
    policy: Arc<AllocationPolicy>,
    /// Per-head payments by position, when the ruleset has a schedule.
    per_head: Option<Arc<per_head::PerHeadColumns>>,
    per_head_schedule: Option<Arc<PerHeadPayments>>,
    budget_pence: i64,
    aco_pool_pence: i64,
    /// Billionths of a person, by position: the formula's, or the line's component's.
    weighted_population: Arc<Vec<u64>>,
    target: Vec<i64>,
    baseline: Vec<i64>,
    /// `None` when the allocation is the target (no baselines): one column, not two.
    allocation: Option<Vec<i64>>,
    retained: Vec<i64>,
    pots: Vec<PotRow>,
    /// The component a budget line's allocation is split by; `None` for the formula.
    component: Option<String>,
    /// The component weighted populations the needs gave (shared).
    components: Arc<Vec<components::ComponentWeights>>,
    /// The budget lines, when the scenario gave lines: each a whole allocation, and
    /// this one their sum.
    lines: Vec<LineAllocation>,
}

/// One budget line of an allocation: the line, its component, and its own allocation
/// (every column, conserved at every node like any allocation).
#[derive(Debug, Clone)]
pub struct LineAllocation {
    /// The line id.
    pub line: String,
    /// The component that split it.
    pub component: String,
    /// The line's allocation.
    pub allocation: Allocation,
}

/// The per-head columns of an allocation, by unit in row order (see [`per_head`]).
#[derive(Debug, Clone, Copy)]
pub struct PerHeadPence<'a> {
    /// Gross per-head amounts, pence.
    pub gross: &'a [i64],
    /// Deductions, pence.
    pub deduction: &'a [i64],
    /// Gross less deductions, pence.
    pub payment: &'a [i64],
}

/// One row of an allocation result (a unit or a commissioner pot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRow<'a> {
    /// Unit id, or the pot id for a commissioner pot.
    pub unit_id: &'a str,
    /// Tier id, or `strategic_commissioner` for a pot.
    pub tier: &'a str,
    /// Parent id; `None` for ACOs and pots.
    pub parent_id: Option<&'a str>,
    /// Weighted population in millionths of a person, rounded half to even from
    /// [`AllocationRow::weighted_population_nano`] (0 for pots).
    pub weighted_population_micro: u64,
    /// Weighted population in billionths of a person, exact (0 for pots).
    pub weighted_population_nano: u64,
    /// What the unit would get at target, pence (for a pot, its allocation).
    pub target_pence: i64,
    /// Last year's allocation, for ACOs when baselines were given.
    pub baseline_pence: Option<i64>,
    /// This year's allocation, pence.
    pub allocation_pence: i64,
    /// What the unit keeps rather than passes down, pence.
    pub retained_pence: i64,
    /// `(allocation - target) / target` in millionths, rounded half away from zero;
    /// `None` when the target is 0.
    pub distance_from_target_ppm: Option<i64>,
}

impl Allocation {
    /// The ACOs and the strategic commissioner's pots as a text table, for reading by
    /// eye (`localcare allocate --format text`, the demo).
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "budget {}; ACO pool {}",
            money::Pounds(self.budget_pence()),
            money::Pounds(self.aco_pool_pence())
        );
        if !self.lines.is_empty() {
            let lines: Vec<String> = self
                .lines
                .iter()
                .map(|l| {
                    format!(
                        "{} {} (by `wp_{}`)",
                        l.line,
                        money::Pounds(l.allocation.budget_pence),
                        l.component
                    )
                })
                .collect();
            let _ = writeln!(out, "budget lines: {}", lines.join(", "));
        }
        let _ = writeln!(
            out,
            "  {:<10} {:>18} {:>20} {:>20} {:>20} {:>9}",
            "unit", "weighted pop.", "target", "baseline", "allocation", "DFT"
        );
        for r in self
            .rows()
            .filter(|r| r.parent_id.is_none() && r.tier != STRATEGIC_COMMISSIONER)
        {
            let _ = writeln!(
                out,
                "  {:<10} {:>18} {:>20} {:>20} {:>20} {:>9}",
                r.unit_id,
                money::group_thousands(r.weighted_population_nano / 1_000_000_000),
                money::Pounds(r.target_pence).to_string(),
                r.baseline_pence
                    .map_or("-".to_string(), |b| money::Pounds(b).to_string()),
                money::Pounds(r.allocation_pence).to_string(),
                r.distance_from_target_ppm
                    .map_or("-".to_string(), |p| format!("{:+.2}%", p as f64 / 10_000.0)),
            );
        }
        for p in self.pots() {
            let _ = writeln!(
                out,
                "  strategic commissioner pot {}: {}",
                p.id,
                money::Pounds(p.allocation_pence)
            );
        }
        let _ = writeln!(
            out,
            "  ({} units in all; at every node the children plus what it retained add up to it, to the penny)",
            self.unit_count()
        );
        out
    }

    /// The whole budget, pence.
    pub fn budget_pence(&self) -> i64 {
        self.budget_pence
    }
    /// What the ACOs commission, pence.
    pub fn aco_pool_pence(&self) -> i64 {
        self.aco_pool_pence
    }
    /// Number of unit rows (without pots).
    pub fn unit_count(&self) -> usize {
        self.tree.ids.len()
    }
    /// Unit ids, in row order.
    pub fn unit_ids(&self) -> &[String] {
        &self.tree.ids
    }
    /// Allocation per unit, pence, in row order.
    pub fn allocation_pence(&self) -> &[i64] {
        self.allocation.as_deref().unwrap_or(&self.target)
    }
    /// Target per unit, pence, in row order.
    pub fn target_pence(&self) -> &[i64] {
        &self.target
    }
    /// Retained per unit, pence, in row order.
    pub fn retained_pence(&self) -> &[i64] {
        &self.retained
    }
    /// Weighted population per unit, billionths of a person, in row order: exact
    /// (the formula's rounded once to the billionth; a component's as given).
    pub fn weighted_population_nano(&self) -> &[u64] {
        &self.weighted_population
    }
    /// Weighted population per unit, millionths of a person, rounded half to even
    /// from [`Allocation::weighted_population_nano`], in row order.
    pub fn weighted_population_micro(&self) -> Vec<u64> {
        self.weighted_population
            .iter()
            .map(|&n| nano_to_micro(n))
            .collect()
    }
    /// The budget lines, when the scenario gave lines (empty for a single budget).
    pub fn lines(&self) -> &[LineAllocation] {
        &self.lines
    }
    /// The component this allocation is split by (a line's), `None` for the formula.
    pub fn component(&self) -> Option<&str> {
        self.component.as_deref()
    }
    /// The ids of the components the needs gave, in the policy's order.
    pub fn component_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.components.iter().map(|c| c.id.as_str())
    }
    /// A component's weighted population per unit, billionths of a person, in row
    /// order; `None` when the needs did not give it.
    pub fn component_weighted_population_nano(&self, component: &str) -> Option<&[u64]> {
        self.components
            .iter()
            .find(|c| c.id == component)
            .map(|c| &c.wp[..])
    }
    /// The commissioner's pots.
    pub fn pots(&self) -> &[PotRow] {
        &self.pots
    }
    /// The baselines given, pence, one per ACO in row order (the ACOs are the first
    /// rows); empty when the scenario had none.
    pub fn baseline_pence(&self) -> &[i64] {
        &self.baseline
    }

    /// Per-head payments (gross, deductions, payment) per unit in row order, pence,
    /// when the ruleset has a `[payments]` schedule; `None` otherwise.
    pub fn per_head_pence(&self) -> Option<PerHeadPence<'_>> {
        self.per_head.as_ref().map(|c| PerHeadPence {
            gross: &c.gross,
            deduction: &c.deduction,
            payment: &c.payment,
        })
    }

    /// The id of the ruleset the allocation was made under.
    pub fn ruleset_id(&self) -> &str {
        &self.ruleset_id
    }

    /// Every row: units in top-down order, then the pots.
    pub fn rows(&self) -> impl Iterator<Item = AllocationRow<'_>> + '_ {
        let t = &*self.tree;
        let units = (0..t.ids.len()).map(move |q| {
            let target = self.target[q];
            let alloc = self.allocation_pence()[q];
            AllocationRow {
                unit_id: &t.ids[q],
                tier: &self.tier_ids[t.tier[q] as usize],
                parent_id: (t.parent[q] != NO_PARENT).then(|| t.ids[t.parent[q] as usize].as_str()),
                weighted_population_micro: nano_to_micro(self.weighted_population[q]),
                weighted_population_nano: self.weighted_population[q],
                target_pence: target,
                baseline_pence: self.baseline.get(q).copied().filter(|_| q < t.roots),
                allocation_pence: alloc,
                retained_pence: self.retained[q],
                distance_from_target_ppm: distance_from_target_ppm(alloc, target),
            }
        });
        let pots = self.pots.iter().map(|p| AllocationRow {
            unit_id: &p.id,
            tier: STRATEGIC_COMMISSIONER,
            parent_id: None,
            weighted_population_micro: 0,
            weighted_population_nano: 0,
            target_pence: p.allocation_pence,
            baseline_pence: None,
            allocation_pence: p.allocation_pence,
            retained_pence: p.allocation_pence,
            distance_from_target_ppm: (p.allocation_pence != 0).then_some(0),
        });
        units.chain(pots)
    }

    /// Checks conservation at every node, the budget total and non-negativity: for a
    /// sum of budget lines, which no cascade made (each line's cascade checked itself).
    fn check_sum(&self) -> Result<(), AllocationError> {
        let pots: i128 = self
            .pots
            .iter()
            .map(|p| i128::from(p.allocation_pence))
            .sum();
        check_columns(
            &self.tree,
            self.budget_pence,
            self.aco_pool_pence,
            pots,
            self.allocation_pence(),
            &self.target,
            &self.retained,
        )
    }
}

/// Checks the top of one scenario: the ACOs (`acos`, their amounts) add up to the pool,
/// and with the pots to the budget.
fn check_total(acos: &[i64], budget: i64, pool: i64, pots: &[i64]) -> Result<(), AllocationError> {
    let acos: i128 = acos.iter().map(|&a| i128::from(a)).sum();
    let pots: i128 = pots.iter().map(|&p| i128::from(p)).sum();
    if acos != i128::from(pool) || acos + pots != i128::from(budget) {
        return Err(AllocationError::Internal(format!(
            "ACOs {acos} + pots {pots} != budget {budget}"
        )));
    }
    Ok(())
}

/// Checks one scenario's columns: the ACOs and pots add up to the budget, nothing is
/// negative, and at every node the children plus what it retained equal its allocation.
fn check_columns(
    t: &Tree,
    budget_pence: i64,
    aco_pool_pence: i64,
    pots: i128,
    allocation: &[i64],
    target: &[i64],
    retained: &[i64],
) -> Result<(), AllocationError> {
    let bad = |m: String| Err(AllocationError::Internal(m));
    let acos: i128 = allocation[..t.roots].iter().map(|&a| i128::from(a)).sum();
    if acos != i128::from(aco_pool_pence) || acos + pots != i128::from(budget_pence) {
        return bad(format!(
            "ACOs {acos} + pots {pots} != budget {budget_pence}"
        ));
    }
    // One pass: nothing negative, and children plus retained equal the parent at every
    // node. Children sit side by side (breadth-first positions), so each sum reads one
    // contiguous run. Every part is checked non-negative (below 2^63) before it is
    // added, so a u64 sum can only overflow past an i64 parent, which it is checked
    // against: a checked add catches the rest.
    let same = std::ptr::eq(allocation, target);
    if let Some(q) = target.iter().position(|&t| t < 0).filter(|_| !same) {
        return bad(format!("target of {} is negative", t.ids[q]));
    }
    for q in 0..t.ids.len() {
        let (c0, c1) = (t.child_start[q] as usize, t.child_start[q + 1] as usize);
        if allocation[q] < 0 || retained[q] < 0 {
            return bad(format!("allocation of {} is negative", t.ids[q]));
        }
        let mut sum = Some(retained[q] as u64);
        for &a in &allocation[c0..c1] {
            sum = if a < 0 {
                None
            } else {
                sum.and_then(|s| s.checked_add(a as u64))
            };
        }
        // A practice (no children) must keep all it is given.
        if sum != Some(allocation[q] as u64) {
            return bad(format!(
                "children of {} plus retained != its allocation",
                t.ids[q]
            ));
        }
    }
    Ok(())
}

/// Billionths rounded half to even to millionths.
fn nano_to_micro(n: u64) -> u64 {
    let (q, r) = (n / 1000, n % 1000);
    q + u64::from(r > 500 || (r == 500 && q % 2 == 1))
}

/// The distance from target `(a - t) / t` in millionths, rounded half away from zero,
/// as in an allocation's rows; `None` for a zero target (or a distance beyond `i64`).
///
/// ```
/// use localcare::allocate::distance_from_target_ppm;
/// assert_eq!(distance_from_target_ppm(350_000, 400_000), Some(-125_000));
/// assert_eq!(distance_from_target_ppm(1, 3), Some(-666_667));
/// assert_eq!(distance_from_target_ppm(5, 0), None);
/// ```
pub fn distance_from_target_ppm(a: i64, t: i64) -> Option<i64> {
    if t == 0 {
        return None;
    }
    // The usual case in 64 bits: a 64-bit division is several times quicker than a
    // 128-bit one, and a result table computes this once per row.
    if let Some(num) = a.checked_sub(t).and_then(|d| d.checked_mul(1_000_000)) {
        let (q, r) = (num / t, num % t);
        // |r| < |t| <= 2^63, so twice |r| fits in a u64.
        let away = 2 * r.unsigned_abs() >= t.unsigned_abs();
        return Some(if away {
            q + num.signum() * t.signum()
        } else {
            q
        });
    }
    let num = (i128::from(a) - i128::from(t)) * 1_000_000;
    let den = i128::from(t);
    let q = num / den;
    let r = num % den;
    let q = if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    };
    i64::try_from(q).ok()
}

/// The footprint as a tree in breadth-first order (siblings contiguous and sorted), and
/// each unit's position in it; needs are joined afterwards.
fn build_tree(
    order: &[usize],
    ids: &[&str],
    tiers_of: &[Option<usize>],
    parent_of: &[Option<usize>],
    population: &[crate::Population],
) -> (Tree, Vec<u32>) {
    let n = order.len();
    // Positions in breadth-first order. Resolved's order enqueues roots in id order
    // and children in id order, so siblings are contiguous and sorted.
    let mut pos = vec![0u32; n];
    for (q, &k) in order.iter().enumerate() {
        pos[k] = q as u32;
    }
    let mut tree = Tree {
        ids: order.iter().map(|&k| ids[k].to_string()).collect(),
        rank: order.iter().map(|&k| k as u32).collect(),
        tier: order
            .iter()
            .map(|&k| tiers_of[k].unwrap_or(0) as u8)
            .collect(),
        parent: order
            .iter()
            .map(|&k| parent_of[k].map_or(NO_PARENT, |p| pos[p]))
            .collect(),
        child_start: vec![0; n + 1],
        roots: order
            .iter()
            .take_while(|&&k| parent_of[k].is_none())
            .count(),
        need_wp: vec![0; n],
        hi_wp: vec![0; n],
        mff: vec![0; n],
        population: order
            .iter()
            .map(|&k| {
                if tiers_of[k] == Some(0) {
                    population[k]
                } else {
                    crate::Population::ZERO
                }
            })
            .collect(),
        age_counts: Vec::new(),
    };
    // child_start: children of q follow each other; count then prefix-sum.
    let mut counts = vec![0u32; n + 1];
    for q in 0..n {
        if tree.parent[q] != NO_PARENT {
            counts[tree.parent[q] as usize] += 1;
        }
    }
    let mut next = tree.roots as u32;
    for q in 0..n {
        tree.child_start[q] = next;
        next += counts[q];
    }
    tree.child_start[n] = next;
    (tree, pos)
}

/// `population x index` in billionths of a person, the index in billionths too: the
/// product (1e-18 persons) rounded once to the nearest billionth, halves to even; `None`
/// past `u128`. Exact whenever the population is whole.
fn need_weighted(population: crate::Population, index: u64) -> Option<u128> {
    let num = population.billionths().checked_mul(u128::from(index))?;
    let den = u128::from(FIXED_ONE);
    let (q, r) = (num / den, num % den);
    Some(if r * 2 > den || (r * 2 == den && q % 2 == 1) {
        q + 1
    } else {
        q
    })
}

/// What the needs are joined against: the units in id order, their tiers, positions in
/// the tree and populations.
struct NeedsFrame<'a> {
    ids: &'a [&'a str],
    tiers_of: &'a [Option<usize>],
    pos: &'a [u32],
    population: &'a [crate::Population],
}

#[cfg(test)]
mod lines_tests;
#[cfg(test)]
mod tests;
