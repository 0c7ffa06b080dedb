//! Team configuration: policy values an administrator sets (Chrome `storage.managed`, Firefox
//! `3rdparty` policies; docs/team-configuration.md) merged over the user's own settings. Managed
//! values win; with `allow_user_override` they are only defaults the user may change.

use serde::Deserialize;
use serde_json::Value;

use crate::core::config::settings::{validate_host, validate_org, validate_period, Settings};
use crate::core::guard::secrets::detect_secret;
use crate::core::runbook::Runbook;

/// The policy as stored by the browser. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ManagedPolicy {
    pub org: Option<String>,
    /// Self-hosted Sentry origins; the first is the default host.
    pub hosts: Option<Vec<String>>,
    pub period: Option<String>,
    /// A runbook document (markdown) for the whole team.
    pub runbook: Option<String>,
    /// Accepted so a policy naming one is not an error, but never fetched: the extension asks
    /// nothing but Sentry's own API (security.md SEC-4); the options page says so.
    pub runbook_url: Option<String>,
    /// Whether the sidebar reads the item in view from Sentry's API (`Settings::api_reads`).
    pub api_reads: Option<bool>,
    /// Whether follow-up cards show counts (`Settings::previews`).
    pub previews: Option<bool>,
    pub allow_user_override: bool,
}

/// A setting the user cannot change here, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub field: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effective {
    pub settings: Settings,
    /// Every configured self-hosted origin (the user's host and the policy's hosts).
    pub hosts: Vec<String>,
    /// The team runbook, when the policy carries a valid one.
    pub runbook: Option<String>,
    pub locked: Vec<Locked>,
    /// Policy values that were ignored, and why (shown on the options page).
    pub notices: Vec<String>,
}

impl Effective {
    pub fn is_locked(&self, field: &str) -> bool {
        self.locked.iter().any(|l| l.field == field)
    }

    /// The runbooks (markdown) that may be in force, best first, given the user's imported one:
    /// the team's wins when locked. The first that parses is used; none means the bundled one.
    /// (The sidebar does not parse markdown itself: see `ui::sidebar::app`.)
    pub fn runbook_sources<'a>(&'a self, imported: Option<&'a str>) -> Vec<&'a str> {
        let team = self.runbook.as_deref();
        let ordered = if self.is_locked("runbook") {
            [team, imported]
        } else {
            [imported, team]
        };
        ordered.into_iter().flatten().collect()
    }

    pub fn reason_locked(&self, field: &str) -> Option<String> {
        self.locked
            .iter()
            .find(|l| l.field == field)
            .map(|l| l.reason.clone())
    }
}

/// The parts of `storage.local` (plus `managed`, the team policy as `team-policy.js` reads it)
/// that decide the settings and the runbook in force. Every consumer reads them through this, so
/// the sidebar, the glossary and the context menu never disagree about what a team locked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StoredConfig {
    pub settings: Value,
    pub managed: Value,
    /// An imported runbook (markdown).
    pub runbook: Option<String>,
}

