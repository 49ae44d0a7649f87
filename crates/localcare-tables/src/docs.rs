//! `docs/columns.md`, generated from the descriptions (a test fails when the committed
//! file drifts from them).

use std::fmt::Write as _;

use crate::spec::{
    ALL, ALLOCATION, ALLOCATION_PER_COMPONENT, ALLOCATION_PER_LINE, Column, Direction, Shown,
};

/// The Markdown reference of every table and column.
pub fn columns_markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "# Tables and columns\n\n\
         Generated from `crates/localcare-tables/src/spec.rs`; do not edit by hand. \
         `cargo test -p localcare-tables` fails when this file drifts; \
         `LOCALCARE_BLESS=1 cargo test -p localcare-tables --test columns_doc` rewrites it.\n\n\
         Every face (the `localcare` command line, Python, C through Arrow) reads and \
         writes these tables with these columns, in this order. Column names are stable \
         API. Reading is by name: other columns are ignored unless a table says \
         otherwise, and a column given under two of its names is an error. Money is whole \
         pence; exact rates are decimal text (at least six places); a float column beside \
         one is for plotting only.\n\n\
         Types: `text`; `int64` (from text, digits only); `int64 pence`; `money text` \
         (pounds such as `123.45` or `£1.2m`, or pence such as `12345p`); `decimal` \
         (a number or decimal text, read exactly); `decimal text` (exact, written at \
         least six places); `float64`; `bool`; `category` (a categorical in pandas and \
         polars); `capability list` (a list of ids, or ids separated by `;`).\n\n\
         Faces: `all`, or `cli` (the command line only: pounds beside pence) or \
         `python` (Python only: floats beside exact rates).\n",
    );
    for dir in [Direction::Input, Direction::Output] {
        let _ = write!(
            out,
            "\n## {}\n",
            match dir {
                Direction::Input => "Input tables",
                Direction::Output => "Output tables",
            }
        );
        for t in ALL.iter().filter(|t| t.direction == dir) {
            let _ = write!(out, "\n### `{}`\n\nOne row: {}.\n\n", t.name, t.row);
            let _ = writeln!(
                out,
                "| column | type | unit | {} | aliases | faces | meaning |",
                match dir {
                    Direction::Input => "required",
                    Direction::Output => "always set",
                }
            );
            out.push_str("|---|---|---|---|---|---|---|\n");
            for c in t.columns {
                column_row(&mut out, c);
            }
            if let Some(o) = t.other_columns {
                let _ = writeln!(out, "\nOther columns: {o}.");
            }
            if t.name == ALLOCATION.name {
                for (what, cols) in [
                    ("Per component (`{component}`)", ALLOCATION_PER_COMPONENT),
                    ("Per budget line (`{line}`)", ALLOCATION_PER_LINE),
                ] {
                    let _ = writeln!(
                        out,
                        "\n{what}:\n\n| column | type | unit | always set | aliases | faces | meaning |"
                    );
                    out.push_str("|---|---|---|---|---|---|---|\n");
                    for c in cols {
                        column_row(&mut out, c);
                    }
                }
            }
        }
    }
    out
}

/// One column's row of a table of columns.
fn column_row(out: &mut String, c: &Column) {
    let aliases = c
        .aliases
        .iter()
        .map(|(a, k)| format!("`{a}` ({})", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "| `{}` | {} | {} | {} | {} | {} | {} |",
        c.name,
        c.kind.as_str(),
        c.unit.as_str(),
        if c.required { "yes" } else { "no" },
        aliases,
        match c.shown {
            Shown::All => "all",
            Shown::Cli => "cli",
            Shown::Notebook => "python",
        },
        c.meaning.replace('|', "\\|")
    );
}
