//! `localcare appraise`: the command's options as the run layer's request.

use localcare::appraise::{AppraisalRequest, parse_weight};

use crate::Failure;

/// The result table `--format csv` prints.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Table {
    /// One row per option.
    Appraisal,
    /// One row per option and hurdle.
    Hurdles,
    /// One row per option and HASU.
    Volumes,
    /// One row per shortlisted option and evaluation criterion.
    Evaluation,
    /// One row per number of HASUs searched (a long list past its bound).
    Search,
    /// One row per zone under the preferred option: its HASU and how far.
    Catchment,
}

impl Table {
    /// The table's name, as the descriptions name it.
    pub fn name(self) -> &'static str {
        match self {
            Table::Appraisal => "appraisal",
            Table::Hurdles => "hurdles",
            Table::Volumes => "volumes",
            Table::Evaluation => "evaluation",
            Table::Search => "search",
            Table::Catchment => "catchment",
        }
    }
}

/// `MIN-MAX` or `K`.
fn range(text: &str) -> Result<(usize, usize), Failure> {
    let bad = || {
        Failure::input(format!(
            "--sites-per-option: `{text}` is not a number of sites or a range such as 2-4"
        ))
    };
    let num = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
    match text.split_once('-') {
        Some((a, b)) => Ok((num(a)?, num(b)?)),
        None => num(text).map(|k| (k, k)),
    }
}

/// The request from `--sites-per-option`, `--max-options` and `--weight`.
pub fn request(
    sites_per_option: Option<&str>,
    max_options: Option<u64>,
    weights: &[String],
) -> Result<AppraisalRequest, Failure> {
    let mut request = AppraisalRequest {
        sites_per_option: sites_per_option.map(range).transpose()?,
        max_options,
        ..AppraisalRequest::default()
    };
    for w in weights {
        let (id, text) = w.split_once('=').ok_or_else(|| {
            Failure::input(format!(
                "--weight: `{w}` is not CRITERION=WEIGHT, such as access=0.4"
            ))
        })?;
        let id = id.trim();
        let value = parse_weight(id, text).map_err(|e| Failure::input(format!("--weight: {e}")))?;
        request.weights.insert(id.to_string(), value);
    }
    Ok(request)
}
