//! The secret detector that gates every sink (security.md SEC-1): selections, page values and
//! anything headed for a URL, storage or the clipboard pass through it first.
//!
//! Hand-written linear scanners instead of the `regex` crate (wasm size budget). Every scanner
//! looks for a fixed ASCII anchor (`sntryu_`, `eyJ`, `://`, `=`/`:` …) and inspects a bounded
//! neighbourhood, so work is linear in the input. The shapes are chosen so that the values the
//! product exists for — 32/16-hex trace, event and span ids, UUIDs, short ids like `MCP-41`,
//! routes, tool names, runbook keys such as `app.oauth.token_exchange.outcome` — never match.

use serde::Serialize;

/// What kind of secret was found, most specific first (the order decides which one is reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// `sntrys_<payload>_<secret>`.
    SentryOrgToken,
    /// `sntryu_<64 hex>`.
    SentryUserToken,
    /// An `Authorization:` / `Proxy-Authorization:` header line.
    AuthorizationHeader,
    BearerToken,
    /// `Basic <base64 of user:password>`.
    BasicCredentials,
    Jwt,
    /// A URL with a password in its userinfo, such as a legacy DSN with its secret key.
    UrlCredentials,
    /// `sk_live_`/`sk_test_`/`rk_live_`/`rk_test_` keys (`pk_` publishable keys are public).
    StripeSecretKey,
    /// GitHub, AWS access key id (`AKIA`/`ASIA`), Slack tokens.
    VendorToken,
    /// 40 base64 characters, after `aws_secret_access_key` or standalone with mixed case and digits.
    AwsSecretAccessKey,
    /// A bare run of 64 or more hex digits: Sentry's legacy user auth token shape.
    LegacyHexToken,
    /// `key=value` / `key: value` where the key is on the scrubbing denylist.
    SensitiveKeyValue,
}

impl SecretKind {
    /// A human description that never echoes the secret.
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::SentryOrgToken => "a Sentry organization auth token",
            SecretKind::SentryUserToken => "a Sentry user auth token",
            SecretKind::AuthorizationHeader => "an Authorization header",
            SecretKind::BearerToken => "a bearer token",
            SecretKind::BasicCredentials => "Basic credentials",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::UrlCredentials => {
                "a URL with a password (for example a DSN with its secret key)"
            }
            SecretKind::StripeSecretKey => "a Stripe secret key",
            SecretKind::VendorToken => "an access token",
            SecretKind::AwsSecretAccessKey => "an AWS secret access key",
            SecretKind::LegacyHexToken => "a legacy Sentry auth token",
            SecretKind::SensitiveKeyValue => "a password, token or other sensitive setting",
        }
    }
}

/// The secret in `text`, if any.
pub fn detect_secret(text: &str) -> Option<SecretKind> {
    findings(text).into_iter().map(|finding| finding.kind).min()
}

/// `text` with every secret part replaced by `••••`, keeping a 4-character hint of long secrets
/// (SEC-1: "looks like a Sentry user auth token (…ab12)") and the non-secret context around them.
pub fn mask(text: &str) -> String {
    let mut ranges: Vec<(usize, usize)> = findings(text)
        .into_iter()
        .map(|f| (f.start, f.end))
        .collect();
    ranges.sort_unstable();
    let mut masked = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in ranges {
        if end <= copied {
            continue;
        }
        let start = start.max(copied);
        masked.push_str(&text[copied..start]);
        masked.push_str("••••");
        let secret = &text[start..end];
        if secret.chars().count() >= 20 {
            let hint = secret.char_indices().rev().nth(3).map_or(0, |(at, _)| at);
            masked.push_str(&secret[hint..]);
        }
        copied = end;
    }
    masked.push_str(&text[copied..]);
    masked
}