impl StoredConfig {
    /// From the JSON of `storage.local` plus `managed`; anything unreadable counts as absent.
    pub fn from_json(json: &str) -> Self {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn effective(&self) -> Effective {
        let (user, _) = Settings::load(&self.settings);
        let (policy, _) = read_policy(&self.managed);
        effective_settings(&user, &policy)
    }

    /// The runbook documents that may be in force, best first (`Effective::runbook_sources`).
    pub fn runbook_sources(&self) -> Vec<String> {
        let effective = self.effective();
        let sources = effective.runbook_sources(self.runbook.as_deref());
        sources.into_iter().map(str::to_owned).collect()
    }

    /// The settings and the runbook in force: the first source that parses, else the bundled one.
    /// (Needs the markdown parser: extension pages only; the sidebar compiles `runbook_sources`.)
    pub fn in_force(&self) -> (Settings, Runbook) {
        let effective = self.effective();
        let runbook = effective
            .runbook_sources(self.runbook.as_deref())
            .into_iter()
            .find_map(|markdown| Runbook::parse(markdown).ok())
            .unwrap_or_else(Runbook::bundled);
        (effective.settings, runbook)
    }
}

/// Drops a team runbook that does not parse, with a notice, so it neither locks nor shows as in
/// force. Separate from `read_policy` because only the extension pages carry the parser.
pub fn drop_invalid_runbook(policy: &mut ManagedPolicy) -> Option<String> {
    let errors = Runbook::parse(policy.runbook.as_deref()?).err()?;
    policy.runbook = None;
    let first = errors.first().map(ToString::to_string).unwrap_or_default();
    Some(format!("Team policy runbook ignored: {first}"))
}

/// Reads the policy; an unreadable one counts as absent, with a notice.
pub fn read_policy(stored: &Value) -> (ManagedPolicy, Vec<String>) {
    if stored.is_null() || stored.as_object().is_some_and(|o| o.is_empty()) {
        return (ManagedPolicy::default(), Vec::new());
    }
    match serde_json::from_value(stored.clone()) {
        Ok(policy) => (policy, Vec::new()),
        Err(_) => (
            ManagedPolicy::default(),
            vec!["The team policy could not be read and is ignored; ask your administrator to check it against docs/team-configuration.md.".into()],
        ),
    }
}

pub fn effective_settings(user: &Settings, managed: &ManagedPolicy) -> Effective {
    let mut effective = Effective {
        settings: user.clone(),
        ..Effective::default()
    };
    let override_allowed = managed.allow_user_override;
    let reason = if override_allowed {
        "Set by your team; your own value, if any, is used instead."
    } else {
        "Set by your team's policy; it cannot be changed here."
    };
    let mut take = |field: &'static str, user_value_set: bool, apply: &mut dyn FnMut()| {
        if !(override_allowed && user_value_set) {
            apply();
        }
        if !override_allowed {
            effective.locked.push(Locked {
                field,
                reason: reason.to_owned(),
            });
        }
    };
    let mut notices = Vec::new();
    if let Some(org) = &managed.org {
        match validate_org(org) {
            Ok(org) => take("org", !user.org.is_empty(), &mut || {
                effective.settings.org = org.clone()
            }),
            Err(message) => notices.push(format!("Team policy org ignored: {message}")),
        }
    }
    let mut policy_hosts = Vec::new();
    for host in managed.hosts.iter().flatten() {
        match validate_host(host) {
            Ok(host) if !host.is_empty() => policy_hosts.push(host),
            Ok(_) => {}
            Err(message) => notices.push(format!("Team policy host ignored: {message}")),
        }
    }
    if let Some(first) = policy_hosts.first() {
        take("host", !user.host.is_empty(), &mut || {
            effective.settings.host = first.clone()
        });
    }
    if let Some(period) = &managed.period {
        match validate_period(period) {
            Ok(period) => take(
                "period",
                user.period != Settings::default().period,
                &mut || effective.settings.period = period.clone(),
            ),
            Err(message) => notices.push(format!("Team policy period ignored: {message}")),
        }
    }
    if let Some(api_reads) = managed.api_reads {
        take(
            "api_reads",
            user.api_reads != Settings::default().api_reads,
            &mut || effective.settings.api_reads = api_reads,
        );
    }
    if let Some(previews) = managed.previews {
        take(
            "previews",
            user.previews != Settings::default().previews,
            &mut || effective.settings.previews = previews,
        );
    }
    if let Some(markdown) = &managed.runbook {
        if detect_secret(markdown).is_some() {
            notices
                .push("Team policy runbook ignored: it contains what looks like a secret.".into());
        } else {
            effective.runbook = Some(markdown.clone());
            if !override_allowed {
                effective.locked.push(Locked {
                    field: "runbook",
                    reason: reason.to_owned(),
                });
            }
        }
    }
    if managed.runbook_url.is_some() {
        notices.push("The team policy names a runbook URL; Pivot Lens fetches nothing but Sentry's own API, so it is not fetched. Put the runbook inline in the policy instead.".into());
    }
    let mut hosts: Vec<String> = std::iter::once(user.host.clone())
        .chain(policy_hosts)
        .filter(|h| !h.is_empty())
        .collect();
    hosts.dedup();
    effective.hosts = hosts;
    effective.notices = notices;
    effective
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Settings {
        Settings {
            org: "mine".into(),
            ..Settings::default()
        }
    }

    fn policy(value: Value) -> ManagedPolicy {
        let (policy, notices) = read_policy(&value);
        assert!(notices.is_empty(), "{notices:?}");
        policy
    }

    #[test]
    fn no_policy_changes_nothing() {
        let effective = effective_settings(&user(), &ManagedPolicy::default());
        assert_eq!(effective.settings, user());
        assert!(effective.locked.is_empty() && effective.notices.is_empty());
        assert_eq!(read_policy(&json!({})).0, ManagedPolicy::default());
    }

    #[test]
    fn managed_values_win_and_are_locked() {
        let policy = policy(json!({
            "org": "acme", "hosts": ["https://sentry.acme.dev", "https://eu.acme.dev"], "period": "7d"
        }));
        let effective = effective_settings(&user(), &policy);
        assert_eq!(effective.settings.org, "acme");
        assert_eq!(effective.settings.host, "https://sentry.acme.dev");
        assert_eq!(effective.settings.period, "7d");
        assert_eq!(
            effective.hosts,
            vec!["https://sentry.acme.dev", "https://eu.acme.dev"]
        );
        for field in ["org", "host", "period"] {
            assert!(effective.is_locked(field), "{field}");
        }
        assert!(!effective.is_locked("runbook"));
    }

