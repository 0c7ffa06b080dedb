//! The sidebar docked in the browser's own panel (Chrome's side panel, Firefox's sidebar).

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use thirtyfour::prelude::*;

use crate::*;

/// The extension page (in a second window) that reads the docked panel, and the first window.
pub struct PanelReader {
    pub main: WindowHandle,
    pub(crate) reader: WindowHandle,
}

impl Session {
    /// The top page's viewport width (CSS px): narrower beside a docked panel.
    pub async fn page_width(&self) -> Result<i64> {
        self.driver.enter_default_frame().await?;
        self.driver
            .execute("return innerWidth;", vec![])
            .await?
            .json()
            .as_i64()
            .context("innerWidth")
    }

    /// Opens the browser's own panel with Pivot Lens docked in it, as the engineer would: Chromium
    /// from the injected sidebar's Dock button (the click's gesture reaches `sidePanel.open`),
    /// Firefox from its sidebar controls (`SidebarController.show`, what the sidebar menu calls;
    /// its Dock button only says how). Waits until the page's frame has gone.
    pub async fn dock(&self) -> Result<()> {
        // The panel may be open already (a remembered layout): then its tab is hidden.
        let open = self
            .in_sidebar(r#"return document.querySelector('[data-testid="pl-sidebar"]')?.getAttribute('data-open');"#)
            .await?;
        if open == "true" {
            self.enter_sidebar().await?;
        } else {
            self.open_sidebar().await?;
        }
        self.driver
            .find(By::Css(r#"[data-testid="pl-dock"]"#))
            .await?
            .click()
            .await?;
        if self.browser == Browser::Firefox {
            self.sidebar_until(
                r#"return document.querySelector('[data-testid="pl-dock-help"]')?.textContent;"#,
            )
            .await?;
            self.driver.enter_default_frame().await?;
            self.driver.handle().cmd(MozContext("chrome")).await?;
            let shown = self
                .driver
                .execute(
                    // Shown afresh: a sidebar left open by an earlier undock boots again, as
                    // reopening it does for the engineer.
                    "SidebarController.hide(); return SidebarController.show(arguments[0]).then(() => true);",
                    vec![Value::from(FIREFOX_SIDEBAR_ID)],
                )
                .await;
            self.driver.handle().cmd(MozContext("content")).await?;
            ensure!(
                shown?.json() == true,
                "Firefox did not show the Pivot Lens sidebar"
            );
        }
        self.driver.enter_default_frame().await?;
        until(
            self,
            &format!(
                "const h = {HOST}; return h && h.getAttribute('data-pl-mode') === 'docked' && !h.shadowRoot.querySelector('iframe');"
            ),
        )
        .await
        .context("the page kept its frame")?;
        Ok(())
    }

    /// Firefox only: the whole browser window (its sidebar included), from the chrome context.
    pub async fn browser_window_png(&self) -> Result<Vec<u8>> {
        ensure!(
            self.browser == Browser::Firefox,
            "only Firefox shoots its whole window"
        );
        self.driver.handle().cmd(MozContext("chrome")).await?;
        let png = self.driver.screenshot_as_png().await;
        self.driver.handle().cmd(MozContext("content")).await?;
        Ok(png?)
    }

    /// A second window with an extension page, from which the docked panel is read (its
    /// `extension.getViews()`): a page of ours in the first window would be the tab in view.
    /// Firefox copies an open sidebar into new windows: that copy is closed.
    pub async fn open_panel_reader(&self) -> Result<PanelReader> {
        let main = self.driver.window().await?;
        let window = self.driver.new_window().await?;
        self.driver.switch_to_window(window).await?;
        if self.browser == Browser::Firefox {
            self.driver.handle().cmd(MozContext("chrome")).await?;
            let hidden = self
                .driver
                .execute("SidebarController.hide(); return true;", vec![])
                .await;
            self.driver.handle().cmd(MozContext("content")).await?;
            hidden?;
        }
        self.open_extension_page(&self.extension_base().await?, "options.html")
            .await?;
        let reader = self.driver.window().await?;
        self.driver.switch_to_window(main.clone()).await?;
        Ok(PanelReader { main, reader })
    }

    /// Runs `script` (its `document` is the docked panel's) and returns to the tab that was in use.
    pub async fn in_panel(&self, reader: &PanelReader, script: &str) -> Result<Value> {
        let current = self.driver.window().await?;
        self.driver.switch_to_window(reader.reader.clone()).await?;
        let value = self
            .driver
            .execute(
                &format!(
                    "const api = globalThis.browser ?? globalThis.chrome;
                     // Chrome keeps one panel per Sentry tab (hidden with its tab): the one shown.
                     const panels = api.extension.getViews().filter((v) => v.location.href.includes('sidebar.html?docked'));
                     const panel = panels.find((v) => v.document.visibilityState === 'visible') ?? panels[0];
                     if (!panel) return {{ noPanel: true }};
                     const document = panel.document;
                     return (() => {{ {script} }})();"
                ),
                vec![],
            )
            .await;
        self.driver.switch_to_window(current).await?;
        let value = value?.json().clone();
        ensure!(value.get("noPanel").is_none(), "no docked panel is open");
        Ok(value)
    }

    /// Opens `url` in a new active tab of the first window (WebDriver's own new tab may land in
    /// the reader's window) and makes it the driver's current tab.
    pub async fn open_tab_beside_the_panel(
        &self,
        reader: &PanelReader,
        url: &str,
    ) -> Result<WindowHandle> {
        let before = self.driver.windows().await?;
        self.driver.switch_to_window(reader.reader.clone()).await?;
        self.driver
            .execute(
                "const api = globalThis.browser ?? globalThis.chrome;
                 const url = arguments[0];
                 return (async () => {
                   const here = await api.windows.getCurrent();
                   const main = (await api.windows.getAll()).find((w) => w.id !== here.id);
                   await api.tabs.create({ windowId: main.id, url, active: true });
                   return true;
                 })();",
                vec![Value::from(url)],
            )
            .await?;
        let start = Instant::now();
        let tab = loop {
            if let Some(tab) = self
                .driver
                .windows()
                .await?
                .into_iter()
                .find(|w| !before.contains(w))
            {
                break tab;
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("no tab opened for {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        self.driver.switch_to_window(tab.clone()).await?;
        Ok(tab)
    }

    /// Polls `script` in the docked panel until it returns something truthy.
    pub async fn panel_until(&self, reader: &PanelReader, script: &str) -> Result<Value> {
        let start = Instant::now();
        loop {
            let value = self.in_panel(reader, script).await?;
            if !(value.is_null() || value == false || value == "" || value == 0) {
                return Ok(value);
            }
            if start.elapsed() > READY_TIMEOUT {
                let shown = self
                    .in_panel(
                        reader,
                        "return document.querySelector('main')?.outerHTML.slice(0, 600);",
                    )
                    .await?;
                bail!("timed out waiting in the docked panel for: {script}\nit shows: {shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
