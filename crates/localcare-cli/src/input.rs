//! Reading CSV input: footprints, classify units, needs, baselines, settlement rows.
//! Every error names the source, line and column; nothing is returned on error.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::num::IntErrorKind;

use localcare::allocate::{Need, Needs};
use localcare::footprint::{Footprint, FootprintUnit};
use localcare::money::{group_thousands, parse_decimal, parse_money};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare::{CapabilitySet, Ruleset};

/// Input that cannot be read: the CLI exits with status 2.
#[derive(Debug, thiserror::Error)]
pub struct InputError {
    pub source_name: String,
    pub line: Option<u64>,
    pub column: Option<(usize, String)>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source_name)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some((c, name)) = &self.column {
            write!(f, ": column {c} ({name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A CSV table read whole, with its header and each row's line number.
pub struct Table {
    name: String,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// Reads `path` (`-` for standard input).
    pub fn read(path: &str) -> Result<Table, InputError> {
        let name = if path == "-" {
            "<stdin>".to_string()
        } else {
            path.to_string()
        };
        let err = |line, message: String| InputError {
            source_name: name.clone(),
            line,
            column: None,
            message,
        };
        let mut bytes = Vec::new();
        let read = if path == "-" {
            std::io::stdin().read_to_end(&mut bytes)
        } else {
            std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
        };
        read.map_err(|e| err(None, format!("cannot read: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            err(
                Some(line),
                format!(
                    "not valid UTF-8 (byte {} of the line); save the file as UTF-8",
                    valid.len() - line_start + 1
                ),
            )
        })?;
        Self::parse(&text, &name)
    }

    /// Parses CSV text, naming `name` in errors.
    pub fn parse(text: &str, name: &str) -> Result<Table, InputError> {
        let err = |line, message: String| InputError {
            source_name: name.to_string(),
            line,
            column: None,
            message,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| err(Some(1), e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        // A repeated name would make every lookup silently take the first column.
        let mut seen = BTreeMap::new();
        for (i, h) in header.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(h.as_str(), i + 1) {
                return Err(err(
                    Some(1),
                    format!(
                        "column {}: `{h}` appears twice in the header (first in column {first})",
                        i + 1
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| line_at(text, p.byte(), p.line()));
                let message = match e.kind() {
                    // The csv crate's own message repeats a line count that is off
                    // after CRLF line ends.
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("this row has {len} fields but the header has {expected_len}"),
                    _ => e.to_string(),
                };
                err(line, message)
            })?;
            let line = rec
                .position()
                .map_or(0, |p| line_at(text, p.byte(), p.line()));
            rows.push((line, rec));
        }
        Ok(Table {
            name: name.to_string(),
            header,
            rows,
        })
    }

    /// The source's name, as errors give it (`<stdin>` for standard input).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The line of the `index`th data row (0-based), for errors reported by row.
    pub fn row_line(&self, index: usize) -> Option<u64> {
        self.rows.get(index).map(|(line, _)| *line)
    }

    /// The line of the first row whose `column` is `value`.
    pub fn line_where(&self, column: &str, value: &str) -> Option<u64> {
        let c = self.col(&[column])?;
        self.rows
            .iter()
            .find(|(_, rec)| Self::get(rec, c) == value)
            .map(|(line, _)| *line)
    }

    fn col(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h == n))
    }

    fn require(&self, name: &str) -> Result<usize, InputError> {
        self.col(&[name]).ok_or_else(|| InputError {
            source_name: self.name.clone(),
            line: Some(1),
            column: None,
            message: format!(
                "missing column `{name}`; the header is: {}",
                self.header.join(",")
            ),
        })
    }

    fn cell_err(&self, line: u64, col: usize, message: String) -> InputError {
        InputError {
            source_name: self.name.clone(),
            line: Some(line),
            column: Some((col + 1, self.header[col].clone())),
            message,
        }
    }

    fn get(rec: &csv::StringRecord, col: usize) -> &str {
        rec.get(col).unwrap_or("")
    }

    fn int(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: usize,
        what: &str,
    ) -> Result<Option<i64>, InputError> {
        let s = Self::get(rec, col);
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<i64>().map(Some).map_err(|e| {
            let message = match e.kind() {
                IntErrorKind::PosOverflow => format!(
                    "`{s}` is too large; expected at most {} ({what})",
                    group_thousands(i64::MAX.unsigned_abs())
                ),
                IntErrorKind::NegOverflow => format!(
                    "`{s}` is too small; expected at least -{} ({what})",
                    group_thousands(i64::MIN.unsigned_abs())
                ),
                _ => format!("`{s}` is not a whole number ({what})"),
            };
            self.cell_err(line, col, message)
        })
    }

    fn decimal(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: Option<usize>,
    ) -> Result<Option<Decimal>, InputError> {
        let Some(col) = col else { return Ok(None) };
        let s = Self::get(rec, col);
        if s.is_empty() {
            return Ok(None);
        }
        parse_decimal(s)
            .map(Some)
            .ok_or_else(|| self.cell_err(line, col, decimal_error(s)))
    }

    fn unique_ids(&self, col: usize) -> Result<(), InputError> {
        let mut seen = BTreeMap::new();
        for (line, rec) in &self.rows {
            let id = Self::get(rec, col);
            if id.is_empty() {
                return Err(self.cell_err(*line, col, "empty unit_id".into()));
            }
            if let Some(first) = seen.insert(id.to_string(), *line) {
                return Err(self.cell_err(
                    *line,
                    col,
                    format!("duplicate unit_id `{id}` (first on line {first})"),
                ));
            }
        }
        Ok(())
    }
}

/// Why `s`, which did not parse as a decimal, is refused: a well-formed number that is
/// out of range is named as such rather than as "not a number".
fn decimal_error(s: &str) -> String {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let exponent = match exponent {
        None => Some(0),
        Some(e) => e.parse::<i64>().ok().or_else(|| {
            // An exponent beyond i64 is still a well-formed (huge or tiny) number.
            let (negative, d) = match e.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, e.strip_prefix('+').unwrap_or(e)),
            };
            (!d.is_empty() && digits(d)).then_some(if negative { i64::MIN } else { i64::MAX })
        }),
    };
    let well_formed = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    match exponent {
        Some(exp) if well_formed => {
            // Decimal digits before the point, once scaled by the exponent.
            let significant = int.trim_start_matches('0');
            let magnitude = if significant.is_empty() {
                -((frac.len() - frac.trim_start_matches('0').len()) as i64)
            } else {
                significant.len() as i64
            };
            if magnitude.saturating_add(exp) > 28 {
                let max = group_digits_u128(Decimal::MAX.mantissa().unsigned_abs());
                format!("`{s}` is too large for a decimal; expected between -{max} and {max}")
            } else {
                format!("`{s}` has more decimal places than a decimal can hold (28)")
            }
        }
        _ => format!("`{s}` is not a decimal number"),
    }
}

