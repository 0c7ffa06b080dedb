//! The runbook's markdown reduced to the few block shapes it uses (headings, paragraphs, tables,
//! code blocks, lists), each with its byte offset so that every error can name a line and column.
//! Raw HTML is dropped: the runbook is data and is never rendered as HTML (security.md XSS-3).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A piece of inline text: plain text, or the content of a backticked code span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Text(String),
    Code(String),
}

/// A link's visible text and destination, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Link {
    pub title: String,
    pub url: String,
}

/// The inline content of a paragraph, heading, table cell or list item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Inline {
    pub pieces: Vec<Piece>,
    pub links: Vec<Link>,
    pub offset: usize,
    text: String,
}

pub(super) static EMPTY_INLINE: Inline = Inline {
    pieces: Vec::new(),
    links: Vec::new(),
    offset: 0,
    text: String::new(),
};

impl Inline {
    fn at(offset: usize) -> Self {
        Self {
            offset,
            ..Self::default()
        }
    }

    fn push_text(&mut self, text: &str) {
        match self.pieces.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => self.pieces.push(Piece::Text(text.to_owned())),
        }
    }

    /// Called once the inline is complete: renders its text once for all readers.
    fn finish(mut self) -> Self {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Code(code) => {
                    out.push('`');
                    out.push_str(code);
                    out.push('`');
                }
            }
        }
        self.text = out.split_whitespace().collect::<Vec<_>>().join(" ");
        self
    }

    /// The text as the author wrote it, code spans kept in backticks, whitespace runs collapsed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The contents of the code spans, in order.
    pub fn code_spans(&self) -> Vec<&str> {
        self.pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Code(code) => Some(code.as_str()),
                Piece::Text(_) => None,
            })
            .collect()
    }

    /// A cell holding one value: the code span's content when the cell is exactly one code span
    /// (`` `sentry.io` `` → `sentry.io`), else the text. Keeps prose cells readable as written.
    pub fn value(&self) -> String {
        let meaningful: Vec<&Piece> = self
            .pieces
            .iter()
            .filter(|piece| !matches!(piece, Piece::Text(text) if text.trim().is_empty()))
            .collect();
        match meaningful.as_slice() {
            [Piece::Code(code)] => code.trim().to_owned(),
            _ => self.text.clone(),
        }
    }
}

/// A fenced or indented code block; `segments` map offsets in `text` back to the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodeBlock {
    pub text: String,
    pub offset: usize,
    segments: Vec<(usize, usize)>,
}

