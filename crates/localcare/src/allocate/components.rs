//! Weighted populations given per component, as published (`docs/allocation.md#components`):
//! NHS England's practice file gives each practice a weighted population per component
//! of its formula (`Final WP`, `G&A WP`, ...). A practice's weighted population for a
//! budget line on a component IS the number given: no need index, no blend, no market
//! forces factor. It is read exactly (at most nine decimal places, in billionths of a
//! person) and summed exactly up the tree, so a budget split by it is the exact
//! apportionment by the published figures.
//!
//! Nothing is filled in. NHS England's place-based tool replaces an empty or zero value
//! by 1 (`fillna(1).replace(0, 1)`); here an absent value is an error naming the
//! practice and the column, and a zero weighted population is a valid zero share (two
//! real practices have `G&A WP` 0), unless the practice has no population at all and a
//! positive weight, which cannot be (it is refused).

use std::sync::Arc;

use rust_decimal::Decimal;

use super::{AllocationError, NO_PARENT, Needs, NeedsFrame, Tree, shares};
use crate::money::to_fixed;

/// One component's weighted population by tree position, billionths of a person
/// (practices as given, aggregates the sum of their children), and the cascade's
/// splits by it.
#[derive(Debug)]
pub(super) struct ComponentWeights {
    /// The component id.
    pub(super) id: String,
    pub(super) wp: Arc<Vec<u64>>,
    pub(super) shares: Arc<shares::Shares>,
}

/// The components the needs give, checked and aggregated, in the policy's order.
///
/// Errors, each naming the practice and the column `wp_<id>`: a component the policy
/// does not declare; a value that is negative or has more than nine decimal places; a
/// positive value at a practice of population 0; and, once any practice gives a
/// component, a practice that does not (the first such practice by id, whatever the
/// order of the rows).
pub(super) fn join(
    policy: &super::AllocationPolicy,
    ruleset: &str,
    needs: &Needs,
    frame: &NeedsFrame<'_>,
    tree: &Tree,
) -> Result<Vec<ComponentWeights>, AllocationError> {
    let n = frame.ids.len();
    // Values by component index then unit index (id order).
    let mut given: Vec<Option<Vec<Option<u64>>>> = vec![None; policy.components.len()];
    for (unit_id, need) in needs.rows() {
        if need.weighted_populations.is_empty() {
            continue;
        }
        // Unknown units, aggregates and duplicates are join_needs' errors, reported
        // first by the caller's order of checks: skip what it will refuse.
        let Ok(k) = frame.ids.binary_search(&unit_id.as_str()) else {
            continue;
        };
        if frame.tiers_of[k] != Some(0) {
            continue;
        }
        for (id, d) in &need.weighted_populations {
            // The column is named only when something is wrong: no text per value.
            let invalid = |message: String| AllocationError::NeedInvalid {
                unit_id: unit_id.clone(),
                field: format!("wp_{id}"),
                message,
            };
            let Some(c) = policy.components.iter().position(|c| &c.id == id) else {
                return Err(invalid(format!(
                    "is not a weighted population of ruleset {ruleset}: its components are {}",
                    known(policy)
                )));
            };
            let v = nano(*d).map_err(invalid)?;
            if v > 0 && frame.population[k] == crate::Population::ZERO {
                return Err(invalid(format!(
                    "is {} but the practice's population is 0: a weighted population needs people to weight",
                    d.normalize()
                )));
            }
            let col = given[c].get_or_insert_with(|| vec![None; n]);
            if col[k].replace(v).is_some() {
                return Err(AllocationError::NeedDuplicate {
                    unit_id: unit_id.clone(),
                });
            }
        }
    }
    let mut out = Vec::new();
    for (c, col) in given.into_iter().enumerate() {
        let Some(col) = col else { continue };
        let comp = &policy.components[c];
        let mut wp = vec![0u64; n];
        for k in 0..n {
            if frame.tiers_of[k] != Some(0) {
                continue;
            }
            let Some(v) = col[k] else {
                return Err(AllocationError::NeedInvalid {
                    unit_id: frame.ids[k].to_string(),
                    field: comp.column(),
                    message: format!(
                        "is missing: other practices give it ({}), so every practice must (an absent value is never filled in)",
                        comp.name
                    ),
                });
            };
            wp[frame.pos[k] as usize] = v;
        }
        sum_up(tree, &mut wp)?;
        let shares = shares::Shares::new(tree, &wp);
        out.push(ComponentWeights {
            id: comp.id.clone(),
            wp: Arc::new(wp),
            shares: Arc::new(shares),
        });
    }
    Ok(out)
}

/// A weighted population as billionths of a person, exactly: at most nine decimal
/// places, not negative, below 18 billion people.
fn nano(d: Decimal) -> Result<u64, String> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!(
            "is {}: a weighted population is never negative",
            d.normalize()
        ));
    }
    if d.normalize().scale() > 9 {
        return Err(format!(
            "is {d}: more than nine decimal places (billionths of a person) cannot be kept exactly"
        ));
    }
    to_fixed(d).map_err(|_| format!("is {d}: too large (at most 18 billion people)"))
}

/// Adds each unit's weighted population to its parent's, bottom up.
pub(super) fn sum_up(t: &Tree, wp: &mut [u64]) -> Result<(), AllocationError> {
    for q in (0..t.ids.len()).rev() {
        let p = t.parent[q];
        if p != NO_PARENT {
            let p = p as usize;
            wp[p] = wp[p]
                .checked_add(wp[q])
                .ok_or_else(|| AllocationError::WeightOverflow {
                    unit_id: t.ids[p].clone(),
                })?;
        }
    }
    Ok(())
}

fn known(policy: &super::AllocationPolicy) -> String {
    if policy.components.is_empty() {
        return "none".into();
    }
    policy
        .components
        .iter()
        .map(|c| format!("`{}`", c.column()))
        .collect::<Vec<_>>()
        .join(", ")
}
