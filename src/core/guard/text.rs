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

/// Characters that change how a value reads without showing themselves: bidi controls and
/// invisible ones (security.md "Page values"): `find_issues\u{202E}txt.exe` reads `find_issuestxt.exe`.
fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Letters that look like Latin ones (Cyrillic, Greek, fullwidth forms): a look-alike when the
/// value also has Latin letters (`seаrch_events` with a Cyrillic `а`).
fn is_look_alike(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{052F}' | '\u{FF01}'..='\u{FF5E}')
}

/// `value` as it must be shown when it would mislead as it is: every bidi or invisible character,
/// and every look-alike letter in a value with Latin letters, written `\u{…}`. `None` when the
/// value reads as what it is.
pub fn visibly_escaped(value: &str) -> Option<String> {
    // Every character that misleads is outside ASCII: most values are one fast check.
    if value.is_ascii() {
        return None;
    }
    let latin = value.chars().any(|c| c.is_ascii_alphabetic());
    let misleads = |c: char| is_hidden_control(c) || (latin && is_look_alike(c));
    value.chars().any(misleads).then(|| {
        value
            .chars()
            .map(|c| {
                if misleads(c) {
                    format!("\\u{{{:04X}}}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect()
    })
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
    fn misleading_characters_are_shown_escaped() {
        assert_eq!(
            visibly_escaped("find_issues\u{202E}txt.exe").as_deref(),
            Some("find_issues\\u{202E}txt.exe")
        );
        assert_eq!(
            visibly_escaped("search\u{200B}_events").as_deref(),
            Some("search\\u{200B}_events")
        );
        assert_eq!(
            visibly_escaped("se\u{0430}rch_events").as_deref(),
            Some("se\\u{0430}rch_events")
        );
        // Honest text in other scripts, ids and routes read as they are.
        for honest in [
            "поиск",
            "Ελληνικά",
            "/mcp/:organizationSlug?",
            "4bf92f3577b34da6",
            "café",
        ] {
            assert_eq!(visibly_escaped(honest), None, "{honest}");
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
