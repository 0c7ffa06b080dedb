//! The pipeline: the extension loads, the sidebar mounts in its frame and reaches `ready`.

use anyhow::{ensure, Result};
use pivot_lens_e2e::{both_browsers, Session};

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";

async fn event_page_reaches_ready(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    let host = s.wait_ready().await?;
    ensure!(host.url == s.url(EVENT_PAGE), "data-pl-url is {}", host.url);
    ensure!(
        host.ready_ms.is_some_and(|ms| ms > 0.0),
        "data-pl-ready-ms is {:?}",
        host.ready_ms
    );
    let root = s
        .in_sidebar(
            "const r = document.querySelector('[data-testid=\"pl-sidebar\"]');
             return r && { kind: r.getAttribute('data-page-kind'), org: r.getAttribute('data-org') };",
        )
        .await?;
    ensure!(
        root["kind"] == "event" && root["org"] == "acme",
        "sidebar root says {root}"
    );
    Ok(())
}

both_browsers!(event_page_reaches_ready);
