//! Bounding untrusted text from pages and selections: values are data, kept as inert text, but
//! never unbounded and never carrying control characters (security.md URL-1, URL-6).

/// The longest value, in characters, kept from a page or URL. Longer values are cut and marked
/// truncated so they are shown but never used as a query value.
pub const MAX_VALUE_CHARS: usize = 2_048;

/// Text with C0 and C1 control characters removed (nothing else is touched) and cut to
/// `max_chars`; the flag says whether anything was cut.
pub fn bounded(text: &str, max_chars: usize) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (kept, c) in text.chars().filter(|c| !c.is_control()).enumerate() {
        if kept == max_chars {
            return (out, true);
        }
        out.push(c);
    }
    (out, false)
}

/// Keys as Sentry's search grammar writes them: `[a-zA-Z0-9_.-]+` (security.md URL-1).
pub fn is_attribute_key(key: &str) -> bool {
    (1..=200).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// What Sentry renders where a value is not shown, in any rule (security.md SEC-2,
/// docs/recognition.md "Placeholders"): empty text; scrubbing markers (`[Filtered]`, a value that
/// contains `[Encrypted]`, all `*`); a highlight the event lacks (`--`,
/// `components/events/highlights/util.tsx`); a folded object or array (`{}`, `[]`, `[…]`: the
/// entries of a collapsed StructuredData are not in the DOM); an empty table cell (`(no value)`,
/// `(empty string)`: `utils/discover/emptyFieldValues.tsx`; `(empty)`); the trace waterfall's
/// pinned attribute where a span has none or an autogroup has several (`—`, `Multiple values`:
/// `tracePinnedAttribute.tsx`). None of them is ever a value.
pub fn is_placeholder(value: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "[filtered]",
        "[redacted]",
        "[removed]",
        "--",
        "—",
        "(empty)",
        "(no value)",
        "(empty string)",
        "multiple values",
    ];
    let value = value.trim();
    let folded: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    value.is_empty()
        || MARKERS
            .iter()
            .any(|marker| value.eq_ignore_ascii_case(marker))
        || value.contains("[Encrypted]")
        || value.bytes().all(|b| b == b'*')
        || ["{}", "[]", "{…}", "[…]", "{...}", "[...]"].contains(&folded.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_c0_and_c1_controls_only() {
        let (text, cut) = bounded("a\u{0}b\tc\u{7f}d\u{85}e\u{9f}f \"<img>\\\u{202e}", 100);
        assert_eq!(text, "abcdef \"<img>\\\u{202e}");
        assert!(!cut);
    }

    #[test]
    fn caps_by_characters_not_bytes() {
        let (text, cut) = bounded(&"é".repeat(10), 4);
        assert_eq!(text, "éééé");
        assert!(cut);
        assert_eq!(bounded("abcd", 4), ("abcd".to_owned(), false));
    }

    #[test]
    fn placeholders() {
        for placeholder in [
            "",
            "  ",
            "[Filtered]",
            "[filtered]",
            "[redacted]",
            "[Encrypted]",
            "AAAA[Encrypted]BBBB",
            "********",
            "*",
            " [Filtered] ",
            "--",
            "[]",
            "{}",
            "{ }",
            "[…]",
            "{...}",
            "(empty)",
            "(no value)",
            "(empty string)",
            "—",
            "Multiple values",
        ] {
            assert!(is_placeholder(placeholder), "{placeholder:?}");
        }
        for value in [
            "Filtered",
            "a*",
            "[Filtered] x",
            "null",
            "-",
            "---x",
            "[1]",
            "{\"a\":1}",
            "0",
            "false",
            "[encrypted] lower case is text",
        ] {
            assert!(!is_placeholder(value), "{value:?}");
        }
    }

    #[test]
    fn attribute_keys() {
        assert!(is_attribute_key(
            "gen_ai.tool.call.arguments.organizationSlug"
        ));
        assert!(is_attribute_key(
            "app.consent.skill.project-management.granted"
        ));
        for bad in [
            "",
            "a b",
            "a:b",
            "<img>",
            "tags[x,number]",
            &"a".repeat(201),
        ] {
            assert!(!is_attribute_key(bad), "{bad}");
        }
    }
}
