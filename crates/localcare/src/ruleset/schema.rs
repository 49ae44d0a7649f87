//! The on-disk shape of a ruleset (schema 1), as serde reads it from TOML or JSON.
//!
//! These types mirror the document one to one and check nothing beyond types: the
//! checks that need the whole document (unique ids, bands, references, shares) run in
//! [`super::check`], which turns a [`Document`] into a [`super::Ruleset`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::value::is_false;
use crate::allocate::payments::PaymentsDoc;
use crate::allocate::policy::AllocationDoc;
use crate::appraise::read::AppraisalDoc;
use crate::bridge::policy::BridgeDoc;
use crate::settle::read::SettlementDoc;
use crate::shift::policy::ShiftDoc;

/// The ruleset schema version this library reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole ruleset document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub schema: u32,
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceDoc>,
    pub capabilities: BTreeMap<String, CapabilityDoc>,
    pub tiers: Vec<TierDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<AllocationDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<ShiftDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<PaymentsDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appraisal: Option<AppraisalDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<BridgeDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityDoc {
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TierDoc {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<BandDoc>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub parents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BandDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// An advisory band ("usually", "around" in the source): outside it is a warning,
    /// never a bar to the tier.
    #[serde(default, skip_serializing_if = "is_false")]
    pub advisory: bool,
}
