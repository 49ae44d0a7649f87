//! The bridge in words: one line a row, each with its amount, the running total and its
//! source, so a reader can check every step against the seed it cites.

use crate::money::{Pounds, WidePounds};
use crate::shift::ShiftTotals;

use super::{Basis, Bridge, BridgeStep, StepKind};

/// A signed amount with its sign always shown (`+£160.00`, `-£12.00`).
fn signed(pence: i64) -> String {
    if pence >= 0 {
        format!("+{}", Pounds(pence))
    } else {
        Pounds(pence).to_string()
    }
}

/// The residual's name: a gap still to close, a surplus, or neither.
pub(super) fn residual_name(position: i64) -> &'static str {
    match position.signum() {
        -1 => "Residual gap: still to close after every step",
        1 => "Residual surplus after every step",
        _ => "Residual: the gap is closed exactly",
    }
}

/// A computed step's source: the model, its input and the stated figure it stands for.
pub(super) fn computed_source(ruleset: &str, t: &ShiftTotals, s: &BridgeStep) -> String {
    let mut out = format!(
        "computed by the shift-left model from the activity of {} unit{} ({} emergency admissions, {} avoided) under ruleset {ruleset}: net savings {}",
        t.units,
        if t.units == 1 { "" } else { "s" },
        crate::money::group_thousands(t.emergency_admissions.unsigned_abs()),
        t.admissions_avoided,
        Pounds(t.net_savings_pence)
    );
    if let Some(stated) = s.amount_pence {
        out.push_str(&format!("; the source states {}", Pounds(stated)));
    }
    if !s.source.trim().is_empty() {
        out.push_str(&format!(" ({})", s.source.trim()));
    }
    out
}

/// A computed step carried at its stated amount.
pub(super) fn stated_source(s: &BridgeStep) -> String {
    let cited = if s.source.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", s.source.trim())
    };
    format!(
        "stated, not computed: no activity was given to the shift-left model, so the amount is the one the source states{cited}"
    )
}

/// The explanation: a heading, the start, each step with its running total and source,
/// and the residual with how it is made.
pub(super) fn lines(b: &Bridge) -> Vec<String> {
    let steps = b.rows.len().saturating_sub(2);
    let mut out = vec![format!(
        "Bridge of {steps} step{} from {} (the do-nothing position; a deficit is negative) to the residual; a positive step closes the gap.",
        if steps == 1 { "" } else { "s" },
        Pounds(b.start_pence)
    )];
    for r in &b.rows {
        match r.kind {
            StepKind::Start => out.push(format!(
                "start  {} ({}): {}",
                r.id,
                r.name,
                Pounds(r.running_total_pence)
            )),
            StepKind::Residual => {}
            _ => {
                let amount = match (r.basis, r.amount_pence) {
                    (Basis::Unquantified, _) | (_, None) => {
                        "not quantified, moves nothing".to_string()
                    }
                    (Basis::Model, Some(a)) => format!("{} computed", signed(a)),
                    (Basis::Stated, Some(a)) => format!("{} as stated", signed(a)),
                    (_, Some(a)) => signed(a),
                };
                out.push(format!(
                    "{:>5}. {} ({}): {}; running total {}",
                    r.order.map_or(String::new(), |o| o.to_string()),
                    r.id,
                    r.name,
                    amount,
                    Pounds(r.running_total_pence)
                ));
            }
        }
        if r.kind != StepKind::Residual {
            out.push(format!("       source: {}", r.source));
        }
    }
    let quantified = steps - b.unquantified;
    let mut last = format!(
        "residual: {} = {} {} {} from {quantified} quantified step{}",
        Pounds(b.residual_pence),
        Pounds(b.start_pence),
        if b.residual_pence >= b.start_pence {
            "+"
        } else {
            "-"
        },
        WidePounds((i128::from(b.residual_pence) - i128::from(b.start_pence)).abs()),
        if quantified == 1 { "" } else { "s" },
    );
    if b.unquantified > 0 {
        last.push_str(&format!(
            "; {} step{} not quantified, which may move it",
            b.unquantified,
            if b.unquantified == 1 { " is" } else { "s are" }
        ));
    }
    last.push_str(match b.residual_pence.signum() {
        -1 => ": a gap still to close.",
        1 => ": a surplus.",
        _ => ": the gap is closed exactly.",
    });
    out.push(last);
    out
}
