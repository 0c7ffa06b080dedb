//! User settings and their validation. Values are checked on save with a message the options page
//! shows; a bad stored value falls back to the default instead of breaking the sidebar.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Organisation slug used where the page gives none (context menu on other sites, practice mode).
    pub org: String,
    /// Sentry origin: empty for sentry.io, else a self-hosted `https://host[:port]`.
    pub host: String,
}

/// Sentry's org slug rule (src/sentry/slug/patterns.py): letters, digits and `-`, not all digits,
/// no leading or trailing `-`.
pub fn validate_org(slug: &str) -> Result<String, String> {
    let slug = slug.trim();
    let valid = !slug.is_empty()
        && slug.len() <= 50
        && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.chars().all(|c| c.is_ascii_digit());
    if valid {
        Ok(slug.to_ascii_lowercase())
    } else {
        Err(format!(
            "\u{201c}{}\u{201d} is not an organisation slug: use letters, digits and dashes, as in acme or my-team.",
            truncate(slug, 60)
        ))
    }
}

/// A Sentry host must be an https origin and nothing more (no path, query, credentials).
/// `sentry.io` itself is the default and is stored as empty.
pub fn validate_host(input: &str) -> Result<String, String> {
    let input = input.trim().trim_end_matches('/');
    if input.is_empty() || input == "https://sentry.io" {
        return Ok(String::new());
    }
    let error = || {
        Err(format!(
            "\u{201c}{}\u{201d} is not a Sentry address: enter an https origin such as https://sentry.example.com.",
            truncate(input, 80)
        ))
    };
    let Some(authority) = input.strip_prefix("https://") else {
        return error();
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => {
            (host, Some(port))
        }
        _ => (authority, None),
    };
    let labels_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if labels_ok && port_ok {
        Ok(format!("https://{}", authority.to_ascii_lowercase()))
    } else {
        error()
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_slugs() {
        assert_eq!(validate_org(" Acme "), Ok("acme".into()));
        assert_eq!(validate_org("my-team-2"), Ok("my-team-2".into()));
        for bad in [
            "",
            "123",
            "-acme",
            "acme-",
            "ac me",
            "acme/x",
            "ac\u{202e}me",
            "\u{0430}cme",
        ] {
            assert!(validate_org(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(
            validate_host("https://Sentry.Example.com/"),
            Ok("https://sentry.example.com".into())
        );
        assert_eq!(
            validate_host("https://sentry.example.com:8443"),
            Ok("https://sentry.example.com:8443".into())
        );
        assert_eq!(validate_host(""), Ok(String::new()));
        assert_eq!(validate_host("https://sentry.io"), Ok(String::new()));
        for bad in [
            "http://sentry.example.com",
            "sentry.example.com",
            "https://sentry.example.com/path",
            "https://user@sentry.example.com",
            "https://sentry.example.com?x=1",
            "https://sentry.example.com:0",
            "https://sentry.example.com:99999",
            "https://-bad.example.com",
            "https://exa mple.com",
            "javascript:alert(1)",
        ] {
            assert!(validate_host(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