impl CodeBlock {
    /// The source offset of byte `at` of `text`.
    pub fn source_offset(&self, at: usize) -> usize {
        let index = self
            .segments
            .partition_point(|&(text_start, _)| text_start <= at);
        match index.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(text_start, source_start)) => source_start + (at - text_start),
            None => self.offset,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TableRow {
    pub cells: Vec<Inline>,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    Heading {
        level: HeadingLevel,
        inline: Inline,
    },
    Paragraph(Inline),
    /// The first row is the header.
    Table(Vec<TableRow>),
    Code(CodeBlock),
    List(Vec<Inline>),
}

/// Reads `markdown` into top-level blocks. List items (and anything nested in them) become one
/// inline each; block quotes are transparent.
pub(super) fn read_blocks(markdown: &str) -> Vec<Block> {
    let mut reader = BlockReader::default();
    for (event, range) in Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter() {
        reader.event(event, range.start);
    }
    reader.blocks
}

#[derive(Default)]
struct BlockReader {
    blocks: Vec<Block>,
    /// Inlines being filled; the innermost (heading, paragraph, cell or item) is last.
    inlines: Vec<Inline>,
    list_depth: usize,
    list_items: Vec<Inline>,
    table: Vec<TableRow>,
    row: Option<TableRow>,
    code: Option<CodeBlock>,
    /// Destination and title of the link being read.
    link: Option<Link>,
}

impl BlockReader {
    fn event(&mut self, event: Event<'_>, offset: usize) {
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, offset),
            Event::Code(code) => {
                if let Some(link) = &mut self.link {
                    link.title.push_str(&code);
                }
                if let Some(inline) = self.inlines.last_mut() {
                    inline.pieces.push(Piece::Code(code.into_string()));
                }
            }
            Event::SoftBreak | Event::HardBreak => self.text(" ", offset),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, offset: usize) {
        match tag {
            Tag::Heading { .. } | Tag::TableCell | Tag::Item => {
                self.inlines.push(Inline::at(offset))
            }
            // Paragraphs inside a list item belong to the item.
            Tag::Paragraph if self.list_depth == 0 => self.inlines.push(Inline::at(offset)),
            Tag::Paragraph => self.text(" ", offset),
            Tag::List(_) => self.list_depth += 1,
            Tag::TableHead | Tag::TableRow => {
                self.row = Some(TableRow {
                    cells: Vec::new(),
                    offset,
                })
            }
            Tag::CodeBlock(_) => {
                self.code = Some(CodeBlock {
                    text: String::new(),
                    offset,
                    segments: Vec::new(),
                })
            }
            Tag::Link { dest_url, .. } => {
                self.link = Some(Link {
                    title: String::new(),
                    url: dest_url.into_string(),
                })
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(level) => {
                if let Some(inline) = self.inlines.pop().map(Inline::finish) {
                    self.blocks.push(Block::Heading { level, inline });
                }
            }
            TagEnd::Paragraph if self.list_depth == 0 => {
                if let Some(inline) = self.inlines.pop().map(Inline::finish) {
                    self.blocks.push(Block::Paragraph(inline));
                }
            }
            TagEnd::Item => {
                if let Some(inline) = self.inlines.pop().map(Inline::finish) {
                    self.list_items.push(inline);
                }
            }
            TagEnd::List(_) => {
                self.list_depth = self.list_depth.saturating_sub(1);
                if self.list_depth == 0 {
                    self.blocks
                        .push(Block::List(std::mem::take(&mut self.list_items)));
                }
            }
            TagEnd::TableCell => {
                if let (Some(inline), Some(row)) =
                    (self.inlines.pop().map(Inline::finish), &mut self.row)
                {
                    row.cells.push(inline);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => self.table.extend(self.row.take()),
            TagEnd::Table => self
                .blocks
                .push(Block::Table(std::mem::take(&mut self.table))),
            TagEnd::CodeBlock => self.blocks.extend(self.code.take().map(Block::Code)),
            TagEnd::Link => {
                if let (Some(link), Some(inline)) = (self.link.take(), self.inlines.last_mut()) {
                    inline.links.push(link);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, offset: usize) {
        if let Some(code) = &mut self.code {
            code.segments.push((code.text.len(), offset));
            code.text.push_str(text);
            return;
        }
        if let Some(link) = &mut self.link {
            link.title.push_str(text);
        }
        if let Some(inline) = self.inlines.last_mut() {
            inline.push_text(text);
        }
    }
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub(super) struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self {
            source,
            line_starts,
        }
    }

    pub fn line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .max(1)
    }

    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .source
            .get(line_start..offset)
            .map_or(offset.saturating_sub(line_start), |before| {
                before.chars().count()
            });
        (line, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let index = LineIndex::new("ab\nçd\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(6), (2, 3));
    }

    #[test]
    fn cells_keep_backticks_unless_they_hold_one_value() {
        let blocks = read_blocks("| A | B |\n|---|---|\n| `x.y` | a `b` c |\n");
        let [Block::Table(rows)] = blocks.as_slice() else {
            panic!("{blocks:?}")
        };
        assert_eq!(rows[1].cells[0].value(), "x.y");
        assert_eq!(rows[1].cells[1].value(), "a `b` c");
        assert_eq!(rows[1].cells[1].code_spans(), ["b"]);
    }

    #[test]
    fn code_block_offsets_map_back_to_the_source() {
        let source = "text\n\n```text\nab\ncd\n```\n";
        let blocks = read_blocks(source);
        let [_, Block::Code(code)] = blocks.as_slice() else {
            panic!("{blocks:?}")
        };
        assert_eq!(code.text, "ab\ncd\n");
        assert_eq!(
            &source[code.source_offset(3)..code.source_offset(3) + 2],
            "cd"
        );
    }
}
