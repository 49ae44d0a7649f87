//! `localcare practices`: NHS England's practice file into footprint and needs tables,
//! by the run layer (`localcare_tables::run::practices`). This converts the options and
//! writes the two tables: to files, or one of them to standard output (`-`), so that it
//! pipes into `validate` or `allocate`. Nothing is written when anything fails.

use std::path::{Path, PathBuf};

use localcare_tables::csv;
use localcare_tables::nhse::Grouping;
use localcare_tables::run::practices as run_practices;

use crate::Failure;
use crate::files::Files;
use crate::output::{self, Output};

/// The command's options, as clap read them.
pub struct Request {
    pub ruleset: Option<String>,
    pub file: String,
    pub by: String,
    pub icb: Vec<String>,
    pub footprint: Option<String>,
    pub needs: Option<String>,
    pub out_dir: Option<String>,
}

pub fn run(r: Request) -> Result<(u8, Output), Failure> {
    let rs = localcare::Ruleset::load(Some(
        r.ruleset
            .as_deref()
            .unwrap_or(run_practices::DEFAULT_RULESET),
    ))
    .map_err(Failure::input)?;
    let (footprint_to, needs_to) = destinations(&r)?;
    let mapping = match r.by.as_str() {
        "icb" | "district" => None,
        path => Some(path),
    };
    let files = Files::default()
        .read("nhse_practices", Some(&r.file))?
        .read("place_mapping", mapping)?;
    let grouping = match (r.by.as_str(), files.get("place_mapping")) {
        ("icb", _) => Grouping::Icb,
        ("district", _) => Grouping::District,
        (_, Some(m)) => Grouping::Mapping(m),
        (_, None) => unreachable!("the mapping file was read above"),
    };
    let p = run_practices::practices(&rs, files.table("nhse_practices"), grouping, &r.icb)
        .map_err(|e| files.failure(e))?;
    let (icbs, places, practices) = p.counts;
    if let Some(dir) = &r.out_dir {
        // Made only now, once everything that can fail has been done.
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::input(format!("--out-dir {dir}: {e}")))?;
    }
    let mut to_stdout = None;
    for (dest, batch) in [(&footprint_to, p.footprint), (&needs_to, p.needs)] {
        match dest {
            None => {}
            Some(d) if d.as_os_str() == "-" => to_stdout = Some(batch),
            Some(path) => std::fs::write(path, csv::write(&batch))
                .map_err(|e| Failure::input(format!("{}: cannot write: {e}", path.display())))?,
        }
    }
    Ok(match to_stdout {
        Some(batch) => (0, output::table(batch, crate::Format::Csv)),
        None => {
            let written: Vec<String> = [&footprint_to, &needs_to]
                .into_iter()
                .flatten()
                .map(|p| p.display().to_string())
                .collect();
            let text = format!(
                "{icbs} ICB{}, {places} place{}, {practices} practice{}: wrote {}\n",
                plural(icbs),
                plural(places),
                plural(practices),
                written.join(" and ")
            );
            (0, text.into())
        }
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Where each table goes: `--footprint` and `--needs`, or both into `--out-dir`.
fn destinations(r: &Request) -> Result<(Option<PathBuf>, Option<PathBuf>), Failure> {
    let (fp, needs) = match &r.out_dir {
        Some(dir) => {
            let dir = Path::new(dir);
            (Some(dir.join("footprint.csv")), Some(dir.join("needs.csv")))
        }
        None => (
            r.footprint.as_ref().map(PathBuf::from),
            r.needs.as_ref().map(PathBuf::from),
        ),
    };
    if fp.is_none() && needs.is_none() {
        return Err(Failure::input(
            "practices: give --footprint OUT.csv and/or --needs OUT.csv (`-` for standard output), or --out-dir DIR",
        ));
    }
    if fp.as_deref() == Some(Path::new("-")) && needs.as_deref() == Some(Path::new("-")) {
        return Err(Failure::input(
            "practices: only one of --footprint and --needs can be standard output (`-`)",
        ));
    }
    Ok((fp, needs))
}
