//! User settings and their validation. Values are checked on save with a message the options page
//! shows; a bad stored value falls back to the default instead of breaking the sidebar.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The time window follow-up links use when the page carries none.
pub const DEFAULT_PERIOD: &str = "24h";
/// The sidebar's width bounds in pixels (the page probe clamps to the same range).
pub const SIDEBAR_WIDTH: std::ops::RangeInclusive<u16> = 280..=720;
const MAX_PROJECTS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Organisation slug used where the page gives none (context menu on other sites, practice mode).
    pub org: String,
    /// Sentry origin: empty for sentry.io, else a self-hosted `https://host[:port]`.
    pub host: String,
    /// Sentry `statsPeriod` for follow-up links when the page carries no time window.
    pub period: String,
    /// Numeric project ids follow-up links are scoped to when the page names none; empty = all.
    pub projects: Vec<u64>,
    /// How the sidebar starts before the engineer moves or resizes it.
    pub sidebar: SidebarDefaults,
    /// Read the item in view from Sentry's API with the engineer's session (`sentry_api.rs`);
    /// with it off nothing is requested.
    pub api_reads: bool,
    /// Show on each ready follow-up what its query finds (needs `api_reads`: same session, same
    /// host rules).
    pub previews: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            org: String::new(),
            host: String::new(),
            period: DEFAULT_PERIOD.to_owned(),
            projects: Vec::new(),
            sidebar: SidebarDefaults::default(),
            api_reads: true,
            previews: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SidebarDefaults {
    pub open: bool,
    pub left: bool,
    pub width: u16,
    /// Shown in the browser's own side panel (Chrome `sidePanel`, Firefox `sidebar_action`)
    /// instead of a frame on the page: the page probe then adds no frame, and the panel asks the
    /// page in view for its facts.
    pub docked: bool,
}

impl Default for SidebarDefaults {
    fn default() -> Self {
        Self {
            open: false,
            left: false,
            width: 380,
            docked: false,
        }
    }
}

impl Settings {
    /// Whether follow-up cards ask Sentry for their counts: only while reading Sentry's API is
    /// allowed at all.
    pub fn shows_previews(&self) -> bool {
        self.api_reads && self.previews
    }

    /// Reads stored settings field by field: a missing field takes its default silently, a bad one
    /// takes its default with a notice naming it, so one corrupt value never loses the others.
    pub fn load(stored: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut notices = Vec::new();
        let Some(stored) = stored.as_object() else {
            if !stored.is_null() {
                notices.push("The stored settings were unreadable; the defaults are used.".into());
            }
            return (settings, notices);
        };
        let mut field = |name: &str, apply: &mut dyn FnMut(&Value) -> Result<(), String>| {
            if let Some(value) = stored.get(name) {
                if let Err(message) = apply(value) {
                    notices.push(format!(
                        "Stored {name} ignored, the default is used: {message}"
                    ));
                }
            }
        };
        field("org", &mut |v| {
            settings.org = validate_stored(v, validate_org)?;
            Ok(())
        });
        field("host", &mut |v| {
            settings.host = validate_stored(v, validate_host)?;
            Ok(())
        });
        field("period", &mut |v| {
            let period = validate_stored(v, validate_period)?;
            if !period.is_empty() {
                settings.period = period;
            }
            Ok(())
        });
        field("projects", &mut |v| {
            let ids = serde_json::from_value::<Vec<u64>>(v.clone())
                .map_err(|_| "not a list of project ids".to_owned())?;
            settings.projects = validate_projects(&join_ids(&ids))?;
            Ok(())
        });
        field("sidebar", &mut |v| {
            let sidebar = serde_json::from_value::<SidebarDefaults>(v.clone())
                .map_err(|_| "not a sidebar layout".to_owned())?;
            settings.sidebar.width = validate_width(&sidebar.width.to_string())?;
            settings.sidebar.open = sidebar.open;
            settings.sidebar.left = sidebar.left;
            settings.sidebar.docked = sidebar.docked;
            Ok(())
        });
        field("api_reads", &mut |v| {
            settings.api_reads = v.as_bool().ok_or("not true or false")?;
            Ok(())
        });
        field("previews", &mut |v| {
            settings.previews = v.as_bool().ok_or("not true or false")?;
            Ok(())
        });
        (settings, notices)
    }
}

/// A stored text field: empty means "not set"; otherwise it must pass the same check as on save.
fn validate_stored(
    value: &Value,
    validate: fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    match value.as_str() {
        Some("") => Ok(String::new()),
        Some(text) => validate(text),
        None => Err("not text".into()),
    }
}

