//! Every committed fuzz corpus file and past crash (`fuzz/corpus/<check>/`,
//! `fuzz/artifacts/<check>/`) through the same checks the fuzzers run, on stable Rust.
//! `scripts/fuzz` adds to the corpora; a crash it finds is committed here once fixed.

use std::path::Path;

#[test]
fn every_corpus_file_and_past_crash_passes_its_check() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for (name, check) in localcare_checks::CHECKS {
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(name)) else {
                continue;
            };
            let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            files.sort();
            for f in files {
                let data = std::fs::read(&f).unwrap();
                let outcome = std::panic::catch_unwind(|| check(&data));
                assert!(outcome.is_ok(), "{} fails its check", f.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed > 0, "no corpus under {}", fuzz.display());
}
