//! Sentry's own record of the item in view, read with the engineer's session (docs/sentry-api.md):
//! which of Sentry's read endpoints to ask for a page, in what order, what each reply says as
//! facts, and what a failed reply means to the engineer. The glue only moves bytes: the sidebar
//! (`ui/sidebar/api_reads.rs`) asks, the background (`background.js`) fetches what `checked_request`
//! allows, and the facts go through the same recognition as the page's (`facts.rs`, source `api`).
//!
//! Replies are hostile data like page text: parsed with limits on depth, count and length, any
//! shape but the expected one is an `Unexpected` problem, never a panic.

use std::collections::HashMap;
use std::sync::Arc;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::guard::secrets::detect_secret;
use crate::core::recognition::facts::{FactSource, RawFact};
use crate::core::recognition::page::{https_origin_authority, PageContext, PageKind};

/// Requests one page may cause: the organization's region, the span's project, the item.
pub const MAX_READS_PER_PAGE: usize = 3;
/// A request that has not answered by then is given up (the background aborts it).
pub const TIMEOUT_MS: u32 = 8_000;
/// A reply body longer than this is refused unread (a trace of a big agent run is about 1 MB).
pub const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;
/// Facts kept from one item's reply; an event or span has a few hundred at most.
const MAX_FACTS_PER_ITEM: usize = 2_000;
/// Nesting followed in a context's structured data.
const MAX_DEPTH: usize = 8;
/// Spans looked at when finding one in a trace's tree.
const MAX_TRACE_NODES: usize = 100_000;
/// Back-off after a 429 that names no time.
const DEFAULT_BACKOFF_S: u32 = 60;
const MAX_BACKOFF_S: u32 = 600;

/// The item a page shows, as Sentry's API names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    /// An issue's event: `event` is an event id, or `recommended` on an issue page (the event
    /// Sentry's issue page shows first). `issue` is a numeric group id or a short id.
    Event { issue: String, event: String },
    /// A span of a trace (a trace view with the span selected).
    Span { trace: String, span: String },
}

/// What to read for one page: its item, in its organization, starting at the page's origin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub org: String,
    /// `host[:port]` of the page (the API of a self-hosted Sentry and the organization lookup).
    pub host: String,
    pub item: Item,
}

/// The item of a page, if its URL names one the API can be asked for. Practice pages and pages
/// without an organization have none.
pub fn target(page: &PageContext) -> Option<Target> {
    let org = page.org.clone()?;
    let id = |key: &str| {
        page.ids
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let item = match page.kind {
        PageKind::Issue | PageKind::Event => {
            let issue = id("issue_id").or_else(|| id("issue_short_id"))?;
            let event = match page.kind {
                PageKind::Event => id("event_id")?,
                _ => "recommended".to_owned(),
            };
            Item::Event { issue, event }
        }
        PageKind::Span => Item::Span {
            trace: id("trace_id")?,
            span: id("span_id")?,
        },
        _ => return None,
    };
    Some(Target {
        org,
        host: page.host.clone(),
        item,
    })
}

/// Which answer a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ask {
    /// `GET /api/0/organizations/{org}/`: where the organization's API lives (`links.regionUrl`).
    Region,
    /// `GET /api/0/organizations/{org}/trace/{trace}/`: the project of the span (`project_slug`).
    Project,
    /// The event, or the span's trace item: its every value.
    Item,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub url: String,
    pub ask: Ask,
}

/// What the background got for a request (`background.js`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// The reply's `Retry-After` header, when it had one.
    pub retry_after: Option<String>,
    /// `X-Sentry-Rate-Limit-Reset` (epoch seconds): what Sentry's rate limiter sends instead of
    /// `Retry-After` with its 429 (`middleware/ratelimit.py`).
    pub rate_limit_reset: Option<String>,
    /// Set when there is no reply: `timeout`, `unreachable`, `too-large` or `refused` (the
    /// background would not send the request).
    pub failure: Option<String>,
}

