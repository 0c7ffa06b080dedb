//! What a selected text leads to: the follow-ups `{id, title, url}` that the context menu and the
//! sidebar's "paste an ID" box offer (docs/automation-contract.md `pivot-lens:classify`).
//!
//! Two sources: direct pages for an identifier (the trace view, the issue by short id, the event
//! and span searches), and the runbook's recipes whose placeholders the selection fills, built by
//! `query::build_links`. The menu cannot show a selection-dependent list in Chrome (no
//! `onShown`), so it registers a fixed entry per follow-up id (`menu_entries`) and picks the
//! offered item with the clicked id; every item's id is therefore a menu entry id or a recipe id.

use serde::{Deserialize, Serialize};

use crate::core::config::settings::Settings;
use crate::core::config::settings::DEFAULT_PERIOD;
use crate::core::context_menu::classify::{
    classify_selection_with_hosts, Classification, ISSUE_SHORT_ID,
};
use crate::core::lens::{scope, self_hosted_authority};
use crate::core::query::{build_links, direct_link, Deployment, Period, Scope};
use crate::core::recognition::page::classify_url_with_hosts;
use crate::core::runbook::Runbook;

/// One follow-up, ready to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// A direct page's id (`open-trace`, …) or a recipe id.
    pub id: String,
    pub title: String,
    pub url: String,
    /// The recipe's filters left out because the selection gives no value for them (contract v2
    /// `dropped`), by key as the runbook writes it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
}

/// The answer for one selection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Offer {
    /// The contract's kinds: `["secret"]` for a secret, else each distinct kind once.
    pub kinds: Vec<String>,
    pub items: Vec<FollowUp>,
    /// The selection has kinds but no organisation is known to link to (the menu then opens the
    /// options page instead of a broken link).
    pub needs_org: bool,
}

/// What clicking a menu entry does: open the follow-up, or explain (on the options page, by
/// `options.html?reason=<reason>`) why there is nothing to open. The selection is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MenuAction {
    Open(String),
    Explain(&'static str),
}

impl Offer {
    pub fn menu_action(&self, entry_id: &str) -> MenuAction {
        if self.kinds.iter().any(|kind| kind == "secret") {
            return MenuAction::Explain("secret");
        }
        if self.needs_org {
            return MenuAction::Explain("no-org");
        }
        match self.items.iter().find(|item| item.id == entry_id) {
            Some(item) => MenuAction::Open(item.url.clone()),
            None => MenuAction::Explain("no-match"),
        }
    }
}

/// The options page's one-line explanation for a `reason` the menu sent it.
pub fn reason_message(reason: &str) -> Option<&'static str> {
    match reason {
        "no-org" => Some("No Sentry organisation is known for the selected text: set a default organisation in the options to open its follow-ups."),
        "secret" => Some("The selected text looks like a secret, so Pivot Lens did not use it: nothing was opened, stored or logged."),
        "no-match" => Some("That menu entry does not fit the selected text (Pivot Lens offers trace, span and event ids, issue short ids, user ids and routes)."),
        _ => None,
    }
}

/// A context-menu entry: registered once, whatever the selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuEntry {
    pub id: String,
    pub title: String,
}

/// Pages addressed by one identifier: (id, title, the kind it needs).
const DIRECT: [(&str, &str, &str); 4] = [
    ("open-trace", "Open trace", "trace_id"),
    ("find-event", "Find event", "event_id"),
    ("open-issue", "Open issue", ISSUE_SHORT_ID),
    ("find-span", "Find span", "span_id"),
];

/// What `text` (a selection, possibly hostile) leads to. `tab_url` is the page it was selected on:
/// a Sentry page gives the org, host and time window; any other page leaves them to `settings`.
pub fn offer(text: &str, tab_url: &str, settings: &Settings, runbook: &Runbook) -> Offer {
    let self_hosted = self_hosted_authority(settings);
    let hosts: Vec<&str> = self_hosted.iter().map(String::as_str).collect();
    let classification = classify_selection_with_hosts(text, runbook, &hosts);
    let kinds: Vec<String> = classification
        .contract_kinds()
        .into_iter()
        .map(str::to_owned)
        .collect();
    if classification.secret.is_some() || kinds.is_empty() {
        return Offer {
            kinds,
            ..Offer::default()
        };
    }
    match link_scope(tab_url, &hosts, settings) {
        Some(scope) => Offer {
            items: follow_ups(&classification, runbook, &scope),
            kinds,
            needs_org: false,
        },
        None => Offer {
            kinds,
            items: Vec::new(),
            needs_org: true,
        },
    }
}