/// Keys whose values are secret whatever they look like: Sentry/Relay's default scrubbing
/// denylist plus common token names. Matched on the last dot-separated segment of a key,
/// lowercased with `-` as `_`, so `gen_ai.tool.call.arguments.token` is sensitive but
/// `app.oauth.token_exchange.outcome` and `mcp.session.id` are not.
const SENSITIVE_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "mysql_pwd",
    "secret",
    "client_secret",
    "secret_key",
    "aws_secret_access_key",
    "api_secret",
    "api_key",
    "apikey",
    "x_api_key",
    "auth",
    "auth_token",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "credentials",
    "privatekey",
    "private_key",
    "session",
    "sessionid",
    "cookie",
    "set_cookie",
    "authorization",
    "proxy_authorization",
    "csrftoken",
    "csrf_token",
    "x_csrftoken",
    "xsrf_token",
];

/// Compared byte by byte, without a lowercased copy: the scanner asks this at every `=` and `:`
/// of a value, so a copy per ask was most of `detect_secret`'s time on text full of them.
pub fn is_sensitive_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).as_bytes();
    let same = |(&page, &listed): (&u8, &u8)| {
        page.to_ascii_lowercase() == listed || (page == b'-' && listed == b'_')
    };
    SENSITIVE_KEYS
        .iter()
        .any(|listed| listed.len() == last.len() && last.iter().zip(listed.as_bytes()).all(same))
}

/// A secret part of the text, as a byte range on ASCII boundaries.
struct Finding {
    kind: SecretKind,
    start: usize,
    end: usize,
}

/// Findings in `text`, found in its normalised form and mapped back to `text`'s offsets.
fn findings(text: &str) -> Vec<Finding> {
    let normalised = Normalised::new(text);
    let mut found = scan(&normalised.text);
    for finding in &mut found {
        finding.start = normalised.original(finding.start);
        finding.end = normalised.original(finding.end);
    }
    found
}

/// Characters that render as nothing: pasted into a token they hide it from the scanners but not
/// from whoever copies it (security.md SEC-1).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    )
}

/// `text` without invisible characters, and where they were, to map offsets back.
struct Normalised<'a> {
    text: std::borrow::Cow<'a, str>,
    /// (offset in the normalised text, bytes removed up to there), ascending.
    removed: Vec<(usize, usize)>,
}

impl<'a> Normalised<'a> {
    fn new(text: &'a str) -> Self {
        if !text.contains(is_invisible) {
            return Self {
                text: text.into(),
                removed: Vec::new(),
            };
        }
        let mut normalised = String::with_capacity(text.len());
        let mut removed = Vec::new();
        let mut total = 0;
        for c in text.chars() {
            if is_invisible(c) {
                total += c.len_utf8();
                removed.push((normalised.len(), total));
            } else {
                normalised.push(c);
            }
        }
        Self {
            text: normalised.into(),
            removed,
        }
    }

    /// The offset in the original text; invisible characters at `at` count as before it.
    fn original(&self, at: usize) -> usize {
        let before = self.removed.partition_point(|&(offset, _)| offset <= at);
        at + before.checked_sub(1).map_or(0, |last| self.removed[last].1)
    }
}