/// Why Sentry's values are not shown, in words an engineer can act on (contract v2 `api` warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    SignedOut,
    NoAccess,
    NotFound,
    RateLimited {
        retry_after_s: u32,
    },
    Unreachable,
    Slow,
    /// A reply that is not what Sentry sends: `what` names it.
    Unexpected {
        what: &'static str,
    },
}

impl Problem {
    /// A few words for a place with little room (a follow-up card's count).
    pub fn short(self) -> String {
        match self {
            Problem::SignedOut => "Signed out of Sentry: sign in to see the count".into(),
            Problem::NoAccess => "No access to this query's projects".into(),
            Problem::NotFound => "Sentry does not know this query's page".into(),
            Problem::RateLimited { retry_after_s } => {
                format!("Rate limited by Sentry: ask again in {retry_after_s} s")
            }
            Problem::Unreachable => "Sentry could not be reached".into(),
            Problem::Slow => format!("No answer within {} s", TIMEOUT_MS / 1000),
            Problem::Unexpected { what } => format!("Unexpected answer ({what})"),
        }
    }

    pub fn message(self) -> String {
        let rest = "The values read from the page are shown.";
        match self {
            Problem::SignedOut => format!("Sentry says you are signed out, so its full values cannot be read: sign in to Sentry in this browser and reload. {rest}"),
            Problem::NoAccess => format!("Your Sentry account has no access to this item's details (403): ask an owner of the project for access. {rest}"),
            Problem::NotFound => format!("Sentry's API does not know this item (404): it may be deleted or past retention. {rest}"),
            Problem::RateLimited { retry_after_s } => format!("Sentry is rate limiting requests (429); Pivot Lens asks again in {retry_after_s} s at the earliest. {rest}"),
            Problem::Unreachable => format!("Sentry's API could not be reached: check the connection (or the self-hosted server) and reload. {rest}"),
            Problem::Slow => format!("Sentry's API did not answer within {} s; reload to try again. {rest}", TIMEOUT_MS / 1000),
            Problem::Unexpected { what } => format!("Sentry's API answered with something Pivot Lens does not understand ({what}). {rest}"),
        }
    }
}

/// The next thing to do for a target.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Ask(Request),
    /// Everything is read: the item's facts.
    Done(Arc<[RawFact]>),
    /// Asking is held back: Sentry rate-limited this tab and its wait is not over.
    Held(Problem),
}

/// What has been read in this tab, kept for the tab's life: regions per organization, projects
/// per span, facts per item.
#[derive(Debug, Default)]
pub struct ApiReads {
    regions: HashMap<(String, String), String>,
    projects: HashMap<(String, String), String>,
    items: HashMap<Target, Arc<[RawFact]>>,
    held_until_ms: f64,
    held_by: Option<Problem>,
}

impl ApiReads {
    /// The next request for `target` (or its cached facts) at time `now_ms`.
    pub fn next(&self, target: &Target, now_ms: f64) -> Next {
        if let Some(facts) = self.items.get(target) {
            return Next::Done(facts.clone());
        }
        if let Some(problem) = self.held(now_ms) {
            return Next::Held(problem);
        }
        let org_path = format!("/api/0/organizations/{}", encode(&target.org));
        let Some(region) = self.region(&target.host, &target.org) else {
            return Next::Ask(Request {
                url: region_request(&target.host, &target.org),
                ask: Ask::Region,
            });
        };
        let url = match &target.item {
            Item::Event { issue, event } => {
                format!(
                    "{region}{org_path}/issues/{}/events/{}/",
                    encode(issue),
                    encode(event)
                )
            }
            Item::Span { trace, span } => {
                let Some(project) = self.projects.get(&(target.org.clone(), span.clone())) else {
                    return Next::Ask(Request {
                        url: format!("{region}{org_path}/trace/{trace}/?project=-1"),
                        ask: Ask::Project,
                    });
                };
                format!(
                    "{region}/api/0/projects/{}/{}/trace-items/{span}/?item_type=spans&trace_id={trace}",
                    encode(&target.org),
                    encode(project)
                )
            }
        };
        Next::Ask(Request {
            url,
            ask: Ask::Item,
        })
    }

