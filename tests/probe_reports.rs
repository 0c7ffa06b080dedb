//! The golden test of recognition: the page probe's real report of each fixture page (written by
//! `tests/js/probe-rules.test.mjs` into `tests/fixtures/probe-reports/`, which fails when the probe
//! reads a page differently) goes through the core as the sidebar's does, and must give exactly the
//! page kind and pivots of `tests/fixtures/recognised-pages.json`, the e2e suite's expectations in
//! both browsers. So the core's own tests of hand-written facts cannot drift from what the probe
//! sends.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pivot_lens::core::config::settings::Settings;
use pivot_lens::core::lens::{lens, LensInput};
use pivot_lens::core::recognition::page_entries::{PageEntries, ProbeEntry};
use pivot_lens::core::runbook::Runbook;
use serde::Deserialize;

#[derive(Deserialize)]
struct Recognised {
    pages: Vec<Expected>,
}

#[derive(Deserialize)]
struct Expected {
    page: String,
    path: String,
    kind: String,
    pivots: Vec<(String, String)>,
}

/// A report as `probe/main.js` sends it (`{type: "page", full: true, …}`), for one page.
#[derive(Deserialize)]
struct Report {
    url: String,
    entries: Vec<ProbeEntry>,
}

fn fixture(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn each_fixture_pages_probe_report_gives_the_pages_pivots() {
    let recognised: Recognised =
        serde_json::from_str(&fixture("recognised-pages.json")).expect("recognised-pages.json");
    assert!(recognised.pages.len() >= 10, "the pages were not read");
    let runbook = Runbook::bundled();
    let settings = Settings::default();
    for expected in &recognised.pages {
        let report_file = format!("probe-reports/{}", expected.page.replace(".html", ".json"));
        let report: Report = serde_json::from_str(&fixture(&report_file)).expect("a report");
        assert_eq!(
            report.url,
            format!("https://acme.sentry.io{}", expected.path),
            "{report_file} was written for another URL (rerun tests/js/probe-rules.test.mjs)"
        );
        let mut entries = PageEntries::default();
        entries.apply(true, &[], report.entries);
        let raw = entries.page(report.url);
        let shown = lens(&LensInput {
            runbook: &runbook,
            settings: &settings,
            raw: &raw,
            typed: &BTreeMap::new(),
            api: &[],
        });
        let pivots: BTreeSet<(String, String)> = shown
            .pivots
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();
        let wanted: BTreeSet<(String, String)> = expected.pivots.iter().cloned().collect();
        assert_eq!(
            shown.kind.as_str(),
            expected.kind,
            "{}: kind",
            expected.page
        );
        assert_eq!(pivots, wanted, "{}: pivots", expected.page);
    }
}
