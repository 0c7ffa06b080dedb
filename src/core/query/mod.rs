//! A recipe plus page values → links into the Sentry product that answers it, and the filled
//! recipe as text. Every rule and its evidence: docs/query-translation.md.

mod keys;
mod products;
pub mod search;
mod url;
mod values;

pub use products::{GroupPart, PreviewAsk, Reading, PREVIEW_GROUPS};
pub use url::{direct_link, Deployment, Period, SafeUrl, Scope, MAX_URL_BYTES};

use crate::core::runbook::Recipe;
use search::{FillError, Query};

/// One link, ready to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub label: String,
    pub url: SafeUrl,
}

/// What a recipe turns into for the values at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// True when the recipe has no placeholder, or when at least one of its placeholder-bearing
    /// filters is filled (the others are left out: `dropped`); only then are there links.
    pub ready: bool,
    /// Placeholders without a value, in order of first use: all of them when not ready, else
    /// those of the filters left out (a value typed for one puts its filter back).
    pub missing: Vec<String>,
    /// The filters left out of the offered query, by key as the runbook writes them.
    pub dropped: Vec<String>,
    pub links: Vec<Link>,
    /// The API requests that count what the first link shows (empty when not ready).
    pub previews: Vec<PreviewAsk>,
    /// The offered query in the runbook's own format (the recipe as written when not ready), for
    /// an MCP client or a ticket.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The recipe itself cannot be translated (its query does not parse, or has no metric, …).
    Recipe {
        recipe: String,
        message: String,
    },
    /// A page value that cannot be used safely.
    InvalidValue {
        placeholder: String,
        message: String,
    },
    InvalidScope(String),
    /// A built link failed the final gate (a bug, or an absurdly long value).
    UrlRejected(String),
    /// The bundled attribute table does not parse.
    Config(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::Recipe { recipe, message } => write!(f, "recipe {recipe}: {message}"),
            QueryError::InvalidValue {
                placeholder,
                message,
            } => write!(f, "<{placeholder}>: {message}"),
            QueryError::InvalidScope(message) => write!(f, "scope: {message}"),
            QueryError::UrlRejected(message) => write!(f, "link rejected: {message}"),
            QueryError::Config(message) => f.write_str(message),
        }
    }
}

fn recipe_error(recipe: &Recipe, message: impl Into<String>) -> QueryError {
    QueryError::Recipe {
        recipe: recipe.id.clone(),
        message: message.into(),
    }
}

/// Links for `recipe` with placeholder values from `values` (called with a pivot key such as
/// `trace_id` or `http.route`, through the recipe's bindings), scoped by `scope`.
pub fn build_links(
    recipe: &Recipe,
    values: &dyn Fn(&str) -> Option<String>,
    scope: &Scope,
) -> Result<Links, QueryError> {
    scope.validate()?;
    let query = search::parse(&recipe.query).map_err(|e| recipe_error(recipe, e.to_string()))?;

    // Resolve each placeholder once, so a bad value is reported even when others are missing.
    let mut resolved: Vec<(String, Option<String>)> = Vec::new();
    for used in query.placeholders() {
        if !resolved.iter().any(|(name, _)| *name == used.name) {
            let value = values::placeholder_value(recipe, values, &used.name).map_err(|e| {
                QueryError::InvalidValue {
                    placeholder: e.placeholder,
                    message: e.message,
                }
            })?;
            resolved.push((used.name, value));
        }
    }
    let lookup = |name: &str| {
        resolved
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, value)| value.clone())
    };
    let missing: Vec<String> = resolved
        .iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| name.clone())
        .collect();
    // Partial fill (docs/query-translation.md): the filters the values cannot fill are left out.
    let offered = query.without_unknown(&|name| lookup(name).is_some());
    let ready = resolved.is_empty() || !offered.query.placeholders().is_empty();
    if !ready {
        return Ok(Links {
            ready: false,
            missing,
            dropped: Vec::new(),
            links: Vec::new(),
            previews: Vec::new(),
            text: recipe_text(recipe, &query),
        });
    }
    let filled = offered.query.fill(&lookup).map_err(|error| match error {
        FillError::Invalid {
            placeholder,
            message,
        } => QueryError::InvalidValue {
            placeholder,
            message,
        },
        // Every placeholder left in the offered query has a value.
        FillError::Missing(names) => {
            recipe_error(recipe, format!("no value for <{}>", names.join(">, <")))
        }
    })?;
    let links = products::links(recipe, &filled, scope)?;
    let previews = products::previews(recipe, &filled, scope)?;
    Ok(Links {
        ready: true,
        missing,
        dropped: offered.dropped,
        links,
        previews,
        text: recipe_text(recipe, &filled),
    })
}

/// The recipe in the runbook's format, with `query` as given.
fn recipe_text(recipe: &Recipe, query: &Query) -> String {
    let mut lines = vec![format!("dataset={} query='{query}'", recipe.dataset.name())];
    if !recipe.fields.is_empty() {
        lines.push(format!("fields={}", recipe.fields.join(",")));
    }
    if !recipe.sort.is_empty() {
        let sort: Vec<String> = recipe
            .sort
            .iter()
            .map(|s| format!("{}{}", if s.descending { "-" } else { "" }, s.field))
            .collect();
        lines.push(format!("sort={}", sort.join(",")));
    }
    if let Some(aggregate) = &recipe.aggregate {
        let by = if aggregate.group_by.is_empty() {
            String::new()
        } else {
            format!(" by {}", aggregate.group_by.join(","))
        };
        lines.push(format!(
            "aggregate={}({}){by}",
            aggregate.function, aggregate.argument
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests;
