//! The injected sidebar as a test sees it: the host element's contract attributes and the frame.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde_json::Value;
use thirtyfour::prelude::*;

use crate::*;

impl Session {
    pub async fn host_state(&self) -> Result<Option<HostState>> {
        self.driver.enter_default_frame().await?;
        let ret = self
            .driver
            .execute(include_str!("scripts/host-state.js"), vec![])
            .await?;
        let value = ret.json();
        if value.is_null() {
            return Ok(None);
        }
        if value == "duplicate" {
            bail!("more than one [data-pivot-lens] host on the page");
        }
        Ok(Some(HostState {
            state: value["state"].as_str().unwrap_or_default().to_owned(),
            url: value["url"].as_str().unwrap_or_default().to_owned(),
            ready_ms: value["readyMs"].as_str().and_then(|s| s.parse().ok()),
            frame_src: value["src"].as_str().unwrap_or_default().to_owned(),
        }))
    }

    /// Waits until the host says `ready` for the page's current URL.
    pub async fn wait_ready(&self) -> Result<HostState> {
        self.wait_state("ready").await
    }

    pub async fn wait_state(&self, wanted: &str) -> Result<HostState> {
        let start = Instant::now();
        loop {
            let current: String = self.driver.current_url().await?.to_string();
            let host = self.host_state().await?;
            if let Some(host) = &host {
                if host.state == wanted && (wanted != "ready" || host.url == current) {
                    return Ok(host.clone());
                }
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("the sidebar did not reach {wanted:?} for {current}; host: {host:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Switches WebDriver into the sidebar frame (leave with `driver.enter_default_frame()`).
    pub async fn enter_sidebar(&self) -> Result<()> {
        self.driver.enter_default_frame().await?;
        let frame = self
            .driver
            .execute(
                &format!("return {HOST}.shadowRoot.querySelector('iframe')"),
                vec![],
            )
            .await?
            .element()?;
        frame.enter_frame().await?;
        Ok(())
    }

    /// Opens the collapsed sidebar by clicking its tab like a user, waits for the frame to grow,
    /// and stays inside the frame.
    pub async fn open_sidebar(&self) -> Result<()> {
        self.enter_sidebar().await?;
        self.driver.find(By::Css(".pl-tab")).await?.click().await?;
        if let Err(error) = self.wait_host_attribute("data-pl-open", "true").await {
            // Whether the click reached the sidebar tells a lost click from a lost message.
            let sidebar = self
                .in_sidebar("const r = document.querySelector('[data-testid=\"pl-sidebar\"]'); return r && { open: r.dataset.open, api: r.dataset.api };")
                .await
                .unwrap_or_default();
            bail!("{error}; the sidebar shows {sidebar}");
        }
        self.enter_sidebar().await
    }

    /// An attribute of the host element (`data-pl-open`, `style`, …); empty when absent.
    pub async fn host_attribute(&self, name: &str) -> Result<String> {
        self.driver.enter_default_frame().await?;
        let value = self
            .driver
            .execute(
                &format!("return {HOST}.getAttribute(arguments[0]);"),
                vec![Value::from(name)],
            )
            .await?;
        Ok(value.json().as_str().unwrap_or_default().to_owned())
    }

    pub async fn wait_host_attribute(&self, name: &str, wanted: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            let value = self.host_attribute(name).await?;
            if value == wanted {
                return Ok(());
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("host {name} never became {wanted:?} (is {value:?})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` (a function body; `return` a JSON value) inside the sidebar's iframe.
    pub async fn in_sidebar(&self, script: &str) -> Result<Value> {
        self.enter_sidebar().await?;
        let result = self
            .driver
            .execute(script, vec![])
            .await
            .map(|r| r.json().clone());
        self.driver.enter_default_frame().await?;
        Ok(result?)
    }

    /// Like `in_sidebar`, retrying until `script` returns something other than null/false.
    pub async fn sidebar_until(&self, script: &str) -> Result<Value> {
        let start = Instant::now();
        loop {
            let value = self.in_sidebar(script).await?;
            if !(value.is_null() || value == false) {
                return Ok(value);
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("timed out waiting in the sidebar for: {script}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
