//! A recipe's ```text block (`dataset=… query='…' fields=… sort=… aggregate=fn(arg) by a,b`)
//! and the binding of its placeholders to pivots.

use super::lookup::find_pivot;
use super::markdown::{Inline, Piece};
use super::{Aggregate, Binding, Dataset, KeyPattern, Pivot, Replace, SortKey};
use crate::core::query::search::{self, PlaceholderUse};

/// Longest key or field name accepted (security.md RB-1 field length caps).
pub(super) const MAX_KEY_LEN: usize = 200;
/// Longest query accepted.
pub(super) const MAX_QUERY_LEN: usize = 4_000;
/// Placeholders in one query: more would be unusable, and each is looked up among the pivots.
pub(super) const MAX_PLACEHOLDERS: usize = 20;
/// Keys in one list (`fields=`, `sort=`, a group-by, a note) and items in one markdown list.
pub(super) const MAX_LIST_LEN: usize = 100;

/// Problems listed for one block at most.
const MAX_BLOCK_ERRORS: usize = 20;

/// A problem in a block; `at` is a byte offset into the block's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BlockError {
    pub at: usize,
    pub message: String,
}

impl BlockError {
    fn new(at: usize, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RecipeBlock {
    pub dataset: Dataset,
    pub query: String,
    pub placeholders: Vec<PlaceholderUse>,
    pub fields: Vec<String>,
    pub sort: Vec<SortKey>,
    pub aggregate: Option<Aggregate>,
}

/// One `name=value` of a block, with the offset of its value.
struct Parameter<'a> {
    name: &'a str,
    value: &'a str,
    name_at: usize,
    value_at: usize,
}

/// Reads a block into its parameters, reporting every problem found.
pub(super) fn parse_block(text: &str) -> Result<RecipeBlock, Vec<BlockError>> {
    let mut errors = Vec::new();
    let parameters = split_parameters(text, &mut errors);
    let mut dataset = None;
    let mut query = None;
    let mut fields = Vec::new();
    let mut sort = Vec::new();
    let mut aggregate = None;
    let mut seen: Vec<&str> = Vec::new();
    for parameter in &parameters {
        // A block this broken is not worth listing further; it also bounds the work.
        if errors.len() >= MAX_BLOCK_ERRORS {
            break;
        }
        if seen.contains(&parameter.name) {
            errors.push(BlockError::new(
                parameter.name_at,
                format!("`{}=` is given twice", parameter.name),
            ));
            continue;
        }
        seen.push(parameter.name);
        match parameter.name {
            "dataset" => match Dataset::from_name(parameter.value) {
                Some(found) => dataset = Some(found),
                None => errors.push(BlockError::new(
                    parameter.value_at,
                    format!(
                        "unknown dataset `{}` (expected one of {})",
                        parameter.value,
                        Dataset::ALL.map(Dataset::name).join(", ")
                    ),
                )),
            },
            "query" => query = parse_query(parameter, &mut errors),
            "fields" => fields = key_list(parameter.value, parameter.value_at, &mut errors),
            "sort" => {
                sort = key_list(parameter.value, parameter.value_at, &mut errors)
                    .into_iter()
                    .map(|field| match field.strip_prefix('-') {
                        Some(field) => SortKey { field: field.to_owned(), descending: true },
                        None => SortKey { field, descending: false },
                    })
                    .collect()
            }
            "aggregate" => aggregate = parse_aggregate(parameter, &mut errors),
            other => errors.push(BlockError::new(
                parameter.name_at,
                format!(
                    "unknown recipe parameter `{other}=` (expected dataset, query, fields, sort, aggregate)"
                ),
            )),
        }
    }
    // A block that could not be read has already said why; "no `query=`" would only echo it.
    for required in ["dataset", "query"] {
        if errors.is_empty() && !seen.contains(&required) {
            errors.push(BlockError::new(
                0,
                format!("recipe block has no `{required}=`"),
            ));
        }
    }
    match (dataset, query, errors.is_empty()) {
        (Some(dataset), Some((query, placeholders)), true) => Ok(RecipeBlock {
            dataset,
            query,
            placeholders,
            fields,
            sort,
            aggregate,
        }),
        _ => Err(errors),
    }
}

/// Splits `name=value name='quoted value'` runs. An unquoted value ends at the end of its line
/// or where the next `name=` starts, so `aggregate=sum(value) by a,b` keeps its spaces.
fn split_parameters<'a>(text: &'a str, errors: &mut Vec<BlockError>) -> Vec<Parameter<'a>> {
    let mut parameters = Vec::new();
    let mut at = 0;
    loop {
        at += text[at..].len() - text[at..].trim_start().len();
        if at >= text.len() {
            return parameters;
        }
        let name_at = at;
        let rest = &text[at..];
        if !starts_parameter(rest) {
            let word = rest.split_whitespace().next().unwrap_or(rest);
            // Whatever follows cannot be told apart from the value of a misspelt parameter.
            errors.push(BlockError::new(
                name_at,
                format!("expected `name=value`, found `{word}`"),
            ));
            return parameters;
        }
        let name = rest.split('=').next().unwrap_or(rest);
        let value_at = at + name.len() + 1;
        let (value, value_at, next) = if text[value_at..].starts_with('\'') {
            match closing_quote(&text[value_at + 1..]) {
                Some(len) => (
                    &text[value_at + 1..value_at + 1 + len],
                    value_at + 1,
                    value_at + len + 2,
                ),
                None => {
                    errors.push(BlockError::new(
                        value_at,
                        "unterminated quote: `'` is never closed",
                    ));
                    return parameters;
                }
            }
        } else {
            let len = unquoted_value_len(&text[value_at..]);
            (&text[value_at..value_at + len], value_at, value_at + len)
        };
        parameters.push(Parameter {
            name,
            value,
            name_at,
            value_at,
        });
        at = next;
    }
}

