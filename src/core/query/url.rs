//! Links assembled structurally (security.md URL-3): a fixed origin from validated parts, a path
//! from constants, a query string from `form_urlencoded`, then a final gate on the result.

use super::QueryError;

/// Where the organization lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployment {
    /// sentry.io: links use the customer domain `https://ORG.sentry.io`.
    SaaS,
    /// A self-hosted Sentry at this host (already validated by the caller's settings), e.g.
    /// `sentry.example.com` or `sentry.example.com:8443`; links use `/organizations/ORG`.
    SelfHosted { host: String },
}

/// The time window of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// `statsPeriod`, e.g. `24h`, `7d`.
    Relative(String),
    /// `start` and `end`, ISO 8601 (UTC when no offset is given).
    Absolute { start: String, end: String },
}

/// What every link is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub deployment: Deployment,
    pub org: String,
    /// Numeric project ids; empty means all projects (`project=-1`).
    pub projects: Vec<u64>,
    pub period: Period,
}

/// Longest link accepted (security.md URL-3 asks for a cap; Sentry's own links stay far below).
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// A URL that passed the gate: https, an allowed host, bounded length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeUrl(String);

impl SafeUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid_scope(message: &str) -> QueryError {
    QueryError::InvalidScope(message.to_owned())
}

/// Sentry's org slug rule (security.md URL-1): `[a-zA-Z0-9][a-zA-Z0-9-]*`, no trailing `-`, not all digits.
fn is_org_slug(org: &str) -> bool {
    let bytes = org.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0] != b'-'
        && !org.ends_with('-')
        && !bytes.iter().all(u8::is_ascii_digit)
}

/// A host name with an optional port: DNS labels only, so nothing can smuggle a path or userinfo.
fn is_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    port_ok && labels_ok && name.len() <= 253
}

fn is_stats_period(period: &str) -> bool {
    let digits = period.trim_end_matches(['s', 'm', 'h', 'd', 'w']);
    !digits.is_empty()
        && period.len() - digits.len() <= 1
        && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_timestamp(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'.' | b'T' | b'Z' | b'+'))
}

impl Scope {
    pub(super) fn validate(&self) -> Result<(), QueryError> {
        if !is_org_slug(&self.org) {
            return Err(invalid_scope("organization slug is not valid"));
        }
        // Region and www hosts serve the API only, never the web UI (docs/sentry-urls.md §1).
        let region_host =
            ["us", "de", "eu", "www"].contains(&self.org.to_ascii_lowercase().as_str());
        if self.deployment == Deployment::SaaS && region_host {
            return Err(invalid_scope(
                "organization slug names a Sentry region host",
            ));
        }
        if let Deployment::SelfHosted { host } = &self.deployment {
            if !is_host(host) {
                return Err(invalid_scope("self-hosted host is not a host name"));
            }
        }
        match &self.period {
            Period::Relative(period) if !is_stats_period(period) => {
                Err(invalid_scope("time period is not like 24h"))
            }
            Period::Absolute { start, end } if !is_timestamp(start) || !is_timestamp(end) => {
                Err(invalid_scope("start and end must be ISO 8601 timestamps"))
            }
            _ => Ok(()),
        }
    }

    /// `https://ORG.sentry.io` or `https://HOST/organizations/ORG` (docs/sentry-urls.md §1).
    fn base(&self) -> String {
        match &self.deployment {
            Deployment::SaaS => format!("https://{}.sentry.io", self.org.to_ascii_lowercase()),
            Deployment::SelfHosted { host } => format!("https://{host}/organizations/{}", self.org),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        match &self.deployment {
            Deployment::SaaS => host == "sentry.io" || host.ends_with(".sentry.io"),
            Deployment::SelfHosted { host: configured } => host == configured,
        }
    }
}

/// Query parameters of one link, in order.
#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn add(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.0.push((name.to_owned(), value.into()));
        self
    }

    pub(super) fn add_all<'a>(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = &'a String>,
    ) -> &mut Self {
        for value in values {
            self.add(name, value.as_str());
        }
        self
    }

    /// `project` (repeated, or `-1` for all) and the period, as every page's filters read them.
    pub(super) fn add_scope(&mut self, scope: &Scope) -> &mut Self {
        if scope.projects.is_empty() {
            self.add("project", "-1");
        }
        for project in &scope.projects {
            self.add("project", project.to_string());
        }
        match &scope.period {
            Period::Relative(period) => self.add("statsPeriod", period.as_str()),
            Period::Absolute { start, end } => {
                self.add("start", start.as_str()).add("end", end.as_str())
            }
        }
    }
}

impl Params {
    /// `name=value&…`, form-encoded as Sentry's pages send them.
    pub(super) fn encoded(&self) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.0 {
            serializer.append_pair(name, value);
        }
        serializer.finish()
    }
}

