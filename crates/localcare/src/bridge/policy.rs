//! A ruleset's `[bridge]` table: a built-in, cited bridge (`kent-medway-2017` carries the
//! seeds'). Read into [`BridgeStep`]s and checked as any bridge is, so a ruleset cannot
//! carry a bridge the engine would refuse.

use serde::{Deserialize, Serialize};

use super::{BridgeError, BridgeStep, StepKind, place};
use crate::ruleset::error::RulesetError;
use crate::ruleset::locator::{Locator, path};

/// `[bridge]` as the document gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeDoc {
    pub title: String,
    #[serde(default)]
    pub steps: Vec<BridgeStepDoc>,
}

/// `[[bridge.steps]]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeStepDoc {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_pence: Option<i64>,
    #[serde(default)]
    pub source: String,
}

/// A ruleset's built-in bridge: its title and steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgePolicy {
    title: String,
    steps: Vec<BridgeStep>,
}

impl BridgePolicy {
    /// What the bridge is, in one line.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// The steps, the start included, as the ruleset lists them.
    pub fn steps(&self) -> &[BridgeStep] {
        &self.steps
    }
}

/// Reads and checks `[bridge]`, if the ruleset has one: kinds known, and the steps a
/// bridge the engine accepts (without activity).
pub(crate) fn read_bridge(
    doc: Option<&BridgeDoc>,
    loc: &Locator,
) -> Result<Option<BridgePolicy>, RulesetError> {
    let Some(d) = doc else {
        return Ok(None);
    };
    let steps = d
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let kind = StepKind::parse(&s.kind)
                .filter(|k| *k != StepKind::Residual)
                .ok_or_else(|| {
                    loc.invalid(
                        path("bridge").key("steps").idx(i).key("kind"),
                        format!(
                            "unknown kind `{}`; expected start, given, computed or unquantified",
                            s.kind
                        ),
                    )
                })?;
            Ok(BridgeStep {
                id: s.id.clone(),
                name: s.name.clone(),
                kind,
                order: s.order,
                amount_pence: s.amount_pence,
                source: s.source.clone(),
            })
        })
        .collect::<Result<Vec<_>, RulesetError>>()?;
    place(&steps).map_err(|e: BridgeError| {
        let at = e.index(&steps).map_or(path("bridge").key("steps"), |i| {
            path("bridge").key("steps").idx(i)
        });
        loc.invalid(at, e.to_string())
    })?;
    Ok(Some(BridgePolicy {
        title: d.title.clone(),
        steps,
    }))
}