    #[test]
    fn the_policy_can_turn_api_reads_off_and_lock_them() {
        let on = Settings::default();
        assert!(on.api_reads, "on by default");
        let off = policy(json!({ "api_reads": false }));
        let effective = effective_settings(&on, &off);
        assert!(!effective.settings.api_reads);
        assert!(effective.is_locked("api_reads"));
        let lenient = policy(json!({ "api_reads": false, "allow_user_override": true }));
        let user_off = Settings {
            api_reads: false,
            ..Settings::default()
        };
        assert!(
            !effective_settings(&on, &lenient).settings.api_reads,
            "a default the user kept"
        );
        let user_default = effective_settings(
            &user_off,
            &policy(json!({ "api_reads": true, "allow_user_override": true })),
        );
        assert!(
            !user_default.settings.api_reads,
            "the user's own choice wins when allowed"
        );
        let config = StoredConfig::from_json(
            r#"{"settings": {"api_reads": true}, "managed": {"api_reads": false}}"#,
        );
        assert!(
            !config.effective().settings.api_reads,
            "every surface reads the merged policy"
        );
        assert!(
            !config.effective().settings.shows_previews(),
            "no previews without the API"
        );
        let no_previews = effective_settings(&on, &policy(json!({ "previews": false })));
        assert!(no_previews.settings.api_reads && !no_previews.settings.shows_previews());
        assert!(no_previews.is_locked("previews"));
    }

    #[test]
    fn with_override_allowed_managed_values_are_defaults() {
        let policy = policy(json!({ "org": "acme", "period": "7d", "allow_user_override": true }));
        let effective = effective_settings(&user(), &policy);
        assert_eq!(effective.settings.org, "mine", "the user's own org is kept");
        assert_eq!(effective.settings.period, "7d", "the user set no period");
        assert!(effective.locked.is_empty());
    }

    #[test]
    fn bad_policy_values_are_ignored_with_a_notice() {
        let policy = policy(
            json!({ "org": "-bad", "hosts": ["http://x"], "period": "1y", "runbook": "# nope" }),
        );
        let mut policy = policy;
        let runbook_notice = drop_invalid_runbook(&mut policy);
        assert!(runbook_notice.is_some_and(|n| n.starts_with("Team policy runbook ignored: line")));
        let effective = effective_settings(&user(), &policy);
        assert_eq!(effective.settings, user());
        assert!(effective.locked.is_empty());
        assert_eq!(effective.notices.len(), 3, "{:?}", effective.notices);
        let (_, notices) = read_policy(&json!({ "org": 5 }));
        assert_eq!(notices.len(), 1);
    }

    #[test]
    fn an_inline_runbook_is_used_and_a_url_is_never_fetched() {
        let markdown = crate::core::runbook::BUNDLED_MARKDOWN;
        let policy =
            policy(json!({ "runbook": markdown, "runbook_url": "https://example.com/r.md" }));
        let mut policy = policy;
        assert_eq!(
            drop_invalid_runbook(&mut policy),
            None,
            "a valid runbook stays"
        );
        let effective = effective_settings(&user(), &policy);
        assert_eq!(effective.runbook.as_deref(), Some(markdown));
        assert!(effective.is_locked("runbook"));
        assert_eq!(
            effective.runbook_sources(Some("mine")),
            [markdown, "mine"],
            "locked: the team's wins, the user's is next if the team's fails to compile"
        );
        let open = effective_settings(
            &user(),
            &ManagedPolicy {
                allow_user_override: true,
                ..policy
            },
        );
        assert_eq!(open.runbook_sources(Some("mine")), ["mine", markdown]);
        assert_eq!(open.runbook_sources(None), [markdown]);
        assert!(effective_settings(&user(), &ManagedPolicy::default())
            .runbook_sources(None)
            .is_empty());
        assert!(effective.notices[0].contains("not fetched"));
    }

    #[test]
    fn what_is_in_force_follows_the_team_policy() {
        let bundled = crate::core::runbook::BUNDLED_MARKDOWN;
        let meaning = "one request, tool call, or agent run trace";
        let team = bundled.replace(meaning, "the team's meaning");
        let mine = bundled.replace(meaning, "my meaning");
        let parsed = |markdown: &str| Runbook::parse(markdown).unwrap();
        assert_ne!(parsed(&team), parsed(&mine));
        let stored = |managed: Value| {
            StoredConfig::from_json(
                &json!({ "settings": { "org": "mine" }, "runbook": mine, "managed": managed })
                    .to_string(),
            )
        };

        let (settings, runbook) = stored(json!({ "org": "acme", "runbook": team })).in_force();
        assert_eq!(settings.org, "acme", "the team's org wins");
        assert_eq!(runbook, parsed(&team), "a locked team runbook wins");

        let (settings, runbook) = stored(json!({ "runbook": "# not a runbook" })).in_force();
        assert_eq!(settings.org, "mine");
        assert_eq!(runbook, parsed(&mine), "an invalid team runbook falls back");

        let (_, runbook) = StoredConfig::from_json("garbage").in_force();
        assert_eq!(runbook, Runbook::bundled());
        assert_eq!(
            stored(json!({ "runbook": team, "allow_user_override": true })).runbook_sources(),
            [mine.clone(), team.clone()],
            "an overridable team runbook comes after the engineer's"
        );
    }
}
