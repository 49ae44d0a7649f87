//! # localcare-tables
//!
//! The table model of `localcare` (docs/faces.md#tables): every table that crosses a face is
//! described once here ([`spec`]), and every face reads and writes through these
//! descriptions. Arrow is the interchange: Python hands its tables over as Arrow, C
//! passes Arrow streams, and the command line reads CSV into text columns; all are
//! read by the same code ([`read`]) into the core's types, and every core result is
//! written by the same code ([`write`]) into the same columns, which the command line
//! then prints as CSV or JSON ([`csv`], [`json`], [`format`]), a batch at a time.
//!
//! The core crate `localcare` holds the rules and stays free of Arrow and I/O; this
//! crate holds no rule, only columns.
//!
//! ```
//! use localcare::Ruleset;
//! use localcare_tables::{csv, read, spec::Face, write};
//!
//! let rs = Ruleset::builtin("kent-medway-2017")?;
//! let input = csv::read(b"unit_id,population,capabilities\nP1,30000,enhanced_in_hours;extended_hours\n")?;
//! let units = read::units(&input.table, &rs)?;
//! let out = write::classification(&rs, &units, true, Face::Cli);
//! assert!(csv::write(&out).starts_with("unit_id,population,tier,band_status,reasons\nP1,30000,extended_practice,in_band,"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod appraise;
pub mod bridge;
mod cell;
mod columns;
pub mod csv;
pub mod docs;
mod error;
pub mod format;
pub mod json;
pub mod nhse;
mod parallel;
pub mod read;
pub mod register;
pub mod run;
pub mod shift;
pub mod spec;
pub mod stream;
pub mod stroke_maps;
pub mod sweep;
mod text;
pub mod write;

pub use columns::{Reader, Table};
pub use error::TableError;
