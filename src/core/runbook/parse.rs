//! TELEMETRY.md → [`Runbook`]. Sections are found by heading text and tables by header names, so
//! a team may reorder sections, columns and rows. Every problem is collected with its position;
//! a runbook with any problem yields only the problems.

use std::collections::HashMap;

use pulldown_cmark::HeadingLevel;

use super::markdown::{read_blocks, Block, CodeBlock, Inline, LineIndex, EMPTY_INLINE};
use super::recipe::{self, is_key, MAX_LIST_LEN};
use super::{
    AttributeNote, Domain, KeyPattern, Pivot, Recipe, Reference, Runbook, RunbookError, Setting,
    StartingPoint,
};
use crate::core::runbook::slug::slug;

/// security.md RB-1 bounds.
pub(super) const MAX_MARKDOWN_BYTES: usize = 1_000_000;
pub(super) const MAX_RECIPES: usize = 500;
/// Longest table cell or recipe title accepted.
pub(super) const MAX_TEXT_LEN: usize = 4_000;
/// Rows of one table. With the other caps this keeps every lookup across lists (placeholders ×
/// pivots, group-bys × note keys) small on any 1 MB file.
pub(super) const MAX_TABLE_ROWS: usize = 1_000;

/// Relative reference paths are files of the sentry-mcp repository.
pub(super) const REFERENCE_BASE: &str = "https://github.com/getsentry/sentry-mcp/blob/main/";

const WHERE_TO_QUERY: &str = "Where To Query";
const INVESTIGATION_PIVOTS: &str = "Investigation Pivots";
const QUERY_RECIPES: &str = "Query Recipes";
const DOMAINS: &str = "Domains";
const CONFIGURATION: &str = "Configuration";
const ATTRIBUTE_NOTES: &str = "Attribute Notes";
const REFERENCES: &str = "References";

pub(super) fn parse(markdown: &str) -> Result<Runbook, Vec<RunbookError>> {
    if markdown.len() > MAX_MARKDOWN_BYTES {
        return Err(vec![RunbookError {
            line: 1,
            column: 1,
            message: format!("runbook is larger than {MAX_MARKDOWN_BYTES} bytes"),
        }]);
    }
    let blocks = read_blocks(markdown);
    let sections = split_sections(&blocks, HeadingLevel::H2);
    let mut errors = Errors::new(markdown);
    let mut section = |name, required| find_section(&sections, name, required, &mut errors);
    let [where_to_query, investigation_pivots, query_recipes, domains] =
        [WHERE_TO_QUERY, INVESTIGATION_PIVOTS, QUERY_RECIPES, DOMAINS]
            .map(|name| section(name, true));
    let [configuration, attribute_notes, references] =
        [CONFIGURATION, ATTRIBUTE_NOTES, REFERENCES].map(|name| section(name, false));

    let pivots = investigation_pivots
        .map(|s| parse_pivots(s, &mut errors))
        .unwrap_or_default();
    let runbook = Runbook {
        starting_points: where_to_query
            .map(|s| parse_starting_points(s, &mut errors))
            .unwrap_or_default(),
        recipes: query_recipes
            .map(|s| parse_recipes(s, &pivots, &mut errors))
            .unwrap_or_default(),
        domains: domains
            .map(|s| parse_domains(s, &mut errors))
            .unwrap_or_default(),
        settings: configuration
            .map(|s| parse_settings(s, &mut errors))
            .unwrap_or_default(),
        notes: attribute_notes
            .map(|s| parse_notes(s, &mut errors))
            .unwrap_or_default(),
        references: references
            .map(|s| parse_references(s, &mut errors))
            .unwrap_or_default(),
        pivots,
    };
    if errors.found.is_empty() {
        Ok(runbook)
    } else {
        Err(errors.into_list())
    }
}

/// Errors listed one by one; the rest are only counted, so that a garbage file cannot make the
/// report (and the column counting behind it) grow without bound (security.md RB-1).
pub(super) const MAX_LISTED_ERRORS: usize = 100;

struct Errors<'a> {
    lines: LineIndex<'a>,
    found: Vec<RunbookError>,
    /// Offset of the first error not listed, and how many were not listed.
    unlisted: Option<(usize, usize)>,
}

impl<'a> Errors<'a> {
    fn new(markdown: &'a str) -> Self {
        Self {
            lines: LineIndex::new(markdown),
            found: Vec::new(),
            unlisted: None,
        }
    }

