//! The strategic commissioner's allocation policy (`[allocation]`, `docs/allocation.md#policy-keys`) and its
//! pace of change: the policy types, the table as a ruleset writes it (serde), its
//! reader, and the checks a policy passes whether read from a document or given by a
//! caller ([`crate::Ruleset::with_allocation_policy`]).

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ruleset::error::{Location, RulesetError};
use crate::ruleset::locator::{Locator, path};
use crate::ruleset::value::{Dec, is_identifier, is_unit_share};

/// A named pot the strategic commissioner keeps, such as specialised commissioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pot {
    /// Stable id, used as the pot's `unit_id` in allocation results.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Share of the commissioner's retained money (the pots' shares add up to 1).
    pub share: Decimal,
}

/// Pace of change: how fast units move from last year's baseline toward their target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacePolicy {
    /// Fraction of the gap between baseline and target closed this year, in [0, 1].
    pub rate: Decimal,
    /// Minimum growth on baseline (may be negative for a permitted cut, not below -1).
    pub min_growth: Option<Decimal>,
    /// Maximum growth on baseline, if capped.
    pub max_growth: Option<Decimal>,
}

/// A component of the weighted population (`[allocation.components.<id>]`): a weighted
/// population given per practice as published (NHS England's `Final WP`, `G&A WP`, ...),
/// read from the needs table's `wp_<id>` column (or one of `aliases`) exactly as
/// written, never derived from a need index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Stable id; its needs column is `wp_<id>`.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Other column names accepted for `wp_<id>` (the publisher's own).
    pub aliases: Vec<String>,
    /// Where the component is defined.
    pub source: Option<String>,
}

impl Component {
    /// The needs column of the component: `wp_<id>`.
    pub fn column(&self) -> String {
        format!("wp_{}", self.id)
    }
}

/// A budget line (`[allocation.budget_lines.<id>]`): an amount a scenario gives that is
/// split, through the same tree and rules, by one component's weighted population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    /// Stable id; its allocation column is `<id>_allocation_pence`.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// The component whose weighted population splits it.
    pub component: String,
    /// Where the line is defined.
    pub source: Option<String>,
}

/// The strategic commissioner's allocation policy (`docs/allocation.md#policy-keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationPolicy {
    /// Share of the budget the accountable-tier units (ACOs) commission, in [0, 1].
    pub aco_commissioned_share: Decimal,
    /// Health-inequalities weight `h` in `((1 - h) * need_wp + h * hi_wp) * mff`.
    pub inequalities_weight: Decimal,
    /// Market forces factor used where a practice gives none.
    pub market_forces_factor: Decimal,
    /// The commissioner's pots, sharing what the ACOs do not commission.
    pub pots: Vec<Pot>,
    /// Pace of change, applied where baselines are given.
    pub pace_of_change: Option<PacePolicy>,
    /// Per tier (by index), the share of a unit's allocation it keeps.
    pub retained_share: Vec<Decimal>,
    /// Age band id and weight, for need given as age-band counts.
    pub age_band_weights: Vec<(String, Decimal)>,
    /// Components of the weighted population given as published, by id.
    pub components: Vec<Component>,
    /// Budget lines, by id, each split by one component.
    pub budget_lines: Vec<BudgetLine>,
}

impl AllocationPolicy {
    /// The component of a budget line: a declared line's, or the component itself
    /// when `line` names one (a line of the call's own, split by that component).
    pub fn line_component(&self, line: &str) -> Option<&Component> {
        let id = self
            .budget_lines
            .iter()
            .find(|l| l.id == line)
            .map_or(line, |l| l.component.as_str());
        self.components.iter().find(|c| c.id == id)
    }
}

/// The `[allocation]` table as a ruleset writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationDoc {
    pub aco_commissioned_share: Dec,
    pub inequalities_weight: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_forces_factor: Option<Dec>,
    pub pots: Vec<PotDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace_of_change: Option<PaceDoc>,
    /// Tier id -> share of a unit's allocation it keeps before splitting the rest.
    #[serde(default)]
    pub retained_share: BTreeMap<String, Dec>,
    /// Age band id -> weight, used when need is given as age-band counts.
    #[serde(default)]
    pub age_band_weights: BTreeMap<String, Dec>,
    /// Component id -> its description: weighted populations given as published.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, ComponentDoc>,
    /// Budget line id -> the component that splits it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub budget_lines: BTreeMap<String, BudgetLineDoc>,
}

