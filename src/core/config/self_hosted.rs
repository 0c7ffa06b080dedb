//! Self-hosted Sentry (security.md MAN-2): which dynamic content script to register, decided from
//! the configured origins and the host permissions the user granted. The browser calls
//! (`permissions`, `scripting`) are made by the options page and the background; this only
//! decides, so "grant → registered for that origin only; revoke → unregistered" is tested here.

use serde::{Deserialize, Serialize};

/// The id of the one dynamic content script (its matches list every granted self-hosted origin).
pub const SCRIPT_ID: &str = "pivot-lens-self-hosted";

/// The page probe's files, in order: as the manifest's content script lists them (a test checks).
pub const PROBE_SCRIPTS: [&str; 9] = [
    "shared.js",
    "probe/dom.js",
    "probe/rules.js",
    "probe/ledger.js",
    "probe/lifetime.js",
    "probe/outline.js",
    "probe/watcher.js",
    "probe/channel.js",
    "probe/main.js",
];

/// A content script registration, in the shape of `scripting.RegisteredContentScript`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: String,
    pub matches: Vec<String>,
    pub js: Vec<String>,
}

/// One browser call, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Step {
    Unregister { id: String },
    Register { script: Registration },
}

/// The match pattern of an `https://host[:port]` origin: that origin's pages and nothing else.
pub fn origin_pattern(origin: &str) -> String {
    format!("{}/*", origin.trim_end_matches('/'))
}

/// The registration that should exist: the configured origins whose pattern the user granted.
/// Anything granted but not configured (or configured but not granted) gets nothing.
pub fn wanted(configured: &[String], granted: &[String]) -> Option<Registration> {
    let mut matches: Vec<String> = configured
        .iter()
        .filter(|origin| !origin.is_empty())
        .map(|origin| origin_pattern(origin))
        .filter(|pattern| granted.contains(pattern))
        .collect();
    matches.sort();
    matches.dedup();
    (!matches.is_empty()).then(|| Registration {
        id: SCRIPT_ID.to_owned(),
        matches,
        js: PROBE_SCRIPTS.map(str::to_owned).to_vec(),
    })
}

/// The calls that turn what is registered into what should be.
pub fn plan(configured: &[String], granted: &[String], registered: &[Registration]) -> Vec<Step> {
    let ours: Vec<&Registration> = registered.iter().filter(|r| r.id == SCRIPT_ID).collect();
    let wanted = wanted(configured, granted);
    if ours.len() == 1 && wanted.as_ref() == ours.first().copied() {
        return Vec::new();
    }
    let mut steps: Vec<Step> = ours
        .iter()
        .take(1)
        .map(|r| Step::Unregister { id: r.id.clone() })
        .collect();
    steps.extend(wanted.map(|script| Step::Register { script }));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_the_probe_files_the_manifest_lists() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../../../manifest.json")).expect("manifest.json");
        assert_eq!(
            manifest["content_scripts"][0]["js"],
            serde_json::json!(PROBE_SCRIPTS)
        );
    }

    /// The browser as far as self-hosted support touches it.
    #[derive(Default)]
    struct FakeBrowser {
        granted: Vec<String>,
        registered: Vec<Registration>,
    }

    impl FakeBrowser {
        fn sync(&mut self, configured: &[&str]) {
            let configured: Vec<String> = configured.iter().map(|s| s.to_string()).collect();
            for step in plan(&configured, &self.granted, &self.registered) {
                match step {
                    Step::Unregister { id } => self.registered.retain(|r| r.id != id),
                    Step::Register { script } => {
                        assert!(
                            self.registered.iter().all(|r| r.id != script.id),
                            "registering an id twice fails in the browser"
                        );
                        self.registered.push(script);
                    }
                }
            }
        }

        fn injected_on(&self) -> Vec<String> {
            self.registered
                .iter()
                .flat_map(|r| r.matches.clone())
                .collect()
        }
    }

    const HOST: &str = "https://sentry.example.com";

    #[test]
    fn nothing_is_injected_without_a_grant() {
        let mut browser = FakeBrowser::default();
        browser.sync(&[HOST]);
        assert!(browser.injected_on().is_empty());
        browser.granted.push("https://other.example.com/*".into());
        browser.sync(&[HOST]);
        assert!(
            browser.injected_on().is_empty(),
            "a grant for another origin is not ours"
        );
    }

    #[test]
    fn grant_registers_that_origin_only_and_revoke_unregisters() {
        let mut browser = FakeBrowser {
            granted: vec!["https://sentry.io/*".into(), origin_pattern(HOST)],
            ..FakeBrowser::default()
        };
        browser.sync(&[HOST]);
        assert_eq!(browser.injected_on(), vec!["https://sentry.example.com/*"]);
        assert_eq!(browser.registered[0].id, SCRIPT_ID);
        assert_eq!(browser.registered[0].js, PROBE_SCRIPTS);
        browser.sync(&[HOST]);
        assert_eq!(browser.registered.len(), 1, "syncing again changes nothing");
        browser
            .granted
            .retain(|g| g != "https://sentry.example.com/*");
        browser.sync(&[HOST]);
        assert!(browser.registered.is_empty());
    }

    #[test]
    fn changing_the_host_moves_the_registration() {
        let mut browser = FakeBrowser {
            granted: vec![origin_pattern(HOST), "https://b.example.com:8443/*".into()],
            ..FakeBrowser::default()
        };
        browser.sync(&[HOST, "https://b.example.com:8443"]);
        assert_eq!(
            browser.injected_on(),
            vec![
                "https://b.example.com:8443/*",
                "https://sentry.example.com/*"
            ]
        );
        browser.sync(&["https://b.example.com:8443", ""]);
        assert_eq!(browser.injected_on(), vec!["https://b.example.com:8443/*"]);
        browser.sync(&[]);
        assert!(browser.registered.is_empty());
    }

    #[test]
    fn plan_leaves_other_registrations_alone() {
        let other = Registration {
            id: "someone-else".into(),
            matches: vec!["https://x.example/*".into()],
            js: vec![],
        };
        assert!(plan(&[], &[], &[other]).is_empty());
    }
}