    fn at(&mut self, offset: usize, message: impl Into<String>) {
        if self.found.len() >= MAX_LISTED_ERRORS {
            let (_, count) = self.unlisted.get_or_insert((offset, 0));
            *count += 1;
            return;
        }
        let (line, column) = self.lines.position(offset);
        self.found.push(RunbookError {
            line,
            column,
            message: message.into(),
        });
    }

    /// All errors by position, the count of unlisted ones last.
    fn into_list(mut self) -> Vec<RunbookError> {
        self.found.sort_by_key(|error| (error.line, error.column));
        if let Some((offset, count)) = self.unlisted {
            let (line, column) = self.lines.position(offset);
            self.found.push(RunbookError {
                line,
                column,
                message: format!("and {count} more errors"),
            });
        }
        self.found
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    /// Records `id` and reports it if an earlier item of the same `kind` had it.
    fn unique(&mut self, seen: &mut HashMap<String, usize>, kind: &str, id: &str, offset: usize) {
        let line = self.line(offset);
        if let Some(first) = seen.insert(id.to_owned(), line) {
            self.at(
                offset,
                format!("duplicated {kind} `{id}` (first on line {first})"),
            );
            seen.insert(id.to_owned(), first);
        }
    }
}

/// The blocks under one heading, up to the next heading of the same or a higher level.
struct Section<'b> {
    heading: &'b Inline,
    blocks: &'b [Block],
}

fn split_sections(blocks: &[Block], level: HeadingLevel) -> Vec<Section<'_>> {
    let starts: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(
            |(_, block)| matches!(block, Block::Heading { level: found, .. } if *found <= level),
        )
        .map(|(index, _)| index)
        .collect();
    starts
        .iter()
        .enumerate()
        .filter_map(|(n, &start)| {
            let end = starts.get(n + 1).copied().unwrap_or(blocks.len());
            match &blocks[start] {
                Block::Heading {
                    level: found,
                    inline,
                } if *found == level => Some(Section {
                    heading: inline,
                    blocks: &blocks[start + 1..end],
                }),
                _ => None,
            }
        })
        .collect()
}

fn find_section<'s, 'b>(
    sections: &'s [Section<'b>],
    name: &str,
    required: bool,
    errors: &mut Errors<'_>,
) -> Option<&'s Section<'b>> {
    let mut matching = sections
        .iter()
        .filter(|section| section.heading.text().eq_ignore_ascii_case(name));
    let first = matching.next();
    for duplicate in matching {
        errors.at(
            duplicate.heading.offset,
            format!("section `## {name}` appears more than once"),
        );
    }
    if first.is_none() && required {
        errors.at(0, format!("missing required section `## {name}`"));
    }
    first
}