    /// Takes the reply to the `ask` request for `target`, received at `now_ms`.
    pub fn answer(
        &mut self,
        target: &Target,
        ask: Ask,
        reply: &Reply,
        now_ms: f64,
    ) -> Result<(), Problem> {
        if ask == Ask::Region {
            return self.answer_region(&target.host, &target.org, reply, now_ms);
        }
        let body = self.body_of(reply, now_ms)?;
        let json: Value = serde_json::from_str(body).map_err(|_| Problem::Unexpected {
            what: "a reply that is not JSON",
        })?;
        match ask {
            Ask::Region => {}
            Ask::Project => {
                let Item::Span { span, .. } = &target.item else {
                    return Err(Problem::Unexpected {
                        what: "a project for an event",
                    });
                };
                let project = project_of_span(&json, span).ok_or(Problem::Unexpected {
                    what: "a trace without the span in view",
                })?;
                self.projects
                    .insert((target.org.clone(), span.clone()), project);
            }
            Ask::Item => {
                let facts = match target.item {
                    Item::Event { .. } => event_facts(&json),
                    Item::Span { .. } => trace_item_facts(&json),
                }?;
                self.items.insert(target.clone(), facts.into());
            }
        }
        Ok(())
    }
}

impl ApiReads {
    /// The API origin of `org` on the Sentry at `host`, once known.
    pub fn region(&self, host: &str, org: &str) -> Option<&str> {
        self.regions
            .get(&(host.to_owned(), org.to_owned()))
            .map(String::as_str)
    }

    /// Takes the reply to `region_request(host, org)`.
    pub fn answer_region(
        &mut self,
        host: &str,
        org: &str,
        reply: &Reply,
        now_ms: f64,
    ) -> Result<(), Problem> {
        let body = self.body_of(reply, now_ms)?;
        let json: Value = serde_json::from_str(body).map_err(|_| Problem::Unexpected {
            what: "a reply that is not JSON",
        })?;
        let region = region_of(&json, host)?;
        self.regions
            .insert((host.to_owned(), org.to_owned()), region);
        Ok(())
    }

    /// Why nothing may be asked now (Sentry said 429 and its wait is not over), if so.
    pub fn held(&self, now_ms: f64) -> Option<Problem> {
        self.held_by.filter(|_| now_ms < self.held_until_ms)
    }

    /// The body of a successful reply, or its problem; a 429 holds every request of this tab
    /// (item reads and previews alike) for the wait Sentry names.
    pub fn body_of<'r>(&mut self, reply: &'r Reply, now_ms: f64) -> Result<&'r str, Problem> {
        let body = reply_body(reply, now_ms);
        if let Err(problem @ Problem::RateLimited { retry_after_s }) = body {
            self.held_until_ms = now_ms + f64::from(retry_after_s) * 1000.0;
            self.held_by = Some(problem);
        }
        body
    }
}

/// `GET /api/0/organizations/{org}/` at the page's origin: where the organization's API lives.
pub fn region_request(host: &str, org: &str) -> String {
    format!("https://{host}/api/0/organizations/{}/", encode(org))
}

/// A path segment: everything but RFC 3986's unreserved characters is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// The body of a successful reply, or the problem the status or failure names.
fn reply_body(reply: &Reply, now_ms: f64) -> Result<&str, Problem> {
    match reply.failure.as_deref() {
        Some("timeout") => return Err(Problem::Slow),
        Some("too-large") => {
            return Err(Problem::Unexpected {
                what: "a reply larger than 4 MB",
            })
        }
        Some("refused") => {
            return Err(Problem::Unexpected {
                what: "a request to a host that is not this Sentry",
            })
        }
        Some(_) => return Err(Problem::Unreachable),
        None => {}
    }
    match reply.status {
        200 => Ok(&reply.body),
        401 => Err(Problem::SignedOut),
        403 => Err(Problem::NoAccess),
        404 => Err(Problem::NotFound),
        429 => Err(Problem::RateLimited {
            retry_after_s: retry_after_seconds(reply, now_ms),
        }),
        500..=599 => Err(Problem::Unreachable),
        _ => Err(Problem::Unexpected {
            what: "an unexpected HTTP status",
        }),
    }
}

