//! NHS England's practice file into footprint and needs tables (docs/practices.md): the
//! one step every face offers (`localcare practices`, `localcare.practices`). The
//! weighted populations read are the ruleset's components, under the names NHS England
//! gives them (its aliases), so the faces hold no column name of their own.

use localcare::Ruleset;

use super::RunError;
use crate::Table;
use crate::nhse::{self, Component, Grouping, Practices};

/// The ruleset the practice file fits, which every face uses when given none.
pub const DEFAULT_RULESET: &str = "england-icb-2024";

/// The file's practices (those in `icbs`, or all when empty) grouped by `grouping`, as a
/// footprint and a needs table for `rs` (normally `england-icb-2024`), whose tiers must
/// include the practice, place and ICB tiers and whose allocation policy names the
/// components.
pub fn practices(
    rs: &Ruleset,
    file: &Table,
    grouping: Grouping<'_>,
    icbs: &[String],
) -> Result<Practices, RunError> {
    for tier in [nhse::PRACTICE_TIER, nhse::PLACE_TIER, nhse::ICB_TIER] {
        if rs.tier(tier).is_none() {
            return Err(RunError::Option {
                option: "ruleset",
                message: format!(
                    "ruleset {} has no tier `{tier}`; the practice file fits a ruleset with tiers `{}`, `{}` and `{}` (england-icb-2024)",
                    rs.id(),
                    nhse::PRACTICE_TIER,
                    nhse::PLACE_TIER,
                    nhse::ICB_TIER
                ),
            });
        }
    }
    let components: Vec<Component> = rs
        .allocation_policy()
        .map(|p| {
            p.components
                .iter()
                .map(|c| Component {
                    id: c.id.clone(),
                    aliases: c.aliases.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    if components.is_empty() {
        return Err(RunError::Option {
            option: "ruleset",
            message: format!(
                "ruleset {} declares no allocation components, so no weighted population of the file can be read (england-icb-2024 declares them)",
                rs.id()
            ),
        });
    }
    nhse::practices(file, grouping, icbs, &components)
}
