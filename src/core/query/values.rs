//! Page values for placeholders: bound to pivots, scrubbed markers dropped (security.md SEC-2),
//! ids checked by type (URL-1). Quoting and the key charset are `search::Query::fill`'s job.

use crate::core::guard::text::is_placeholder;
use crate::core::runbook::{Binding, Recipe};

/// Why a page value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InvalidValue {
    pub placeholder: String,
    pub message: String,
}

/// The pivot a placeholder reads (its binding, else a pivot of the same name).
fn binding<'a>(recipe: &'a Recipe, placeholder: &str) -> Option<&'a Binding> {
    recipe
        .bindings
        .iter()
        .find(|b| b.placeholder == placeholder)
}

/// `len` hex digits, normalized to lowercase, not all zero (W3C trace context).
fn hex_id(value: &str, len: usize, what: &str) -> Result<String, String> {
    let valid = value.len() == len
        && value.bytes().all(|b| b.is_ascii_hexdigit())
        && value.bytes().any(|b| b != b'0');
    if valid {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(format!(
            "{what} must be {len} hexadecimal digits, not all zero"
        ))
    }
}

/// Checks a value by the pivot it fills; `Ok(None)` when it is only a placeholder.
fn typed_value(pivot: &str, value: &str) -> Result<Option<String>, String> {
    if is_placeholder(value) {
        return Ok(None);
    }
    match pivot {
        "trace_id" => hex_id(value, 32, "a trace id").map(Some),
        "span_id" => hex_id(value, 16, "a span id").map(Some),
        // Sentry normalizes any UUID form of an event id to 32 hex digits.
        "event_id" => hex_id(&value.replace('-', ""), 32, "an event id").map(Some),
        _ => Ok(Some(value.to_owned())),
    }
}

/// The value for `placeholder`, looked up through the recipe's bindings.
pub(super) fn placeholder_value(
    recipe: &Recipe,
    values: &dyn Fn(&str) -> Option<String>,
    placeholder: &str,
) -> Result<Option<String>, InvalidValue> {
    let bound = binding(recipe, placeholder);
    let pivot = bound.map_or(placeholder, |b| b.pivot.as_str());
    let Some(raw) = values(pivot) else {
        return Ok(None);
    };
    let transformed = match bound.and_then(|b| b.transform.as_ref()) {
        Some(replace) => raw.replace(&replace.from, &replace.to),
        None => raw,
    };
    typed_value(pivot, &transformed).map_err(|message| InvalidValue {
        placeholder: placeholder.to_owned(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_normalized() {
        let trace = "0af7651916cd43dd8448eb211c80319c";
        assert_eq!(typed_value("trace_id", trace), Ok(Some(trace.to_owned())));
        assert_eq!(
            typed_value("trace_id", &trace.to_uppercase()),
            Ok(Some(trace.to_owned()))
        );
        for bad in [
            "0".repeat(32),
            trace[1..].to_owned(),
            format!("{trace}0"),
            format!(" {trace}"),
            trace.replace('a', "ａ"),
            trace.replace('1', "٣"),
        ] {
            assert!(typed_value("trace_id", &bad).is_err(), "{bad}");
        }
        assert_eq!(
            typed_value("span_id", "B7AD6B7169203331"),
            Ok(Some("b7ad6b7169203331".to_owned()))
        );
        assert!(typed_value("span_id", "0000000000000000").is_err());
        assert_eq!(
            typed_value("event_id", "9F2E1A6C-0B3D-4E5F-8A7B-1C2D3E4F5A6B"),
            Ok(Some("9f2e1a6c0b3d4e5f8a7b1c2d3e4f5a6b".to_owned()))
        );
    }

    #[test]
    fn scrubbed_markers_are_absent() {
        for marker in ["", "  ", "[Filtered]", "[redacted]", "********"] {
            assert_eq!(typed_value("http.route", marker), Ok(None), "{marker}");
            assert_eq!(typed_value("trace_id", marker), Ok(None), "{marker}");
        }
        assert_eq!(
            typed_value("http.route", "/mcp"),
            Ok(Some("/mcp".to_owned()))
        );
    }
}
