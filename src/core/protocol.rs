//! The messages between the extension's parts, named once. The build writes the names into
//! `shared.js` (`MESSAGES`, through `core::shared`), so the page probe, the background and the
//! sidebar page spell them from here; the Rust sidebar's own messages, `Outgoing` (what it sends)
//! and `ProbeSays` (what it reads), are checked against the same tables.
//!
//! Two layers: a `runtime.sendMessage` between extension contexts carries one of the `RUNTIME`
//! types; the probe↔sidebar line (`pivot-lens:page` one way, `pivot-lens:to-page` the other)
//! carries an inner message typed from `FROM_PROBE` or `TO_PROBE`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `runtime.sendMessage` types, by the name JS uses (`MESSAGES.RUNTIME.<NAME>`).
pub const RUNTIME: &[(&str, &str)] = &[
    // The probe's message to its sidebar, relayed by the background to the tab.
    ("PAGE", "pivot-lens:page"),
    // The sidebar's message to its page's probe, relayed to the tab's top frame.
    ("TO_PAGE", "pivot-lens:to-page"),
    // The keyboard command, from the background to the page's probe.
    ("TOGGLE", "pivot-lens:toggle"),
    // A probe came up while the sidebar is docked: the panel showing its tab says hello.
    ("PROBE_READY", "pivot-lens:probe-ready"),
    // What the context menu would offer for a text (extension pages only).
    ("CLASSIFY", "pivot-lens:classify"),
    // A GET of Sentry's API for the sidebar, and its abort.
    ("API_GET", "pivot-lens:api-get"),
    ("API_ABORT", "pivot-lens:api-abort"),
    // Open the browser's panel for this tab (Chrome), the engineer's choice to dock, and back.
    ("DOCK", "pivot-lens:dock"),
    ("DOCK_CHOSEN", "pivot-lens:dock-chosen"),
    ("UNDOCK", "pivot-lens:undock"),
];

/// What the probe says to the sidebar (`ProbeSays`).
pub const FROM_PROBE: &[(&str, &str)] =
    &[("PAGE", "page"), ("THEME", "theme"), ("TOGGLE", "toggle")];

/// What the sidebar says to the probe: `hello`, `rendered` and `error` from `sidebar.js`, the rest
/// from `Outgoing`.
pub const TO_PROBE: &[(&str, &str)] = &[
    ("HELLO", "hello"),
    ("RENDERED", "rendered"),
    ("ERROR", "error"),
    ("LAYOUT", "layout"),
    ("BLUR", "blur"),
    ("HIGHLIGHT", "highlight"),
];

/// What the Rust sidebar asks of its own page (`sidebar.js`), which asks the background.
pub const TO_SIDEBAR_PAGE: &[(&str, &str)] = &[("DOCK", "dock"), ("UNDOCK", "undock")];

/// The tables as `shared.js` holds them: `MESSAGES.RUNTIME.PAGE` and so on.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct MessageNames {
    runtime: BTreeMap<&'static str, &'static str>,
    from_probe: BTreeMap<&'static str, &'static str>,
    to_probe: BTreeMap<&'static str, &'static str>,
    to_sidebar_page: BTreeMap<&'static str, &'static str>,
}

pub fn names() -> MessageNames {
    MessageNames {
        runtime: RUNTIME.iter().copied().collect(),
        from_probe: FROM_PROBE.iter().copied().collect(),
        to_probe: TO_PROBE.iter().copied().collect(),
        to_sidebar_page: TO_SIDEBAR_PAGE.iter().copied().collect(),
    }
}

/// Every message the Rust sidebar sends out, one serde-tagged enum (`{"type": …}`): `sidebar.js`
/// handles `dock` and `undock` itself (they need the background) and passes the rest to the page
/// probe (`extension/probe/channel.js`).
#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Outgoing {
    /// How the probe sizes the frame (never sent docked: the browser sizes its panel).
    Layout { open: bool, width: u16, side: Side },
    /// Give the focus back to the page (Esc).
    Blur,
    /// Outline the page element showing `value` (the tour's field step); without one, remove the
    /// outline.
    Highlight {
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        field: Option<Field>,
    },
    /// Show this sidebar in the browser's own panel (`sidebar.js` asks the background).
    Dock,
    /// Back on the page from the browser's panel.
    Undock,
}

#[derive(Serialize, Debug, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Field {
    pub key: String,
    pub value: String,
}

/// The type of a message from the probe: a `page` report, a `theme` change or the command's
/// `toggle`.
#[derive(Deserialize, Debug, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum ProbeSays {
    Page,
    Theme,
    Toggle,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_of(message: &Outgoing) -> String {
        serde_json::to_value(message).unwrap_or_default()["type"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn every_outgoing_message_has_a_name_its_receiver_knows() {
        let field = Some(Field {
            key: "trace_id".into(),
            value: "abc".into(),
        });
        let to_probe = [
            Outgoing::Layout {
                open: true,
                width: 380,
                side: Side::Right,
            },
            Outgoing::Blur,
            Outgoing::Highlight { field },
        ];
        for message in &to_probe {
            let name = type_of(message);
            assert!(TO_PROBE.iter().any(|(_, n)| *n == name), "{name}");
        }
        for message in [Outgoing::Dock, Outgoing::Undock] {
            let name = type_of(&message);
            assert!(TO_SIDEBAR_PAGE.iter().any(|(_, n)| *n == name), "{name}");
        }
    }

    #[test]
    fn every_probe_message_name_is_read() {
        for (_, name) in FROM_PROBE {
            let kind: Result<ProbeSays, _> = serde_json::from_value(serde_json::json!(name));
            assert!(kind.is_ok(), "{name}");
        }
        let unknown: Result<ProbeSays, _> = serde_json::from_value(serde_json::json!("hello"));
        assert!(unknown.is_err());
    }

    #[test]
    fn names_are_unique_and_js_reads_them_by_table() {
        for table in [RUNTIME, FROM_PROBE, TO_PROBE, TO_SIDEBAR_PAGE] {
            let names: BTreeMap<_, _> = table.iter().copied().collect();
            assert_eq!(names.len(), table.len());
            let values: std::collections::BTreeSet<_> = table.iter().map(|(_, v)| v).collect();
            assert_eq!(values.len(), table.len());
        }
        let json = serde_json::to_value(names()).unwrap_or_default();
        assert_eq!(json["RUNTIME"]["TO_PAGE"], "pivot-lens:to-page", "{json}");
        assert_eq!(json["TO_PROBE"]["HELLO"], "hello", "{json}");
    }
}