/// One component as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentDoc {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One budget line as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineDoc {
    pub component: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One commissioner pot as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PotDoc {
    pub id: String,
    pub name: String,
    pub share: Dec,
}

/// The pace of change as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaceDoc {
    pub rate: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_growth: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_growth: Option<Dec>,
}

/// The `[allocation]` table as written, the tier ids in order.
pub(crate) fn read_allocation(
    a: &AllocationDoc,
    tier_ids: &[&str],
    loc: &Locator,
) -> Result<AllocationPolicy, RulesetError> {
    let mut retained = vec![Decimal::ZERO; tier_ids.len()];
    for (tier_id, share) in &a.retained_share {
        let i = tier_ids.iter().position(|t| t == tier_id).ok_or_else(|| {
            loc.invalid(
                path("allocation").key("retained_share").key(tier_id),
                format!("unknown tier `{tier_id}`"),
            )
        })?;
        retained[i] = share.0;
    }
    let policy = AllocationPolicy {
        aco_commissioned_share: a.aco_commissioned_share.0,
        inequalities_weight: a.inequalities_weight.0,
        market_forces_factor: a.market_forces_factor.map_or(Decimal::ONE, |d| d.0),
        pots: a
            .pots
            .iter()
            .map(|p| Pot {
                id: p.id.clone(),
                name: p.name.clone(),
                share: p.share.0,
            })
            .collect(),
        pace_of_change: a.pace_of_change.as_ref().map(|p| PacePolicy {
            rate: p.rate.0,
            min_growth: p.min_growth.map(|d| d.0),
            max_growth: p.max_growth.map(|d| d.0),
        }),
        retained_share: retained,
        age_band_weights: a
            .age_band_weights
            .iter()
            .map(|(k, v)| (k.clone(), v.0))
            .collect(),
        components: a
            .components
            .iter()
            .map(|(id, c)| Component {
                id: id.clone(),
                name: c.name.clone(),
                aliases: c.aliases.clone(),
                source: c.source.clone(),
            })
            .collect(),
        budget_lines: a
            .budget_lines
            .iter()
            .map(|(id, l)| BudgetLine {
                id: id.clone(),
                name: l.name.clone().unwrap_or_else(|| id.clone()),
                component: l.component.clone(),
                source: l.source.clone(),
            })
            .collect(),
    };
    Ok(policy)
}

impl AllocationPolicy {
    /// The policy as a ruleset writes it, retained shares by `tier_ids`: so that a
    /// ruleset given a policy ([`crate::Ruleset::with_allocation_policy`]) serialises
    /// (and pickles) with it.
    pub(crate) fn to_doc(&self, tier_ids: &[&str]) -> AllocationDoc {
        AllocationDoc {
            aco_commissioned_share: Dec(self.aco_commissioned_share),
            inequalities_weight: Dec(self.inequalities_weight),
            market_forces_factor: Some(Dec(self.market_forces_factor)),
            pots: self
                .pots
                .iter()
                .map(|p| PotDoc {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    share: Dec(p.share),
                })
                .collect(),
            pace_of_change: self.pace_of_change.as_ref().map(|p| PaceDoc {
                rate: Dec(p.rate),
                min_growth: p.min_growth.map(Dec),
                max_growth: p.max_growth.map(Dec),
            }),
            retained_share: tier_ids
                .iter()
                .zip(&self.retained_share)
                .map(|(t, s)| (t.to_string(), Dec(*s)))
                .collect(),
            age_band_weights: self
                .age_band_weights
                .iter()
                .map(|(b, w)| (b.clone(), Dec(*w)))
                .collect(),
            components: self
                .components
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        ComponentDoc {
                            name: c.name.clone(),
                            aliases: c.aliases.clone(),
                            source: c.source.clone(),
                        },
                    )
                })
                .collect(),
            budget_lines: self
                .budget_lines
                .iter()
                .map(|l| {
                    (
                        l.id.clone(),
                        BudgetLineDoc {
                            component: l.component.clone(),
                            name: Some(l.name.clone()),
                            source: l.source.clone(),
                        },
                    )
                })
                .collect(),
        }
    }
}

