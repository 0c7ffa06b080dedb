//! The runbook as data: a typed model of TELEMETRY.md (pivots, recipes, domains, settings, notes).
//! A team that renames a telemetry field edits markdown, never Rust.
//!
//! INTERFACE:
//! - `Runbook::parse(markdown) -> Result<Runbook, Vec<RunbookError>>`, all-or-nothing (`parse.rs`;
//!   the format is TELEMETRY.md's: sections by `##` heading, tables by header name, recipes as the
//!   paragraph before a ```text block).
//! - `Runbook::bundled()`: the copy of TELEMETRY.md shipped in `runbook/`.
//! - `Runbook::warnings()`, `pivot_for_key`, `known_attribute_domains` (`lookup.rs`).
//! - `check_report(markdown)`: the text of the `runbook-check` command (`report.rs`).

mod key_pattern;
mod lookup;
mod markdown;
mod parse;
mod recipe;
mod report;
pub mod slug;
#[cfg(test)]
mod tests;

pub use key_pattern::{KeyMatch, KeyPattern};
pub use lookup::RunbookWarning;
pub use report::check_report;

use serde::{Deserialize, Serialize};

/// Everything Pivot Lens knows about investigating the service, parsed from one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Runbook {
    pub starting_points: Vec<StartingPoint>,
    pub pivots: Vec<Pivot>,
    pub recipes: Vec<Recipe>,
    pub domains: Vec<Domain>,
    pub settings: Vec<Setting>,
    pub notes: Vec<AttributeNote>,
    pub references: Vec<Reference>,
}

impl Runbook {
    /// Parses a runbook document; on any validation error returns every error found, sorted by
    /// position, and no runbook.
    pub fn parse(markdown: &str) -> Result<Runbook, Vec<RunbookError>> {
        parse::parse(markdown)
    }

    /// The runbook shipped with the extension. The test `bundled_runbook_parses` guarantees that
    /// it parses; the empty fallback only keeps a broken build from panicking in the browser.
    pub fn bundled() -> Runbook {
        Self::parse(BUNDLED_MARKDOWN).unwrap_or_default()
    }

    pub fn recipe(&self, id: &str) -> Option<&Recipe> {
        self.recipes.iter().find(|recipe| recipe.id == id)
    }

    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|domain| domain.id == id)
    }
}

/// A row of "Where To Query".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartingPoint {
    pub symptom: String,
    pub surface: String,
    pub pivots: Vec<KeyPattern>,
    pub answers: String,
    pub next_step: String,
}

/// A row of "Investigation Pivots".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pivot {
    pub key: KeyPattern,
    pub meaning: String,
    /// "issues, logs, spans" split on commas.
    pub found_in: Vec<String>,
    pub first_query: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataset {
    Logs,
    Spans,
    Tracemetrics,
    Issues,
    Errors,
}

impl Dataset {
    pub const ALL: [Dataset; 5] = [
        Dataset::Logs,
        Dataset::Spans,
        Dataset::Tracemetrics,
        Dataset::Issues,
        Dataset::Errors,
    ];

    /// The name as written after `dataset=`.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Logs => "logs",
            Dataset::Spans => "spans",
            Dataset::Tracemetrics => "tracemetrics",
            Dataset::Issues => "issues",
            Dataset::Errors => "errors",
        }
    }

    pub fn from_name(name: &str) -> Option<Dataset> {
        Self::ALL.into_iter().find(|dataset| dataset.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
}

/// `aggregate=sum(value) by a,b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub function: String,
    pub argument: String,
    pub group_by: Vec<String>,
}

/// How a placeholder's value is transformed before it goes into a key or value
/// (the runbook's notes say e.g. "the skill id with `-` replaced by `_`").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replace {
    pub from: String,
    pub to: String,
}

/// A placeholder of a recipe and the pivot that fills it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The placeholder name as written (`trace_id`, `route`, `skill`).
    pub placeholder: String,
    /// The canonical pivot key that supplies its value (`trace_id`, `http.route`, `app.consent.skill`).
    pub pivot: String,
    /// True when the placeholder sits inside a key pattern rather than a value.
    pub in_key: bool,
    pub transform: Option<Replace>,
}

/// A query recipe: the sentence before a ```text block, and the block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// Contract id: slug of the title.
    pub id: String,
    pub title: String,
    pub dataset: Dataset,
    /// The query exactly as written between the quotes.
    pub query: String,
    pub fields: Vec<String>,
    pub sort: Vec<SortKey>,
    pub aggregate: Option<Aggregate>,
    pub bindings: Vec<Binding>,
    /// Paragraphs after the block that belong to it.
    pub notes: Vec<String>,
    /// 1-based line of the code block in the runbook.
    pub line: usize,
}

/// A `### Domain` under "Domains": one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    /// Contract id: slug of the heading.
    pub id: String,
    pub title: String,
    pub symptom: String,
    pub metrics: Vec<String>,
    /// `Spans:` is prose in the runbook ("tool call spans and downstream Sentry API spans").
    pub spans: Option<String>,
    pub attributes: Vec<KeyPattern>,
    pub notes: Vec<String>,
}

/// A row of "Configuration".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub name: String,
    pub controls: String,
    pub default: String,
}

/// A bullet of "Attribute Notes"; `keys` are the backticked attribute keys or namespaces it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeNote {
    pub text: String,
    pub keys: Vec<String>,
}

/// A bullet of "References"; relative paths resolve against the sentry-mcp repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub title: String,
    pub url: String,
    /// The host the link really opens, shown next to the title (the title is the author's claim).
    pub host: String,
}

/// A validation error, always with a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for RunbookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// The runbook bundled with the extension.
pub const BUNDLED_MARKDOWN: &str = include_str!("../../../runbook/TELEMETRY.md");