/// The closing `'` is the first one followed by whitespace or the end, so a query may contain
/// an apostrophe inside a word.
fn closing_quote(after_open: &str) -> Option<usize> {
    after_open
        .match_indices('\'')
        .map(|(at, _)| at)
        .find(|&at| {
            after_open[at + 1..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
        })
}

fn unquoted_value_len(rest: &str) -> usize {
    let mut end = rest.len();
    let mut after_space = false;
    for (at, c) in rest.char_indices() {
        // Each word start is examined once, and `starts_parameter` reads only that word: linear.
        if c == '\n' || (after_space && !c.is_whitespace() && starts_parameter(&rest[at..])) {
            end = at;
            break;
        }
        after_space = c.is_whitespace();
    }
    rest[..end].trim_end().len()
}

/// `name=…` where the name is letters, digits and `_`.
fn starts_parameter(text: &str) -> bool {
    let name_len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    name_len > 0 && text[name_len..].starts_with('=')
}

fn parse_query(
    parameter: &Parameter<'_>,
    errors: &mut Vec<BlockError>,
) -> Option<(String, Vec<PlaceholderUse>)> {
    if parameter.value.len() > MAX_QUERY_LEN {
        errors.push(BlockError::new(
            parameter.value_at,
            format!("query is longer than {MAX_QUERY_LEN} bytes"),
        ));
        return None;
    }
    match search::parse(parameter.value) {
        Ok(query) if query.placeholders().len() > MAX_PLACEHOLDERS => {
            errors.push(BlockError::new(
                parameter.value_at,
                format!("query has more than {MAX_PLACEHOLDERS} placeholders"),
            ));
            None
        }
        Ok(query) => Some((parameter.value.to_owned(), query.placeholders())),
        Err(error) => {
            errors.push(BlockError::new(
                parameter.value_at + error.offset,
                format!("query: {}", error.message),
            ));
            None
        }
    }
}

/// `a,b,c`: attribute keys by the key charset (security.md RB-1).
fn key_list(value: &str, value_at: usize, errors: &mut Vec<BlockError>) -> Vec<String> {
    let mut keys = Vec::new();
    let mut at = value_at;
    for (index, item) in value.split(',').enumerate() {
        if index == MAX_LIST_LEN {
            errors.push(BlockError::new(
                at,
                format!("more than {MAX_LIST_LEN} keys"),
            ));
            break;
        }
        let key = item.trim();
        if is_key(key) {
            keys.push(key.to_owned());
        } else {
            errors.push(BlockError::new(
                at,
                format!("`{key}` is not an attribute key"),
            ));
        }
        at += item.len() + 1;
    }
    keys
}

/// Letters, digits, `_ . - * < >` and at most [`MAX_KEY_LEN`] bytes: the shape of every key the
/// runbook names, including families (`app.*`) and patterns (`a.<x>.b`).
pub(super) fn is_key(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_KEY_LEN
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-*<>".contains(c))
}

/// `fn(arg)` or `fn(arg) by a,b`.
fn parse_aggregate(parameter: &Parameter<'_>, errors: &mut Vec<BlockError>) -> Option<Aggregate> {
    let value = parameter.value;
    let (call, group_by) = match value.split_once(" by ") {
        Some((call, group)) => (call.trim(), Some(group)),
        None => (value.trim(), None),
    };
    let parsed = call
        .strip_suffix(')')
        .and_then(|call| call.split_once('('))
        .filter(|(function, argument)| {
            !function.is_empty()
                && function
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && (argument.is_empty() || is_key(argument))
        });
    let Some((function, argument)) = parsed else {
        errors.push(BlockError::new(
            parameter.value_at,
            format!("aggregate `{value}` is not of the form `fn(arg) by a,b`"),
        ));
        return None;
    };
    let group_at = parameter.value_at + value.len() - group_by.map_or(0, str::len);
    let group_by = group_by
        .map(|group| key_list(group, group_at, errors))
        .unwrap_or_default();
    Some(Aggregate {
        function: function.to_owned(),
        argument: argument.to_owned(),
        group_by,
    })
}

/// Binds each placeholder of a query to the pivot that supplies it; returns the bindings, or the
/// placeholders that bind to nothing.
pub(super) fn bind<'u>(
    uses: &'u [PlaceholderUse],
    pivots: &[Pivot],
    notes: &[&Inline],
) -> Result<Vec<Binding>, Vec<&'u PlaceholderUse>> {
    let mut bindings: Vec<Binding> = Vec::new();
    let mut unbound = Vec::new();
    for placeholder in uses {
        let pivot = if placeholder.in_key {
            pattern_pivot(placeholder, pivots)
        } else {
            find_pivot(pivots, &placeholder.key).map(|_| placeholder.key.clone())
        };
        let Some(pivot) = pivot else {
            unbound.push(placeholder);
            continue;
        };
        let transform = notes
            .iter()
            .find_map(|note| note_transform(note, placeholder));
        let binding = Binding {
            placeholder: placeholder.name.clone(),
            pivot,
            in_key: placeholder.in_key,
            transform,
        };
        if !bindings.contains(&binding) {
            bindings.push(binding);
        }
    }
    if unbound.is_empty() {
        Ok(bindings)
    } else {
        Err(unbound)
    }
}

