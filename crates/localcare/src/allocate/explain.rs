//! Explaining one unit's allocation: the chain from the budget to its money, with every
//! number on the way (`docs/allocation.md#explanation`).
//!
//! Nothing extra is stored while allocating: the explanation is worked out again, on
//! demand, from the allocation's columns, the prepared tree and the policy, by the same
//! integer arithmetic. Every split is largest-remainder apportionment, so each share is
//! `floor(amount x w / W)` plus a remainder penny of 0 or 1 (remainders largest first,
//! ties to the smaller unit id); the explanation shows the exact share, the floor, and
//! the penny of rounding the unit gained (or lost against its exact share).
//!
//! Steps, in order (each [`ExplanationStep::kind`] is a stable id):
//!
//! - `weighted_population`: how the unit's weighted population was formed (practices:
//!   registered population times need index, or age-band counts times weights; the
//!   inequalities blend; the market forces factor; aggregates: the sum of children);
//! - `budget`, then `commissioner_split`: the ACO pool's share of the budget (or, for a
//!   commissioner pot, the pot's);
//! - `aco_target`: the ACO's weighted share of the pool;
//! - `pace_of_change` (only when baselines were given): from baseline toward target,
//!   within the floor and cap, and the rebalancing that spends the pool exactly;
//! - for each level down to the unit: `retained` (what the parent keeps; the rest is
//!   passed down) and `share_of_parent` (the unit's weighted share of what was passed);
//! - `passed_down` when the unit has children; `per_head` when the ruleset has a
//!   per-head schedule; `result`.
//!
//! In every money step `floor_pence + rounding_pence` is the step's result, and each
//! step's result is the next step's amount, ending at the unit's allocation.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::pace::FixedPace;
use super::{Allocation, AllocationError, FixedPolicy, NO_PARENT};
use crate::money::{self, FIXED_ONE, Pounds, decimal_text, nano_text};
use crate::ruleset::STRATEGIC_COMMISSIONER;

/// One number of an explanation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainNumber {
    /// Stable name, such as `floor_pence`.
    pub name: String,
    /// The value as exact text: integer pence, or a decimal (exact, or to the places
    /// the step says).
    pub value: String,
    /// `pence`, `persons`, `ratio`, `count` or `id` (a budget line's or component's).
    pub unit: &'static str,
}

/// One step of an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplanationStep {
    /// Stable step id (see the module docs).
    pub kind: &'static str,
    /// The unit (or pot) the step is about.
    pub unit_id: String,
    /// The step in words, with its numbers.
    pub text: String,
    /// The step's numbers, by name.
    pub numbers: Vec<ExplainNumber>,
}

impl ExplanationStep {
    /// A number's text by name.
    pub fn number(&self, name: &str) -> Option<&str> {
        self.numbers
            .iter()
            .find(|n| n.name == name)
            .map(|n| n.value.as_str())
    }
    /// A whole-pence number by name.
    pub fn pence(&self, name: &str) -> Option<i64> {
        self.number(name).and_then(|v| v.parse().ok())
    }
}

/// The explanation of one unit's (or pot's) allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationExplanation {
    /// The unit or pot.
    pub unit_id: String,
    /// Its tier id (`strategic_commissioner` for a pot).
    pub tier: String,
    /// The ruleset id.
    pub ruleset: String,
    /// Its allocation, pence: the last step's result.
    pub allocation_pence: i64,
    /// The steps from the budget to the allocation.
    pub steps: Vec<ExplanationStep>,
}

impl AllocationExplanation {
    /// The explanation as numbered lines of text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "how {} ({}) gets {} under ruleset {}",
            self.unit_id,
            self.tier,
            Pounds(self.allocation_pence),
            self.ruleset
        );
        for (i, s) in self.steps.iter().enumerate() {
            let _ = writeln!(out, "{:>3}. {}", i + 1, s.text);
        }
        out
    }
}

