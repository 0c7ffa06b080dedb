//! Identifier shapes shared by URL classification, fact normalisation and the selection
//! classifier, so the three can never disagree on what a trace, span or event id is.
//!
//! Rules (security.md URL-1, W3C Trace Context): trace and span ids are lowercase hex of a fixed
//! length and not all zeros; uppercase hex is normalised to lowercase for ids only. Event ids also
//! accept the dashed UUID form (Sentry's `normalize_event_id`). Everything else is rejected, never
//! "cleaned": an 8-character display abbreviation, 31 or 33 characters, fullwidth digits and
//! embedded zero-width characters all fail.

/// The three hex identifiers Sentry pivots on, with their canonical runbook keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexId {
    Trace,
    Span,
    Event,
}

impl HexId {
    pub const ALL: [HexId; 3] = [HexId::Trace, HexId::Span, HexId::Event];

    /// The runbook's canonical key for this id.
    pub fn key(self) -> &'static str {
        match self {
            HexId::Trace => "trace_id",
            HexId::Span => "span_id",
            HexId::Event => "event_id",
        }
    }

    pub fn for_key(key: &str) -> Option<HexId> {
        HexId::ALL.into_iter().find(|id| id.key() == key)
    }

    pub fn len(self) -> usize {
        match self {
            HexId::Span => 16,
            HexId::Trace | HexId::Event => 32,
        }
    }

    /// The canonical (lowercase) form of `raw`, or `None` when it is not a valid id of this kind.
    pub fn normalise(self, raw: &str) -> Option<String> {
        let compact;
        let candidate = if self == HexId::Event && is_dashed_uuid(raw) {
            compact = raw.replace('-', "");
            compact.as_str()
        } else {
            raw
        };
        (is_hex_of_len(candidate, self.len()) && candidate.bytes().any(|b| b != b'0'))
            .then(|| candidate.to_ascii_lowercase())
    }
}

/// ASCII hex digits only (either case), exactly `len` of them.
pub fn is_hex_of_len(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `8-4-4-4-12` hex groups.
fn is_dashed_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| is_hex_of_len(group, len))
}

/// A Sentry issue short id such as `MCP-41` or `SENTRY-MCP-1A2`: an uppercase project slug, a dash,
/// and an uppercase base-32 counter. The slug must contain a letter so dates like `2024-11` are not ids.
pub fn is_issue_short_id(text: &str) -> bool {
    let Some((project, counter)) = text.rsplit_once('-') else {
        return false;
    };
    let upper_alnum = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    text.len() <= 64
        && !counter.is_empty()
        && counter.bytes().all(upper_alnum)
        && project.bytes().next().is_some_and(upper_alnum)
        && project
            .bytes()
            .all(|b| upper_alnum(b) || b == b'-' || b == b'_')
        && project.bytes().any(|b| b.is_ascii_uppercase())
}

/// A numeric id (issue group ids, numeric user ids): ASCII digits, at most 20 of them (u64 range).
pub fn is_numeric_id(text: &str) -> bool {
    (1..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";

    #[test]
    fn valid_ids_normalise_to_lowercase() {
        assert_eq!(HexId::Trace.normalise(TRACE).as_deref(), Some(TRACE));
        assert_eq!(
            HexId::Trace.normalise(&TRACE.to_uppercase()).as_deref(),
            Some(TRACE)
        );
        assert_eq!(HexId::Span.normalise(SPAN).as_deref(), Some(SPAN));
        assert_eq!(HexId::Event.normalise(TRACE).as_deref(), Some(TRACE));
        assert_eq!(
            HexId::Event
                .normalise("4bf92f35-77b3-4da6-a3ce-929d0e0e4736")
                .as_deref(),
            Some(TRACE)
        );
    }

    #[test]
    fn invalid_ids_are_rejected_not_cleaned() {
        let rejected = [
            "",
            "4bf92f35",                                 // display abbreviation
            &TRACE[..31],                               // 31 chars
            &format!("{TRACE}0"),                       // 33 chars
            "00000000000000000000000000000000",         // all zeros
            "4bf92f3577b34da6a3ce929d0e0e473g",         // non-hex
            " 4bf92f3577b34da6a3ce929d0e0e4736",        // leading space
            "4bf92f3577b34da6a3ce929d0e0e4736\n",       // trailing newline
            "４bf92f3577b34da6a3ce929d0e0e473",         // fullwidth digit
            "4bf92f3577b34da6\u{200b}a3ce929d0e0e4736", // zero-width space
        ];
        for raw in rejected {
            assert_eq!(HexId::Trace.normalise(raw), None, "{raw:?}");
            assert_eq!(HexId::Event.normalise(raw), None, "{raw:?}");
        }
        assert_eq!(HexId::Span.normalise("0000000000000000"), None);
        assert_eq!(HexId::Span.normalise(TRACE), None);
        assert_eq!(
            HexId::Trace.normalise("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"),
            None
        );
    }

    #[test]
    fn short_ids_and_numbers() {
        for ok in ["MCP-41", "PROJ-1A2", "SENTRY-MCP-1A2", "A_B-9"] {
            assert!(is_issue_short_id(ok), "{ok}");
        }
        for bad in [
            "mcp-41",
            "MCP-",
            "-41",
            "MCP41",
            "2024-11",
            "claude-code",
            "MCP-4a",
            "MCP 41",
        ] {
            assert!(!is_issue_short_id(bad), "{bad}");
        }
        assert!(is_numeric_id("12345"));
        assert!(!is_numeric_id(""));
        assert!(!is_numeric_id("123456789012345678901"));
        assert!(!is_numeric_id("12a"));
        assert!(!is_numeric_id("٣"));
    }
}