/// The menu's fixed entries: the direct pages, then each recipe a selection can fill (any recipe
/// with a placeholder: the filters a selection cannot fill are left out).
pub fn menu_entries(runbook: &Runbook) -> Vec<MenuEntry> {
    let direct = DIRECT.iter().map(|(id, title, _)| MenuEntry {
        id: (*id).to_owned(),
        title: (*title).to_owned(),
    });
    let recipes = runbook
        .recipes
        .iter()
        .filter(|recipe| !recipe.bindings.is_empty())
        .map(|recipe| MenuEntry {
            id: recipe.id.clone(),
            title: menu_title(&recipe.title),
        });
    direct.chain(recipes).collect()
}

/// A runbook title as a menu label: Chrome replaces `%s` in titles with the selection and Firefox
/// reads `&` as an access key, and a label must never echo the selection.
fn menu_title(title: &str) -> String {
    title
        .trim_end_matches('.')
        .replace('%', "\u{ff05}")
        .replace('&', "\u{ff06}")
}

/// The org, host and window links use: the Sentry page's own, else the configured defaults.
fn link_scope(tab_url: &str, self_hosted: &[&str], settings: &Settings) -> Option<Scope> {
    if let Some(page) = classify_url_with_hosts(tab_url, self_hosted) {
        let org = page.org.clone().unwrap_or_else(|| settings.org.clone());
        return scope(&page, &org, settings);
    }
    if settings.org.is_empty() {
        return None;
    }
    let deployment = match self_hosted_authority(settings) {
        Some(host) => Deployment::SelfHosted { host },
        None => Deployment::SaaS,
    };
    Some(Scope {
        deployment,
        org: settings.org.clone(),
        projects: Vec::new(),
        period: Period::Relative(settings.period.clone()),
    })
}

fn follow_ups(classification: &Classification, runbook: &Runbook, scope: &Scope) -> Vec<FollowUp> {
    let value = |key: &str| {
        classification
            .kinds
            .iter()
            .find(|kind| kind.key == key)
            .map(|kind| kind.value.clone())
    };
    let direct = DIRECT.iter().filter_map(|(id, title, key)| {
        let url = direct_url(id, &value(key)?, scope)?;
        Some(FollowUp {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            url,
            dropped: Vec::new(),
        })
    });
    let recipes = runbook
        .recipes
        .iter()
        .filter(|recipe| !recipe.bindings.is_empty())
        .filter_map(|recipe| {
            let links = build_links(recipe, &value, scope).ok()?;
            let first = links.links.first().filter(|_| links.ready)?;
            Some(FollowUp {
                id: recipe.id.clone(),
                title: recipe.title.clone(),
                url: first.url.as_str().to_owned(),
                dropped: links.dropped.clone(),
            })
        });
    direct.chain(recipes).collect()
}

