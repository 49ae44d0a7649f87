//! Why a ruleset could not be loaded, and where in its text: the one error type every
//! reader of a ruleset document returns, the ruleset's own and each engine's policy
//! reader alike.

use std::fmt;

/// Where in a ruleset document something is: the source name, and the line and column
/// when they are known (always for TOML; for JSON, for syntax errors only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file path, `builtin:<id>`, or `<string>`.
    pub source: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

/// Why a ruleset could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesetError {
    /// The document is not well-formed TOML/JSON or does not have the schema's shape.
    #[error("{location}: {message}")]
    Syntax {
        /// Where the parser stopped.
        location: Location,
        /// The parser's message.
        message: String,
    },
    /// The document parses but breaks a rule (duplicate id, min > max, unknown name...).
    #[error("{location}: `{key}`: {message}")]
    Invalid {
        /// Where the offending key is.
        location: Location,
        /// The key path, such as `tiers[2].population.min`.
        key: String,
        /// What is wrong, with the observed and expected values.
        message: String,
    },
    /// No built-in ruleset has this id.
    #[error("no built-in ruleset `{name}`; built in: {available}")]
    UnknownBuiltin {
        /// The id asked for.
        name: String,
        /// The ids there are.
        available: String,
    },
    /// The file could not be read.
    #[error("cannot read ruleset file {path}: {message}")]
    Io {
        /// The path given.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (Some(line), Some(col))
}