/// How long to wait after a 429: `Retry-After` (seconds), else until Sentry's
/// `X-Sentry-Rate-Limit-Reset`, else a minute; at least a second, at most ten minutes.
fn retry_after_seconds(reply: &Reply, now_ms: f64) -> u32 {
    let number = |header: &Option<String>| {
        header
            .as_deref()
            .and_then(|h| h.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite())
    };
    let wait = number(&reply.retry_after)
        .or_else(|| number(&reply.rate_limit_reset).map(|reset| reset - now_ms / 1000.0))
        .unwrap_or(f64::from(DEFAULT_BACKOFF_S));
    // Within 1..=600 after the clamp, so the cast is exact.
    wait.ceil().clamp(1.0, f64::from(MAX_BACKOFF_S)) as u32
}

/// The organization's API origin (`links.regionUrl`): on sentry.io a `https://<region>.sentry.io`,
/// on a self-hosted Sentry the page's own origin. Missing links (an older self-hosted Sentry) mean
/// the page's origin; a region anywhere else is refused.
fn region_of(json: &Value, page_host: &str) -> Result<String, Problem> {
    let Some(region) = json.pointer("/links/regionUrl") else {
        return match json.get("slug") {
            Some(Value::String(_)) => Ok(format!("https://{page_host}")),
            _ => Err(Problem::Unexpected {
                what: "an organization without a slug",
            }),
        };
    };
    let authority =
        region
            .as_str()
            .and_then(https_origin_authority)
            .ok_or(Problem::Unexpected {
                what: "a region URL that is not an https origin",
            })?;
    if same_sentry(page_host, &authority) {
        Ok(format!("https://{authority}"))
    } else {
        Err(Problem::Unexpected {
            what: "a region URL on another host",
        })
    }
}

/// The `project_slug` of the span in a trace tree (`event_id` is a span's id). The tree is walked
/// with an explicit stack: a hostile reply cannot overflow it.
fn project_of_span(json: &Value, span: &str) -> Option<String> {
    let mut stack: Vec<&Value> = match json {
        Value::Array(roots) => roots.iter().collect(),
        Value::Object(_) => vec![json],
        _ => return None,
    };
    let mut seen = 0;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > MAX_TRACE_NODES {
            return None;
        }
        let is_the_span = node
            .get("event_id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(span));
        if is_the_span {
            return node
                .get("project_slug")
                .and_then(Value::as_str)
                .filter(|slug| is_project_slug(slug))
                .map(str::to_owned);
        }
        for key in ["children", "errors", "occurrences"] {
            if let Some(Value::Array(children)) = node.get(key) {
                stack.extend(children.iter());
            }
        }
    }
    None
}

/// Sentry's project slug rule: lowercase letters, digits, `-` and `_`, not all digits.
fn is_project_slug(slug: &str) -> bool {
    (1..=100).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !slug.bytes().all(|b| b.is_ascii_digit())
}

/// Collects facts with the API's keys, bounded.
struct Facts(Vec<RawFact>);

impl Facts {
    fn push(&mut self, key: String, value: &Value) {
        if self.0.len() >= MAX_FACTS_PER_ITEM {
            return;
        }
        let value = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => return,
        };
        self.0.push(RawFact {
            source: FactSource::Api,
            key,
            value,
            section: String::new(),
        });
    }

    /// An object's entries under their dotted paths (`data.mcp.session.id` → `mcp.session.id`
    /// with `prefix` empty); arrays and deeper nesting are not followed.
    fn push_flat(&mut self, prefix: &str, value: &Value, depth: usize) {
        let Value::Object(entries) = value else {
            if !prefix.is_empty() {
                self.push(prefix.to_owned(), value);
            }
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        for (key, entry) in entries {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            self.push_flat(&path, entry, depth + 1);
        }
    }
}

