//! Answers before the click: what a follow-up card's query finds, read from the replies of the
//! requests `query::PreviewAsk` names (Sentry's events endpoint, as its Explore and Discover
//! pages call it), and how it reads on the card: `37 logs in the last 24 hours`, `0 …` as a
//! finding, the top groups in Sentry's sort. Replies are hostile data: any shape but Sentry's is a
//! problem, never a panic, and labels are bounded text.

use std::collections::HashMap;

use serde_json::Value;

use crate::core::guard::text::bounded;
use crate::core::query::{GroupPart, Period, PreviewAsk, Reading, PREVIEW_GROUPS};
use crate::core::runbook::Dataset;
use crate::core::sentry_api::Problem;

/// A preview is shown from the cache for this long, then asked again.
pub const PREVIEW_TTL_MS: f64 = 60_000.0;
/// Preview requests in flight per tab, at most.
pub const MAX_PREVIEWS_IN_FLIGHT: usize = 4;
/// A group's label is cut here (it is page-like data: shown as text).
const MAX_LABEL_CHARS: usize = 120;

/// One group of a grouped preview: its values joined by ` · `, and its number.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    pub value: f64,
}

/// What one request said.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Total(f64),
    Groups(Vec<Group>),
}

/// What a card shows: the total and, for a grouped recipe, the top groups.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preview {
    pub count: f64,
    pub groups: Vec<Group>,
}

fn unexpected(what: &'static str) -> Problem {
    Problem::Unexpected { what }
}

/// A number as Sentry writes it in a row: a JSON number, or (int64 columns) a numeric string.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Null => Some(0.0),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

fn label_part(value: Option<&Value>) -> String {
    let text = match value {
        Some(Value::String(s)) if s.is_empty() => "(empty string)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => "(no value)".to_owned(),
    };
    bounded(&text, MAX_LABEL_CHARS).0
}

/// Reads the reply (`{"data": [rows], "meta": …}`) to one preview request.
pub fn read(ask: &PreviewAsk, body: &str) -> Result<Answer, Problem> {
    let json: Value =
        serde_json::from_str(body).map_err(|_| unexpected("a reply that is not JSON"))?;
    let Some(Value::Array(rows)) = json.get("data") else {
        return Err(unexpected("a table without data"));
    };
    match &ask.reading {
        Reading::Total { value } => match rows.first() {
            // No row: nothing matched (Sentry answers an empty table when no project is left).
            None => Ok(Answer::Total(0.0)),
            Some(row) => row
                .get(value)
                .and_then(number)
                .map(Answer::Total)
                .ok_or(unexpected("a total that is not a number")),
        },
        Reading::Groups { value, columns } => {
            let mut groups = Vec::new();
            for row in rows.iter().take(PREVIEW_GROUPS) {
                let number = row
                    .get(value)
                    .and_then(number)
                    .ok_or(unexpected("a group without its number"))?;
                let label: Vec<String> = columns
                    .iter()
                    .map(|part| match part {
                        GroupPart::Column(column) => label_part(row.get(column)),
                        GroupPart::Fixed(text) => text.clone(),
                    })
                    .collect();
                groups.push(Group {
                    label: label.join(" · "),
                    value: number,
                });
            }
            Ok(Answer::Groups(groups))
        }
    }
}

/// A card's preview from the answers to its requests, in their order: totals add up (a metrics
/// recipe asks one per metric), groups merge and the top five by value stay (Sentry's sort:
/// descending).
pub fn combine(answers: &[Answer]) -> Preview {
    let mut preview = Preview::default();
    for answer in answers {
        match answer {
            Answer::Total(total) => preview.count += total,
            Answer::Groups(groups) => preview.groups.extend(groups.iter().cloned()),
        }
    }
    preview.groups.sort_by(|a, b| b.value.total_cmp(&a.value));
    preview.groups.truncate(PREVIEW_GROUPS);
    preview
}

