//! # localcare
//!
//! The reference rules for the Kent and Medway Local Care care model: which tier a
//! provider unit belongs to, whether a proposed footprint of units holds together, how
//! the strategic commissioner's budget becomes need-weighted, capitated allocations to
//! the penny, how an accountable care organisation's year is settled, and what the
//! shift of emergency admissions into local care releases (beds, money) and settles.
//!
//! Everything is driven by a [`Ruleset`], a versioned document of tiers, capabilities
//! and policy. `kent-medway-2017` is built in and cites its sources line by line.
//!
//! ```
//! use localcare::{Ruleset, Unit};
//! let rs = Ruleset::builtin("kent-medway-2017")?;
//! let caps = rs.capability_set(["enhanced_in_hours", "extended_hours"])?;
//! let c = rs.classify(&Unit::new(30_000, caps));
//! assert_eq!(rs.tiers()[c.tier()].id(), "extended_practice");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The core does no I/O beyond reading rulesets, holds no global state and has no
//! `unsafe`; its types are `Send + Sync`. Money is `i64` pence throughout.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Parallel columns are indexed by position on purpose: it reads as the arithmetic does.
#![allow(clippy::needless_range_loop)]
// Pence are written as pounds_pence (`617_400_000_00`), which clippy calls inconsistent.
#![allow(clippy::inconsistent_digit_grouping)]

pub mod allocate;
pub mod appraise;
pub mod classify;
mod digits;
pub mod footprint;
pub mod money;
pub mod population;
pub mod register;
pub mod ruleset;
pub mod settle;
pub mod shift;
pub mod shift_run;

/// The decimal type of every rate, share and index in the API.
pub use rust_decimal;

pub use allocate::{Allocation, AllocationError, Need, Needs, PreparedFootprint, Scenario};
pub use appraise::{
    Appraisal, AppraisalError, AppraisalInput, AppraisalOption, AppraisalPolicy, AppraisalRequest,
    PreparedAppraisal,
};
pub use classify::{
    BandStatus, CapabilitySet, Classification, Reason, Shortfall, Unit, UnknownCapability,
};
pub use footprint::{Finding, Footprint, FootprintUnit, Report};
pub use population::{Population, PopulationError};
pub use ruleset::{Ruleset, RulesetError, ShiftPolicy};
pub use settle::{Settlement, SettlementError, SettlementInput};
pub use shift::{
    Reduction, ReductionAnswer, ShiftError, ShiftInput, ShiftOutcome, ShiftSettlement,
    ShiftSummary, ShiftTotals,
};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn core_types_are_send_and_sync() {
        assert_send_sync::<crate::Ruleset>();
        assert_send_sync::<crate::Classification>();
        assert_send_sync::<crate::ShiftOutcome>();
        assert_send_sync::<crate::ShiftError>();
    }
}

/// The README's Rust example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
