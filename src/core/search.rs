//! Sentry's search syntax (reference: sentry-urls.md §5): a real grammar, not string surgery.
//!
//! INTERFACE (fixed; the implementation is being written):
//! - `parse(text) -> Result<Query, SearchError>`: `key:value`, quoted values with `\"` escapes,
//!   `OR`/`AND` (AND binds tighter), parentheses, `has:`, `!`, comparisons (`:>`, `:<`, `:>=`, `:<=`),
//!   lists `[a,b]`, free text, and `<placeholder>` inside values and inside keys.
//! - `Query::placeholders()`: every placeholder use, with the filter key it sits in.
//! - `Query::to_string()` (Display): canonical text that parses back to the same `Query`.

use std::fmt;

/// A parse error; `offset` is a byte offset into the parsed text (callers map it to line/column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

/// Where a `<placeholder>` appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderUse {
    /// The placeholder's name, without angle brackets (`trace_id`, `skill`).
    pub name: String,
    /// The key of the filter it appears in, as written (`trace_id`, `app.consent.skill.<skill>.granted`).
    pub key: String,
    /// True when the placeholder is inside the key (a key pattern), false when inside the value.
    pub in_key: bool,
}