fn group_digits_u128(n: u128) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The 1-based line on which the record starting at `byte` has its first field. The csv
/// reader's own line count is off after blank lines and CRLF line ends (a record's
/// position can point at the line end before it), so lines are counted from the text;
/// `fallback` is used if the offset is not in the text.
fn line_at(text: &str, byte: u64, fallback: u64) -> u64 {
    let Some(rest) = usize::try_from(byte).ok().and_then(|b| text.get(b..)) else {
        return fallback;
    };
    let before = text.len() - rest.len();
    let mut line = 1 + text.as_bytes()[..before]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    for b in rest.bytes() {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn capability_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Units to classify: `unit_id,population,capabilities`.
pub struct ClassifyInput {
    pub ids: Vec<String>,
    pub populations: Vec<u64>,
    pub capabilities: Vec<CapabilitySet>,
}

pub fn classify_units(t: &Table, rs: &Ruleset) -> Result<ClassifyInput, InputError> {
    let (id, pop, caps) = (
        t.require("unit_id")?,
        t.require("population")?,
        t.require("capabilities")?,
    );
    t.unique_ids(id)?;
    let mut out = ClassifyInput {
        ids: Vec::with_capacity(t.rows.len()),
        populations: Vec::with_capacity(t.rows.len()),
        capabilities: Vec::with_capacity(t.rows.len()),
    };
    for (line, rec) in &t.rows {
        let p = t.int(*line, rec, pop, "population")?.ok_or_else(|| {
            t.cell_err(
                *line,
                pop,
                "empty population; expected a whole number of people".into(),
            )
        })?;
        if p < 0 {
            return Err(t.cell_err(
                *line,
                pop,
                format!("population {p} is negative; expected 0 or more"),
            ));
        }
        let set = rs
            .capability_set(
                capability_list(Table::get(rec, caps))
                    .iter()
                    .map(String::as_str),
            )
            .map_err(|e| t.cell_err(*line, caps, e.to_string()))?;
        out.ids.push(Table::get(rec, id).to_string());
        out.populations.push(p as u64);
        out.capabilities.push(set);
    }
    Ok(out)
}

/// A footprint: `unit_id,parent_id,declared_tier,population,capabilities`. Duplicate
/// ids, unknown capabilities and negative populations are left for validation to
/// report as findings; only unreadable values are input errors.
pub fn footprint(t: &Table) -> Result<Footprint, InputError> {
    let id = t.require("unit_id")?;
    let parent = t.require("parent_id")?;
    let tier = t.require("declared_tier")?;
    let pop = t.require("population")?;
    let caps = t.col(&["capabilities"]);
    let mut units = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let p = Table::get(rec, parent);
        units.push(FootprintUnit {
            unit_id: Table::get(rec, id).to_string(),
            parent_id: (!p.is_empty()).then(|| p.to_string()),
            declared_tier: Table::get(rec, tier).to_string(),
            population: t.int(*line, rec, pop, "population")?,
            capabilities: caps.map_or_else(Vec::new, |c| capability_list(Table::get(rec, c))),
        });
    }
    Ok(Footprint::new(units))
}

/// Needs: `unit_id` plus optional `need_index`, `hi_weighted_population`,
/// `market_forces_factor`; any other column is an age band's counts.
pub fn needs(t: &Table) -> Result<Needs, InputError> {
    let id = t.require("unit_id")?;
    t.unique_ids(id)?;
    let need = t.col(&["need_index"]);
    let hi = t.col(&["hi_weighted_population"]);
    let mff = t.col(&["market_forces_factor"]);
    let bands: Vec<usize> = (0..t.header.len())
        .filter(|c| ![Some(id), need, hi, mff].contains(&Some(*c)))
        .collect();
    let mut out = Needs::new();
    for (line, rec) in &t.rows {
        let mut ages = BTreeMap::new();
        for &c in &bands {
            if let Some(n) = t.int(*line, rec, c, "age-band count")? {
                if n < 0 {
                    return Err(t.cell_err(*line, c, format!("count {n} is negative")));
                }
                ages.insert(t.header[c].clone(), n as u64);
            }
        }
        let n = Need {
            need_index: t.decimal(*line, rec, need)?,
            age_counts: ages,
            hi_weighted_population: t.decimal(*line, rec, hi)?,
            market_forces_factor: t.decimal(*line, rec, mff)?,
        };
        out.push(Table::get(rec, id), n);
    }
    Ok(out)
}

/// Baselines: `unit_id,baseline_pence` (whole pence) or `unit_id,baseline` (money:
/// pounds such as `123.45` or `£1.2m`, or pence such as `12345p`).
pub fn baselines(t: &Table) -> Result<Vec<(String, i64)>, InputError> {
    let id = t.require("unit_id")?;
    t.unique_ids(id)?;
    let mut out = Vec::new();
    let pence = t.col(&["baseline_pence"]);
    let c = match pence {
        Some(c) => c,
        None => t.require("baseline")?,
    };
    for (line, rec) in &t.rows {
        let v = if pence.is_some() {
            t.int(*line, rec, c, "pence")?
                .ok_or_else(|| t.cell_err(*line, c, "empty baseline".into()))?
        } else {
            parse_money(Table::get(rec, c)).map_err(|e| t.cell_err(*line, c, e.to_string()))?
        };
        if v < 0 {
            return Err(t.cell_err(
                *line,
                c,
                format!("baseline {v} pence is negative; expected 0 or more"),
            ));
        }
        out.push((Table::get(rec, id).to_string(), v));
    }
    Ok(out)
}

/// Settlement rows: `unit_id,benchmark,actual,assigned_population,quality`, money in
/// whole pence.
pub fn settlement(t: &Table) -> Result<Vec<SettlementInput>, InputError> {
    let id = t.require("unit_id")?;
    let bench = t
        .col(&["benchmark", "benchmark_pence"])
        .map_or_else(|| t.require("benchmark"), Ok)?;
    let actual = t
        .col(&["actual", "actual_pence"])
        .map_or_else(|| t.require("actual"), Ok)?;
    let pop = t.require("assigned_population")?;
    let q = t.require("quality")?;
    let mut out = Vec::new();
    for (line, rec) in &t.rows {
        let need = |c: usize, what: &str| -> Result<i64, InputError> {
            t.int(*line, rec, c, what)?
                .ok_or_else(|| t.cell_err(*line, c, format!("empty {what}")))
        };
        let p = need(pop, "population")?;
        if p < 0 {
            return Err(t.cell_err(*line, pop, format!("population {p} is negative")));
        }
        out.push(SettlementInput {
            unit_id: Table::get(rec, id).to_string(),
            benchmark_pence: need(bench, "pence")?,
            actual_pence: need(actual, "pence")?,
            assigned_population: p as u64,
            // Normalised so that the settlement and its explanation do not depend on
            // how the score was spelt (`0.9` or `0.90`).
            quality: t
                .decimal(*line, rec, Some(q))?
                .ok_or_else(|| t.cell_err(*line, q, "empty quality".into()))?
                .normalize(),
        });
    }
    Ok(out)
}
