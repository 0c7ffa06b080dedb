//! TEMPORARY stand-in for `crate::core::search` until `pl/search` lands: the same signatures
//! (`parse`, `Query::placeholders`), just enough of the grammar for the runbook's recipes
//! (whitespace-separated terms, `"…"` values with `\"` escapes, `<placeholder>` in keys and values).
//! Removed by the merge of `pl/search`.

pub use crate::core::search::{PlaceholderUse, SearchError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    placeholders: Vec<PlaceholderUse>,
}

impl Query {
    pub fn placeholders(&self) -> Vec<PlaceholderUse> {
        self.placeholders.clone()
    }
}

pub fn parse(text: &str) -> Result<Query, SearchError> {
    let mut placeholders = Vec::new();
    let mut term = String::new();
    let mut quote_start = None;
    let mut escaped = false;
    for (offset, c) in text.char_indices() {
        if quote_start.is_some() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quote_start = None;
            }
            term.push(c);
        } else if c == '"' {
            quote_start = Some(offset);
            term.push(c);
        } else if c.is_whitespace() {
            collect_placeholders(&term, &mut placeholders);
            term.clear();
        } else {
            term.push(c);
        }
    }
    if let Some(offset) = quote_start {
        return Err(SearchError { offset, message: "unterminated quote".to_owned() });
    }
    collect_placeholders(&term, &mut placeholders);
    Ok(Query { placeholders })
}

fn collect_placeholders(term: &str, out: &mut Vec<PlaceholderUse>) {
    let term = term.trim_start_matches(['(', '!']).trim_end_matches(')');
    let Some((key, value)) = term.split_once(':') else { return };
    for (part, in_key) in [(key, true), (value, false)] {
        let mut rest = part;
        while let Some(open) = rest.find('<') {
            let Some(len) = rest[open..].find('>') else { break };
            let name = &rest[open + 1..open + len];
            out.push(PlaceholderUse { name: name.to_owned(), key: key.to_owned(), in_key });
            rest = &rest[open + len..];
        }
    }
}
