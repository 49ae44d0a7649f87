//! The `[settlement]` table as a ruleset writes it, the named presets it may start
//! from, and its reader: the preset filled in, then every rule checked (rates in
//! [0, 1], one minimum savings rate, loss sharing exactly for two-sided arrangements),
//! each failure naming its key and, for TOML, its line.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::policy::{BelowMsrPolicy, LossPolicy, MinimumSavingsRate, MsrRow, SettlementPolicy};
use crate::ruleset::error::RulesetError;
use crate::ruleset::locator::{KeyPath, Locator, path};
use crate::ruleset::value::{Dec, is_unit_share, join_ids};

/// The named settlement presets a ruleset's `[settlement]` may start from
/// (`preset = "mssp-2026-basic-e"`), as TOML: each a settlement table with its sources.
pub const SETTLEMENT_PRESETS: &str = include_str!("../../rulesets/settlement-presets.toml");

/// The `[settlement]` table as a ruleset writes it (every key optional: a `preset`
/// may give it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementDoc {
    /// A named preset (see `rulesets/settlement-presets.toml`) whose fields this table's
    /// own fields override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sides: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_threshold: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_standard: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savings_cap: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_savings_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minimum_savings_rate_table: Vec<MsrRowDoc>,
    /// `"0"`, `"0.005"`, `"0.01"`, `"0.015"`, `"0.02"` or `"population"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetric_msr_mlr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_population: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub losses: Option<LossesDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_msr: Option<BelowMsrDoc>,
}

/// One row of a minimum-savings-rate table as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MsrRowDoc {
    pub from: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    pub rate_from: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_to: Option<Dec>,
}

/// Loss sharing as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LossesDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_loss_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_rate_min: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_rate_max: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_cap: Option<Dec>,
}

/// Sharing below the minimum savings rate as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BelowMsrDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_fraction: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_revenue_threshold: Option<Dec>,
}

/// The settlement presets file: preset name -> a settlement table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetsDoc {
    pub presets: BTreeMap<String, SettlementDoc>,
}

/// The settlement presets, parsed from [`SETTLEMENT_PRESETS`].
pub(crate) fn presets() -> BTreeMap<String, SettlementDoc> {
    // The presets file is checked by a unit test; it always parses.
    toml::from_str::<PresetsDoc>(SETTLEMENT_PRESETS)
        .map(|p| p.presets)
        .unwrap_or_default()
}

/// The settlement table with its preset's fields filled in where the table gives none.
/// The minimum savings rate is one choice: a fixed rate or a table given in the document
/// replaces the preset's, whichever form the preset used.
fn expand_preset(
    s: &SettlementDoc,
    loc: &Locator,
) -> Result<(SettlementDoc, Option<String>), RulesetError> {
    let Some(name) = &s.preset else {
        return Ok((s.clone(), None));
    };
    let all = presets();
    let p = all.get(name).ok_or_else(|| {
        loc.invalid(
            path("settlement").key("preset"),
            format!(
                "unknown settlement preset `{name}`; presets: {}",
                join_ids(all.keys().map(String::as_str))
            ),
        )
    })?;
    let own_msr = s.minimum_savings_rate.is_some() || !s.minimum_savings_rate_table.is_empty();
    let losses = match (&s.losses, &p.losses) {
        (Some(o), Some(pl)) => {
            let own_rate = o.flat_rate.is_some()
                || o.sharing_rate_min.is_some()
                || o.sharing_rate_max.is_some();
            Some(LossesDoc {
                minimum_loss_rate: o.minimum_loss_rate.or(pl.minimum_loss_rate),
                sharing_rate_min: if own_rate {
                    o.sharing_rate_min
                } else {
                    pl.sharing_rate_min
                },
                sharing_rate_max: if own_rate {
                    o.sharing_rate_max
                } else {
                    pl.sharing_rate_max
                },
                flat_rate: if own_rate { o.flat_rate } else { pl.flat_rate },
                cap: o.cap.or(pl.cap),
                revenue_cap: o.revenue_cap.or(pl.revenue_cap),
            })
        }
        (o, pl) => o.clone().or(pl.clone()),
    };
    let below_msr = match (&s.below_msr, &p.below_msr) {
        (Some(o), Some(pb)) => Some(BelowMsrDoc {
            sharing_fraction: o.sharing_fraction.or(pb.sharing_fraction),
            low_revenue_threshold: o.low_revenue_threshold.or(pb.low_revenue_threshold),
        }),
        (o, pb) => o.clone().or(pb.clone()),
    };
    Ok((
        SettlementDoc {
            preset: None,
            illustrative: s.illustrative.or(p.illustrative),
            sides: s.sides.clone().or(p.sides.clone()),
            sharing_rate: s.sharing_rate.or(p.sharing_rate),
            quality_threshold: s.quality_threshold.or(p.quality_threshold),
            quality_standard: s.quality_standard.or(p.quality_standard),
            savings_cap: s.savings_cap.or(p.savings_cap),
            minimum_savings_rate: if own_msr {
                s.minimum_savings_rate
            } else {
                p.minimum_savings_rate
            },
            minimum_savings_rate_table: if own_msr {
                s.minimum_savings_rate_table.clone()
            } else {
                p.minimum_savings_rate_table.clone()
            },
            symmetric_msr_mlr: s.symmetric_msr_mlr.clone().or(p.symmetric_msr_mlr.clone()),
            minimum_population: s.minimum_population.or(p.minimum_population),
            losses,
            below_msr,
        },
        Some(name.clone()),
    ))
}