fn scan(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    // ASCII lowercasing keeps every byte offset, so anchors found here index `text` too.
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    sentry_tokens(text, &mut found);
    vendor_tokens(text, &mut found);
    jwts(text, &mut found);
    authorization_headers(&lower, &mut found);
    bearer_and_basic(bytes, &lower, &mut found);
    url_credentials(text, &mut found);
    aws_secret_keys(bytes, &lower, &mut found);
    long_hex_runs(bytes, &mut found);
    sensitive_key_values(bytes, &mut found);
    found
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// No secret is longer than this; bounding every run keeps the scanners linear (URL-6).
const MAX_RUN: usize = 512;

/// The end of the run of bytes from `start` satisfying `pred`, at most `MAX_RUN` long.
/// Scanners skip anchors inside a run they have already measured: such an anchor's run would
/// end at the same place, and re-measuring it is what would make the work quadratic.
/// The end is always a character boundary, even when the cap falls inside a multi-byte character.
fn run_end(bytes: &[u8], start: usize, pred: impl Fn(u8) -> bool) -> usize {
    let mut end = start
        + bytes[start.min(bytes.len())..]
            .iter()
            .take(MAX_RUN)
            .take_while(|&&b| pred(b))
            .count();
    while end > start && bytes.get(end).is_some_and(|&b| (0x80..0xc0).contains(&b)) {
        end -= 1;
    }
    end
}

/// The end of a token of at least `min_len` bytes from `start`, if there is one, and the end of
/// its first run. Like `run_end`, but a run too short may go on after one space: a token split
/// early on (`sntryu_ ab12…`, `sntryu_ab12 cd…`) is still one token to whoever pastes it back.
/// Callers skip anchors up to the first run's end only, so one after the space is still tried.
fn token_end(
    bytes: &[u8],
    start: usize,
    min_len: usize,
    pred: impl Fn(u8) -> bool,
) -> (Option<usize>, usize) {
    let first_end = run_end(bytes, start, &pred);
    if first_end - start >= min_len {
        return (Some(first_end), first_end);
    }
    if bytes.get(first_end) != Some(&b' ') {
        return (None, first_end);
    }
    let end = run_end(bytes, first_end + 1, &pred);
    ((end - start > min_len).then_some(end), first_end)
}

fn starts_word(bytes: &[u8], at: usize) -> bool {
    at == 0 || !bytes[at - 1].is_ascii_alphanumeric()
}

/// Byte offsets of `anchor` in `haystack`.
fn anchors<'a>(haystack: &'a str, anchor: &'a str) -> impl Iterator<Item = usize> + 'a {
    haystack.match_indices(anchor).map(|(at, _)| at)
}

fn sentry_tokens(text: &str, found: &mut Vec<Finding>) {
    let bytes = text.as_bytes();
    for (prefix, kind) in [
        ("sntrys_", SecretKind::SentryOrgToken),
        ("sntryu_", SecretKind::SentryUserToken),
    ] {
        let mut measured = 0;
        for at in anchors(text, prefix) {
            if at < measured {
                continue;
            }
            let start = at + prefix.len();
            let (end, first_end) =
                token_end(bytes, start, 16, |b| is_base64_byte(b) || is_token_byte(b));
            measured = first_end;
            if let Some(end) = end {
                found.push(Finding { kind, start, end });
            }
        }
    }
}

/// A vendor token: (prefix, minimum secret length, allowed secret bytes, kind).
type TokenShape = (&'static str, usize, fn(u8) -> bool, SecretKind);

fn vendor_tokens(text: &str, found: &mut Vec<Finding>) {
    use SecretKind::{StripeSecretKey as Stripe, VendorToken as Vendor};
    let bytes = text.as_bytes();
    let alphanumeric: fn(u8) -> bool = |b| b.is_ascii_alphanumeric();
    let upper_or_digit: fn(u8) -> bool = |b| b.is_ascii_uppercase() || b.is_ascii_digit();
    let shapes: [TokenShape; 14] = [
        ("ghp_", 30, alphanumeric, Vendor),
        ("gho_", 30, alphanumeric, Vendor),
        ("ghu_", 30, alphanumeric, Vendor),
        ("ghs_", 30, alphanumeric, Vendor),
        ("github_pat_", 22, is_token_byte, Vendor),
        ("AKIA", 16, upper_or_digit, Vendor),
        ("ASIA", 16, upper_or_digit, Vendor),
        ("xoxb-", 10, is_token_byte, Vendor),
        ("xoxp-", 10, is_token_byte, Vendor),
        ("xoxa-", 10, is_token_byte, Vendor),
        ("sk_live_", 16, alphanumeric, Stripe),
        ("sk_test_", 16, alphanumeric, Stripe),
        ("rk_live_", 16, alphanumeric, Stripe),
        ("rk_test_", 16, alphanumeric, Stripe),
    ];
    for (prefix, min_len, allowed, kind) in shapes {
        let mut measured = 0;
        for at in anchors(text, prefix) {
            if at < measured || !starts_word(bytes, at) {
                continue;
            }
            let start = at + prefix.len();
            let (end, first_end) = token_end(bytes, start, min_len, allowed);
            measured = first_end;
            if let Some(end) = end {
                found.push(Finding { kind, start, end });
            }
        }
    }
}

/// `eyJ<header>.<payload>.<signature>` (a JSON object header always base64url-encodes to `eyJ`).
fn jwts(text: &str, found: &mut Vec<Finding>) {
    let bytes = text.as_bytes();
    let segment = |start: usize| run_end(bytes, start, is_token_byte);
    let mut measured = 0;
    for start in anchors(text, "eyJ") {
        if start < measured {
            continue;
        }
        let header_end = segment(start);
        measured = header_end;
        if header_end - start < 10 || bytes.get(header_end) != Some(&b'.') {
            continue;
        }
        let payload_end = segment(header_end + 1);
        if payload_end - header_end <= 4 || bytes.get(payload_end) != Some(&b'.') {
            continue;
        }
        found.push(Finding {
            kind: SecretKind::Jwt,
            start,
            end: segment(payload_end + 1),
        });
    }
}

/// `Authorization: …` to the end of the line (the scheme and credentials are both secret).
fn authorization_headers(lower: &str, found: &mut Vec<Finding>) {
    let bytes = lower.as_bytes();
    let mut measured = 0;
    for at in anchors(lower, "authorization") {
        if at < measured {
            continue;
        }
        let mut i = at + "authorization".len();
        while i < bytes.len() && matches!(bytes[i], b' ' | b'"' | b'\'') {
            i += 1;
        }
        if !matches!(bytes.get(i), Some(b':' | b'=')) {
            continue;
        }
        let start = skip_spaces(bytes, i + 1);
        let end = run_end(bytes, start, |b| b != b'\n' && b != b'\r');
        measured = end;
        if end > start {
            found.push(Finding {
                kind: SecretKind::AuthorizationHeader,
                start,
                end,
            });
        }
    }
}

fn skip_spaces(bytes: &[u8], from: usize) -> usize {
    run_end(bytes, from, |b| b == b' ' || b == b'\t')
}

fn bearer_and_basic(bytes: &[u8], lower: &str, found: &mut Vec<Finding>) {
    for at in anchors(lower, "bearer").filter(|&at| starts_word(bytes, at)) {
        let start = skip_spaces(bytes, at + "bearer".len());
        let end = run_end(bytes, start, |b| {
            is_base64_byte(b) || matches!(b, b'-' | b'_' | b'.' | b'~')
        });
        let token = &bytes[start..end];
        let has_digit = token.iter().any(u8::is_ascii_digit);
        let mixed_case =
            token.iter().any(u8::is_ascii_uppercase) && token.iter().any(u8::is_ascii_lowercase);
        if start > at + "bearer".len()
            && token.len() >= 8
            && (has_digit || (token.len() >= 20 && mixed_case))
        {
            found.push(Finding {
                kind: SecretKind::BearerToken,
                start,
                end,
            });
        }
    }
    for at in anchors(lower, "basic").filter(|&at| starts_word(bytes, at)) {
        let start = skip_spaces(bytes, at + "basic".len());
        let end = run_end(bytes, start, is_base64_byte);
        if start > at + "basic".len() && decodes_to_user_password(&bytes[start..end]) {
            found.push(Finding {
                kind: SecretKind::BasicCredentials,
                start,
                end,
            });
        }
    }
}

/// Standard padded base64 that decodes to printable ASCII containing `:` — what `Basic` carries.
/// Checking the decoded text keeps ordinary prose ("basic information") from matching.
fn decodes_to_user_password(encoded: &[u8]) -> bool {
    if encoded.len() < 8 || !encoded.len().is_multiple_of(4) {
        return false;
    }
    let sextet = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let unpadded = encoded
        .strip_suffix(b"==")
        .or_else(|| encoded.strip_suffix(b"="))
        .unwrap_or(encoded);
    let mut decoded = Vec::with_capacity(encoded.len());
    let (mut acc, mut bits) = (0u32, 0);
    for &b in unpadded {
        let Some(value) = sextet(b) else { return false };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            decoded.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    decoded.contains(&b':') && decoded.iter().all(|b| (0x20..0x7f).contains(b))
}

/// `scheme://user:password@host`: the password is secret (a legacy DSN `https://<key>:<secret>@…`).
fn url_credentials(text: &str, found: &mut Vec<Finding>) {
    let bytes = text.as_bytes();
    for at in anchors(text, "://") {
        let start = at + 3;
        // Userinfo ends at `@`; the authority at `/ ? #` or whitespace.
        let limit = (start + MAX_RUN).min(bytes.len());
        let Some(at_sign) = bytes[start..limit]
            .iter()
            .take_while(|&&b| !matches!(b, b'/' | b'?' | b'#') && !b.is_ascii_whitespace())
            .position(|&b| b == b'@')
        else {
            continue;
        };
        let userinfo = &bytes[start..start + at_sign];
        if let Some(colon) = userinfo.iter().position(|&b| b == b':') {
            if colon + 1 < userinfo.len() {
                found.push(Finding {
                    kind: SecretKind::UrlCredentials,
                    start: start + colon + 1,
                    end: start + at_sign,
                });
            }
        }
    }
}

fn is_aws_secret_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// AWS secret access keys, 40 base64 characters: any such value of `aws_secret_access_key`, and
/// standalone a maximal run of exactly 40 with upper and lower case and digits that is not all
/// hex (so commit SHAs never match) and is not a path or part of an identifier.
fn aws_secret_keys(bytes: &[u8], lower: &str, found: &mut Vec<Finding>) {
    const KEY: &str = "aws_secret_access_key";
    const LEN: usize = 40;
    let mut push = |start: usize| {
        found.push(Finding {
            kind: SecretKind::AwsSecretAccessKey,
            start,
            end: start + LEN,
        })
    };
    for at in anchors(lower, KEY) {
        let after_key = at + KEY.len();
        let separator = run_end(bytes, after_key, |b| matches!(b, b' ' | b'"' | b'\''));
        if separator - after_key > 4 || !matches!(bytes.get(separator), Some(b'=' | b':')) {
            continue;
        }
        let start = run_end(bytes, separator + 1, |b| matches!(b, b' ' | b'"' | b'\''));
        if run_end(bytes, start, is_aws_secret_byte) - start == LEN {
            push(start);
        }
    }
    let is_identifier_byte = |at: usize| {
        bytes
            .get(at)
            .is_some_and(|b| matches!(b, b'_' | b'-' | b'.'))
    };
    let mut i = 0;
    while i < bytes.len() {
        if !is_aws_secret_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        // Measured to its real end, unbounded: each byte is visited once.
        while i < bytes.len() && is_aws_secret_byte(bytes[i]) {
            i += 1;
        }
        let run = &bytes[start..i];
        let looks_random = run.iter().any(u8::is_ascii_uppercase)
            && run.iter().any(u8::is_ascii_lowercase)
            && run.iter().any(u8::is_ascii_digit)
            && !run.iter().all(u8::is_ascii_hexdigit);
        if run.len() == LEN
            && looks_random
            && run[0] != b'/'
            && run[LEN - 1] != b'/'
            && !(start > 0 && is_identifier_byte(start - 1))
            && !is_identifier_byte(i)
        {
            push(start);
        }
    }
}

/// Maximal hex runs of 64+ digits. Ids are 16 or 32 digits and commit SHAs 40, so none reach this.
fn long_hex_runs(bytes: &[u8], found: &mut Vec<Finding>) {
    let mut i = 0;
    while i < bytes.len() {
        let end = run_end(bytes, i, |b| b.is_ascii_hexdigit());
        if end - i >= 64 {
            found.push(Finding {
                kind: SecretKind::LegacyHexToken,
                start: i,
                end,
            });
        }
        i = if end == i { i + 1 } else { end };
    }
}

/// `key=value`, `key: value`, `"key": "value"` with a denylisted key.
fn sensitive_key_values(bytes: &[u8], found: &mut Vec<Finding>) {
    let mut measured = 0;
    for (separator, &b) in bytes.iter().enumerate() {
        if separator < measured || (b != b'=' && b != b':') {
            continue;
        }
        // Walk back over `"key" ` to the key (bounded: keys are short).
        let mut key_end = separator;
        while key_end > 0
            && matches!(bytes[key_end - 1], b' ' | b'"' | b'\'')
            && separator - key_end < 4
        {
            key_end -= 1;
        }
        let key_start = (key_end.saturating_sub(64)..key_end)
            .rev()
            .take_while(|&i| is_token_byte(bytes[i]) || bytes[i] == b'.')
            .last()
            .unwrap_or(key_end);
        let key = std::str::from_utf8(&bytes[key_start..key_end]).unwrap_or_default();
        if key.is_empty() || !is_sensitive_key(key) {
            continue;
        }
        let mut start = skip_spaces(bytes, separator + 1);
        let quoted = matches!(bytes.get(start), Some(b'"' | b'\''));
        if quoted {
            start += 1;
        }
        let end = run_end(bytes, start, |b| {
            if quoted {
                b != b'"' && b != b'\'' && b != b'\n'
            } else {
                !b.is_ascii_whitespace()
                    && !matches!(b, b'"' | b'\'' | b'&' | b',' | b';' | b'}' | b')')
            }
        });
        measured = end;
        let value = std::str::from_utf8(&bytes[start..end]).unwrap_or_default();
        if !value.is_empty() && !crate::core::guard::text::is_placeholder(value) {
            found.push(Finding {
                kind: SecretKind::SensitiveKeyValue,
                start,
                end,
            });
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Synthetic secrets of the right shapes, built at test time so no token-like literal is
    /// committed. Each is `(kind, full text, secret part)`.
    pub(crate) fn synthetic_secrets(seed: u64) -> Vec<(SecretKind, String, String)> {
        let hex = |len: usize| -> String {
            (0..len)
                .map(|i| {
                    char::from(b"0123456789abcdef"[((seed as usize).wrapping_mul(31) + i * 7) % 16])
                })
                .collect()
        };
        let b64 = |len: usize| -> String {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            (0..len)
                .map(|i| {
                    char::from(ALPHABET[((seed as usize).wrapping_add(i * 13)) % ALPHABET.len()])
                })
                .collect()
        };
        let user_token = hex(64);
        // Another token, so that its masked form differs from the first one's.
        let split_token = hex(68)[4..].to_owned();
        let org_secret = format!("{}_{}", b64(40), b64(43));
        let jwt = format!("eyJ{}.eyJ{}.{}", b64(17), b64(30), b64(43));
        let basic = "dXNlcjpwYXNz".to_owned(); // base64("user:pass"), a textbook example
        let dsn_secret = hex(40)[8..].to_owned(); // differs from the public key hex(32)
        let password = format!("pw{}", b64(10));
        vec![
            (
                SecretKind::SentryUserToken,
                format!("sntryu_{user_token}"),
                user_token.clone(),
            ),
            (
                SecretKind::SentryOrgToken,
                format!("sntrys_{org_secret}"),
                org_secret,
            ),
            (SecretKind::Jwt, jwt.clone(), jwt.clone()),
            (
                SecretKind::AuthorizationHeader,
                format!("Authorization: Bearer {}", b64(24)),
                b64(24),
            ),
            (
                SecretKind::BearerToken,
                format!("Bearer {}1", b64(24)),
                format!("{}1", b64(24)),
            ),
            (
                SecretKind::BasicCredentials,
                format!("Basic {basic}"),
                basic,
            ),
            (
                SecretKind::UrlCredentials,
                format!("https://{}:{dsn_secret}@o1.ingest.sentry.io/1", hex(32)),
                dsn_secret,
            ),
            (SecretKind::LegacyHexToken, hex(64), hex(64)),
            (
                SecretKind::SensitiveKeyValue,
                format!("password={password}"),
                password.clone(),
            ),
            (
                SecretKind::SensitiveKeyValue,
                format!("\"api_key\": \"{password}\""),
                password.clone(),
            ),
            (
                SecretKind::SensitiveKeyValue,
                format!("https://x.test/cb?token={password}&a=1"),
                password,
            ),
            (SecretKind::VendorToken, format!("ghp_{}", b64(36)), b64(36)),
            (
                SecretKind::VendorToken,
                format!("AKIA{}", b64(16).to_uppercase()),
                b64(16).to_uppercase(),
            ),
            (
                SecretKind::SentryUserToken,
                format!("sntryu_{} {}", &split_token[..4], &split_token[4..]),
                split_token[4..].to_owned(),
            ),
            (
                SecretKind::StripeSecretKey,
                format!("sk_live_{}", b64(24)),
                b64(24),
            ),
            (
                SecretKind::AwsSecretAccessKey,
                format!("aws_secret_access_key={}", b64(40)),
                b64(40),
            ),
        ]
    }

    #[test]
    fn each_shape_is_detected_and_masked() {
        for (kind, text, secret) in synthetic_secrets(7) {
            assert_eq!(detect_secret(&text), Some(kind), "{text}");
            let masked = mask(&text);
            assert!(!masked.contains(&secret), "{masked} still has the secret");
            assert!(masked.contains("••••"), "{masked}");
        }
    }

    /// Red-team shapes: tokens split by a space or an invisible character, AWS and Stripe keys.
    #[test]
    fn split_tokens_and_vendor_shapes_are_detected_and_masked() {
        let hex = "ab12".repeat(16);
        let body = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYz9x1AMPLE2";
        let stripe = "4eC39HqLyjWDarjtT1zdp7dc";
        let split = [
            (
                SecretKind::SentryUserToken,
                format!("sntryu_ {hex}"),
                &hex[4..],
            ),
            (
                SecretKind::SentryUserToken,
                format!("sntryu_ab12 {}", &hex[4..]),
                &hex[4..],
            ),
            (
                SecretKind::SentryUserToken,
                format!("sntr\u{200b}yu_{hex}"),
                &hex[4..],
            ),
            (
                SecretKind::SentryUserToken,
                format!("sntryu_\u{2060}{hex}"),
                &hex[4..],
            ),
            (
                SecretKind::SentryUserToken,
                format!("sntryu_ab\u{ad}{}", &hex[2..]),
                &hex[4..],
            ),
            (
                SecretKind::SentryUserToken,
                format!("\u{feff}sntryu_\u{200d}{hex}"),
                &hex[4..],
            ),
            (
                SecretKind::SentryOrgToken,
                format!("sntrys_\u{200c} {}", &body[..30]),
                &body[4..30],
            ),
            (
                SecretKind::VendorToken,
                "ASIAY34FZKBOKMUTVV7A".to_owned(),
                "Y34FZKBOKMUTVV7A",
            ),
            (
                SecretKind::AwsSecretAccessKey,
                format!("aws_secret_access_key = {body}"),
                body,
            ),
            (
                SecretKind::AwsSecretAccessKey,
                format!("AWS_SECRET_ACCESS_KEY=\"{body}\""),
                body,
            ),
            (
                SecretKind::AwsSecretAccessKey,
                format!("key {body} here"),
                body,
            ),
            (
                SecretKind::StripeSecretKey,
                format!("sk_live_{stripe}"),
                stripe,
            ),
            (
                SecretKind::StripeSecretKey,
                format!("sk_test_ {stripe}"),
                stripe,
            ),
            (
                SecretKind::StripeSecretKey,
                format!("rk_live_{stripe}"),
                stripe,
            ),
            (
                SecretKind::StripeSecretKey,
                format!("https://x.test/?k=rk_test_{stripe}"),
                stripe,
            ),
        ];
        for (kind, text, secret) in split {
            assert_eq!(detect_secret(&text), Some(kind), "{text:?}");
            let masked = mask(&text);
            assert!(!masked.contains(secret), "{masked:?} still has the secret");
        }
    }

    #[test]
    fn mask_keeps_context_and_a_hint() {
        let token = "a1".repeat(32);
        assert_eq!(
            mask(&format!("my token sntryu_{token} here")),
            "my token sntryu_••••a1a1 here"
        );
        assert_eq!(mask("password=hunter2"), "password=••••");
        assert_eq!(mask("nothing secret"), "nothing secret");
    }

    #[test]
    fn lookalikes_are_not_secrets() {
        let benign = [
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
            "{4bf92f35-77b3-4da6-a3ce-929d0e0e4736}",
            "MCP-41",
            "PROJ-1A2",
            "/mcp/:organizationSlug?/:projectSlug?",
            "search_sentry_tools",
            "get_sentry_resource",
            "trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
            "trace:4bf92f3577b34da6a3ce929d0e0e4736 span_id:00f067aa0ba902b7",
            "4bf92f3577b34da6a3ce929d0e0e4736 7b4c2f9a1d3e4f5a8b6c0d1e2f3a4b5c",
            "app.oauth.token_exchange.outcome:refresh_failed",
            "app.oauth.grant_revoked.reason:user_revoked",
            "mcp.session.id:sess_01HZX0A7",
            "gen_ai.usage.input_tokens:1200",
            "1.2.3+abc",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "https://acme.sentry.io/issues/?query=is%3Aunresolved",
            "https://4bf92f3577b34da6a3ce929d0e0e4736@o1.ingest.sentry.io/1",
            "the bearer of this message",
            "basic information about tokens",
            "password: [Filtered]",
            "Basic usage: run it",
            "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
            "commit da39a3ee5e6b4b0d3255bfef95601890afd80709 on main",
            "pk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "pk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "search_events",
            "sntryu_ prefix marks user tokens",
            "AKIA is the prefix of access key ids",
            "packages/mcp-core/src/internal/agents/tools/data/mcp.json",
            "https://acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/",
            "zero\u{200b}width\u{ad}text",
            "token:",
            "",
        ];
        for text in benign {
            assert_eq!(detect_secret(text), None, "{text}");
        }
    }

    #[test]
    fn sensitive_keys_use_the_last_segment() {
        assert!(is_sensitive_key("gen_ai.tool.call.arguments.token"));
        assert!(is_sensitive_key("X-Api-Key"));
        assert!(is_sensitive_key("Authorization"));
        assert!(!is_sensitive_key("app.oauth.token_exchange.outcome"));
        assert!(!is_sensitive_key("mcp.session.id"));
        assert!(!is_sensitive_key("trace_id"));
    }

    #[test]
    fn huge_inputs_of_near_misses_do_not_panic() {
        // Their cost is measured by the benchmark (`./build.sh bench`), not asserted here.
        for chunk in [
            "a:",
            "=",
            "://",
            "eyJ",
            "bearer ",
            "a",
            "sntryu_",
            "sntryu_a ",
            "\u{200b}",
            "aB1/",
            "aws_secret_access_key=",
        ] {
            let huge = chunk.repeat(1_000_000 / chunk.len());
            let _ = detect_secret(&huge);
            let _ = mask(&huge);
        }
    }

    fn hex_id(len: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..16, len).prop_map(|digits| {
            digits
                .into_iter()
                .map(|d| char::from(b"0123456789abcdef"[usize::from(d)]))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn a_token_anywhere_in_text_is_detected(text in "\\PC{0,60}", at in 0usize..64, seed in 0u64..1000, which in 0usize..16) {
            let (_, secret_text, secret) = synthetic_secrets(seed).swap_remove(which);
            let at = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).take(at + 1).last().unwrap_or(0);
            let combined = format!("{} {secret_text} {}", &text[..at], &text[at..]);
            prop_assert!(detect_secret(&combined).is_some(), "{}", combined);
            prop_assert!(!mask(&combined).contains(&secret), "{}", mask(&combined));
        }

        #[test]
        fn ids_are_never_secrets(trace in hex_id(32), span in hex_id(16), sha in hex_id(40), sep in "[ ,;:=\n]") {
            let uuid = format!("{}-{}-{}-{}-{}", &trace[..8], &trace[8..12], &trace[12..16], &trace[16..20], &trace[20..]);
            for text in [trace.clone(), span.clone(), uuid.clone(), format!("{trace}{sep}{span}"), format!("trace_id={trace}"), format!("{trace}{sep}{uuid}"), sha.clone(), sha.to_uppercase()] {
                prop_assert_eq!(detect_secret(&text), None, "{}", text);
            }
        }
    }
}
