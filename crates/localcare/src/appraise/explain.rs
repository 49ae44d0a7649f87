//! The words of an appraisal: each hurdle's reason and what would make it pass, the
//! smallest change of one weight that swaps the top two, and the explanation every face
//! shows.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::engine::{Prepared, Raw};
use super::{
    Appraisal, EvaluationCriterion, Hurdle, HurdleOutcome, Measure, OptionAppraisal, WeightSwap,
    score_text,
};
use crate::money::group_digits;

/// A decimal as a person reads it: no trailing zeros, thousands grouped (`1,204.5`).
pub fn number(d: Decimal) -> String {
    let d = d.normalize();
    let s = d.abs().to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    out.push_str(&group_digits(int));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A share as a percentage (`0.955` as `95.5%`).
fn percent(d: Decimal) -> String {
    format!("{}%", number((d * Decimal::ONE_HUNDRED).round_dp(4)))
}

fn outcome(
    passed: bool,
    observed: Decimal,
    bound: Decimal,
    at: Option<String>,
    reason: String,
    remedy: Option<String>,
) -> HurdleOutcome {
    HurdleOutcome {
        passed,
        observed,
        bound,
        at,
        reason,
        remedy: if passed { None } else { remedy },
    }
}

/// Hurdle `h` of the policy applied to one projected option.
pub(crate) fn hurdle_outcome(p: &Prepared, h: usize, raw: &Raw) -> HurdleOutcome {
    let site = |s: u16| p.sites[s as usize].id.as_str();
    match &p.policy.hurdles[h].hurdle {
        Hurdle::Volume { min, max } => {
            let vols: Vec<(Decimal, u16)> = raw
                .volumes
                .iter()
                .zip(&raw.sites)
                .map(|(&v, &s)| (p.patients(v), s))
                .collect();
            // Smallest and largest, ties to the smaller site id (sites are in id order).
            let lo = vols
                .iter()
                .copied()
                .min_by(|a, b| a.0.cmp(&b.0))
                .unwrap_or_default();
            let hi = vols
                .iter()
                .copied()
                .rev()
                .max_by(|a, b| a.0.cmp(&b.0))
                .unwrap_or_default();
            let band = match (min, max) {
                (Some(a), Some(b)) => format!("{} to {}", number(*a), number(*b)),
                (Some(a), None) => format!("at least {}", number(*a)),
                (None, Some(b)) => format!("at most {}", number(*b)),
                (None, None) => "any".into(),
            };
            let below: Vec<(Decimal, u16)> = match min {
                Some(m) => vols.iter().copied().filter(|(v, _)| v < m).collect(),
                None => Vec::new(),
            };
            let above: Vec<(Decimal, u16)> = match max {
                Some(m) => vols.iter().copied().filter(|(v, _)| v > m).collect(),
                None => Vec::new(),
            };
            if let (Some(m), false) = (min, below.is_empty()) {
                let list = below
                    .iter()
                    .map(|(v, s)| format!("{} {}", site(*s), number(*v)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let remedy = below
                    .iter()
                    .map(|(v, s)| {
                        format!(
                            "{} needs {} more admissions a year",
                            site(*s),
                            number(*m - *v)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                outcome(
                    false,
                    lo.0,
                    *m,
                    Some(site(lo.1).to_string()),
                    format!("projected admissions a year below {}: {list}", number(*m)),
                    Some(format!(
                        "{remedy} (fewer HASUs, or HASUs drawing from more zones)"
                    )),
                )
            } else if let (Some(m), false) = (max, above.is_empty()) {
                let list = above
                    .iter()
                    .map(|(v, s)| format!("{} {}", site(*s), number(*v)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let remedy = above
                    .iter()
                    .map(|(v, s)| {
                        format!(
                            "{} has {} admissions a year too many",
                            site(*s),
                            number(*v - *m)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                outcome(
                    false,
                    hi.0,
                    *m,
                    Some(site(hi.1).to_string()),
                    format!("projected admissions a year above {}: {list}", number(*m)),
                    Some(format!("{remedy} (another HASU to share its zones)")),
                )
            } else {
                let (obs, bound, at) = match min {
                    Some(m) => (lo.0, *m, lo.1),
                    None => (hi.0, max.unwrap_or_default(), hi.1),
                };
                outcome(
                    true,
                    obs,
                    bound,
                    Some(site(at).to_string()),
                    format!(
                        "every HASU within {band} admissions a year (smallest {} {}, largest {} {})",
                        site(lo.1),
                        number(lo.0),
                        site(hi.1),
                        number(hi.0)
                    ),
                    None,
                )
            }
        }
        Hurdle::MaxTravel { max_minutes } => {
            let t = p.minutes(raw.max_time);
            let zone = p.zone_ids[raw.max_zone].clone();
            if t <= *max_minutes {
                return outcome(
                    true,
                    t,
                    *max_minutes,
                    Some(zone.clone()),
                    format!(
                        "longest travel {} min (zone {zone}), within {}",
                        number(t),
                        number(*max_minutes)
                    ),
                    None,
                );
            }
            // Any site within the limit of the worst zone is not designated (its nearest
            // designated site is beyond it): name the nearest such.
            let near = p
                .nearest(raw.max_zone)
                .find(|(_, m)| m <= max_minutes)
                .map(|(s, m)| (p.sites[s].id.clone(), m));
            let remedy = match near {
                Some((s, m)) => format!(
                    "add a site within {} min of {zone}, such as {s} ({} min)",
                    number(*max_minutes),
                    number(m)
                ),
                None => format!(
                    "no site is within {} min of {zone}: no option passes this hurdle",
                    number(*max_minutes)
                ),
            };
            outcome(
                false,
                t,
                *max_minutes,
                Some(zone.clone()),
                format!(
                    "zone {zone} at {} min exceeds {}",
                    number(t),
                    number(*max_minutes)
                ),
                Some(remedy),
            )
        }
        Hurdle::MeanTravel { max_minutes } => {
            let ratio = raw.mean(p);
            let shown = ratio.round(2);
            if ratio.cmp_dec(*max_minutes) != Ordering::Greater {
                outcome(
                    true,
                    shown,
                    *max_minutes,
                    None,
                    format!(
                        "mean travel {} min, within {}",
                        number(shown),
                        number(*max_minutes)
                    ),
                    None,
                )
            } else {
                outcome(
                    false,
                    shown,
                    *max_minutes,
                    None,
                    format!(
                        "mean travel {} min exceeds {}",
                        number(shown),
                        number(*max_minutes)
                    ),
                    Some(format!(
                        "the mean must fall by more than {} min: sites nearer the zones with most patients",
                        number((shown - *max_minutes).max(Decimal::ZERO))
                    )),
                )
            }
        }
        Hurdle::ShareWithin { minutes, min_share } => {
            let j = p.threshold_index(*minutes);
            let within = p.patients(raw.within[j]);
            let ratio = p.share(raw.within[j]);
            let shown = ratio.round(6);
            let total = p.patients(p.total);
            if ratio.cmp_dec(*min_share) != Ordering::Less {
                outcome(
                    true,
                    shown,
                    *min_share,
                    None,
                    format!(
                        "{} of patients ({} of {}) within {} min, at least {}",
                        percent(shown),
                        number(within),
                        number(total),
                        number(*minutes),
                        percent(*min_share)
                    ),
                    None,
                )
            } else {
                let needed = (*min_share * total - within).max(Decimal::ZERO);
                outcome(
                    false,
                    shown,
                    *min_share,
                    None,
                    format!(
                        "{} of patients ({} of {}) within {} min, below {}",
                        percent(shown),
                        number(within),
                        number(total),
                        number(*minutes),
                        percent(*min_share)
                    ),
                    Some(format!(
                        "needs {} more patients a year within {} min of a HASU",
                        number(needed),
                        number(*minutes)
                    )),
                )
            }
        }
        Hurdle::Capabilities { required } => {
            let lacking: Vec<(u16, Vec<&str>)> = raw
                .sites
                .iter()
                .filter(|&&s| !p.site_pass[h][s as usize])
                .map(|&s| {
                    let caps = &p.sites[s as usize].capabilities;
                    (
                        s,
                        required
                            .iter()
                            .filter(|c| !caps.contains(c))
                            .map(String::as_str)
                            .collect(),
                    )
                })
                .collect();
            let k = Decimal::from(raw.sites.len());
            let meeting = Decimal::from(raw.sites.len() - lacking.len());
            if lacking.is_empty() {
                return outcome(
                    true,
                    meeting,
                    k,
                    None,
                    format!("every HASU has {}", required.join(", ")),
                    None,
                );
            }
            let list = lacking
                .iter()
                .map(|(s, c)| format!("{} lacks {}", site(*s), c.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            let remedy = lacking
                .iter()
                .map(|(s, c)| format!("{} to provide {}", site(*s), c.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            outcome(
                false,
                meeting,
                k,
                Some(site(lacking[0].0).to_string()),
                list,
                Some(format!("{remedy}; or an option without it")),
            )
        }
        Hurdle::Measure { measure, min, max } => {
            let failing: Vec<u16> = raw
                .sites
                .iter()
                .copied()
                .filter(|&s| !p.site_pass[h][s as usize])
                .collect();
            let value = |s: u16| p.sites[s as usize].measures.get(measure).copied();
            let band = match (min, max) {
                (Some(a), Some(b)) => format!("{} to {}", number(*a), number(*b)),
                (Some(a), None) => format!("at least {}", number(*a)),
                (None, Some(b)) => format!("at most {}", number(*b)),
                (None, None) => "any".into(),
            };
            if failing.is_empty() {
                // The site nearest the bound decided it.
                let worst = raw
                    .sites
                    .iter()
                    .copied()
                    .min_by_key(|&s| {
                        let v = value(s).unwrap_or_default();
                        match min {
                            Some(_) => v,
                            None => -v,
                        }
                    })
                    .unwrap_or_default();
                return outcome(
                    true,
                    value(worst).unwrap_or_default(),
                    min.or(*max).unwrap_or_default(),
                    Some(site(worst).to_string()),
                    format!(
                        "every HASU's {measure} {band} (nearest the bound: {} {})",
                        site(worst),
                        number(value(worst).unwrap_or_default())
                    ),
                    None,
                );
            }
            let mut reasons = Vec::new();
            let mut remedies = Vec::new();
            let mut decided: Option<(Decimal, Decimal)> = None;
            for &s in &failing {
                match value(s) {
                    None => {
                        reasons.push(format!("{} has no {measure}", site(s)));
                        remedies.push(format!("give {}'s {measure}", site(s)));
                        decided.get_or_insert((Decimal::ZERO, min.or(*max).unwrap_or_default()));
                    }
                    Some(v) => {
                        let (bound, gap, word) = match min {
                            Some(m) if v < *m => (*m, *m - v, "below"),
                            _ => {
                                let m = max.unwrap_or_default();
                                (m, v - m, "above")
                            }
                        };
                        reasons.push(format!(
                            "{} {measure} {} {word} {}",
                            site(s),
                            number(v),
                            number(bound)
                        ));
                        remedies.push(format!(
                            "{}'s {measure} to reach {} ({}{})",
                            site(s),
                            number(bound),
                            if word == "below" { "+" } else { "-" },
                            number(gap)
                        ));
                        decided.get_or_insert((v, bound));
                    }
                }
            }
            let (obs, bound) = decided.unwrap_or_default();
            outcome(
                false,
                obs,
                bound,
                Some(site(failing[0]).to_string()),
                reasons.join("; "),
                Some(format!("{}; or an option without it", remedies.join("; "))),
            )
        }
    }
}

/// For the top two, the smallest change of one weight that swaps them, or `None`.
pub(crate) fn weight_swap(
    criteria: &[EvaluationCriterion],
    first: &OptionAppraisal,
    second: &OptionAppraisal,
) -> Option<WeightSwap> {
    let (ta, tb) = (first.total?, second.total?);
    let gap = ta - tb; // 0 or more
    let second_wins_ties = second.id < first.id;
    let mut best: Option<(Decimal, usize, i32)> = None;
    for (ci, c) in criteria.iter().enumerate() {
        let d = i32::from(first.scores[ci].score) - i32::from(second.scores[ci].score);
        if d == 0 {
            continue;
        }
        let delta = gap / Decimal::from(d.abs());
        // Lowering a weight that favours the first cannot go below 0.
        if d > 0 && (c.weight < delta || (c.weight == delta && !second_wins_ties)) {
            continue;
        }
        if best.is_none_or(|(b, _, _)| delta < b) {
            best = Some((delta, ci, d));
        }
    }
    let (delta, ci, d) = best?;
    let c = &criteria[ci];
    let exact = delta * Decimal::from(d.abs()) == gap;
    let change = if d > 0 { -delta } else { delta };
    let (change, tie_weight) = if exact {
        (change.normalize(), (c.weight + change).normalize())
    } else {
        (change.round_dp(6), (c.weight + change).round_dp(6))
    };
    Some(WeightSwap {
        criterion: c.id.clone(),
        weight: c.weight,
        tie_weight,
        change,
        exact,
        swaps_at_tie: second_wins_ties,
    })
}

fn scores_line(a: &Appraisal, o: &OptionAppraisal) -> String {
    a.criteria
        .iter()
        .zip(&o.scores)
        .map(|(c, s)| format!("{} {}", c.id, score_text(s.score)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn measure_words(c: &EvaluationCriterion) -> String {
    match &c.measure {
        Measure::MeanTravel => "mean travel (min)".into(),
        Measure::MaxTravel => "longest travel (min)".into(),
        Measure::ShareWithin(m) => format!("share within {} min", number(*m)),
        Measure::MinVolume => "smallest HASU's admissions".into(),
        Measure::MaxVolume => "largest HASU's admissions".into(),
        Measure::Hasus => "number of HASUs".into(),
        Measure::SiteMeasure(m) => format!("{m} at the weakest HASU"),
        Measure::Scores => "the review's scores".into(),
    }
}

impl Appraisal {
    /// The appraisal in words: what was weighed, how the hurdles fell, the shortlist,
    /// the preferred option and why, and the weight change that would swap the top two.
    /// The same lines in every face.
    pub fn explanation(&self) -> Vec<String> {
        let mut out = Vec::new();
        let n = self.options.len();
        let what = match self.long_list {
            Some((lo, hi)) if lo == hi => {
                format!("the long list: every set of {lo} of {} sites", self.sites)
            }
            Some((lo, hi)) => format!(
                "the long list: every set of {lo} to {hi} of {} sites",
                self.sites
            ),
            None => "as given".into(),
        };
        out.push(format!(
            "Appraisal under {}: {} options ({what}), {} patients a year from {} zones.",
            self.ruleset,
            number(Decimal::from(n)),
            number(self.total_patients),
            number(Decimal::from(self.zones)),
        ));
        let passed = self.ranking.len();
        if self.hurdles.is_empty() {
            out.push("No hurdle criteria: every option is on the shortlist.".into());
        } else {
            let fails: Vec<String> = self
                .hurdles
                .iter()
                .enumerate()
                .map(|(h, c)| {
                    let f = self.options.iter().filter(|o| !o.hurdles[h].passed).count();
                    format!("{} {}", c.id, number(Decimal::from(f)))
                })
                .collect();
            out.push(format!(
                "Hurdles: {} of {} options pass all {}; failures by hurdle: {} (an option may fail several).",
                number(Decimal::from(passed)),
                number(Decimal::from(n)),
                self.hurdles.len(),
                fails.join(", ")
            ));
        }
        if passed == 0 {
            out.push("No option passes every hurdle, so none is preferred.".into());
            // The nearest misses: fewest hurdles failed, then id.
            let mut near: Vec<&OptionAppraisal> = self.options.iter().collect();
            near.sort_by_key(|o| (o.hurdles.iter().filter(|h| !h.passed).count(), o.id.clone()));
            for o in near.into_iter().take(3) {
                let failed: Vec<String> = self
                    .hurdles
                    .iter()
                    .zip(&o.hurdles)
                    .filter(|(_, h)| !h.passed)
                    .map(|(c, h)| {
                        format!(
                            "{}: {}; to pass: {}",
                            c.id,
                            h.reason,
                            h.remedy.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                out.push(format!("  Nearest miss {}: {}", o.id, failed.join(" | ")));
            }
            return out;
        }
        let weights = self
            .criteria
            .iter()
            .map(|c| format!("{} {} ({})", c.id, number(c.weight), measure_words(c)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "Shortlist of {}, ranked by weighted score (weights: {}):",
            number(Decimal::from(passed)),
            if weights.is_empty() {
                "none".into()
            } else {
                weights
            }
        ));
        const SHOWN: usize = 10;
        for o in self.shortlist().take(SHOWN) {
            out.push(format!(
                "  {}. {}  total {}  ({})",
                o.rank.unwrap_or_default(),
                o.id,
                number(o.total.unwrap_or_default()),
                scores_line(self, o)
            ));
        }
        if passed > SHOWN {
            out.push(format!(
                "  ... and {} more",
                number(Decimal::from(passed - SHOWN))
            ));
        }
        let Some(first) = self.preferred() else {
            return out;
        };
        let hasus = first
            .hasus
            .iter()
            .map(|h| format!("{} {}", h.site_id, number(h.projected_admissions)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "Preferred: {} (HASUs and projected admissions a year: {hasus}; longest travel {} min from {}, mean {} min).",
            first.id,
            number(first.max_travel_minutes),
            first.max_travel_zone,
            number(first.mean_travel_minutes)
        ));
        match self.ranking.get(1).map(|&i| &self.options[i]) {
            None => out.push("It is the only option that passes every hurdle.".into()),
            Some(second) => {
                let (ta, tb) = (
                    first.total.unwrap_or_default(),
                    second.total.unwrap_or_default(),
                );
                let mut ahead = Vec::new();
                let mut behind = Vec::new();
                for (ci, c) in self.criteria.iter().enumerate() {
                    let (sa, sb) = (first.scores[ci].score, second.scores[ci].score);
                    let diff = first.scores[ci].weighted - second.scores[ci].weighted;
                    let line = format!(
                        "{} {} vs {} ({}{})",
                        c.id,
                        score_text(sa),
                        score_text(sb),
                        if diff >= Decimal::ZERO { "+" } else { "" },
                        number(diff)
                    );
                    match sa.cmp(&sb) {
                        Ordering::Greater => ahead.push(line),
                        Ordering::Less => behind.push(line),
                        Ordering::Equal => {}
                    }
                }
                let mut why = format!(
                    "It ranks first with {} against {} for {}",
                    number(ta),
                    number(tb),
                    second.id
                );
                if ta == tb {
                    why.push_str(&format!(
                        " (equal totals: the tie goes to the smaller id, {})",
                        first.id
                    ));
                }
                if !ahead.is_empty() {
                    why.push_str(&format!("; ahead on {}", ahead.join(", ")));
                }
                if !behind.is_empty() {
                    why.push_str(&format!("; behind on {}", behind.join(", ")));
                }
                why.push('.');
                out.push(why);
                out.push(match &self.swap {
                    Some(s) => {
                        let dir = if s.change < Decimal::ZERO { "lowering" } else { "raising" };
                        let to = if s.swaps_at_tie {
                            format!("to {}", number(s.tie_weight))
                        } else if s.change < Decimal::ZERO {
                            format!("below {}", number(s.tie_weight))
                        } else {
                            format!("above {}", number(s.tie_weight))
                        };
                        format!(
                            "Sensitivity: {dir} the weight of {} from {} {to} ({}{}{}) would rank {} first; no smaller change of one weight swaps them.",
                            s.criterion,
                            number(s.weight),
                            if s.change >= Decimal::ZERO { "+" } else { "" },
                            number(s.change),
                            if s.exact { "" } else { ", rounded" },
                            second.id
                        )
                    }
                    None => format!(
                        "Sensitivity: no change of one weight would rank {} above it.",
                        second.id
                    ),
                });
            }
        }
        out
    }

    /// One option in words: each hurdle passed or failed, why and what would make it
    /// pass, and its scores.
    pub fn explain_option(&self, index: usize) -> Vec<String> {
        let Some(o) = self.options.get(index) else {
            return Vec::new();
        };
        let mut out = vec![format!(
            "Option {}: {}",
            o.id,
            match o.rank {
                Some(r) => format!("passes every hurdle; rank {r} of {}", self.ranking.len()),
                None => "fails the hurdles; not shortlisted".into(),
            }
        )];
        for h in &o.hasus {
            out.push(format!(
                "  HASU {}: {} projected admissions a year from {} zone{} (now {})",
                h.site_id,
                number(h.projected_admissions),
                h.zones,
                if h.zones == 1 { "" } else { "s" },
                number(Decimal::from(h.current_admissions))
            ));
        }
        for (c, h) in self.hurdles.iter().zip(&o.hurdles) {
            out.push(match &h.remedy {
                None => format!("  pass {}: {}", c.id, h.reason),
                Some(r) => format!("  FAIL {}: {}; to pass: {r}", c.id, h.reason),
            });
        }
        for (c, s) in self.criteria.iter().zip(&o.scores) {
            out.push(format!(
                "  score {}: {}{} x weight {} = {}",
                c.id,
                score_text(s.score),
                s.value.map_or(String::new(), |v| format!(
                    " ({} {})",
                    measure_words(c),
                    number(v)
                )),
                number(c.weight),
                number(s.weighted)
            ));
        }
        if let Some(t) = o.total {
            out.push(format!("  total {}", number(t)));
        }
        out
    }
}