/// The symmetric MSR/MLR an ACO may choose under 42 CFR 425.605(b)(1)(ii): 0%, 0.5% to
/// 2% in 0.5% steps, or by assigned population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symmetric {
    Fixed(Decimal),
    Population,
}

/// A symmetric MSR/MLR choice as written: `"population"` or one of the allowed rates.
fn read_symmetric(v: &str, loc: &Locator) -> Result<Symmetric, RulesetError> {
    if v.trim() == "population" {
        return Ok(Symmetric::Population);
    }
    let allowed: [Decimal; 5] = [
        Decimal::ZERO,
        Decimal::new(5, 3),
        Decimal::new(1, 2),
        Decimal::new(15, 3),
        Decimal::new(2, 2),
    ];
    match crate::money::parse_decimal(v.trim()) {
        Some(d) if allowed.contains(&d) => Ok(Symmetric::Fixed(d)),
        _ => Err(loc.invalid(
            path("settlement").key("symmetric_msr_mlr"),
            format!("`{v}` is not a symmetric MSR/MLR choice; expected \"0\", \"0.005\", \"0.01\", \"0.015\", \"0.02\" or \"population\""),
        )),
    }
}

/// What the settlement reader works from: the table with its preset filled in, the
/// table as the document wrote it (some rules depend on which of the two set a key), and
/// where errors go.
struct SettleReader<'a> {
    s: &'a SettlementDoc,
    own: &'a SettlementDoc,
    preset: Option<String>,
    /// Added to a "missing" message when a preset was named but does not set the key.
    from_preset: String,
    sp: KeyPath,
    loc: &'a Locator<'a>,
}

/// Reads and checks a ruleset's `[settlement]` table, if it has one.
pub(crate) fn read_settlement(
    own: Option<&SettlementDoc>,
    loc: &Locator,
) -> Result<Option<SettlementPolicy>, RulesetError> {
    let Some(own) = own else {
        return Ok(None);
    };
    let (s, preset) = expand_preset(own, loc)?;
    let from_preset = match &preset {
        Some(p) => format!(" (preset `{p}` does not set it)"),
        None => String::new(),
    };
    let r = SettleReader {
        s: &s,
        own,
        preset,
        from_preset,
        sp: path("settlement"),
        loc,
    };
    r.read().map(Some)
}