/// An allocation-policy error at a key path, without a line: a policy a caller gives has
/// no text, and a document's reader adds the line ([`Locator::relocate`]).
fn bad(source: &str, key: String, message: String) -> RulesetError {
    RulesetError::Invalid {
        location: Location {
            source: source.to_string(),
            line: None,
            column: None,
        },
        key,
        message,
    }
}

impl AllocationPolicy {
    /// Checks the policy against the tiers it applies to (their ids, lowest first).
    /// Errors carry key paths and `source`, but no line.
    pub(crate) fn check(&self, tier_ids: &[&str], source: &str) -> Result<(), RulesetError> {
        let bad = |key: String, message: String| bad(source, key, message);
        if !is_unit_share(self.aco_commissioned_share) {
            return Err(bad(
                "allocation.aco_commissioned_share".into(),
                format!("share {} is outside [0, 1]", self.aco_commissioned_share),
            ));
        }
        if !is_unit_share(self.inequalities_weight) {
            return Err(bad(
                "allocation.inequalities_weight".into(),
                format!("weight {} is outside [0, 1]", self.inequalities_weight),
            ));
        }
        let mff = self.market_forces_factor;
        if mff <= Decimal::ZERO || mff > Decimal::from(10) {
            return Err(bad(
                "allocation.market_forces_factor".into(),
                format!("factor {mff} is outside (0, 10]"),
            ));
        }
        self.check_pots(source)?;
        if let Some(pace) = &self.pace_of_change {
            pace.check(source)?;
        }
        self.check_retained(tier_ids, source)?;
        self.check_age_bands(source)?;
        self.check_components(source)
    }

    /// Components: well-formed unique ids, aliases unique over all components; lines:
    /// well-formed unique ids, each naming a declared component.
    fn check_components(&self, source: &str) -> Result<(), RulesetError> {
        let bad = |key: String, message: String| bad(source, key, message);
        let mut ids = HashSet::new();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for c in &self.components {
            let key = format!("allocation.components.{}", c.id);
            if !is_identifier(&c.id) {
                return Err(bad(
                    key,
                    format!(
                        "component id `{}` must be lowercase letters, digits and `_`",
                        c.id
                    ),
                ));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(bad(key, format!("duplicate component `{}`", c.id)));
            }
            for name in std::iter::once(c.column()).chain(c.aliases.iter().cloned()) {
                if name.trim().is_empty() {
                    return Err(bad(format!("{key}.aliases"), "an alias is empty".into()));
                }
                if let Some(other) = names.insert(name.clone(), c.id.clone()) {
                    return Err(bad(
                        format!("{key}.aliases"),
                        format!("column name `{name}` is already component `{other}`'s"),
                    ));
                }
            }
        }
        let mut lines = HashSet::new();
        for l in &self.budget_lines {
            let key = format!("allocation.budget_lines.{}", l.id);
            if !is_identifier(&l.id) || !lines.insert(l.id.as_str()) {
                return Err(bad(
                    key,
                    format!(
                        "budget line id `{}` must be a unique id of lowercase letters, digits and `_`",
                        l.id
                    ),
                ));
            }
            if !ids.contains(l.component.as_str()) {
                return Err(bad(
                    format!("{key}.component"),
                    format!("`{}` is not a component of the policy", l.component),
                ));
            }
        }
        Ok(())
    }