/// The link to `path` (a constant such as `/explore/logs/`) with `params`, if it passes the gate.
pub(super) fn link(scope: &Scope, path: &str, params: &Params) -> Result<SafeUrl, QueryError> {
    let query = params.encoded();
    let separator = if query.is_empty() { "" } else { "?" };
    let url = [scope.base().as_str(), path, separator, query.as_str()].concat();
    gate(scope, url)
}

/// A link to one Sentry page addressed by an identifier (`/explore/traces/trace/<id>/`,
/// `/issues/<short id>/`), through the same scope check and gate as recipe links. The path may hold
/// only `A-Z a-z 0-9 / _ -`, so an id can never add a query, a fragment or another host.
pub fn direct_link(
    scope: &Scope,
    path: &str,
    params: &[(&str, &str)],
) -> Result<SafeUrl, QueryError> {
    scope.validate()?;
    let plain_path = path.starts_with('/')
        && !path.starts_with("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'));
    if !plain_path {
        return Err(QueryError::UrlRejected(
            "path holds more than an identifier".into(),
        ));
    }
    let mut query = Params::default();
    for (name, value) in params {
        query.add(name, *value);
    }
    link(scope, path, &query)
}

/// The final check every link passes, independent of how it was built.
fn gate(scope: &Scope, url: String) -> Result<SafeUrl, QueryError> {
    let rejected = |why: &str| Err(QueryError::UrlRejected(why.to_owned()));
    let Some(rest) = url.strip_prefix("https://") else {
        return rejected("not https");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains(['@', '\\']) || !scope.host_allowed(authority) {
        return rejected("host is not the Sentry host");
    }
    if url.len() > MAX_URL_BYTES {
        return rejected("link is longer than 8 KB");
    }
    Ok(SafeUrl(url))
}

/// The scope most tests use: sentry.io, org `acme`, all projects, the last 24 hours.
#[cfg(test)]
pub(super) fn saas() -> Scope {
    Scope {
        deployment: Deployment::SaaS,
        org: "acme".into(),
        projects: vec![],
        period: Period::Relative("24h".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_allows_only_https_and_the_exact_host() {
        let saas = saas();
        assert!(gate(&saas, "https://acme.sentry.io/issues/".into()).is_ok());
        assert!(gate(&saas, "https://sentry.io/organizations/acme/".into()).is_ok());
        for bad in [
            "http://acme.sentry.io/",
            "https://evil-sentry.io/",
            "https://sentry.io.evil.test/",
            "https://sentry.io@evil.test/",
            "https://evil.test#sentry.io",
            "https://evil.test/?x=.sentry.io",
            "https://sentry.io:444/",
            "https:\\\\sentry.io",
            "//sentry.io",
        ] {
            assert!(gate(&saas, bad.into()).is_err(), "{bad}");
        }
        let hosted = Scope {
            deployment: Deployment::SelfHosted {
                host: "sentry.example.com".into(),
            },
            ..saas.clone()
        };
        assert!(gate(
            &hosted,
            "https://sentry.example.com/organizations/acme/".into()
        )
        .is_ok());
        assert!(gate(&hosted, "https://acme.sentry.io/".into()).is_err());
        assert!(gate(
            &saas,
            format!("https://acme.sentry.io/?q={}", "x".repeat(MAX_URL_BYTES))
        )
        .is_err());
    }

    #[test]
    fn scope_validation() {
        assert_eq!(saas().validate(), Ok(()));
        let with = |f: &dyn Fn(&mut Scope)| {
            let mut scope = saas();
            f(&mut scope);
            scope.validate().is_ok()
        };
        assert!(!with(&|s| s.org = "123".into()));
        assert!(!with(&|s| s.org = "acme-".into()));
        assert!(!with(&|s| s.org = "ac/me".into()));
        assert!(!with(&|s| s.org = "evil.test#".into()));
        assert!(!with(&|s| s.org = "us".into()));
        assert!(with(&|s| {
            s.org = "us".into();
            s.deployment = Deployment::SelfHosted {
                host: "sentry.example.com".into(),
            };
        }));
        assert!(with(&|s| s.period = Period::Relative("7d".into())));
        assert!(with(&|s| s.period = Period::Relative("3600".into())));
        assert!(!with(&|s| s.period = Period::Relative("7dd".into())));
        assert!(!with(&|s| s.period = Period::Relative("".into())));
        assert!(with(&|s| s.period = Period::Absolute {
            start: "2026-01-01T00:00:00".into(),
            end: "2026-01-02T00:00:00Z".into()
        }));
        assert!(!with(&|s| s.period = Period::Absolute {
            start: "now&x=1".into(),
            end: "2026".into()
        }));
        assert!(with(&|s| s.deployment = Deployment::SelfHosted {
            host: "sentry.example.com:8443".into()
        }));
        for host in [
            "evil.test/x",
            "a@b",
            "",
            "Sentry.example.com",
            "a..b",
            ":80",
        ] {
            assert!(
                !with(&|s| s.deployment = Deployment::SelfHosted { host: host.into() }),
                "{host}"
            );
        }
    }
}