impl SettleReader<'_> {
    fn at(&self, key: &str) -> KeyPath {
        self.sp.clone().key(key)
    }

    fn read(self) -> Result<SettlementPolicy, RulesetError> {
        let (s, loc) = (self.s, self.loc);
        let two_sided = self.sides()?;
        let required = |key: &str, v: Option<Dec>| {
            v.ok_or_else(|| {
                loc.invalid(
                    self.at(key),
                    format!("missing: give `{key}` or a `preset`{}", self.from_preset),
                )
            })
        };
        let sharing_rate = required("sharing_rate", s.sharing_rate)?;
        let quality_threshold = required("quality_threshold", s.quality_threshold)?;
        let savings_cap = required("savings_cap", s.savings_cap)?;
        for (key, v) in [
            ("sharing_rate", sharing_rate),
            ("quality_threshold", quality_threshold),
            ("savings_cap", savings_cap),
        ] {
            if !is_unit_share(v.0) {
                return Err(loc.invalid(self.at(key), format!("{} is outside [0, 1]", v.0)));
            }
        }
        if let Some(std) = s.quality_standard {
            if !is_unit_share(std.0) {
                return Err(loc.invalid(
                    self.at("quality_standard"),
                    format!("{} is outside [0, 1]", std.0),
                ));
            }
            if std < quality_threshold {
                return Err(loc.invalid(
                    self.at("quality_standard"),
                    format!(
                        "quality standard {} is below the quality threshold {}; the full standard is the higher one",
                        std.0, quality_threshold.0
                    ),
                ));
            }
        }
        let symmetric = match &s.symmetric_msr_mlr {
            None => None,
            Some(_) if !two_sided => {
                return Err(loc.invalid(
                    self.at("symmetric_msr_mlr"),
                    "a symmetric MSR/MLR is for two-sided arrangements; a one-sided one has no minimum loss rate",
                ));
            }
            Some(v) => Some(read_symmetric(v, loc)?),
        };
        let msr = self.minimum_savings_rate(symmetric, two_sided)?;
        let minimum_population = self.minimum_population(&msr)?;
        let losses = self.losses(two_sided, symmetric)?;
        let below_msr = self.below_msr()?;
        Ok(SettlementPolicy {
            illustrative: s.illustrative.unwrap_or(false),
            sharing_rate: sharing_rate.0,
            quality_threshold: quality_threshold.0,
            quality_standard: s.quality_standard.map(|d| d.0),
            savings_cap: savings_cap.0,
            minimum_savings_rate: msr,
            minimum_population,
            losses,
            below_msr,
            preset: self.preset,
        })
    }

    /// Whether the arrangement is two-sided.
    fn sides(&self) -> Result<bool, RulesetError> {
        let sides = self.s.sides.as_deref().ok_or_else(|| {
            self.loc.invalid(
                self.at("sides"),
                format!(
                    "missing: give `sides` (`one_sided` or `two_sided`) or a `preset`{}",
                    self.from_preset
                ),
            )
        })?;
        match sides {
            "one_sided" => Ok(false),
            "two_sided" => Ok(true),
            other => Err(self.loc.invalid(
                self.at("sides"),
                format!("`{other}` is not `one_sided` or `two_sided`"),
            )),
        }
    }

    /// The minimum savings rate: fixed, a table, or set by a symmetric MSR/MLR.
    fn minimum_savings_rate(
        &self,
        symmetric: Option<Symmetric>,
        two_sided: bool,
    ) -> Result<MinimumSavingsRate, RulesetError> {
        let (s, own, loc) = (self.s, self.own, self.loc);
        Ok(
            match (
                symmetric,
                s.minimum_savings_rate,
                s.minimum_savings_rate_table.is_empty(),
            ) {
                (_, Some(_), false) => {
                    return Err(loc.invalid(
                        self.at("minimum_savings_rate"),
                        "give either `minimum_savings_rate` or `minimum_savings_rate_table`, not both",
                    ));
                }
                (Some(Symmetric::Fixed(_)), Some(_), _) | (Some(Symmetric::Fixed(_)), _, false)
                    if self.preset.is_none()
                        || own.minimum_savings_rate.is_some()
                        || !own.minimum_savings_rate_table.is_empty() =>
                {
                    return Err(loc.invalid(
                        self.at("symmetric_msr_mlr"),
                        "a fixed symmetric MSR/MLR sets the minimum savings rate: remove `minimum_savings_rate` / `minimum_savings_rate_table`",
                    ));
                }
                (Some(Symmetric::Fixed(r)), _, _) => MinimumSavingsRate::Fixed(r),
                (Some(Symmetric::Population), Some(_), _)
                | (Some(Symmetric::Population), None, true) => {
                    return Err(loc.invalid(
                        self.at("symmetric_msr_mlr"),
                        "a population-based symmetric MSR/MLR needs a `minimum_savings_rate_table`",
                    ));
                }
                (None, None, true) => {
                    return Err(loc.invalid(
                        self.at("minimum_savings_rate"),
                        format!(
                            "missing: give `minimum_savings_rate` or `minimum_savings_rate_table`{}",
                            if two_sided && self.preset.is_some() {
                                ", or choose `symmetric_msr_mlr`"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
                (None, Some(r), true) => {
                    if !is_unit_share(r.0) {
                        return Err(loc.invalid(
                            self.at("minimum_savings_rate"),
                            format!("{} is outside [0, 1]", r.0),
                        ));
                    }
                    MinimumSavingsRate::Fixed(r.0)
                }
                (_, None, false) => read_msr_table(s, loc)?,
            },
        )
    }

    /// The smallest population settled: given, or the first row of the MSR table.
    fn minimum_population(&self, msr: &MinimumSavingsRate) -> Result<u64, RulesetError> {
        Ok(match (self.s.minimum_population, msr) {
            (Some(p), _) if p < 0 => {
                return Err(self.loc.invalid(
                    self.at("minimum_population"),
                    format!("population {p} is negative"),
                ));
            }
            (Some(p), MinimumSavingsRate::Table(rows)) if (p as u64) < rows[0].from => {
                return Err(self.loc.invalid(
                    self.at("minimum_population"),
                    format!("minimum population {p} is below the first row of the minimum savings rate table ({})", rows[0].from),
                ));
            }
            (Some(p), _) => p as u64,
            (None, MinimumSavingsRate::Table(rows)) => rows[0].from,
            (None, MinimumSavingsRate::Fixed(_)) => 0,
        })
    }

    /// Loss sharing: required for two-sided arrangements, refused for one-sided ones.
    fn losses(
        &self,
        two_sided: bool,
        symmetric: Option<Symmetric>,
    ) -> Result<Option<LossPolicy>, RulesetError> {
        let loc = self.loc;
        match (two_sided, &self.s.losses) {
            (false, None) => Ok(None),
            (false, Some(_)) => Err(loc.invalid(self.at("losses"), "a one-sided arrangement shares no losses: remove `losses` or set sides = \"two_sided\"")),
            (true, None) => Err(loc.invalid(
                self.at("losses"),
                "a two-sided arrangement needs a `losses` table",
            )),
            (true, Some(l)) => self.loss_policy(l, symmetric).map(Some),
        }
    }

    fn loss_policy(
        &self,
        l: &LossesDoc,
        symmetric: Option<Symmetric>,
    ) -> Result<LossPolicy, RulesetError> {
        let loc = self.loc;
        let lp = self.at("losses");
        let lmissing = |key: &str, what: &str| {
            loc.invalid(
                lp.clone().key(key),
                format!("missing: give `losses.{key}`{what}{}", self.from_preset),
            )
        };
        for (k, v) in [
            ("minimum_loss_rate", l.minimum_loss_rate),
            ("sharing_rate_min", l.sharing_rate_min),
            ("sharing_rate_max", l.sharing_rate_max),
            ("flat_rate", l.flat_rate),
            ("cap", l.cap),
            ("revenue_cap", l.revenue_cap),
        ] {
            if let Some(v) = v {
                if !is_unit_share(v.0) {
                    return Err(
                        loc.invalid(lp.clone().key(k), format!("{} is outside [0, 1]", v.0))
                    );
                }
            }
        }
        let (minimum_loss_rate, by_population) = match (symmetric, l.minimum_loss_rate) {
            (Some(_), Some(_))
                if self
                    .own
                    .losses
                    .as_ref()
                    .is_some_and(|o| o.minimum_loss_rate.is_some())
                    || self.preset.is_none() =>
            {
                return Err(loc.invalid(
                    lp.key("minimum_loss_rate"),
                    "`symmetric_msr_mlr` sets the minimum loss rate: remove `losses.minimum_loss_rate`",
                ));
            }
            (Some(Symmetric::Fixed(r)), _) => (r, false),
            (Some(Symmetric::Population), _) => (Decimal::ZERO, true),
            (None, Some(r)) => (r.0, false),
            (None, None) => {
                return Err(lmissing(
                    "minimum_loss_rate",
                    " or choose `symmetric_msr_mlr`",
                ));
            }
        };
        let (min, max, flat) = match (l.flat_rate, l.sharing_rate_min, l.sharing_rate_max) {
            (Some(f), None, None) => (f.0, f.0, Some(f.0)),
            (Some(_), _, _) => {
                return Err(loc.invalid(
                    lp.key("flat_rate"),
                    "give either a `flat_rate` or the bounds `sharing_rate_min` and `sharing_rate_max`, not both",
                ));
            }
            (None, Some(lo), Some(hi)) => {
                if hi < lo {
                    return Err(loc.invalid(
                        lp.key("sharing_rate_max"),
                        format!("upper bound {} is below lower bound {}", hi.0, lo.0),
                    ));
                }
                (lo.0, hi.0, None)
            }
            (None, None, _) => {
                return Err(lmissing(
                    "sharing_rate_min",
                    " and `sharing_rate_max`, or a `flat_rate`",
                ));
            }
            (None, Some(_), None) => {
                return Err(lmissing("sharing_rate_max", ""));
            }
        };
        let cap = l.cap.ok_or_else(|| lmissing("cap", ""))?;
        Ok(LossPolicy {
            minimum_loss_rate,
            minimum_loss_rate_by_population: by_population,
            sharing_rate_min: min,
            sharing_rate_max: max,
            flat_rate: flat,
            cap: cap.0,
            revenue_cap: l.revenue_cap.map(|d| d.0),
        })
    }

    /// Sharing below the minimum savings rate, if the table has `below_msr`.
    fn below_msr(&self) -> Result<Option<BelowMsrPolicy>, RulesetError> {
        let Some(b) = &self.s.below_msr else {
            return Ok(None);
        };
        let loc = self.loc;
        let bp = self.at("below_msr");
        let get = |key: &str, v: Option<Dec>| -> Result<Decimal, RulesetError> {
            let v = v.ok_or_else(|| {
                loc.invalid(
                    bp.clone().key(key),
                    format!("missing: give `below_msr.{key}`{}", self.from_preset),
                )
            })?;
            if !is_unit_share(v.0) {
                return Err(loc.invalid(bp.clone().key(key), format!("{} is outside [0, 1]", v.0)));
            }
            Ok(v.0)
        };
        Ok(Some(BelowMsrPolicy {
            sharing_fraction: get("sharing_fraction", b.sharing_fraction)?,
            low_revenue_threshold: get("low_revenue_threshold", b.low_revenue_threshold)?,
        }))
    }
}

/// A minimum-savings-rate table: contiguous rows, only the last open-ended, rates in
/// [0, 1].
fn read_msr_table(s: &SettlementDoc, loc: &Locator) -> Result<MinimumSavingsRate, RulesetError> {
    let sp = path("settlement");
    let mut rows = Vec::new();
    let n = s.minimum_savings_rate_table.len();
    for (i, r) in s.minimum_savings_rate_table.iter().enumerate() {
        let rp = sp.clone().key("minimum_savings_rate_table").idx(i);
        if r.from < 0 {
            return Err(loc.invalid(rp.key("from"), format!("population {} is negative", r.from)));
        }
        if let Some(to) = r.to {
            if to < r.from {
                return Err(loc.invalid(
                    rp.key("to"),
                    format!("row is empty: to {to} is below from {}", r.from),
                ));
            }
        } else if i + 1 != n {
            return Err(loc.invalid(
                rp.key("to"),
                "only the last row may be open-ended (no `to`)",
            ));
        }
        if let Some(prev) = rows.last() {
            let prev: &MsrRow = prev;
            if prev.to.is_some_and(|t| t + 1 != r.from as u64) {
                return Err(loc.invalid(
                    rp.clone().key("from"),
                    format!(
                        "row starts at {} but the row before ends at {}; rows must be contiguous",
                        r.from,
                        prev.to.unwrap_or(0)
                    ),
                ));
            }
        }
        for (k, v) in [("rate_from", Some(r.rate_from)), ("rate_to", r.rate_to)] {
            if let Some(v) = v {
                if !is_unit_share(v.0) {
                    return Err(
                        loc.invalid(rp.clone().key(k), format!("{} is outside [0, 1]", v.0))
                    );
                }
            }
        }
        if r.to.is_none() && r.rate_to.is_some_and(|t| t != r.rate_from) {
            return Err(loc.invalid(
                rp.key("rate_to"),
                "an open-ended row has one rate: leave out `rate_to`",
            ));
        }
        rows.push(MsrRow {
            from: r.from as u64,
            to: r.to.map(|t| t as u64),
            rate_from: r.rate_from.0,
            rate_to: r.rate_to.map_or(r.rate_from.0, |d| d.0),
        });
    }
    Ok(MinimumSavingsRate::Table(rows))
}