/// Builds the numbers of a step.
struct Nums(Vec<ExplainNumber>);

impl Nums {
    fn new() -> Self {
        Nums(Vec::new())
    }
    fn pence(mut self, name: &str, v: i64) -> Self {
        self.0.push(ExplainNumber {
            name: name.into(),
            value: v.to_string(),
            unit: "pence",
        });
        self
    }
    fn text(mut self, name: &str, v: String, unit: &'static str) -> Self {
        self.0.push(ExplainNumber {
            name: name.into(),
            value: v,
            unit,
        });
        self
    }
}

/// `int + rem / den` (with `rem < den`) as text to six places, rounded half up.
fn six(int: u128, rem: u128, den: u128) -> String {
    let (mut rem, mut den) = (rem, den.max(1));
    while rem.checked_mul(2_000_000).is_none() {
        (rem, den) = (rem >> 1, den >> 1);
    }
    let f = (rem * 1_000_000 + den / 2) / den;
    let (int, f) = if f >= 1_000_000 {
        (int + 1, f - 1_000_000)
    } else {
        (int, f)
    };
    format!("{int}.{f:06}")
}

/// An exact fixed-point value `v x 10^-scale` as text, at least six places.
fn scaled_text(v: u128, scale: u32) -> String {
    let p = 10u128.pow(scale);
    let frac = format!("{:0width$}", v % p, width = scale as usize);
    let mut frac = frac.trim_end_matches('0').to_string();
    while frac.len() < 6 {
        frac.push('0');
    }
    format!("{}.{frac}", v / p)
}

/// A split of `amount` by `w / total`, as numbers: exact share, floor, rounding penny.
struct Split {
    exact: String,
    floor: i64,
    gained: String,
}