/// The rows of the section's first table, with the cells of `columns` in that order, found by
/// header name (case-insensitive) so that columns may be reordered.
fn read_table<'b, const N: usize>(
    section: &Section<'b>,
    columns: [&str; N],
    errors: &mut Errors<'_>,
) -> Vec<([&'b Inline; N], usize)> {
    let section_name = section.heading.text();
    let Some((header, rows)) = section.blocks.iter().find_map(|block| match block {
        Block::Table(rows) => rows.split_first(),
        _ => None,
    }) else {
        errors.at(
            section.heading.offset,
            format!("section `## {section_name}` has no table"),
        );
        return Vec::new();
    };
    let indices = columns.map(|column| {
        header
            .cells
            .iter()
            .position(|cell| cell.text().eq_ignore_ascii_case(column))
    });
    let missing: Vec<String> = columns
        .iter()
        .zip(&indices)
        .filter(|(_, index)| index.is_none())
        .map(|(column, _)| format!("`{column}`"))
        .collect();
    if !missing.is_empty() {
        errors.at(
            header.offset,
            format!(
                "table in `## {section_name}` is missing column(s) {}",
                missing.join(", ")
            ),
        );
        return Vec::new();
    }
    if let Some(extra) = rows.get(MAX_TABLE_ROWS) {
        errors.at(
            extra.offset,
            format!("table in `## {section_name}` has more than {MAX_TABLE_ROWS} rows"),
        );
    }
    rows.iter()
        .take(MAX_TABLE_ROWS)
        .map(|row| {
            let cells = indices.map(|index| {
                index
                    .and_then(|i| row.cells.get(i))
                    .unwrap_or(&EMPTY_INLINE)
            });
            for cell in cells.iter().filter(|cell| cell.text().len() > MAX_TEXT_LEN) {
                errors.at(
                    cell.offset,
                    format!("table cell is longer than {MAX_TEXT_LEN} bytes"),
                );
            }
            (cells, row.offset)
        })
        .collect()
}

/// Keys in a cell: its backticked keys, or its comma-separated words when nothing is backticked.
fn cell_keys(cell: &Inline, errors: &mut Errors<'_>) -> Vec<KeyPattern> {
    let spans = cell.code_spans();
    let text = cell.text();
    let words: Vec<&str> = if spans.is_empty() {
        text.split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect()
    } else {
        spans
    };
    let mut keys = Vec::new();
    for word in words {
        if is_key(word) {
            keys.push(KeyPattern::new(word));
        } else {
            errors.at(cell.offset, format!("`{word}` is not an attribute key"));
        }
    }
    keys
}

fn parse_starting_points(section: &Section<'_>, errors: &mut Errors<'_>) -> Vec<StartingPoint> {
    let columns = [
        "Starting Point",
        "Query Surface",
        "Pivot",
        "Answers",
        "Next Step",
    ];
    read_table(section, columns, errors)
        .into_iter()
        .map(
            |([symptom, surface, pivots, answers, next_step], _)| StartingPoint {
                symptom: symptom.text().to_owned(),
                surface: surface.text().to_owned(),
                pivots: cell_keys(pivots, errors),
                answers: answers.text().to_owned(),
                next_step: next_step.text().to_owned(),
            },
        )
        .collect()
}

fn parse_pivots(section: &Section<'_>, errors: &mut Errors<'_>) -> Vec<Pivot> {
    let mut seen = HashMap::new();
    let mut pivots = Vec::new();
    for ([key, meaning, found_in, first_query], offset) in read_table(
        section,
        ["Pivot", "Meaning", "Found In", "First Query"],
        errors,
    ) {
        let key_text = key.value();
        if !is_key(&key_text) {
            errors.at(key.offset, format!("`{key_text}` is not an attribute key"));
            continue;
        }
        errors.unique(&mut seen, "pivot", &key_text, offset);
        pivots.push(Pivot {
            key: KeyPattern::new(key_text),
            meaning: meaning.text().to_owned(),
            found_in: found_in
                .text()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            first_query: first_query.text().to_owned(),
        });
    }
    pivots
}

/// A code block with the paragraphs around it: the last paragraph before it is its title, the
/// paragraphs after it (up to the next title) are its notes.
struct RecipeSource<'b> {
    title: Option<&'b Inline>,
    block: &'b CodeBlock,
    notes: Vec<&'b Inline>,
}

fn parse_recipes(section: &Section<'_>, pivots: &[Pivot], errors: &mut Errors<'_>) -> Vec<Recipe> {
    let mut sources: Vec<RecipeSource<'_>> = Vec::new();
    let mut paragraphs = Vec::new();
    for block in section.blocks {
        match block {
            Block::Paragraph(inline) => paragraphs.push(inline),
            Block::Code(code) => {
                let title = paragraphs.pop();
                // Paragraphs before the first recipe introduce the section; they belong to no recipe.
                if let Some(previous) = sources.last_mut() {
                    previous.notes.append(&mut paragraphs);
                }
                paragraphs.clear();
                sources.push(RecipeSource {
                    title,
                    block: code,
                    notes: Vec::new(),
                });
            }
            _ => {}
        }
    }
    if let Some(last) = sources.last_mut() {
        last.notes.append(&mut paragraphs);
    }
    if let Some(extra) = sources.get(MAX_RECIPES) {
        errors.at(
            extra.block.offset,
            format!("more than {MAX_RECIPES} recipes"),
        );
        sources.truncate(MAX_RECIPES);
    }
    let mut seen = HashMap::new();
    sources
        .iter()
        .filter_map(|source| parse_recipe(source, pivots, &mut seen, errors))
        .collect()
}