/// Sentry's `formatAbbreviatedNumber` (`static/app/utils/formatters.tsx`): `999`, `1K`, `1.5K`,
/// `10.9K`, `11K`, `1.2M`, `3B`; truncated, never rounded up; one decimal only while the leading
/// part is at most 10 and the number is not a round multiple. Below 1,000, at most two decimals.
pub fn abbreviated(n: f64) -> String {
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    for (step, suffix) in [(1e9, "B"), (1e6, "M"), (1e3, "K")] {
        let short = (a / step).floor();
        if short <= 0.0 {
            continue;
        }
        if short > 10.0 || a % step == 0.0 {
            return format!("{sign}{short}{suffix}");
        }
        let tenths = ((a / step) * 10.0).floor() / 10.0;
        return format!("{sign}{tenths}{suffix}");
    }
    exact(n)
}

/// The exact number for a title: thousands separated, at most two decimals (`3,402`, `0.87`).
pub fn exact(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let whole = rounded.trunc().abs();
    let mut digits = format!("{whole:.0}");
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    let fraction = (rounded.abs().fract() * 100.0).round();
    let fraction = if fraction == 0.0 {
        String::new()
    } else if fraction % 10.0 == 0.0 {
        format!(".{}", fraction / 10.0)
    } else {
        format!(".{fraction:02}")
    };
    let sign = if rounded < 0.0 { "-" } else { "" };
    format!("{sign}{digits}{grouped}{fraction}")
}

/// The link's period in words: `the last 24 hours`, `the last 7 days`, `the last hour`.
pub fn period_words(period: &Period) -> String {
    match period {
        Period::Relative(period) => {
            let (amount, unit) = period.split_at(period.len().saturating_sub(1));
            let amount: u64 = amount.parse().unwrap_or(0);
            let unit = match unit {
                "s" => "second",
                "m" => "minute",
                "h" => "hour",
                "d" => "day",
                "w" => "week",
                _ => return format!("the period {period}"),
            };
            match amount {
                1 => format!("the last {unit}"),
                n => format!("the last {n} {unit}s"),
            }
        }
        Period::Absolute { start, end } => format!("{start} to {end}"),
    }
}

/// What the rows of a dataset are called on a card (`37 logs`); metrics show their sum.
pub fn noun(dataset: Dataset, count: f64) -> &'static str {
    let one = count == 1.0;
    match dataset {
        Dataset::Logs if one => "log",
        Dataset::Logs => "logs",
        Dataset::Spans if one => "span",
        Dataset::Spans => "spans",
        Dataset::Errors | Dataset::Issues if one => "error",
        Dataset::Errors | Dataset::Issues => "errors",
        Dataset::Tracemetrics => "in total",
    }
}

/// What a ready card asks to show its answer, and how it words it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PreviewPlan {
    pub asks: Vec<PreviewAsk>,
    pub dataset: Dataset,
    /// The link's period in words (`period_words`).
    pub period: String,
}

impl PreviewPlan {
    pub fn new(asks: Vec<PreviewAsk>, dataset: Dataset, period: &Period) -> Option<Self> {
        (!asks.is_empty()).then(|| Self {
            asks,
            dataset,
            period: period_words(period),
        })
    }

    /// The card's line: `37 logs in the last 24 hours`, `0 errors in the last 7 days`.
    pub fn summary(&self, preview: &Preview) -> String {
        format!(
            "{} {} in {}",
            abbreviated(preview.count),
            noun(self.dataset, preview.count),
            self.period
        )
    }
}

/// Answers kept per request URL for a minute, failures too (so a card that failed is not asked
/// again at every report).
#[derive(Debug, Default)]
pub struct PreviewCache {
    entries: HashMap<String, (f64, Result<Answer, Problem>)>,
}

impl PreviewCache {
    pub fn get(&self, url: &str, now_ms: f64) -> Option<&Result<Answer, Problem>> {
        self.entries
            .get(url)
            .filter(|(at, _)| now_ms - at < PREVIEW_TTL_MS)
            .map(|(_, answer)| answer)
    }

    pub fn put(&mut self, url: String, answer: Result<Answer, Problem>, now_ms: f64) {
        self.entries
            .retain(|_, (at, _)| now_ms - *at < PREVIEW_TTL_MS);
        self.entries.insert(url, (now_ms, answer));
    }

    /// Forgets one card's answers (its refresh control).
    pub fn forget(&mut self, url: &str) {
        self.entries.remove(url);
    }
}

#[cfg(test)]
mod tests;