/// The page for one identifier (docs/query-translation.md: trace view path; a bare event id or
/// short id in the issue search is a "direct hit" that Sentry redirects, searched in every project
/// (`project=-1`: otherwise only in the projects the engineer last selected) over the links'
/// period; spans by id in the spans explorer).
fn direct_url(id: &str, value: &str, scope: &Scope) -> Option<String> {
    let period = match &scope.period {
        Period::Relative(period) => period.as_str(),
        Period::Absolute { .. } => DEFAULT_PERIOD,
    };
    let url = match id {
        "open-trace" => direct_link(scope, &format!("/explore/traces/trace/{value}/"), &[]),
        "find-event" => direct_link(
            scope,
            "/issues/",
            &[("query", value), ("project", "-1"), ("statsPeriod", period)],
        ),
        "open-issue" => direct_link(scope, &format!("/issues/{value}/"), &[]),
        "find-span" => {
            let query = format!("span_id:{value}");
            direct_link(
                scope,
                "/explore/traces/",
                &[
                    ("query", &query),
                    ("mode", "samples"),
                    ("table", "span"),
                    ("project", "-1"),
                    ("statsPeriod", period),
                ],
            )
        }
        _ => return None,
    };
    url.ok().map(|url| url.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::context_menu::classify::MAX_SELECTION_CHARS;
    use crate::core::guard::secrets::tests::synthetic_secrets;
    use crate::core::runbook::Recipe;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";
    const TRACE_LOGS: &str = "trace-log-history-after-opening-a-sentry-event-or-span";
    const ROUTE_HEALTH: &str = "http-response-rates-by-route-and-status";
    const REVOCATIONS: &str = "grant-revocations-for-sign-out-reports";
    const CAPTURED_ERRORS: &str = "captured-errors-for-a-route-tool-or-oauth-symptom";
    const TOOL_TIMELINE: &str = "tool-execution-timeline-for-a-slow-or-failing-tool";
    const OTHER_SITE: &str = "https://chat.example.com/thread/1";

    fn acme() -> Settings {
        Settings {
            org: "acme".into(),
            host: String::new(),
            ..Settings::default()
        }
    }

    fn offered(text: &str) -> Offer {
        offer(text, OTHER_SITE, &acme(), &Runbook::bundled())
    }

    fn ids(offer: &Offer) -> Vec<&str> {
        offer.items.iter().map(|item| item.id.as_str()).collect()
    }

    fn url_of<'o>(offer: &'o Offer, id: &str) -> &'o str {
        offer
            .items
            .iter()
            .find(|item| item.id == id)
            .map(|item| item.url.as_str())
            .unwrap_or_else(|| panic!("no {id} in {offer:?}"))
    }

    /// Per kind: the selection, the kinds it answers, and exactly the follow-ups it offers.
    #[test]
    fn follow_ups_per_kind() {
        let table: [(&str, &[&str], &[&str]); 9] = [
            (
                TRACE,
                &["trace_id", "event_id"],
                &["open-trace", "find-event", TRACE_LOGS],
            ),
            (SPAN, &["span_id"], &["find-span"]),
            ("MCP-41", &["issue_short_id"], &["open-issue"]),
            ("12345", &["user.id"], &[REVOCATIONS]),
            (
                "/mcp/:organizationSlug?/:projectSlug?",
                &["http.route"],
                &[CAPTURED_ERRORS, ROUTE_HEALTH],
            ),
            (
                "app.resource.type:issue",
                &["app.resource.type"],
                &["resource-dispatch-behavior-for-get-sentry-resource"],
            ),
            // A tool name fills one branch of the captured errors' OR and the timeline's tool
            // filter (its skill filter is left out).
            (
                "search_events",
                &["gen_ai.tool.name"],
                &[CAPTURED_ERRORS, TOOL_TIMELINE],
            ),
            // A kind no recipe filters on: recognised, nothing to open.
            ("cursor", &["app.client.family"], &[]),
            // Not an id at all.
            ("hello world", &[], &[]),
        ];
        for (text, kinds, expected) in table {
            let offer = offered(text);
            assert_eq!(offer.kinds, kinds, "{text}");
            assert_eq!(ids(&offer), expected, "{text}");
            assert!(!offer.needs_org, "{text}");
        }
    }

    #[test]
    fn direct_pages_and_recipe_links() {
        let trace = offered(&format!("  \"{}\"\n", TRACE.to_uppercase()));
        assert_eq!(
            url_of(&trace, "open-trace"),
            format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/")
        );
        assert_eq!(
            url_of(&trace, "find-event"),
            format!("https://acme.sentry.io/issues/?query={TRACE}&project=-1&statsPeriod=24h")
        );
        let logs = url_of(&trace, TRACE_LOGS);
        assert!(
            logs.starts_with("https://acme.sentry.io/explore/logs/?logsQuery=trace%3A%22")
                && logs.contains(TRACE),
            "{logs}"
        );
        assert_eq!(
            trace.items[2].title,
            "Trace log history after opening a Sentry event or span."
        );
        assert_eq!(
            url_of(&offered("MCP-41"), "open-issue"),
            "https://acme.sentry.io/issues/MCP-41/"
        );
        assert_eq!(
            url_of(&offered(SPAN), "find-span"),
            format!("https://acme.sentry.io/explore/traces/?query=span_id%3A{SPAN}&mode=samples&table=span&project=-1&statsPeriod=24h")
        );
        let user_offer = offered("12345");
        let user = url_of(&user_offer, REVOCATIONS);
        assert!(
            user.starts_with("https://acme.sentry.io/explore/metrics/") && user.contains("12345"),
            "{user}"
        );
    }

    #[test]
    fn a_sentry_url_offers_what_its_ids_lead_to() {
        let url = format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/?node=span-{SPAN}");
        let offer = offered(&url);
        assert_eq!(offer.kinds, ["sentry_url", "trace_id", "span_id"]);
        assert_eq!(ids(&offer), ["open-trace", "find-span", TRACE_LOGS]);
    }

    #[test]
    fn the_sentry_tab_decides_org_host_and_window() {
        let runbook = Runbook::bundled();
        let on_sentry = offer(
            SPAN,
            "https://other.sentry.io/explore/logs/?statsPeriod=7d",
            &acme(),
            &runbook,
        );
        assert_eq!(
            url_of(&on_sentry, "find-span"),
            format!("https://other.sentry.io/explore/traces/?query=span_id%3A{SPAN}&mode=samples&table=span&project=-1&statsPeriod=7d")
        );
        let hosted = Settings {
            org: "acme".into(),
            host: "https://sentry.example.com".into(),
            ..Settings::default()
        };
        let self_hosted_tab = offer(
            "MCP-41",
            "https://sentry.example.com/organizations/team/issues/",
            &hosted,
            &runbook,
        );
        assert_eq!(
            url_of(&self_hosted_tab, "open-issue"),
            "https://sentry.example.com/organizations/team/issues/MCP-41/"
        );
        let elsewhere = offer("MCP-41", OTHER_SITE, &hosted, &runbook);
        assert_eq!(
            url_of(&elsewhere, "open-issue"),
            "https://sentry.example.com/organizations/acme/issues/MCP-41/"
        );
    }

    #[test]
    fn no_org_means_the_options_page_not_a_broken_link() {
        let runbook = Runbook::bundled();
        let none = offer(TRACE, OTHER_SITE, &Settings::default(), &runbook);
        assert_eq!(none.kinds, ["trace_id", "event_id"]);
        assert!(none.items.is_empty() && none.needs_org);
        // A Sentry page with an org in its URL needs no default.
        let on_sentry = offer(
            TRACE,
            "https://acme.sentry.io/issues/",
            &Settings::default(),
            &runbook,
        );
        assert!(!on_sentry.needs_org && !on_sentry.items.is_empty());
        // Nothing recognised: nothing is missing either.
        let plain = offer("hello", OTHER_SITE, &Settings::default(), &runbook);
        assert_eq!(plain, Offer::default());
        // A tampered stored org is refused by the link gate rather than linked to.
        let tampered = Settings {
            org: "evil.test/#".into(),
            host: String::new(),
            ..Settings::default()
        };
        assert!(offer(TRACE, OTHER_SITE, &tampered, &runbook)
            .items
            .is_empty());
    }

    #[test]
    fn secrets_offer_nothing_and_never_reach_a_url() {
        for (_, secret, _) in synthetic_secrets(7) {
            let offer = offered(&secret);
            assert_eq!(offer.kinds, ["secret"], "{secret}");
            assert!(offer.items.is_empty() && !offer.needs_org);
            let json = serde_json::to_string(&offer).unwrap();
            assert!(!json.contains(&secret), "{json}");
        }
    }

    #[test]
    fn hostile_and_huge_selections_offer_nothing() {
        for hostile in [
            "<img src=x onerror=alert(1)>",
            "javascript:alert(1)",
            "x\" OR is:unresolved \"",
            "trace_id:\"4bf92f35\" OR x",
            "MCP-41/../../evil",
            "https://sentry.io@evil.test/issues/MCP-41/",
            "\u{202e}MCP-41",
            "user.id:\"a\nb\"",
            "user.id:\"x\\\"",
        ] {
            let offer = offered(hostile);
            assert!(offer.items.is_empty(), "{hostile:?}: {offer:?}");
        }
        // A value the classifier accepts but the search cannot quote safely yields no link.
        let starred = offered("user.id:\"a*\"");
        assert!(
            starred.items.iter().all(|item| !item.url.contains("a*")),
            "{starred:?}"
        );
        let started = std::time::Instant::now();
        for huge in [
            format!("{TRACE} ").repeat(200_000),
            "A".repeat(MAX_SELECTION_CHARS + 1),
        ] {
            assert_eq!(offered(&huge), Offer::default());
        }
        assert!(
            started.elapsed().as_millis() < 1_000,
            "bounded work, not a walk of every byte"
        );
    }

    #[test]
    fn a_partly_filled_recipe_says_which_filters_it_left_out() {
        let offer = offered("search_events");
        let timeline = offer
            .items
            .iter()
            .find(|item| item.id == TOOL_TIMELINE)
            .expect("timeline");
        assert_eq!(timeline.dropped, ["app.consent.skill.<skill>.granted"]);
        assert!(
            timeline.url.contains("search_events") && !timeline.url.contains("skill"),
            "{}",
            timeline.url
        );
        let errors = offer
            .items
            .iter()
            .find(|item| item.id == CAPTURED_ERRORS)
            .expect("errors");
        assert_eq!(
            errors.dropped,
            ["http.route", "app.oauth.grant_revoked.reason"]
        );
        let json = serde_json::to_value(&offer.items).unwrap();
        assert_eq!(json[0]["dropped"][0], "http.route");
        // A complete recipe carries no `dropped` at all.
        let trace = serde_json::to_value(offered(TRACE).items).unwrap();
        assert!(trace
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item.get("dropped").is_none()));
    }

    /// A value every pivot key a recipe binds can take, in the shape its type needs.
    fn example_for(key: &str) -> &'static str {
        match key {
            "trace_id" | "event_id" => TRACE,
            "span_id" => SPAN,
            _ => "example_value-1",
        }
    }

    proptest::proptest! {
        /// Whatever a recipe filters on, a selection of that pivot (written `key:"value"`, as the
        /// classifier reads any runbook key) offers the recipe, in every runbook we ship or test.
        #[test]
        fn a_selected_pivot_offers_every_recipe_that_filters_on_it(
            runbook in proptest::sample::select(vec![0usize, 1]),
            pick in 0usize..64,
            value in "[a-z][a-z0-9_]{0,15}",
        ) {
            let runbook = match runbook {
                0 => Runbook::bundled(),
                _ => Runbook::parse(include_str!("../../../tests/fixtures/runbooks/renamed.md"))
                    .expect("the renamed runbook parses"),
            };
            let bindings: Vec<(&Recipe, &str)> = runbook.recipes.iter()
                .flat_map(|recipe| recipe.bindings.iter().map(move |b| (recipe, b.pivot.as_str())))
                .collect();
            let (recipe, key) = bindings[pick % bindings.len()];
            let value = match example_for(key) { "example_value-1" => value.as_str(), typed => typed };
            let offer = offer(&format!("{key}:\"{value}\""), OTHER_SITE, &acme(), &runbook);
            proptest::prop_assert!(offer.kinds.iter().any(|kind| kind == key), "{key}: {:?}", offer.kinds);
            proptest::prop_assert!(ids(&offer).contains(&recipe.id.as_str()), "{key}={value}: {} not in {:?}", recipe.id, ids(&offer));
        }
    }

    #[test]
    fn menu_entries_are_fixed_and_never_echo_a_selection() {
        let entries = menu_entries(&Runbook::bundled());
        let entry_ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            entry_ids,
            [
                "open-trace",
                "find-event",
                "open-issue",
                "find-span",
                TRACE_LOGS,
                CAPTURED_ERRORS,
                ROUTE_HEALTH,
                REVOCATIONS,
                TOOL_TIMELINE,
                "resource-dispatch-behavior-for-get-sentry-resource",
                "stdio-sessions-by-configured-host-or-mode",
            ]
        );
        // Every follow-up a single id offers has its menu entry.
        for text in [TRACE, SPAN, "MCP-41", "12345", "search_events"] {
            for item in offered(text).items {
                assert!(entry_ids.contains(&item.id.as_str()), "{}", item.id);
            }
        }
        assert_eq!(
            menu_title("Errors for 100% of %s & more."),
            "Errors for 100\u{ff05} of \u{ff05}s \u{ff06} more"
        );
    }

    #[test]
    fn menu_clicks_open_the_entry_or_explain() {
        let trace = offered(TRACE);
        assert_eq!(
            trace.menu_action("open-trace"),
            MenuAction::Open(format!(
                "https://acme.sentry.io/explore/traces/trace/{TRACE}/"
            ))
        );
        assert_eq!(
            trace.menu_action("find-span"),
            MenuAction::Explain("no-match")
        );
        assert_eq!(
            trace.menu_action("pivot-lens"),
            MenuAction::Explain("no-match")
        );
        let secret = offered(&format!("sntryu_{}", "ab".repeat(32)));
        assert_eq!(
            secret.menu_action("open-trace"),
            MenuAction::Explain("secret")
        );
        let no_org = offer(TRACE, OTHER_SITE, &Settings::default(), &Runbook::bundled());
        assert_eq!(
            no_org.menu_action("open-trace"),
            MenuAction::Explain("no-org")
        );
        let json = serde_json::to_string(&trace.menu_action("open-issue")).unwrap();
        assert_eq!(json, r#"{"explain":"no-match"}"#);
        for reason in ["no-org", "secret", "no-match"] {
            assert!(reason_message(reason).is_some(), "{reason}");
        }
        assert_eq!(reason_message("<script>"), None);
    }
}