fn parse_recipe(
    source: &RecipeSource<'_>,
    pivots: &[Pivot],
    seen: &mut HashMap<String, usize>,
    errors: &mut Errors<'_>,
) -> Option<Recipe> {
    let code = source.block;
    // The title is checked even when the block is broken, so that both problems are reported.
    let title = recipe_title(source, seen, errors);
    let block = match recipe::parse_block(&code.text) {
        Ok(block) => block,
        Err(block_errors) => {
            for error in block_errors {
                errors.at(code.source_offset(error.at), error.message);
            }
            return None;
        }
    };
    let bindings = match recipe::bind(&block.placeholders, pivots, &source.notes) {
        Ok(bindings) => bindings,
        Err(unbound) => {
            for placeholder in unbound {
                let at = code
                    .text
                    .find(&format!("<{}>", placeholder.name))
                    .unwrap_or(0);
                let place = match placeholder.key.as_str() {
                    "" => "free text".to_owned(),
                    key => format!("`{key}`"),
                };
                errors.at(
                    code.source_offset(at),
                    format!(
                        "placeholder `<{}>` in {place} binds to no pivot of the runbook",
                        placeholder.name
                    ),
                );
            }
            return None;
        }
    };
    let (title, id) = title?;
    Some(Recipe {
        id,
        title,
        dataset: block.dataset,
        query: block.query,
        fields: block.fields,
        sort: block.sort,
        aggregate: block.aggregate,
        bindings,
        notes: source
            .notes
            .iter()
            .map(|note| note.text().to_owned())
            .collect(),
        line: errors.line(code.offset),
    })
}

/// The recipe's title and its contract id.
fn recipe_title(
    source: &RecipeSource<'_>,
    seen: &mut HashMap<String, usize>,
    errors: &mut Errors<'_>,
) -> Option<(String, String)> {
    let offset = source.block.offset;
    let Some(title) = source.title.map(Inline::text) else {
        errors.at(
            offset,
            "recipe block has no title: put its description in a paragraph just before it",
        );
        return None;
    };
    if title.len() > MAX_TEXT_LEN {
        errors.at(
            offset,
            format!("recipe title is longer than {MAX_TEXT_LEN} bytes"),
        );
        return None;
    }
    let id = slug(title);
    if id.is_empty() {
        errors.at(
            offset,
            "recipe title has no letters or digits to make an id from",
        );
        return None;
    }
    errors.unique(seen, "recipe id", &id, offset);
    Some((title.to_owned(), id))
}

fn parse_domains(section: &Section<'_>, errors: &mut Errors<'_>) -> Vec<Domain> {
    let mut seen = HashMap::new();
    let mut domains = Vec::new();
    for scenario in split_sections(section.blocks, HeadingLevel::H3) {
        let title = scenario.heading.text().to_owned();
        let id = slug(&title);
        if id.is_empty() {
            errors.at(
                scenario.heading.offset,
                "domain heading has no letters or digits to make an id from",
            );
            continue;
        }
        errors.unique(&mut seen, "domain", &id, scenario.heading.offset);
        let mut domain = Domain {
            id,
            title,
            symptom: String::new(),
            metrics: Vec::new(),
            spans: None,
            attributes: Vec::new(),
            notes: Vec::new(),
        };
        for paragraph in scenario.blocks.iter().filter_map(|block| match block {
            Block::Paragraph(inline) => Some(inline),
            _ => None,
        }) {
            let text = paragraph.text();
            if let Some(spans) = strip_label(text, "Spans:") {
                domain.spans = Some(spans.to_owned());
            } else if strip_label(text, "Metrics:").is_some() {
                domain
                    .metrics
                    .extend(paragraph.code_spans().into_iter().map(String::from));
            } else if strip_label(text, "Attributes:").is_some() {
                domain
                    .attributes
                    .extend(paragraph.code_spans().into_iter().map(KeyPattern::new));
            } else if domain.symptom.is_empty() {
                domain.symptom = text.to_owned();
            } else {
                domain.notes.push(text.to_owned());
            }
        }
        if domain.symptom.is_empty() {
            errors.at(
                scenario.heading.offset,
                format!("domain `{}` has no symptom paragraph", domain.title),
            );
        }
        domains.push(domain);
    }
    domains
}

fn strip_label<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let head = text.get(..label.len())?;
    head.eq_ignore_ascii_case(label)
        .then(|| text[label.len()..].trim())
}

fn parse_settings(section: &Section<'_>, errors: &mut Errors<'_>) -> Vec<Setting> {
    read_table(section, ["Setting", "Controls", "Default"], errors)
        .into_iter()
        .map(|([name, controls, default], _)| Setting {
            name: name.value(),
            controls: controls.text().to_owned(),
            default: default.value(),
        })
        .collect()
}

