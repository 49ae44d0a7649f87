//! Where a key of a ruleset document is: key paths (`tiers[2].population.min`) and the
//! locator that turns one into a line and column of the TOML text, for every error a
//! reader gives. Every policy reader, in the ruleset and beside each engine, places its
//! errors through this.

use std::fmt;

use toml::de::{DeTable, DeValue};

use super::error::{Location, RulesetError, line_col};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path to a key in a ruleset document, shown as `tiers[2].population.min`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The path one key deeper.
    pub(crate) fn key(mut self, k: &str) -> Self {
        self.0.push(Seg::Key(k.to_string()));
        self
    }
    /// The path one array index deeper.
    pub(crate) fn idx(mut self, i: usize) -> Self {
        self.0.push(Seg::Index(i));
        self
    }
}

/// The path of a top-level key, such as `settlement`.
pub(crate) fn path(k: &str) -> KeyPath {
    KeyPath::default().key(k)
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Finds where a key path sits in the source text.
pub(crate) struct Locator<'a> {
    source: &'a str,
    text: Option<&'a str>,
}

impl<'a> Locator<'a> {
    pub(crate) fn toml(text: &'a str, source: &'a str) -> Self {
        Locator {
            source,
            text: Some(text),
        }
    }
    pub(crate) fn json(source: &'a str) -> Self {
        Locator { source, text: None }
    }

    /// Where `key` is: the source, and the line and column where the text is known.
    fn locate(&self, key: &KeyPath) -> Location {
        let (line, column) = self
            .text
            .and_then(|t| toml_span(t, key).map(|start| line_col(t, start)))
            .unwrap_or((None, None));
        Location {
            source: self.source.to_string(),
            line,
            column,
        }
    }

    /// An error that carries a key path but no line (a check that also serves policies
    /// given without a document, such as the allocation policy's), placed in this text.
    pub(crate) fn relocate(&self, e: RulesetError) -> RulesetError {
        match e {
            RulesetError::Invalid { key, message, .. } => RulesetError::Invalid {
                location: self.locate(&parse_key_path(&key)),
                key,
                message,
            },
            other => other,
        }
    }

    /// The error for a rule `key` breaks, placed where `key` is.
    pub(crate) fn invalid(&self, key: KeyPath, message: impl Into<String>) -> RulesetError {
        RulesetError::Invalid {
            location: self.locate(&key),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// Byte offset of the deepest part of `key` found in the TOML text.
fn toml_span(text: &str, key: &KeyPath) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut best = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for seg in &key.0 {
        match seg {
            Seg::Key(k) => {
                let t = table.take().or(match value {
                    Some(DeValue::Table(t)) => Some(t),
                    _ => None,
                })?;
                // A key the document lacks (a missing field, or one a preset gave) is
                // placed at the deepest part that is there.
                let Some((kspan, v)) = t.get_key_value(k.as_str()) else {
                    return best;
                };
                best = Some(kspan.span().start);
                value = Some(v.get_ref());
            }
            Seg::Index(i) => {
                let DeValue::Array(a) = value? else {
                    return best;
                };
                let item = a.get(*i)?;
                best = Some(item.span().start);
                value = Some(item.get_ref());
            }
        }
    }
    best
}

/// The key path of the innermost key or scalar whose span holds `offset`, so that a type
/// error from serde ("`half` is not a decimal number") can name the key it is about.
/// Table spans from `[header]` sections do not cover their contents, so every entry is
/// searched (the documents are small).
pub(crate) fn key_at(text: &str, offset: usize) -> Option<KeyPath> {
    let root = DeTable::parse(text).ok()?;
    let mut stack: Vec<(KeyPath, &DeValue)> = Vec::new();
    for (k, v) in root.get_ref().iter() {
        if k.span().contains(&offset) {
            return Some(KeyPath::default().key(k.get_ref()));
        }
        stack.push((KeyPath::default().key(k.get_ref()), v.get_ref()));
        if v.span().contains(&offset)
            && !matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_))
        {
            return Some(KeyPath::default().key(k.get_ref()));
        }
    }
    while let Some((kp, value)) = stack.pop() {
        match value {
            DeValue::Table(t) => {
                for (k, v) in t.iter() {
                    let here = kp.clone().key(k.get_ref());
                    let scalar = !matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_));
                    if k.span().contains(&offset) || (scalar && v.span().contains(&offset)) {
                        return Some(here);
                    }
                    stack.push((here, v.get_ref()));
                }
            }
            DeValue::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    let here = kp.clone().idx(i);
                    let scalar = !matches!(item.get_ref(), DeValue::Table(_) | DeValue::Array(_));
                    if scalar && item.span().contains(&offset) {
                        return Some(here);
                    }
                    stack.push((here, item.get_ref()));
                }
            }
            _ => {}
        }
    }
    None
}

/// A key path from its text (`allocation.pots[1].id`).
fn parse_key_path(s: &str) -> KeyPath {
    let mut kp = KeyPath::default();
    for part in s.split('.') {
        let (name, rest) = part.split_once('[').map_or((part, ""), |(a, b)| (a, b));
        if !name.is_empty() {
            kp = kp.key(name);
        }
        for idx in rest.split('[') {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                kp = kp.idx(n);
            }
        }
    }
    kp
}
