//! Attribute keys as each Sentry product spells them: built-in renames (Sentry facts, here in
//! one table) and typed custom attributes (team data, `runbook/attribute-types.json`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::QueryError;
use crate::core::query::search::{Key, Query};
use crate::core::runbook::{Dataset, KeyPattern};

/// The Sentry page a link opens; each reads keys its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Product {
    Logs,
    Spans,
    Metrics,
    /// Discover on the errors dataset.
    Discover,
    IssueStream,
}

impl Product {
    /// Recipe keys that the product knows under another name (docs/sentry-urls.md §5 item 11, §3.4).
    fn renames(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Product::Logs => &[("trace_id", "trace"), ("level", "severity")],
            Product::Spans | Product::Metrics | Product::IssueStream => &[("trace_id", "trace")],
            Product::Discover => &[
                ("event_id", "id"),
                ("trace_id", "trace"),
                ("exception.message", "error.value"),
            ],
        }
    }

    /// The Explore datasets resolve untyped custom keys as strings; Discover and issues do not
    /// take the `tags[key,type]` form.
    fn typed_dataset(self) -> Option<Dataset> {
        match self {
            Product::Logs => Some(Dataset::Logs),
            Product::Spans => Some(Dataset::Spans),
            Product::Metrics => Some(Dataset::Tracemetrics),
            Product::Discover | Product::IssueStream => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum AttributeType {
    Number,
    Boolean,
}

#[derive(Debug, Deserialize)]
struct TypedAttribute {
    key: KeyPattern,
    #[serde(rename = "type")]
    kind: AttributeType,
    #[serde(default)]
    datasets: Vec<Dataset>,
}

#[derive(Debug, Deserialize)]
struct MetricTypes {
    default: String,
    by_name: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct AttributeTypes {
    attributes: Vec<TypedAttribute>,
    metric_type: MetricTypes,
}

const ATTRIBUTE_TYPES_JSON: &str = include_str!("../../../runbook/attribute-types.json");

fn attribute_types() -> Result<&'static AttributeTypes, QueryError> {
    static PARSED: OnceLock<Result<AttributeTypes, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(ATTRIBUTE_TYPES_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| QueryError::Config(format!("runbook/attribute-types.json: {message}")))
}

/// Key spelling for one product.
pub(super) struct KeyStyle {
    product: Product,
    types: &'static AttributeTypes,
}

impl KeyStyle {
    pub(super) fn new(product: Product) -> Result<KeyStyle, QueryError> {
        Ok(KeyStyle {
            product,
            types: attribute_types()?,
        })
    }

    /// `key` as the product spells it: renamed if built in, `tags[key,type]` if typed.
    pub(super) fn key(&self, key: &str) -> String {
        if let Some((_, renamed)) = self.product.renames().iter().find(|(from, _)| *from == key) {
            return (*renamed).to_owned();
        }
        match self.attribute_type(key) {
            Some(AttributeType::Number) => format!("tags[{key},number]"),
            Some(AttributeType::Boolean) => format!("tags[{key},boolean]"),
            None => key.to_owned(),
        }
    }

    fn attribute_type(&self, key: &str) -> Option<AttributeType> {
        let dataset = self.product.typed_dataset()?;
        self.types
            .attributes
            .iter()
            .find(|a| {
                (a.datasets.is_empty() || a.datasets.contains(&dataset))
                    && a.key.matches(key).is_some()
            })
            .map(|a| a.kind)
    }

    pub(super) fn keys(&self, keys: &[String]) -> Vec<String> {
        keys.iter().map(|key| self.key(key)).collect()
    }

    /// The query with every literal key respelled.
    pub(super) fn query(&self, query: &Query) -> Query {
        query.map_keys(&|key| match key.as_literal() {
            Some(text) => Key::literal(&self.key(text)),
            None => key.clone(),
        })
    }
}

/// The trace-metric type (`counter`, `gauge`, `distribution`) of a metric name.
pub(super) fn metric_type(name: &str) -> Result<&'static str, QueryError> {
    let types = &attribute_types()?.metric_type;
    Ok(types.by_name.get(name).unwrap_or(&types.default))
}