/// The items of the section's first list.
fn list_items<'b>(section: &Section<'b>, errors: &mut Errors<'_>) -> &'b [Inline] {
    let items = section
        .blocks
        .iter()
        .find_map(|block| match block {
            Block::List(items) => Some(items.as_slice()),
            _ => None,
        })
        .unwrap_or_default();
    if let Some(extra) = items.get(MAX_LIST_LEN) {
        errors.at(
            extra.offset,
            format!(
                "list in `## {}` has more than {MAX_LIST_LEN} items",
                section.heading.text()
            ),
        );
    }
    &items[..items.len().min(MAX_LIST_LEN)]
}

fn parse_notes(section: &Section<'_>, errors: &mut Errors<'_>) -> Vec<AttributeNote> {
    let mut notes = Vec::new();
    for item in list_items(section, errors) {
        // Attribute keys and namespaces are dotted; this drops values (`search_tools`) and file
        // paths (`docs/…`) that notes also backtick.
        let keys: Vec<String> = item
            .code_spans()
            .into_iter()
            .filter(|span| span.contains('.') && is_key(span))
            .map(String::from)
            .collect();
        if keys.len() > MAX_LIST_LEN {
            errors.at(
                item.offset,
                format!("note names more than {MAX_LIST_LEN} keys"),
            );
        }
        notes.push(AttributeNote {
            text: item.text().to_owned(),
            keys,
        });
    }
    notes
}

fn parse_references(section: &Section<'_>, errors: &mut Errors<'_>) -> Vec<Reference> {
    let mut references = Vec::new();
    for item in list_items(section, errors) {
        let targets: Vec<(String, String)> = if item.links.is_empty() {
            vec![(item.value(), item.value())]
        } else {
            item.links
                .iter()
                .map(|link| (link.title.clone(), link.url.clone()))
                .collect()
        };
        for (title, target) in targets {
            match resolve_reference(&target) {
                Ok((url, host)) => references.push(Reference { title, url, host }),
                Err(message) => errors.at(item.offset, message),
            }
        }
    }
    references
}

/// Hosts a reference may open (security.md RB-4): Sentry's docs and sentry.io with its
/// organization subdomains, the runbook's repository host, and the OpenTelemetry specifications
/// the bundled runbook cites. Static: the parser does not see the settings, so a self-hosted
/// Sentry's host cannot be added.
const REFERENCE_HOSTS: [&str; 4] = [
    "docs.sentry.io",
    "sentry.io",
    "github.com",
    "opentelemetry.io",
];

/// The URL and the host it opens, or why it is refused. https links to an allowlisted host on the
/// default port stay; repository paths resolve against [`REFERENCE_BASE`]; anything else (other
/// schemes, userinfo that makes the title's host a user name, IP literals, prose) is refused.
fn resolve_reference(target: &str) -> Result<(String, String), String> {
    let Some(rest) = target.strip_prefix("https://") else {
        return if is_repository_path(target) {
            let path = target.trim_start_matches("./").trim_start_matches('/');
            Ok((format!("{REFERENCE_BASE}{path}"), "github.com".to_owned()))
        } else {
            Err(format!(
                "reference `{target}` is neither an https link nor a repository path"
            ))
        };
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err(format!(
            "reference `{target}` has a user name before its host; give the host alone"
        ));
    }
    if authority.starts_with('[') {
        return Err(format!("reference `{target}` points at an IP address"));
    }
    let (host, port) = authority.split_once(':').unwrap_or((authority, "443"));
    if port != "443" {
        return Err(format!(
            "reference `{target}` uses port {port}; only the https default is allowed"
        ));
    }
    let host = host.to_ascii_lowercase();
    if !host.is_empty() && host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!("reference `{target}` points at an IP address"));
    }
    if !is_reference_host(&host) {
        return Err(format!(
            "reference `{target}` points at `{host}`, which is not one of the allowed hosts \
             ({}, *.sentry.io)",
            REFERENCE_HOSTS.join(", ")
        ));
    }
    Ok((target.to_owned(), host))
}

fn is_reference_host(host: &str) -> bool {
    let plain = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    plain
        && (REFERENCE_HOSTS.contains(&host)
            || host
                .strip_suffix(".sentry.io")
                .is_some_and(|sub| !sub.is_empty()))
}

fn is_repository_path(target: &str) -> bool {
    !target.is_empty()
        && !target.contains(':')
        && !target.contains("..")
        && target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
}
