//! The system financial bridge (docs/bridge.md) over tables: the `bridge_steps` table read
//! into the core's steps. Only columns are here; every rule (one start, unique ids and
//! orders, which kinds take an amount) is the core's, placed back at its row by the run
//! layer ([`crate::run::bridge`]).

use localcare::bridge::{BridgeStep, StepKind, parse_amount};

use crate::columns::{Reader, Table};
use crate::error::TableError;
use crate::spec::{self, Kind};

type Res<T> = Result<T, TableError>;

/// Reads `bridge_steps`: ids, kinds spelt as the table says, signed amounts (whole
/// pence in `amount_pence`, or money text in `amount`, either with a leading minus).
pub fn steps(t: &Table) -> Res<Vec<BridgeStep>> {
    let r = Reader::new(t, &spec::BRIDGE_STEPS);
    let ids = r.text("step_id")?.unwrap_or_default();
    let n = ids.len();
    let names = r.text("name")?.unwrap_or_else(|| vec![None; n]);
    let kinds = r.text("kind")?.unwrap_or_default();
    let orders = r.ints("order")?.unwrap_or_else(|| vec![None; n]);
    let sources = r.text("source")?.unwrap_or_else(|| vec![None; n]);
    let amounts = amounts(&r, n)?;
    let mut out = Vec::with_capacity(n);
    for (row, id) in ids.into_iter().enumerate() {
        let id = id.unwrap_or_default();
        let kind_text = kinds[row].as_deref().map(str::trim).unwrap_or_default();
        let kind = StepKind::parse(kind_text)
            .filter(|k| *k != StepKind::Residual)
            .ok_or_else(|| {
                r.err(
                    "kind",
                    Some(row),
                    format!(
                        "`{kind_text}` is not a step kind; expected start, given, computed or unquantified"
                    ),
                )
            })?;
        let name = names[row]
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| id.clone());
        out.push(BridgeStep {
            id,
            name,
            kind,
            order: orders[row],
            amount_pence: amounts[row],
            source: sources[row].clone().unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The amounts, signed: money text under `amount` is read by the core's
/// [`parse_amount`]; whole pence as numbers or digit text.
fn amounts(r: &Reader<'_>, n: usize) -> Res<Vec<Option<i64>>> {
    let Some(f) = r.find("amount_pence")? else {
        return Ok(vec![None; n]);
    };
    if f.kind != Kind::Money {
        return Ok(r.ints("amount_pence")?.unwrap_or_default());
    }
    let col = f.name.to_string();
    let text = r.text("amount_pence")?.unwrap_or_default();
    text.into_iter()
        .enumerate()
        .map(|(row, s)| match s.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => parse_amount(s)
                .map(Some)
                .map_err(|e| r.err(&col, Some(row), e.to_string())),
            _ => Ok(None),
        })
        .collect()
}