/// `app.consent.skill.<skill>.granted` names the pivot `app.consent.skill`: the text before the
/// placeholder, without its trailing dot, must be a pivot key of the runbook.
fn pattern_pivot(placeholder: &PlaceholderUse, pivots: &[Pivot]) -> Option<String> {
    let open = placeholder.key.find(&format!("<{}>", placeholder.name))?;
    let prefix = placeholder.key[..open].trim_end_matches('.');
    pivots
        .iter()
        .any(|pivot| pivot.key.as_str() == prefix)
        .then(|| prefix.to_owned())
}

/// A note such as "the skill id with `-` replaced by `_` in span attribute keys, such as
/// `app.consent.skill.project_management.granted`" transforms the key placeholder its example
/// fills; without an example, every key placeholder of the recipe.
fn note_transform(note: &Inline, placeholder: &PlaceholderUse) -> Option<Replace> {
    if !placeholder.in_key {
        return None;
    }
    let replace = note.pieces.windows(3).find_map(|window| match window {
        [Piece::Code(from), Piece::Text(between), Piece::Code(to)]
            if between.trim() == "replaced by" =>
        {
            Some(Replace {
                from: from.clone(),
                to: to.clone(),
            })
        }
        _ => None,
    })?;
    let pattern = KeyPattern::new(placeholder.key.clone());
    let examples: Vec<&str> = note
        .code_spans()
        .into_iter()
        .filter(|span| span.contains('.'))
        .collect();
    let applies = examples.is_empty()
        || examples
            .iter()
            .any(|example| pattern.matches(example).is_some());
    applies.then_some(replace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_parameter() {
        let block = parse_block(
            "dataset=tracemetrics query='metric:a http.route:\"<route>\"'\nfields=a,b\nsort=-timestamp,b\naggregate=sum(value) by a,b\n",
        )
        .unwrap();
        assert_eq!(block.dataset, Dataset::Tracemetrics);
        assert_eq!(block.query, "metric:a http.route:\"<route>\"");
        assert_eq!(block.fields, ["a", "b"]);
        assert_eq!(
            block.sort,
            [
                SortKey {
                    field: "timestamp".into(),
                    descending: true
                },
                SortKey {
                    field: "b".into(),
                    descending: false
                }
            ]
        );
        assert_eq!(
            block.aggregate,
            Some(Aggregate {
                function: "sum".into(),
                argument: "value".into(),
                group_by: vec!["a".into(), "b".into()]
            })
        );
    }

    #[test]
    fn reports_offsets_inside_the_block() {
        let errors = parse_block("dataset=logs query='a:\"b'").unwrap_err();
        assert_eq!(errors, [BlockError::new(22, "query: unterminated quote")]);
        let errors = parse_block("dataset=nope query='a' colour=red").unwrap_err();
        assert_eq!(errors.iter().map(|e| e.at).collect::<Vec<_>>(), [8, 23]);
    }
}
