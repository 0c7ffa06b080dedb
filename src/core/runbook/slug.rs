//! The id rule of the automation contract: lowercase, every run of characters other than
//! `a-z0-9` becomes `-`, no leading or trailing `-`. Recipe and scenario ids use it so that links
//! and stored progress survive a reorder of the runbook.

pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn contract_examples() {
        assert_eq!(
            slug("Trace log history after opening a Sentry event or span."),
            "trace-log-history-after-opening-a-sentry-event-or-span"
        );
        assert_eq!(
            slug("Zero-result `search_sentry_tools` catalog discovery queries."),
            "zero-result-search-sentry-tools-catalog-discovery-queries"
        );
        assert_eq!(
            slug("OAuth And Client Registration"),
            "oauth-and-client-registration"
        );
    }

    #[test]
    fn non_ascii_and_edges() {
        assert_eq!(slug("  --Ünïcode & 42 --  "), "n-code-42");
        assert_eq!(slug(""), "");
        assert_eq!(slug("!!!"), "");
    }
}
