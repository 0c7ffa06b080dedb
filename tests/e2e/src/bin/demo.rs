//! `./build.sh demo`: serves the bundled sample Sentry pages over HTTPS and shows the sidebar on
//! them in Chromium with the extension loaded. With a display the browser stays open for you to
//! try; without one, each page is screenshotted (sidebar open) to dist/demo/, and the event page's
//! shot becomes the README's docs/screenshot.png; then the event page is shown with the sidebar
//! docked in Firefox's own sidebar, the whole window shot as docs/screenshot-docked.png.

use std::path::PathBuf;

use anyhow::{Context, Result};
use pivot_lens_e2e::{dist_dir, fixture_pages, workspace_root, Browser, Session};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let headed = std::env::var_os("DISPLAY").is_some();
    let out = std::env::var_os("PL_DEMO_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist/demo"));
    std::fs::create_dir_all(&out)?;
    let session =
        Session::start_with(Browser::Chromium, &dist_dir(Browser::Chromium), !headed).await?;
    if !headed {
        // Screenshots show the sidebar itself; with a display, the walkthrough greets you.
        session
            .write_storage("tour", serde_json::json!({ "seen": true, "step": 0 }))
            .await?;
    }
    let result = show(&session, headed, &out).await;
    if !headed {
        session.quit().await;
        result?;
        return docked_shot(&out).await;
    }
    result
}

/// An event page beside the docked sidebar, as a Firefox window shows them (the event whose
/// full record the fixture API holds, so the sidebar shows what it read there too).
async fn docked_shot(out: &std::path::Path) -> Result<()> {
    let s = Session::start_with(Browser::Firefox, &dist_dir(Browser::Firefox), true).await?;
    let shot = async {
        s.write_storage("tour", serde_json::json!({ "seen": true, "step": 0 }))
            .await?;
        let (_, url) = fixture_pages()?
            .into_iter()
            .find(|(name, _)| name == "event-folded")
            .context("the event-folded sample page")?;
        s.open(&url).await?;
        s.wait_ready().await?;
        s.dock().await?;
        s.wait_ready().await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let png = s.browser_window_png().await?;
        std::fs::write(out.join("event-docked.png"), &png)?;
        std::fs::write(workspace_root().join("docs/screenshot-docked.png"), &png)?;
        println!(
            "  event, docked    →  {}",
            out.join("event-docked.png").display()
        );
        anyhow::Ok(())
    }
    .await;
    s.quit().await;
    shot
}

async fn show(s: &Session, headed: bool, out: &std::path::Path) -> Result<()> {
    let pages = fixture_pages()?;
    // The generated benchmark pages show nothing new.
    for (name, url) in pages.iter().filter(|(name, _)| !name.starts_with("bench-")) {
        s.open(url).await?;
        s.wait_ready()
            .await
            .with_context(|| format!("sample page {name}"))?;
        // The open state is remembered, so only the first page needs the tab clicked.
        s.in_sidebar(
            "const root = document.querySelector('[data-testid=\"pl-sidebar\"]');
             if (root.dataset.open !== 'true') document.querySelector('.pl-tab').click();
             return true;",
        )
        .await?;
        s.sidebar_until("return document.querySelector('[data-testid=\"pl-sidebar\"]').dataset.open === 'true';")
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if !headed {
            let png = s.driver.screenshot_as_png().await?;
            std::fs::write(out.join(format!("{name}.png")), &png)?;
            if name == "event" {
                std::fs::write(workspace_root().join("docs/screenshot.png"), &png)?;
            }
            println!(
                "  {name:<16} https://{url}  →  {}",
                out.join(format!("{name}.png")).display()
            );
        } else {
            println!("  opened https://{url}");
            let _ = s.driver.new_tab().await;
            let windows = s.driver.windows().await?;
            if let Some(last) = windows.last() {
                s.driver.switch_to_window(last.clone()).await?;
            }
        }
    }
    if headed {
        println!(
            "The sample pages are open in Chromium with Pivot Lens. Press Ctrl-C here to stop."
        );
        tokio::signal::ctrl_c().await?;
    }
    Ok(())
}