    /// The pots: well-formed unique ids, shares in [0, 1] adding up to 1, and none only
    /// when the ACOs commission the whole budget.
    fn check_pots(&self, source: &str) -> Result<(), RulesetError> {
        let bad = |key: String, message: String| bad(source, key, message);
        if self.pots.is_empty() && self.aco_commissioned_share < Decimal::ONE {
            return Err(bad(
                "allocation.pots".into(),
                "no commissioner pots, but the ACOs commission less than the whole budget".into(),
            ));
        }
        let mut ids = HashSet::new();
        let mut sum = Decimal::ZERO;
        for (i, pot) in self.pots.iter().enumerate() {
            if !is_identifier(&pot.id) {
                return Err(bad(
                    format!("allocation.pots[{i}].id"),
                    format!(
                        "pot id `{}` must be lowercase letters, digits and `_`",
                        pot.id
                    ),
                ));
            }
            if !ids.insert(pot.id.as_str()) {
                return Err(bad(
                    format!("allocation.pots[{i}].id"),
                    format!("duplicate pot id `{}`", pot.id),
                ));
            }
            if !is_unit_share(pot.share) {
                return Err(bad(
                    format!("allocation.pots[{i}].share"),
                    format!("share {} is outside [0, 1]", pot.share),
                ));
            }
            sum += pot.share;
        }
        if !self.pots.is_empty() && sum != Decimal::ONE {
            return Err(bad(
                "allocation.pots".into(),
                format!("pot shares add up to {sum}, not 1"),
            ));
        }
        Ok(())
    }

    /// One retained share per tier, each in [0, 1], the base tier's 0.
    fn check_retained(&self, tier_ids: &[&str], source: &str) -> Result<(), RulesetError> {
        let bad = |key: String, message: String| bad(source, key, message);
        if self.retained_share.len() != tier_ids.len() {
            return Err(bad(
                "allocation.retained_share".into(),
                format!(
                    "{} shares for {} tiers",
                    self.retained_share.len(),
                    tier_ids.len()
                ),
            ));
        }
        for (t, s) in tier_ids.iter().zip(&self.retained_share) {
            if !is_unit_share(*s) {
                return Err(bad(
                    format!("allocation.retained_share.{t}"),
                    format!("share {s} is outside [0, 1]"),
                ));
            }
        }
        if self.retained_share[0] != Decimal::ZERO {
            return Err(bad(
                format!("allocation.retained_share.{}", tier_ids[0]),
                "the base tier has no children to pass money to; it keeps all of it, so its retained share must be 0".into(),
            ));
        }
        Ok(())
    }

    /// Age bands: well-formed unique ids, weights in [0, 1000].
    fn check_age_bands(&self, source: &str) -> Result<(), RulesetError> {
        let bad = |key: String, message: String| bad(source, key, message);
        let mut seen = BTreeMap::new();
        for (i, (band, w)) in self.age_band_weights.iter().enumerate() {
            if !is_identifier(band) {
                return Err(bad(
                    format!("allocation.age_band_weights.{band}"),
                    format!("age band id `{band}` must be lowercase letters, digits and `_`"),
                ));
            }
            if seen.insert(band.as_str(), i).is_some() {
                return Err(bad(
                    format!("allocation.age_band_weights.{band}"),
                    format!("duplicate age band `{band}`"),
                ));
            }
            if *w < Decimal::ZERO || *w > Decimal::from(1000) {
                return Err(bad(
                    format!("allocation.age_band_weights.{band}"),
                    format!("weight {w} is outside [0, 1000]"),
                ));
            }
        }
        Ok(())
    }
}

impl PacePolicy {
    /// The rate in [0, 1]; growth bounds in [-1, 10], the maximum not below the minimum.
    fn check(&self, source: &str) -> Result<(), RulesetError> {
        let bad = |key: String, message: String| bad(source, key, message);
        if !is_unit_share(self.rate) {
            return Err(bad(
                "allocation.pace_of_change.rate".into(),
                format!("rate {} is outside [0, 1]", self.rate),
            ));
        }
        if let Some(g) = self.min_growth {
            if g < -Decimal::ONE || g > Decimal::from(10) {
                return Err(bad(
                    "allocation.pace_of_change.min_growth".into(),
                    format!("growth {g} is outside [-1, 10]"),
                ));
            }
        }
        if let Some(g) = self.max_growth {
            if g < -Decimal::ONE || g > Decimal::from(10) {
                return Err(bad(
                    "allocation.pace_of_change.max_growth".into(),
                    format!("growth {g} is outside [-1, 10]"),
                ));
            }
            if let Some(lo) = self.min_growth {
                if g < lo {
                    return Err(bad(
                        "allocation.pace_of_change.max_growth".into(),
                        format!("maximum growth {g} is below minimum growth {lo}"),
                    ));
                }
            }
        }
        Ok(())
    }
}