/// A Sentry relative period such as `24h`, `7d`, `2w` (at most 90 days, Sentry's retention).
pub fn validate_period(input: &str) -> Result<String, String> {
    let input = input.trim().to_ascii_lowercase();
    let digits = input.trim_end_matches(['m', 'h', 'd', 'w']);
    let minutes_per_unit = match &input[digits.len()..] {
        "m" => Some(1),
        "h" => Some(60),
        "d" => Some(24 * 60),
        "w" => Some(7 * 24 * 60),
        _ => None,
    };
    let minutes = digits
        .parse::<u64>()
        .ok()
        .zip(minutes_per_unit)
        .map(|(n, unit)| n.saturating_mul(unit));
    match minutes {
        Some(minutes) if digits.len() <= 5 && (1..=90 * 24 * 60).contains(&minutes) => Ok(input),
        _ => Err(format!(
            "\u{201c}{}\u{201d} is not a time window: use a number and a unit (m, h, d, w) of at most 90 days, as in 24h or 7d.",
            truncate(&input, 20)
        )),
    }
}

/// Project ids, separated by commas or spaces; empty means every project.
pub fn validate_projects(input: &str) -> Result<Vec<u64>, String> {
    let mut ids = Vec::new();
    for part in input.split([',', ' ']).filter(|p| !p.is_empty()) {
        match part.parse::<u64>() {
            Ok(id) if id > 0 && !ids.contains(&id) => ids.push(id),
            Ok(id) if id > 0 => {}
            _ => {
                return Err(format!(
                    "\u{201c}{}\u{201d} is not a project id: use the numeric ids from Sentry's project filter, separated by commas.",
                    truncate(part, 30)
                ))
            }
        }
    }
    if ids.len() > MAX_PROJECTS {
        return Err(format!("At most {MAX_PROJECTS} projects can be listed."));
    }
    Ok(ids)
}

/// The text form of a project list, as the options field shows it.
pub fn join_ids(ids: &[u64]) -> String {
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sidebar width in pixels.
pub fn validate_width(input: &str) -> Result<u16, String> {
    match input.trim().parse::<u16>() {
        Ok(width) if SIDEBAR_WIDTH.contains(&width) => Ok(width),
        _ => Err(format!(
            "The width must be a number of pixels from {} to {}.",
            SIDEBAR_WIDTH.start(),
            SIDEBAR_WIDTH.end()
        )),
    }
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
    fn periods() {
        assert_eq!(validate_period(" 7D "), Ok("7d".into()));
        assert_eq!(validate_period("90d"), Ok("90d".into()));
        assert_eq!(validate_period("15m"), Ok("15m".into()));
        for bad in [
            "",
            "7",
            "d",
            "0h",
            "91d",
            "13w",
            "1y",
            "-1h",
            "7dd",
            "1h2",
            "99999999999999999999h",
        ] {
            assert!(validate_period(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn projects_and_width() {
        assert_eq!(validate_projects(""), Ok(vec![]));
        assert_eq!(validate_projects("12, 7 12"), Ok(vec![12, 7]));
        assert!(validate_projects("12,abc").is_err());
        assert!(validate_projects("0").is_err());
        assert_eq!(join_ids(&[12, 7]), "12, 7");
        assert_eq!(validate_width("400"), Ok(400));
        for bad in ["279", "721", "wide", ""] {
            assert!(validate_width(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn load_keeps_good_fields_and_reports_bad_ones() {
        let stored = serde_json::json!({
            "org": "acme", "host": "ftp://x", "period": "7d", "projects": [3, 4],
            "sidebar": { "open": true, "left": true, "width": 9999 }
        });
        let (settings, notices) = Settings::load(&stored);
        assert_eq!(settings.org, "acme");
        assert_eq!(settings.host, "", "a bad host falls back to sentry.io");
        assert_eq!(settings.period, "7d");
        assert_eq!(settings.projects, vec![3, 4]);
        assert_eq!(
            settings.sidebar,
            SidebarDefaults::default(),
            "a bad width drops the layout"
        );
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].contains("host") && notices[1].contains("sidebar"));
    }

    #[test]
    fn docking_is_off_until_chosen_and_loads_with_the_layout() {
        assert!(!Settings::default().sidebar.docked);
        let stored = serde_json::json!({ "sidebar": { "docked": true, "width": 400 } });
        let (settings, notices) = Settings::load(&stored);
        assert!(settings.sidebar.docked && settings.sidebar.width == 400 && notices.is_empty());
    }

    #[test]
    fn api_reads_load_as_a_flag_and_default_on() {
        let (settings, notices) = Settings::load(&serde_json::json!({ "api_reads": false }));
        assert!(!settings.api_reads && notices.is_empty());
        let (settings, notices) = Settings::load(&serde_json::json!({ "api_reads": "no" }));
        assert!(settings.api_reads, "a bad value falls back to on");
        assert!(notices[0].contains("api_reads"), "{notices:?}");
    }

    #[test]
    fn load_of_missing_or_garbage_settings() {
        assert_eq!(Settings::load(&Value::Null), (Settings::default(), vec![]));
        let (settings, notices) = Settings::load(&serde_json::json!("garbage"));
        assert_eq!(settings, Settings::default());
        assert_eq!(notices.len(), 1);
        let (settings, notices) = Settings::load(&serde_json::json!({ "org": 5, "period": "" }));
        assert_eq!(
            settings.period, DEFAULT_PERIOD,
            "an empty stored period means unset"
        );
        assert_eq!(notices.len(), 1, "{notices:?}");
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
