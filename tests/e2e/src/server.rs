//! The fixture server (tests/fixtures/serve.py): Sentry's pages and API over HTTPS on 127.0.0.N:443.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::*;

/// A self-signed certificate for sentry.io and *.sentry.io, made once per run.
pub(crate) fn certificate() -> &'static (PathBuf, PathBuf) {
    static CERT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    CERT.get_or_init(|| {
        let dir = workspace_root().join("target/e2e");
        std::fs::create_dir_all(&dir).expect("create target/e2e");
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        if !cert.exists() || !key.exists() {
            let status = std::process::Command::new("openssl")
                .args([
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "30",
                    "-subj",
                    "/CN=sentry.io",
                ])
                .args(["-addext", "subjectAltName=DNS:sentry.io,DNS:*.sentry.io"])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .stderr(Stdio::null())
                .status()
                .expect("run openssl");
            assert!(
                status.success(),
                "openssl could not make the fixture certificate"
            );
        }
        (cert, key)
    })
}

/// The sample pages (tests/fixtures/pages, and the practice pages in extension/practice): `(file
/// stem, host and path)` from each page's `<!-- URL: … -->`.
pub fn fixture_pages() -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for dir in ["tests/fixtures/pages", "extension/practice"] {
        for entry in std::fs::read_dir(workspace_root().join(dir))? {
            files.push(entry?.path());
        }
    }
    let mut pages = Vec::new();
    for path in files {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let Some(url) = text
            .split("<!-- URL: https://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
        else {
            continue;
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        pages.push((stem, url.replace("&amp;", "&")));
    }
    pages.sort();
    Ok(pages)
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The fixture HTTPS server (tests/fixtures/serve.py) on port 443, so page URLs look exactly like
/// Sentry's (no port). Each session gets its own loopback address (127.0.0.N) and maps the
/// sentry.io names to it, so tests run in parallel. Binding 443 needs root (as in CI) or
/// `net.ipv4.ip_unprivileged_port_start=443`.
pub(crate) struct FixtureServer {
    pub(crate) _child: Child,
    pub(crate) address: String,
    /// The browsers' forward proxy (serve.py `Proxy`): plain http and https on any port reach
    /// the request log too, not only https on 443.
    pub(crate) proxy_port: u16,
    /// Every request the server received, one JSON line each (`Session::fixture_requests`).
    pub(crate) request_log: tempfile::NamedTempFile,
}

impl FixtureServer {
    pub(crate) async fn start() -> Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let first = std::process::id() % 200;
        let mut last_error = None;
        for _ in 0..32 {
            let address = format!(
                "127.0.0.{}",
                2 + (first + NEXT.fetch_add(1, Ordering::Relaxed)) % 250
            );
            match Self::start_on(&address).await {
                Ok(server) => return Ok(server),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no loopback address was free")))
    }

    pub(crate) async fn start_on(address: &str) -> Result<Self> {
        let (cert, key) = certificate();
        let request_log = tempfile::NamedTempFile::new()?;
        let mut child = Command::new("python3")
            .arg(workspace_root().join("tests/fixtures/serve.py"))
            .args([cert, key])
            .args([address, "443"])
            .env("PL_REQUEST_LOG", request_log.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("start tests/fixtures/serve.py")?;
        let stdout = child.stdout.take().context("fixture server stdout")?;
        let mut line = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await??;
        let proxy_port = line
            .strip_prefix("LISTENING ")
            .and_then(|rest| rest.split_whitespace().nth(2))
            .and_then(|port| port.parse().ok())
            .with_context(|| format!("the fixture server could not listen on {address}:443"))?;
        Ok(Self {
            _child: child,
            address: address.to_owned(),
            proxy_port,
            request_log,
        })
    }
}

/// Whether the browsers of this test process send everything through the fixture proxy.
pub(crate) static EVERY_SCHEME_AND_PORT: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// From now on, this test process's browsers send every request through the fixture server's
/// forward proxy, so the request log holds plain http and https on any port too (the security
/// tests). Off by default: the other tests connect directly, as a user's browser does.
pub fn log_every_scheme_and_port() {
    EVERY_SCHEME_AND_PORT.store(true, Ordering::Relaxed);
}