/// An event's pivots (`GET …/issues/{issue}/events/{event}/`, Sentry's `EventSerializer`): its id,
/// its tags (the derived `user` tag included), the `user` interface and the `trace` context with
/// its `data`.
fn event_facts(json: &Value) -> Result<Vec<RawFact>, Problem> {
    let event = json.as_object().ok_or(Problem::Unexpected {
        what: "an event that is not an object",
    })?;
    let mut facts = Facts(Vec::new());
    if let Some(id) = event.get("eventID").or_else(|| event.get("id")) {
        facts.push("event_id".into(), id);
    }
    match event.get("tags") {
        Some(Value::Array(tags)) => {
            for tag in tags {
                if let (Some(Value::String(key)), Some(value)) = (tag.get("key"), tag.get("value"))
                {
                    facts.push(key.clone(), value);
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => {
            return Err(Problem::Unexpected {
                what: "tags that are not a list",
            })
        }
    }
    if let Some(Value::Object(user)) = event.get("user") {
        for (key, value) in user {
            facts.push(format!("user.{key}"), value);
        }
    }
    if let Some(trace) = json.pointer("/contexts/trace") {
        for key in ["trace_id", "span_id"] {
            if let Some(value) = trace.get(key) {
                facts.push(key.into(), value);
            }
        }
        if let Some(data) = trace.get("data") {
            facts.push_flat("", data, 0);
        }
    }
    Ok(facts.0)
}

/// A trace item's attributes (`GET …/trace-items/{item}/`): `[{name, type, value}]` under their
/// public names; a typed name `tags[key,number]` is the attribute `key`.
fn trace_item_facts(json: &Value) -> Result<Vec<RawFact>, Problem> {
    let Some(Value::Array(attributes)) = json.get("attributes") else {
        return Err(Problem::Unexpected {
            what: "a trace item without attributes",
        });
    };
    let mut facts = Facts(Vec::new());
    if let Some(id) = json.get("itemId") {
        facts.push("span_id".into(), id);
    }
    for attribute in attributes {
        let (Some(Value::String(name)), Some(value)) =
            (attribute.get("name"), attribute.get("value"))
        else {
            continue;
        };
        facts.push(untyped_name(name).to_owned(), value);
    }
    Ok(facts.0)
}

/// `tags[key,number]` / `tags[key,boolean]` / `tags[key,string]` → `key`.
fn untyped_name(name: &str) -> &str {
    name.strip_prefix("tags[")
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.rsplit_once(','))
        .map_or(name, |(key, _)| key)
}

/// The request the background may send for a sidebar on `page`: a GET of `url` if it is an
/// `/api/0/` URL on the page's Sentry (its own host, or on sentry.io a sentry.io region host),
/// with no userinfo, fragment or anything that looks like a secret. Returns why not otherwise.
pub fn checked_request(url: &str, page: &PageContext) -> Result<(), &'static str> {
    if url.len() > 2_048 {
        return Err("too long");
    }
    let (origin, path) = url
        .strip_prefix("https://")
        .and_then(|rest| rest.find('/').map(|at| rest.split_at(at)))
        .ok_or("not an https URL with a path")?;
    let authority = https_origin_authority(&format!("https://{origin}")).ok_or("not an origin")?;
    if !same_sentry(&page.host, &authority) {
        return Err("not this page's Sentry");
    }
    if !path.starts_with("/api/0/") || path.contains(['#', '\\']) || path.contains("/../") {
        return Err("not a Sentry API path");
    }
    if detect_secret(path).is_some() {
        return Err("holds what looks like a secret");
    }
    Ok(())
}

/// Whether an API on `host` belongs to the Sentry of a page on `page_host`: the same host, or
/// on sentry.io any sentry.io host (the organization's region, `us.sentry.io`).
fn same_sentry(page_host: &str, host: &str) -> bool {
    let on_sentry_io = |host: &str| host == "sentry.io" || host.ends_with(".sentry.io");
    host == page_host || (on_sentry_io(page_host) && on_sentry_io(host))
}

#[cfg(test)]
mod tests;