/// `amount x w / total` as apportionment sees it, against the `result` it gave.
fn split(amount: i64, w: u128, total: u128, result: i64) -> Split {
    let amount = u128::try_from(amount).unwrap_or(0);
    let (num, den) = if total == 0 || amount == 0 {
        (0, 1)
    } else {
        match amount.checked_mul(w) {
            Some(num) => (num, total),
            None => {
                let g = gcd(w, total);
                (amount.saturating_mul(w / g), total / g)
            }
        }
    };
    let (floor, rem) = (num / den, num % den);
    let floor = i64::try_from(floor).unwrap_or(i64::MAX);
    let k = result - floor; // the remainder penny: 0 or 1
    let gained = if rem == 0 {
        format!(
            "{}{}.000000",
            if k < 0 { "-" } else { "+" },
            k.unsigned_abs()
        )
    } else if k >= 1 {
        format!("+{}", six((k - 1) as u128, den - rem, den))
    } else {
        // k <= 0: k - rem/den, negative.
        format!("-{}", six(k.unsigned_abs() as u128, rem, den))
    };
    Split {
        exact: six(floor as u128, rem, den),
        floor,
        gained,
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl Allocation {
    /// Explains one unit's (or commissioner pot's) allocation: the chain from the
    /// budget to its money, every number on the way. Worked out on demand from the
    /// result; nothing is stored for it while allocating.
    pub fn explain(&self, unit_id: &str) -> Result<AllocationExplanation, AllocationError> {
        if !self.lines.is_empty() {
            return self.explain_lines(unit_id);
        }
        let t = &*self.tree;
        let fp = FixedPolicy::new(&self.policy)?;
        let alloc = self.allocation_pence();
        let mut steps = Vec::new();

        let Some(q) = t.ids.iter().position(|x| x == unit_id) else {
            if let Some(j) = self.pots.iter().position(|p| p.id == unit_id) {
                return Ok(self.explain_pot(&fp, j));
            }
            return Err(AllocationError::UnknownUnit {
                unit_id: unit_id.into(),
            });
        };

        // The path from the ACO down to the unit.
        let mut path = vec![q];
        while t.parent[*path.last().unwrap_or(&q)] != NO_PARENT {
            let p = t.parent[*path.last().unwrap_or(&q)] as usize;
            path.push(p);
        }
        path.reverse();

        steps.push(self.weighted_population_step(&fp, q));
        if let Some(step) = self.need_index_step(q) {
            steps.push(step);
        }
        steps.push(self.budget_step());
        steps.push(self.split_step(&fp, None));

        // The ACO's target.
        let aco = path[0];
        steps.push(self.aco_target_step(aco));
        if let (Some(b), Some(pace)) = (self.baseline.get(aco).copied(), fp.pace.as_ref()) {
            steps.push(self.pace_step(pace, aco, b));
        }

        // Down the tree.
        for w in path.windows(2) {
            steps.extend(self.down_steps(alloc, w[0], w[1]));
        }

        let (c0, c1) = (t.child_start[q] as usize, t.child_start[q + 1] as usize);
        if c1 > c0 {
            let share = self.policy.retained_share[t.tier[q] as usize];
            steps.push(ExplanationStep {
                kind: "passed_down",
                unit_id: t.ids[q].clone(),
                text: format!(
                    "{} keeps {} (retained share {}) and passes {} down to its {} children by weighted population",
                    t.ids[q],
                    Pounds(self.retained[q]),
                    decimal_text(share),
                    Pounds(alloc[q] - self.retained[q]),
                    c1 - c0
                ),
                numbers: Nums::new()
                    .pence("amount_pence", alloc[q])
                    .text("retained_share", decimal_text(share), "ratio")
                    .pence("retained_pence", self.retained[q])
                    .pence("passed_down_pence", alloc[q] - self.retained[q])
                    .text("children", (c1 - c0).to_string(), "count")
                    .0,
            });
        }
        if let Some(step) = self.per_head_step(q) {
            steps.push(step);
        }
        steps.push(ExplanationStep {
            kind: "result",
            unit_id: t.ids[q].clone(),
            text: format!(
                "allocation of {}: {} (target {}; it retains {})",
                t.ids[q],
                Pounds(alloc[q]),
                Pounds(self.target[q]),
                Pounds(self.retained[q])
            ),
            numbers: Nums::new()
                .pence("allocation_pence", alloc[q])
                .pence("target_pence", self.target[q])
                .pence("retained_pence", self.retained[q])
                .0,
        });
        Ok(AllocationExplanation {
            unit_id: t.ids[q].clone(),
            tier: self.tier_ids[t.tier[q] as usize].clone(),
            ruleset: self.ruleset_id.clone(),
            allocation_pence: alloc[q],
            steps,
        })
    }

    /// An allocation of budget lines: each line walked as an allocation of its own
    /// (after a `budget_line` step naming it and its component), then the `result`,
    /// the sum of the lines.
    fn explain_lines(&self, unit_id: &str) -> Result<AllocationExplanation, AllocationError> {
        let mut steps = Vec::new();
        let mut parts = Vec::new();
        let mut nums = Nums::new();
        let mut tier = String::new();
        let mut canonical = unit_id.to_string();
        for l in &self.lines {
            let e = l.allocation.explain(unit_id)?;
            steps.push(ExplanationStep {
                kind: "budget_line",
                unit_id: STRATEGIC_COMMISSIONER.into(),
                text: format!(
                    "budget line {}: {}, split by the {} weighted population (`wp_{}`)",
                    l.line,
                    Pounds(l.allocation.budget_pence),
                    l.component,
                    l.component
                ),
                numbers: Nums::new()
                    .text("line", l.line.clone(), "id")
                    .text("component", l.component.clone(), "id")
                    .pence("result_pence", l.allocation.budget_pence)
                    .0,
            });
            parts.push(format!("{} {}", l.line, Pounds(e.allocation_pence)));
            nums = nums.pence(&format!("{}_allocation_pence", l.line), e.allocation_pence);
            tier = e.tier;
            canonical = e.unit_id;
            steps.extend(e.steps);
        }
        let q = self.tree.ids.iter().position(|x| *x == canonical);
        let total = match q {
            Some(q) => self.allocation_pence()[q],
            None => self
                .pots
                .iter()
                .find(|p| p.id == canonical)
                .map_or(0, |p| p.allocation_pence),
        };
        steps.push(ExplanationStep {
            kind: "result",
            unit_id: canonical.clone(),
            text: format!(
                "allocation of {canonical}: the sum of its budget lines, {} = {}",
                parts.join(" + "),
                Pounds(total)
            ),
            numbers: nums.pence("allocation_pence", total).0,
        });
        Ok(AllocationExplanation {
            unit_id: canonical,
            tier,
            ruleset: self.ruleset_id.clone(),
            allocation_pence: total,
            steps,
        })
    }

    /// The unit's relative need index by the weighted population the money is split
    /// by: (its weighted population / its population) / (the footprint's).
    fn need_index_step(&self, q: usize) -> Option<ExplanationStep> {
        let t = &*self.tree;
        let index = self.need_indices(None)?.get(q).copied().flatten()?;
        let pop = self.unit_populations();
        let total_pop: u128 = pop[..t.roots].iter().sum();
        let people = |b: u128| {
            crate::Population::from_billionths(b).map_or_else(|| "?".to_string(), |p| p.to_string())
        };
        let total_wp: u128 = self.weighted_population[..t.roots]
            .iter()
            .map(|&w| u128::from(w))
            .sum();
        let of = self
            .component
            .as_ref()
            .map_or("weighted population".to_string(), |c| {
                format!("{c} weighted population")
            });
        Some(ExplanationStep {
            kind: "need_index",
            unit_id: t.ids[q].clone(),
            text: format!(
                "relative need index of {} by its {of}: ({} / {} people) / (the footprint's {} / {} people) = {}",
                t.ids[q],
                nano_text(self.weighted_population[q]),
                people(pop[q]),
                scaled_text(total_wp, 9),
                people(total_pop),
                index.text()
            ),
            numbers: Nums::new()
                .text(
                    "weighted_population",
                    nano_text(self.weighted_population[q]),
                    "persons",
                )
                .text("population", people(pop[q]), "persons")
                .text(
                    "total_weighted_population",
                    scaled_text(total_wp, 9),
                    "persons",
                )
                .text("total_population", people(total_pop), "persons")
                .text("need_index", index.text(), "ratio")
                .0,
        })
    }

    /// A commissioner pot's explanation: the budget, the split, and what the pot keeps.
    fn explain_pot(&self, fp: &FixedPolicy, j: usize) -> AllocationExplanation {
        let mut steps = vec![self.budget_step(), self.split_step(fp, Some(j))];
        let unit_id = self.pots[j].id.as_str();
        let pence = self.pots[j].allocation_pence;
        steps.push(ExplanationStep {
            kind: "result",
            unit_id: unit_id.into(),
            text: format!(
                "{unit_id} is a pot the strategic commissioner keeps: {}",
                Pounds(pence)
            ),
            numbers: Nums::new().pence("allocation_pence", pence).0,
        });
        AllocationExplanation {
            unit_id: unit_id.into(),
            tier: STRATEGIC_COMMISSIONER.into(),
            ruleset: self.ruleset_id.clone(),
            allocation_pence: pence,
            steps,
        }
    }

    /// The ACO's target: its share of the ACO pool by weighted population, to the penny.
    fn aco_target_step(&self, aco: usize) -> ExplanationStep {
        let t = &*self.tree;
        let wp = &*self.weighted_population;
        let roots_w: u128 = wp[..t.roots].iter().map(|&w| u128::from(w)).sum();
        let target = self.target[aco];
        let s = split(self.aco_pool_pence, u128::from(wp[aco]), roots_w, target);
        ExplanationStep {
            kind: "aco_target",
            unit_id: t.ids[aco].clone(),
            text: format!(
                "target of {}: the ACO pool {} x its weighted population {} / the ACOs' {} = {}p exactly; floor {}p plus a remainder penny of {} (largest remainders first, ties to the smaller id) = {} (rounding {} pence)",
                t.ids[aco],
                Pounds(self.aco_pool_pence),
                nano_text(wp[aco]),
                scaled_text(roots_w, 9),
                s.exact,
                s.floor,
                target - s.floor,
                Pounds(target),
                s.gained
            ),
            numbers: Nums::new()
                .pence("amount_pence", self.aco_pool_pence)
                .text("weighted_population", nano_text(wp[aco]), "persons")
                .text(
                    "total_weighted_population",
                    scaled_text(roots_w, 9),
                    "persons",
                )
                .text("exact_pence", s.exact, "pence")
                .pence("floor_pence", s.floor)
                .pence("rounding_pence", target - s.floor)
                .text("rounding_gained_pence", s.gained, "pence")
                .pence("result_pence", target)
                .0,
        }
    }

    /// One step down the tree: what parent `p` keeps, and child `c`'s share of the rest.
    fn down_steps(&self, alloc: &[i64], p: usize, c: usize) -> [ExplanationStep; 2] {
        let t = &*self.tree;
        let wp = &*self.weighted_population;
        let amount = alloc[p];
        let keep = self.retained[p];
        let share = self.policy.retained_share[t.tier[p] as usize];
        let kept = ExplanationStep {
            kind: "retained",
            unit_id: t.ids[p].clone(),
            text: format!(
                "{} keeps its tier's retained share {} of {} (rounded down) = {}, and passes {} down",
                t.ids[p],
                decimal_text(share),
                Pounds(amount),
                Pounds(keep),
                Pounds(amount - keep)
            ),
            numbers: Nums::new()
                .pence("amount_pence", amount)
                .text("retained_share", decimal_text(share), "ratio")
                .pence("retained_pence", keep)
                .pence("result_pence", amount - keep)
                .0,
        };
        let (c0, c1) = (t.child_start[p] as usize, t.child_start[p + 1] as usize);
        let sib: u128 = wp[c0..c1].iter().map(|&x| u128::from(x)).sum();
        let rest = amount - keep;
        let s = split(rest, u128::from(wp[c]), sib, alloc[c]);
        let share_of_parent = ExplanationStep {
            kind: "share_of_parent",
            unit_id: t.ids[c].clone(),
            text: format!(
                "{}'s share of what {} passes down: {} x its weighted population {} / that of all {} children of {}, {} = {}p exactly; floor {}p plus a remainder penny of {} = {} (rounding {} pence)",
                t.ids[c],
                t.ids[p],
                Pounds(rest),
                nano_text(wp[c]),
                c1 - c0,
                t.ids[p],
                scaled_text(sib, 9),
                s.exact,
                s.floor,
                alloc[c] - s.floor,
                Pounds(alloc[c]),
                s.gained
            ),
            numbers: Nums::new()
                .pence("amount_pence", rest)
                .text("weighted_population", nano_text(wp[c]), "persons")
                .text("total_weighted_population", scaled_text(sib, 9), "persons")
                .text("siblings", (c1 - c0).to_string(), "count")
                .text("exact_pence", s.exact, "pence")
                .pence("floor_pence", s.floor)
                .pence("rounding_pence", alloc[c] - s.floor)
                .text("rounding_gained_pence", s.gained, "pence")
                .pence("result_pence", alloc[c])
                .0,
        };
        [kept, share_of_parent]
    }

    fn budget_step(&self) -> ExplanationStep {
        ExplanationStep {
            kind: "budget",
            unit_id: STRATEGIC_COMMISSIONER.into(),
            text: format!(
                "the strategic commissioner's budget: {}",
                Pounds(self.budget_pence)
            ),
            numbers: Nums::new().pence("result_pence", self.budget_pence).0,
        }
    }

    /// The commissioner split: the ACO pool (`pot = None`) or pot `j`'s share.
    fn split_step(&self, fp: &FixedPolicy, pot: Option<usize>) -> ExplanationStep {
        let one = u128::from(FIXED_ONE);
        let aco_w = u128::from(fp.aco_share) * one;
        let pot_w = |id: &str| {
            fp.pots.iter().find(|(p, _)| p == id).map_or(0, |(_, s)| {
                (one - u128::from(fp.aco_share)) * u128::from(*s)
            })
        };
        let total: u128 = aco_w + self.pots.iter().map(|p| pot_w(&p.id)).sum::<u128>();
        let (name, w, result) = match pot {
            None => ("the ACO pool".to_string(), aco_w, self.aco_pool_pence),
            Some(j) => (
                format!("pot {}", self.pots[j].id),
                pot_w(&self.pots[j].id),
                self.pots[j].allocation_pence,
            ),
        };
        let s = split(self.budget_pence, w, total, result);
        let share = Decimal::from_i128_with_scale(w as i128, 18).normalize();
        let total_d = Decimal::from_i128_with_scale(total as i128, 18).normalize();
        let pots_text = self
            .pots
            .iter()
            .map(|p| format!("{} {}", p.id, Pounds(p.allocation_pence)))
            .collect::<Vec<_>>()
            .join(", ");
        ExplanationStep {
            kind: "commissioner_split",
            unit_id: match pot {
                None => "aco_pool".into(),
                Some(j) => self.pots[j].id.clone(),
            },
            text: format!(
                "commissioner split: {name} takes {} of the budget (ACOs' commissioned share {}; pots: {}): {}p exactly; floor {}p plus a remainder penny of {} = {} (rounding {} pence)",
                decimal_text(share / total_d),
                decimal_text(self.policy.aco_commissioned_share),
                if pots_text.is_empty() {
                    "none".into()
                } else {
                    pots_text
                },
                s.exact,
                s.floor,
                result - s.floor,
                Pounds(result),
                s.gained
            ),
            numbers: Nums::new()
                .pence("amount_pence", self.budget_pence)
                .text(
                    "aco_commissioned_share",
                    decimal_text(self.policy.aco_commissioned_share),
                    "ratio",
                )
                .text("share", decimal_text(share / total_d), "ratio")
                .text("exact_pence", s.exact, "pence")
                .pence("floor_pence", s.floor)
                .pence("rounding_pence", result - s.floor)
                .text("rounding_gained_pence", s.gained, "pence")
                .pence("result_pence", result)
                .0,
        }
    }

    fn pace_step(&self, pace: &FixedPace, aco: usize, baseline: i64) -> ExplanationStep {
        let t = &*self.tree;
        let target = self.target[aco];
        let got = self.allocation_pence()[aco];
        let one = pace.one(baseline, target);
        let pp = self.policy.pace_of_change.as_ref();
        let rate = pp.map_or(Decimal::ZERO, |p| p.rate);
        let cap = (one.hi != i128::MAX).then_some(one.hi);
        let cap_text = cap.map_or("none".to_string(), |c| {
            Pounds(i64::try_from(c).unwrap_or(i64::MAX)).to_string()
        });
        let clamp = |x: i128| i64::try_from(x).unwrap_or(i64::MAX);
        let rebalance = i128::from(got) - one.held;
        let mut nums = Nums::new()
            .pence("baseline_pence", baseline)
            .pence("target_pence", target)
            .text("rate", decimal_text(rate), "ratio")
            .pence("provisional_pence", clamp(one.provisional))
            .pence("floor_pence", clamp(one.lo));
        if let Some(c) = cap {
            nums = nums.pence("cap_pence", clamp(c));
        }
        let nums = nums
            .pence("held_pence", clamp(one.held))
            .pence("rebalance_pence", clamp(rebalance))
            .pence("result_pence", got);
        ExplanationStep {
            kind: "pace_of_change",
            unit_id: t.ids[aco].clone(),
            text: format!(
                "pace of change for {}: from baseline {} toward target {} at rate {}: {} (truncated toward the baseline); held within floor {} and cap {}: {}; rebalanced by {} so the pool is spent exactly: {} (distance from target {})",
                t.ids[aco],
                Pounds(baseline),
                Pounds(target),
                decimal_text(rate),
                Pounds(clamp(one.provisional)),
                Pounds(clamp(one.lo)),
                cap_text,
                Pounds(clamp(one.held)),
                money::Pounds(clamp(rebalance)),
                Pounds(got),
                super::distance_from_target_ppm(got, target)
                    .map_or("-".to_string(), money::ppm_text)
            ),
            numbers: nums.0,
        }
    }

    fn weighted_population_step(&self, fp: &FixedPolicy, q: usize) -> ExplanationStep {
        let t = &*self.tree;
        let wp = self.weighted_population[q];
        let id = &t.ids[q];
        if let (Some(c), 0) = (&self.component, t.tier[q]) {
            return ExplanationStep {
                kind: "weighted_population",
                unit_id: id.clone(),
                text: format!(
                    "weighted population of {id} for component {c}: `wp_{c}` as given = {} (exact; no need index, blend or market forces factor)",
                    nano_text(wp)
                ),
                numbers: Nums::new()
                    .text("component", c.clone(), "id")
                    .text("weighted_population", nano_text(wp), "persons")
                    .0,
            };
        }
        if t.tier[q] != 0 {
            let (c0, c1) = (t.child_start[q] as usize, t.child_start[q + 1] as usize);
            return ExplanationStep {
                kind: "weighted_population",
                unit_id: id.clone(),
                text: format!(
                    "weighted population of {id}: the sum of its {} children's = {}",
                    c1 - c0,
                    nano_text(wp)
                ),
                numbers: Nums::new()
                    .text("children", (c1 - c0).to_string(), "count")
                    .text("weighted_population", nano_text(wp), "persons")
                    .0,
            };
        }
        let pop = t.population[q];
        let need = t.need_wp[q];
        let mut nums = Nums::new().text("registered_population", pop.to_string(), "persons");
        let need_text = scaled_text(need, 9);
        let how = match t.age_counts.binary_search_by_key(&(q as u32), |(p, _)| *p) {
            Ok(i) => {
                let bands = &self.policy.age_band_weights;
                let parts: Vec<String> = t.age_counts[i]
                    .1
                    .iter()
                    .map(|&(b, count)| {
                        let (name, w) = &bands[b as usize];
                        nums = std::mem::replace(&mut nums, Nums::new())
                            .text(&format!("age_count_{name}"), count.to_string(), "persons")
                            .text(&format!("age_weight_{name}"), decimal_text(*w), "ratio");
                        format!("{name} {count} x {}", decimal_text(*w))
                    })
                    .collect();
                format!(
                    "need-weighted from age bands ({}) = {need_text}",
                    parts.join(" + ")
                )
            }
            Err(_) => {
                // Branch `pop`: the index back from need_wp / population, both in
                // billionths (exact for a whole population, as before).
                let index = if pop == crate::Population::ZERO {
                    "1.000000".to_string()
                } else {
                    need.checked_mul(u128::from(FIXED_ONE)).map_or_else(
                        || "(too large to show)".to_string(),
                        |n| scaled_text(n / pop.billionths(), 9),
                    )
                };
                nums = nums.text("need_index", index.clone(), "ratio");
                format!("need-weighted {pop} registered x need index {index} = {need_text}")
            }
        };
        let hi = t.hi_wp[q];
        let mff = if t.mff[q] == 0 { fp.mff } else { t.mff[q] };
        let one = u128::from(FIXED_ONE);
        let h = u128::from(fp.h);
        let blend = (one - h) * need + h * hi;
        let exact = blend.checked_mul(u128::from(mff));
        let nums = nums
            .text("need_weighted_population", need_text.clone(), "persons")
            .text("hi_weighted_population", scaled_text(hi, 9), "persons")
            .text("inequalities_weight", scaled_text(h, 9), "ratio")
            .text("blended_population", scaled_text(blend, 18), "persons")
            .text(
                "market_forces_factor",
                scaled_text(u128::from(mff), 9),
                "ratio",
            )
            .text("weighted_population", nano_text(wp), "persons");
        ExplanationStep {
            kind: "weighted_population",
            unit_id: id.clone(),
            text: format!(
                "weighted population of {id}: {how}; inequalities-weighted {}; blend (1 - {h_t}) x {need_text} + {h_t} x {} = {}; x market forces factor {} = {}, rounded half to even to billionths: {}",
                scaled_text(hi, 9),
                scaled_text(hi, 9),
                scaled_text(blend, 18),
                scaled_text(u128::from(mff), 9),
                exact.map_or("(too large to show)".to_string(), |x| scaled_text(x, 27)),
                nano_text(wp),
                h_t = scaled_text(h, 9),
            ),
            numbers: nums.0,
        }
    }

    fn per_head_step(&self, q: usize) -> Option<ExplanationStep> {
        let cols = self.per_head.as_ref()?;
        let t = &*self.tree;
        let id = &t.ids[q];
        let (g, d, p) = (cols.gross[q], cols.deduction[q], cols.payment[q]);
        let mut nums = Nums::new();
        let text = if t.tier[q] == 0 {
            let schedule = self.per_head_schedule.as_ref()?;
            let lines = schedule.at_practice(t.population[q], self.weighted_population[q])?;
            let mut parts = Vec::new();
            for (item, line) in schedule.items.iter().zip(&lines) {
                let mut s = format!(
                    "{}: {} {} patients x {}p = {}",
                    item.id,
                    patients_text(line.patients),
                    item.basis.as_str(),
                    item.price_pence.normalize(),
                    Pounds(line.gross_pence)
                );
                nums = nums
                    .text(
                        &format!("{}_patients", item.id),
                        patients_text(line.patients),
                        "persons",
                    )
                    .text(
                        &format!("{}_price_pence", item.id),
                        decimal_text(item.price_pence),
                        "pence",
                    )
                    .pence(&format!("{}_gross_pence", item.id), line.gross_pence);
                for (ded, x) in item.deductions.iter().zip(&line.deductions_pence) {
                    let how = match ded.pence_per_patient {
                        Some(p) => format!("{}p per patient", p.normalize()),
                        None => decimal_text(ded.share),
                    };
                    let _ = write!(s, " less {} {} = {}", ded.id, how, Pounds(*x));
                    nums = nums.pence(&format!("{}_{}_pence", item.id, ded.id), *x);
                }
                let _ = write!(s, " = {}", Pounds(line.payment_pence));
                parts.push(s);
            }
            format!(
                "per-head payments of {id}, beside its share (each amount rounded once, half to even, to the penny): {}; in all {} gross less {} deductions = {}",
                parts.join("; "),
                Pounds(g),
                Pounds(d),
                Pounds(p)
            )
        } else {
            format!(
                "per-head payments of {id}, the sum of its practices': {} gross less {} deductions = {}",
                Pounds(g),
                Pounds(d),
                Pounds(p)
            )
        };
        Some(ExplanationStep {
            kind: "per_head",
            unit_id: id.clone(),
            text,
            numbers: nums
                .pence("per_head_gross_pence", g)
                .pence("per_head_deduction_pence", d)
                .pence("per_head_payment_pence", p)
                .0,
        })
    }
}

/// Patients as the per-head step shows them: millionths, as always, when they have no
/// more places than that (every whole registered population and every weighted one);
/// else every place they have.
fn patients_text(p: crate::Population) -> String {
    match u64::try_from(p.billionths()) {
        Ok(nano) => nano_text(nano),
        _ => p.to_string(),
    }
}
