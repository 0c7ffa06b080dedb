//! What the JavaScript side must agree on with the core, in one place: the limits, the message
//! names (`core::protocol`) and the fact sources the probe names. The build writes them into `shared.js` (`tools/generate.mjs`, through
//! the `pages` wasm), which the page probe, the background and the sidebar read as
//! `globalThis.pivotLensShared`. Change them here, never in JS.

use serde::Serialize;

use super::config::settings::SIDEBAR_WIDTH;
use super::context_menu::classify::MAX_SELECTION_CHARS;
use super::guard::text::MAX_VALUE_CHARS;
use std::collections::BTreeMap;

use super::protocol::{self, MessageNames};
use super::recognition::facts::FactSource;
use super::recognition::page_entries::MAX_PAGE_FACTS;

/// JavaScript counts UTF-16 units; a character of a value or selection is at most two of them.
const UNITS_PER_CHAR: usize = 2;

#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Shared {
    /// The probe reports at most this many facts per page (the core keeps as many).
    pub max_page_facts: usize,
    /// The probe reads at most this many UTF-16 units of one value (the core keeps
    /// `MAX_VALUE_CHARS` characters of it).
    pub max_value_units: usize,
    /// Above this many UTF-16 units a selection is not handed to the core, whose own limit is
    /// `MAX_SELECTION_CHARS` characters (with room for what the core trims first).
    pub max_selection_units: usize,
    /// The sidebar frame's width bounds in CSS pixels (the probe clamps the frame to them).
    pub sidebar_width_min: u16,
    pub sidebar_width_max: u16,
    /// The messages' names (`MESSAGES.RUNTIME.PAGE`, …).
    pub messages: MessageNames,
    /// The sources the page probe gives its facts, as the core reads them (`FACT_SOURCES.TEST_ID`).
    pub fact_sources: BTreeMap<&'static str, FactSource>,
}

/// Every `FactSource` the page probe may name (the URL and the API are the core's own).
const PROBE_FACT_SOURCES: [(&str, FactSource); 9] = [
    ("TEST_ID", FactSource::TestId),
    ("HIDDEN_KEY", FactSource::HiddenKey),
    ("TITLE", FactSource::Title),
    ("TAG", FactSource::Tag),
    ("CONTEXT", FactSource::Context),
    ("DRAWER_TITLE", FactSource::DrawerTitle),
    ("HREF", FactSource::Href),
    ("TABLE_CELL", FactSource::TableCell),
    ("JSON", FactSource::Json),
];

pub fn shared() -> Shared {
    Shared {
        max_page_facts: MAX_PAGE_FACTS,
        max_value_units: MAX_VALUE_CHARS * UNITS_PER_CHAR,
        max_selection_units: MAX_SELECTION_CHARS * UNITS_PER_CHAR * 2,
        sidebar_width_min: *SIDEBAR_WIDTH.start(),
        sidebar_width_max: *SIDEBAR_WIDTH.end(),
        messages: protocol::names(),
        fact_sources: PROBE_FACT_SOURCES.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_are_the_cores_own() {
        let limits = shared();
        assert_eq!(limits.max_page_facts, MAX_PAGE_FACTS);
        assert!(
            limits.max_value_units >= MAX_VALUE_CHARS
                && limits.max_selection_units >= MAX_SELECTION_CHARS
        );
        let json = serde_json::to_value(&limits).unwrap_or_default();
        assert_eq!(json["SIDEBAR_WIDTH_MAX"], 720, "{json}");
        assert_eq!(
            json["MESSAGES"]["RUNTIME"]["PAGE"], "pivot-lens:page",
            "{json}"
        );
        assert_eq!(json["FACT_SOURCES"]["TEST_ID"], "testId", "{json}");
    }

    #[test]
    fn the_probes_fact_sources_read_as_themselves() {
        for (name, source) in PROBE_FACT_SOURCES {
            let text = serde_json::to_value(source).unwrap_or_default();
            let read: Result<FactSource, _> = serde_json::from_value(text.clone());
            assert_eq!(read.ok(), Some(source), "{name}: {text}");
        }
    }
}
