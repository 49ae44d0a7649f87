//! `localcare shift`: the command's options as the run layer's question.

use localcare::money::parse_money;
use localcare_tables::run::shift::{self, Question};

use crate::Failure;

/// The question from the command's options (clap lets at most one through).
pub fn question(
    reductions: Option<Vec<String>>,
    break_even: bool,
    minimum_savings_rate: bool,
    target: Option<String>,
) -> Result<Question, Failure> {
    if let Some(list) = reductions {
        return shift::reductions(&list)
            .map(Question::Sweep)
            .map_err(|e| Failure::input(format!("--{e}")));
    }
    if break_even {
        return Ok(Question::BreakEven);
    }
    if minimum_savings_rate {
        return Ok(Question::MinimumSavingsRate);
    }
    match target.as_deref().map(str::trim) {
        Some("ruleset") => Ok(Question::Target(None)),
        Some(t) => parse_money(t)
            .map(|p| Question::Target(Some(p)))
            .map_err(|e| Failure::input(format!("--target: {e}"))),
        None => Ok(Question::Run),
    }
}
