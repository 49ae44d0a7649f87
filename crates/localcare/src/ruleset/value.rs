//! The values a ruleset document holds, and their checks: exact decimals ([`Dec`]),
//! shares bounded to [0, 1], and stable ids. Every policy reader, in the ruleset and
//! beside each engine, checks its values through these, so a rule such as "a share is in
//! [0, 1]" is written once.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// A decimal read exactly from a string (`"0.80"`) or an integer, or from a TOML/JSON
/// float by its shortest round-trip text (`0.8` is read as `0.8`, not
/// `0.8000000000000000444`). Floats are exact to 15 significant digits; write a
/// string for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Dec(#[serde(with = "rust_decimal::serde::str")] pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number such as \"0.80\" or 0.8")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Dec, E> {
                crate::money::parse_decimal(s.trim())
                    .map(Dec)
                    .ok_or_else(|| E::custom(format!("`{s}` is not a decimal number")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
                if !v.is_finite() {
                    return Err(E::custom(format!("{v} is not a finite decimal number")));
                }
                self.visit_str(&format!("{v}"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether `d` lies in [0, 1], both ends included: the one check of every share, rate,
/// weight and score a ruleset or an engine's input gives.
pub fn is_unit_share(d: Decimal) -> bool {
    (Decimal::ZERO..=Decimal::ONE).contains(&d)
}

/// For serde: leave a `false` flag out of the written document.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// Stable ids are lowercase ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Ids as a list for a message: `` `a`, `b` ``.
pub(crate) fn join_ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}
