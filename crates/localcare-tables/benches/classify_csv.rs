//! The CLI's whole classify path on a million-row CSV (`localcare classify`: read CSV,
//! read the units, classify with reasons, write CSV), beside merely parsing the same
//! bytes with the csv crate, in one run. Report the ratio, not the seconds.
//!
//! `cargo bench -p localcare-tables --bench classify_csv`

use divan::Bencher;
use localcare::Ruleset;
use localcare_tables::spec::Face;
use localcare_tables::{csv, read, write};

fn main() {
    divan::main();
}

const ROWS: usize = 1_000_000;

fn units_csv() -> Vec<u8> {
    let caps = [
        "",
        "enhanced_in_hours;extended_hours",
        "mdt;mental_health;seven_day",
    ];
    let mut s = String::from("unit_id,population,capabilities\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "U{i:07},{},{}\n",
            (i * 7919) % 900_000,
            caps[i % 3]
        ));
    }
    s.into_bytes()
}

/// The reference: the csv crate reading every field, nothing else.
#[divan::bench(sample_count = 5)]
fn csv_crate_parse_only(b: Bencher) {
    let bytes = units_csv();
    b.bench(|| {
        let mut r = ::csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let mut rec = ::csv::ByteRecord::new();
        let mut fields = 0usize;
        while r.read_byte_record(&mut rec).unwrap_or(false) {
            fields += rec.len();
        }
        fields
    });
}

/// What `localcare classify` does between reading the file and writing stdout: the
/// classification built and written as CSV 65,536 rows at a time.
#[divan::bench(sample_count = 5)]
fn classify_csv_to_csv_with_reasons(b: Bencher) {
    let bytes = units_csv();
    let rs = Ruleset::default_builtin();
    b.bench(|| {
        let t = csv::read(&bytes).unwrap();
        let units = read::units(&t.table, &rs).unwrap();
        let n = units.populations.len();
        let mut sink = Counter(0);
        let mut start = 0;
        while start < n || start == 0 {
            let end = (start + (1 << 16)).min(n);
            let out = write::classification_rows(&rs, &units, true, Face::Cli, start..end);
            csv::write_to(&out, start == 0, &mut sink).unwrap();
            if end == n {
                break;
            }
            start = end;
        }
        sink.0
    });
}

/// Bytes written, counted and dropped.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The whole table built at once, then printed as one CSV text (as Python's and C's
/// results are built whole).
#[divan::bench(sample_count = 5)]
fn classify_csv_to_csv_with_reasons_whole(b: Bencher) {
    let bytes = units_csv();
    let rs = Ruleset::default_builtin();
    b.bench(|| {
        let t = csv::read(&bytes).unwrap();
        let units = read::units(&t.table, &rs).unwrap();
        let out = write::classification(&rs, &units, true, Face::Cli);
        csv::write(&out).len()
    });
}
