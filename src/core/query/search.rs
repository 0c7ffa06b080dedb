//! Sentry's search syntax (reference: docs/sentry-urls.md §5): a real grammar, not string surgery.
//!
//! - `parse(text) -> Result<Query, SearchError>`: `key:value`, quoted values with `\"` escapes,
//!   `OR`/`AND` (AND binds tighter; juxtaposition is AND), parentheses, `has:`, `!`, comparisons
//!   (`:>`, `:<`, `:>=`, `:<=`), lists `[a,b]`, free text, and `<placeholder>` inside values and keys.
//! - `Query::placeholders()`: every placeholder use, with the filter key it sits in.
//! - `Query::to_string()` (Display): canonical text that parses back to the same `Query`.
//! - `Query::fill(lookup)`: placeholders replaced by validated, always-quoted values (security.md URL-2).
//!
//! Grammar (recursive descent, one function per rule):
//! ```text
//! or    := and ("OR" and)*
//! and   := unary (["AND"] unary)*
//! unary := "(" or ")" | term
//! term  := ["!"] key ":" [op] value | ["!"] "has:" key | free-text
//! value := '"' ('\"' | [^"])* '"' | "[" item ("," item)* "]" | [^\s()"]+
//! ```
//! Value text is kept as Sentry reads it after unquoting: `\"` becomes `"`, every other backslash
//! stays (Sentry only unescapes `\*`, at match time).

use std::fmt::{self, Display};

/// A parse error; `offset` is a byte offset into the parsed text (callers map it to line/column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

/// Where a `<placeholder>` appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderUse {
    /// The placeholder's name, without angle brackets (`trace_id`, `skill`).
    pub name: String,
    /// The key of the filter it appears in, as written (`trace_id`, `app.consent.skill.<skill>.granted`).
    pub key: String,
    /// True when the placeholder is inside the key (a key pattern), false when inside the value.
    pub in_key: bool,
}

/// A parsed search. An empty search has no root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub root: Option<Expr>,
}

/// Boolean structure. Invariant kept by the parser (and required for a faithful Display): `Or`
/// and `And` have at least two children, an `Or` child is never an `Or`, an `And` child is a
/// `Term` or a `Group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    /// Parentheses as written; kept so the text reads back as the author wrote it.
    Group(Box<Expr>),
    Term(Term),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Filter(Filter),
    /// `has:key` / `!has:key`.
    Has {
        negated: bool,
        key: Key,
    },
    FreeText(Value),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub negated: bool,
    pub key: Key,
    pub operator: Operator,
    pub value: FilterValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equals,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
}

impl Operator {
    fn symbol(self) -> &'static str {
        match self {
            Operator::Equals => "",
            Operator::Greater => ">",
            Operator::Less => "<",
            Operator::GreaterOrEqual => ">=",
            Operator::LessOrEqual => "<=",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    Single(Value),
    /// `key:[a,b]`: "a OR b" on one key.
    List(Vec<Value>),
}

/// A piece of a key or value: literal text or a `<placeholder>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Placeholder(String),
}

/// A filter key such as `http.route`, `tags[x,number]` or `app.consent.skill.<skill>.granted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub parts: Vec<Part>,
}

/// A value; `quoted` records whether it is written `"…"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub quoted: bool,
    pub parts: Vec<Part>,
}

impl Key {
    /// A key without placeholders.
    pub fn literal(text: &str) -> Key {
        Key {
            parts: vec![Part::Text(text.to_owned())],
        }
    }

    /// The key's text when it has no placeholder.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(text)] => Some(text),
            _ => None,
        }
    }
}

impl Value {
    /// The literal text the value matches: placeholders as `<name>`, `\*` read as `*`.
    pub fn unescaped(&self) -> String {
        render_parts(&self.parts).replace("\\*", "*")
    }
}

/// Merges adjacent text and drops empty text, so equal content compares equal.
fn normalize_parts(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (_, Part::Text(text)) if text.is_empty() => {}
            (Some(Part::Text(previous)), Part::Text(text)) => previous.push_str(&text),
            (_, part) => out.push(part),
        }
    }
    out
}

fn render_parts(parts: &[Part]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Placeholder(name) => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// Characters of a key besides placeholders (Sentry's key charset plus `tags[key,type]`).
fn is_key_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b'[' | b']' | b',')
}

fn is_placeholder_name_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-')
}

/// Length in bytes of a `<name>` placeholder starting at `text[0]`, if one does.
fn placeholder_len(text: &[u8]) -> Option<usize> {
    if text.first() != Some(&b'<') {
        return None;
    }
    let name_len = text[1..]
        .iter()
        .take_while(|b| is_placeholder_name_char(**b))
        .count();
    (name_len > 0 && text.get(1 + name_len) == Some(&b'>')).then_some(name_len + 2)
}

/// Splits text into literal and placeholder parts.
fn split_placeholders(text: &str) -> Vec<Part> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut index) = (0, 0);
    while index < bytes.len() {
        match placeholder_len(&bytes[index..]) {
            Some(len) => {
                parts.push(Part::Text(text[start..index].to_owned()));
                parts.push(Part::Placeholder(
                    text[index + 1..index + len - 1].to_owned(),
                ));
                index += len;
                start = index;
            }
            None => index += 1,
        }
    }
    parts.push(Part::Text(text[start..].to_owned()));
    normalize_parts(parts)
}

fn ends_token(byte: u8) -> bool {
    byte.is_ascii_whitespace() || byte == b'(' || byte == b')'
}

/// Parses Sentry search text.
pub fn parse(text: &str) -> Result<Query, SearchError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    parser.skip_space();
    if parser.at_end() {
        return Ok(Query::default());
    }
    let root = parser.or()?;
    parser.skip_space();
    match parser.peek() {
        None => Ok(Query { root: Some(root) }),
        Some(b')') => Err(parser.error("unmatched closing parenthesis")),
        Some(_) => Err(parser.error("unexpected text")),
    }
}

/// Deepest parenthesis nesting accepted; recursion must stay bounded on hostile input
/// (security.md URL-6).
pub const MAX_NESTING: usize = 32;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> SearchError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, offset: usize, message: &str) -> SearchError {
        SearchError {
            offset,
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// True (and consumed) when the next word is exactly `word` (`OR`, `AND`).
    fn keyword(&mut self, word: &str) -> bool {
        let end = self.pos + word.len();
        let matches = self.bytes.get(self.pos..end) == Some(word.as_bytes())
            && self.bytes.get(end).is_none_or(|b| ends_token(*b));
        if matches {
            self.pos = end;
        }
        matches
    }

    fn or(&mut self) -> Result<Expr, SearchError> {
        let mut clauses = vec![self.and()?];
        loop {
            self.skip_space();
            let at = self.pos;
            if !self.keyword("OR") {
                break;
            }
            self.skip_space();
            if self.at_end() || self.peek() == Some(b')') {
                return Err(self.error_at(at, "OR needs a condition on both sides"));
            }
            clauses.push(self.and()?);
        }
        Ok(if clauses.len() == 1 {
            clauses.remove(0)
        } else {
            Expr::Or(clauses)
        })
    }

    fn and(&mut self) -> Result<Expr, SearchError> {
        self.skip_space();
        let at = self.pos;
        if self.keyword("OR") || self.keyword("AND") {
            return Err(self.error_at(at, "operator needs a condition on both sides"));
        }
        let mut operands = vec![self.unary()?];
        loop {
            self.skip_space();
            let at = self.pos;
            if self.at_end() || self.peek() == Some(b')') || self.keyword_ahead("OR") {
                break;
            }
            if self.keyword("AND") {
                self.skip_space();
                let operand_missing = self.at_end()
                    || self.peek() == Some(b')')
                    || self.keyword_ahead("OR")
                    || self.keyword_ahead("AND");
                if operand_missing {
                    return Err(self.error_at(at, "AND needs a condition on both sides"));
                }
            }
            operands.push(self.unary()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::And(operands)
        })
    }

    fn keyword_ahead(&mut self, word: &str) -> bool {
        let start = self.pos;
        let found = self.keyword(word);
        self.pos = start;
        found
    }

    fn unary(&mut self) -> Result<Expr, SearchError> {
        if self.peek() != Some(b'(') {
            return self.term().map(Expr::Term);
        }
        let open = self.pos;
        if self.depth == MAX_NESTING {
            return Err(self.error_at(open, "parentheses nested too deeply"));
        }
        self.pos += 1;
        self.skip_space();
        if self.peek() == Some(b')') {
            return Err(self.error_at(open, "empty parentheses"));
        }
        self.depth += 1;
        let inner = self.or()?;
        self.depth -= 1;
        self.skip_space();
        if self.peek() != Some(b')') {
            return Err(self.error_at(open, "unclosed parenthesis"));
        }
        self.pos += 1;
        Ok(Expr::Group(Box::new(inner)))
    }

    fn term(&mut self) -> Result<Term, SearchError> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => return Ok(Term::FreeText(self.quoted_value()?)),
            Some(b')') => return Err(self.error("unmatched closing parenthesis")),
            _ => {}
        }
        let negated = self.peek() == Some(b'!');
        if negated {
            self.pos += 1;
        }
        let key_start = self.pos;
        let key_end = self.scan_key();
        if key_end > key_start && self.bytes.get(key_end) == Some(&b':') {
            let key_text = &self.text[key_start..key_end];
            self.pos = key_end + 1;
            if key_text == "has" {
                return self.has(negated);
            }
            let key = Key {
                parts: split_placeholders(key_text),
            };
            let operator = self.operator();
            let value = self.filter_value(operator)?;
            return Ok(Term::Filter(Filter {
                negated,
                key,
                operator,
                value,
            }));
        }
        if negated {
            return Err(self.error_at(start, "expected a filter after !"));
        }
        Ok(Term::FreeText(self.unquoted_value(ends_token)?))
    }

    /// End of the key starting at `pos` (key characters and whole placeholders).
    fn scan_key(&self) -> usize {
        let mut end = self.pos;
        loop {
            match self.bytes.get(end) {
                Some(b) if is_key_char(*b) => end += 1,
                Some(b'<') => match placeholder_len(&self.bytes[end..]) {
                    Some(len) => end += len,
                    None => return end,
                },
                _ => return end,
            }
        }
    }

    fn has(&mut self, negated: bool) -> Result<Term, SearchError> {
        let key_start = self.pos;
        let key_end = self.scan_key();
        if key_end == key_start || self.bytes.get(key_end).is_some_and(|b| !ends_token(*b)) {
            return Err(self.error_at(key_end, "has: needs an attribute key"));
        }
        self.pos = key_end;
        Ok(Term::Has {
            negated,
            key: Key {
                parts: split_placeholders(&self.text[key_start..key_end]),
            },
        })
    }

    fn operator(&mut self) -> Operator {
        let rest = &self.bytes[self.pos..];
        // `key:<name>` is a placeholder value, not "less than".
        if placeholder_len(rest).is_some() {
            return Operator::Equals;
        }
        let (operator, len) = match rest {
            [b'>', b'=', ..] => (Operator::GreaterOrEqual, 2),
            [b'<', b'=', ..] => (Operator::LessOrEqual, 2),
            [b'>', ..] => (Operator::Greater, 1),
            [b'<', ..] => (Operator::Less, 1),
            _ => (Operator::Equals, 0),
        };
        self.pos += len;
        operator
    }

    fn filter_value(&mut self, operator: Operator) -> Result<FilterValue, SearchError> {
        match self.peek() {
            Some(b'"') => Ok(FilterValue::Single(self.quoted_value()?)),
            Some(b'[') if operator == Operator::Equals => self.list(),
            _ => Ok(FilterValue::Single(self.unquoted_value(ends_token)?)),
        }
    }

    fn list(&mut self) -> Result<FilterValue, SearchError> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            let item = if self.peek() == Some(b'"') {
                self.quoted_value_in(|b| b == b',' || b == b']' || b.is_ascii_whitespace())?
            } else {
                self.unquoted_value(|b| ends_token(b) || b == b',' || b == b']')?
            };
            items.push(item);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error_at(open, "unclosed list")),
            }
        }
        if self.peek().is_some_and(|b| !ends_token(b)) {
            return Err(self.error("unexpected text after list"));
        }
        Ok(FilterValue::List(items))
    }

    fn quoted_value(&mut self) -> Result<Value, SearchError> {
        self.quoted_value_in(ends_token)
    }

    /// `"…"` with `\"` escapes; `may_follow` says which bytes may come right after the closing quote.
    fn quoted_value_in(&mut self, may_follow: impl Fn(u8) -> bool) -> Result<Value, SearchError> {
        let open = self.pos;
        let mut text = String::new();
        let mut index = open + 1;
        let mut chunk_start = index;
        loop {
            match self.bytes.get(index) {
                None => return Err(self.error_at(open, "unterminated quote")),
                Some(b'\\') if self.bytes.get(index + 1) == Some(&b'"') => {
                    text.push_str(&self.text[chunk_start..index]);
                    text.push('"');
                    index += 2;
                    chunk_start = index;
                }
                Some(b'"') => break,
                Some(_) => index += 1,
            }
        }
        text.push_str(&self.text[chunk_start..index]);
        self.pos = index + 1;
        if self.peek().is_some_and(|b| !may_follow(b)) {
            return Err(self.error("unexpected text after closing quote"));
        }
        Ok(Value {
            quoted: true,
            parts: split_placeholders(&text),
        })
    }

    fn unquoted_value(&mut self, ends: impl Fn(u8) -> bool) -> Result<Value, SearchError> {
        let start = self.pos;
        while let Some(byte) = self.peek() {
            if ends(byte) {
                break;
            }
            if byte == b'"' {
                return Err(self.error("unexpected quote inside a value; quote the whole value"));
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("missing value"));
        }
        Ok(Value {
            quoted: false,
            parts: split_placeholders(&self.text[start..self.pos]),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Display

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.root {
            Some(root) => root.fmt(f),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(clauses) => write_joined(f, clauses, " OR ", |e| matches!(e, Expr::Or(_))),
            Expr::And(operands) => write_joined(f, operands, " ", |e| {
                matches!(e, Expr::Or(_) | Expr::And(_))
            }),
            Expr::Group(inner) => write!(f, "({inner})"),
            Expr::Term(term) => term.fmt(f),
        }
    }
}

/// Writes `items` with `separator`, parenthesizing children that would otherwise change meaning
/// (only reachable for hand-built trees that break the `Expr` invariant).
fn write_joined(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    separator: &str,
    needs_parentheses: impl Fn(&Expr) -> bool,
) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        if needs_parentheses(item) {
            write!(f, "({item})")?;
        } else {
            item.fmt(f)?;
        }
    }
    Ok(())
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Filter(filter) => filter.fmt(f),
            Term::Has { negated, key } => write!(f, "{}has:{key}", if *negated { "!" } else { "" }),
            Term::FreeText(value) => value.fmt(f),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negation = if self.negated { "!" } else { "" };
        write!(f, "{negation}{}:{}", self.key, self.operator.symbol())?;
        match &self.value {
            FilterValue::Single(value) => value.fmt(f),
            FilterValue::List(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    item.fmt(f)?;
                }
                f.write_str("]")
            }
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_parts(&self.parts))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = render_parts(&self.parts);
        if self.quoted || text.is_empty() {
            write!(f, "\"{}\"", text.replace('"', "\\\""))
        } else {
            f.write_str(&text)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Walking and rewriting

impl Query {
    /// Every placeholder use, in reading order.
    pub fn placeholders(&self) -> Vec<PlaceholderUse> {
        let mut uses = Vec::new();
        let no_key = Key { parts: Vec::new() };
        for term in self.terms() {
            // Free text has no key; its placeholders are reported with an empty one.
            let (key, values): (&Key, Vec<&Value>) = match term {
                Term::Filter(filter) => (&filter.key, filter.value.items()),
                Term::Has { key, .. } => (key, Vec::new()),
                Term::FreeText(value) => (&no_key, vec![value]),
            };
            let key_text = key.to_string();
            let in_key = key.parts.iter().map(|part| (part, true));
            let in_values = values
                .into_iter()
                .flat_map(|v| v.parts.iter())
                .map(|part| (part, false));
            for (part, in_key) in in_key.chain(in_values) {
                if let Part::Placeholder(name) = part {
                    uses.push(PlaceholderUse {
                        name: name.clone(),
                        key: key_text.clone(),
                        in_key,
                    });
                }
            }
        }
        uses
    }

    /// The terms in reading order.
    pub fn terms(&self) -> Vec<&Term> {
        fn walk<'a>(expr: &'a Expr, out: &mut Vec<&'a Term>) {
            match expr {
                Expr::Or(children) | Expr::And(children) => {
                    children.iter().for_each(|c| walk(c, out))
                }
                Expr::Group(inner) => walk(inner, out),
                Expr::Term(term) => out.push(term),
            }
        }
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            walk(root, &mut out);
        }
        out
    }

    /// A copy with every term rewritten by `rewrite` (the structure is kept).
    pub fn map_terms(&self, rewrite: &dyn Fn(&Term) -> Term) -> Query {
        match self.try_map_terms::<std::convert::Infallible>(&|term| Ok(rewrite(term))) {
            Ok(query) => query,
            Err(never) => match never {},
        }
    }

    /// A copy with every term rewritten by `rewrite`, stopping at its first error.
    pub fn try_map_terms<E>(&self, rewrite: &dyn Fn(&Term) -> Result<Term, E>) -> Result<Query, E> {
        fn walk<E>(expr: &Expr, rewrite: &dyn Fn(&Term) -> Result<Term, E>) -> Result<Expr, E> {
            let all = |children: &[Expr]| {
                children
                    .iter()
                    .map(|c| walk(c, rewrite))
                    .collect::<Result<Vec<_>, E>>()
            };
            Ok(match expr {
                Expr::Or(children) => Expr::Or(all(children)?),
                Expr::And(children) => Expr::And(all(children)?),
                Expr::Group(inner) => Expr::Group(Box::new(walk(inner, rewrite)?)),
                Expr::Term(term) => Expr::Term(rewrite(term)?),
            })
        }
        Ok(Query {
            root: self
                .root
                .as_ref()
                .map(|root| walk(root, rewrite))
                .transpose()?,
        })
    }

    /// A copy with every filter and `has:` key rewritten by `rename`.
    pub fn map_keys(&self, rename: &dyn Fn(&Key) -> Key) -> Query {
        self.map_terms(&|term| match term {
            Term::Filter(filter) => Term::Filter(Filter {
                key: rename(&filter.key),
                ..filter.clone()
            }),
            Term::Has { negated, key } => Term::Has {
                negated: *negated,
                key: rename(key),
            },
            Term::FreeText(_) => term.clone(),
        })
    }

    /// The top-level OR clauses (the query itself when it has no top-level OR); a clause that is
    /// a parenthesized OR on its own is opened up too.
    pub fn or_clauses(&self) -> Vec<Query> {
        fn open(expr: &Expr) -> Vec<Expr> {
            match expr {
                Expr::Or(children) => children.iter().flat_map(open).collect(),
                Expr::Group(inner) if matches!(**inner, Expr::Or(_) | Expr::Group(_)) => {
                    open(inner)
                }
                other => vec![other.clone()],
            }
        }
        match &self.root {
            Some(root) => open(root)
                .into_iter()
                .map(|clause| Query { root: Some(clause) })
                .collect(),
            None => vec![Query::default()],
        }
    }

    /// Splits off the top-level AND terms for which `take` is true: `(rest, taken)`. Terms under
    /// an OR or inside parentheses are never taken, because removing them would change meaning.
    pub fn take_top_level(&self, take: &dyn Fn(&Term) -> bool) -> (Query, Vec<Term>) {
        let operands: Vec<Expr> = match &self.root {
            None => return (Query::default(), Vec::new()),
            Some(Expr::And(operands)) => operands.clone(),
            Some(other) => vec![other.clone()],
        };
        let mut taken = Vec::new();
        let mut kept = Vec::new();
        for operand in operands {
            match operand {
                Expr::Term(term) if take(&term) => taken.push(term),
                other => kept.push(other),
            }
        }
        let root = match kept.len() {
            0 => None,
            1 => kept.pop(),
            _ => Some(Expr::And(kept)),
        };
        (Query { root }, taken)
    }

    /// The query without the terms that use a placeholder `known` has no value for (a page that
    /// does not know `<skill>` cannot filter by `app.consent.skill.<skill>.granted`): an OR keeps
    /// the branches left, an AND the operands left, parentheses stay around what remains, and an
    /// OR, AND or group with nothing left goes as a whole. What remains is the author's query for
    /// what the page knows; each term left out only widens it.
    pub fn without_unknown(&self, known: &dyn Fn(&str) -> bool) -> Pruned {
        fn prune(
            expr: &Expr,
            known: &dyn Fn(&str) -> bool,
            dropped: &mut Vec<String>,
        ) -> Option<Expr> {
            let kept = |children: &[Expr], dropped: &mut Vec<String>| -> Vec<Expr> {
                children
                    .iter()
                    .filter_map(|c| prune(c, known, dropped))
                    .collect()
            };
            match expr {
                Expr::Term(term) => {
                    let uses = Query {
                        root: Some(expr.clone()),
                    }
                    .placeholders();
                    if uses.iter().all(|used| known(&used.name)) {
                        Some(expr.clone())
                    } else {
                        dropped.push(match term {
                            Term::Filter(Filter { key, .. }) | Term::Has { key, .. } => {
                                key.to_string()
                            }
                            Term::FreeText(value) => value.to_string(),
                        });
                        None
                    }
                }
                Expr::Group(inner) => {
                    prune(inner, known, dropped).map(|e| Expr::Group(Box::new(e)))
                }
                Expr::Or(children) => collapse(kept(children, dropped), Expr::Or),
                Expr::And(children) => collapse(kept(children, dropped), Expr::And),
            }
        }
        fn collapse(mut kept: Vec<Expr>, join: fn(Vec<Expr>) -> Expr) -> Option<Expr> {
            match kept.len() {
                0 => None,
                1 => kept.pop(),
                _ => Some(join(kept)),
            }
        }
        let mut dropped = Vec::new();
        let root = self
            .root
            .as_ref()
            .and_then(|root| prune(root, known, &mut dropped));
        Pruned {
            query: Query { root },
            dropped,
        }
    }

    /// Replaces every placeholder with the value `lookup` gives for its name. Values go through
    /// `quote_value`'s rules and are always quoted; placeholders in keys accept only `[a-zA-Z0-9_.-]`.
    pub fn fill(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Query, FillError> {
        let mut missing: Vec<String> = Vec::new();
        for used in self.placeholders() {
            if lookup(&used.name).is_none() && !missing.contains(&used.name) {
                missing.push(used.name);
            }
        }
        if !missing.is_empty() {
            return Err(FillError::Missing(missing));
        }
        let substitute = |parts: &[Part], in_key: bool| -> Result<Vec<Part>, FillError> {
            let filled = parts.iter().map(|part| match part {
                Part::Text(_) => Ok(part.clone()),
                Part::Placeholder(name) => {
                    let raw = lookup(name).unwrap_or_default();
                    let checked = if in_key {
                        check_key_segment(&raw)
                    } else {
                        escape_value_text(&raw)
                    };
                    checked.map(Part::Text).map_err(|error| FillError::Invalid {
                        placeholder: name.clone(),
                        message: error.message,
                    })
                }
            });
            Ok(normalize_parts(filled.collect::<Result<_, _>>()?))
        };
        let fill_key = |key: &Key| {
            Ok::<_, FillError>(Key {
                parts: substitute(&key.parts, true)?,
            })
        };
        let fill_value = |value: &Value| {
            let has_placeholder = value
                .parts
                .iter()
                .any(|p| matches!(p, Part::Placeholder(_)));
            Ok(Value {
                quoted: value.quoted || has_placeholder,
                parts: substitute(&value.parts, false)?,
            })
        };
        self.try_map_terms(&|term| {
            Ok(match term {
                Term::Filter(filter) => Term::Filter(Filter {
                    negated: filter.negated,
                    key: fill_key(&filter.key)?,
                    operator: filter.operator,
                    value: match &filter.value {
                        FilterValue::Single(value) => FilterValue::Single(fill_value(value)?),
                        FilterValue::List(items) => FilterValue::List(
                            items.iter().map(fill_value).collect::<Result<_, _>>()?,
                        ),
                    },
                }),
                Term::Has { negated, key } => Term::Has {
                    negated: *negated,
                    key: fill_key(key)?,
                },
                Term::FreeText(value) => Term::FreeText(fill_value(value)?),
            })
        })
    }
}

impl FilterValue {
    pub fn items(&self) -> Vec<&Value> {
        match self {
            FilterValue::Single(value) => vec![value],
            FilterValue::List(items) => items.iter().collect(),
        }
    }
}

/// A query with the terms its values cannot fill left out (`Query::without_unknown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    pub query: Query,
    /// The keys of the terms left out, as written (`app.consent.skill.<skill>.granted`), in
    /// reading order.
    pub dropped: Vec<String>,
}

/// Why `Query::fill` could not produce a complete query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FillError {
    /// Placeholders the lookup had no value for, in order of first use.
    Missing(Vec<String>),
    /// A value that cannot be expressed safely.
    Invalid {
        placeholder: String,
        message: String,
    },
}

impl fmt::Display for FillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FillError::Missing(names) => write!(f, "missing values for <{}>", names.join(">, <")),
            FillError::Invalid {
                placeholder,
                message,
            } => write!(f, "<{placeholder}>: {message}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Quoting (security.md URL-2)

/// A value that cannot be written into a search safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteError {
    pub message: String,
}

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Longest value accepted, in characters (security.md URL-1).
pub const MAX_VALUE_CHARS: usize = 256;

fn refuse(message: &str) -> QuoteError {
    QuoteError {
        message: message.to_owned(),
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text of a quoted value for a literal `raw` (before `"` escaping, which Display does):
/// `*` becomes `\*` so page data never acts as a wildcard.
fn escape_value_text(raw: &str) -> Result<String, QuoteError> {
    if raw.chars().count() > MAX_VALUE_CHARS {
        return Err(refuse("value is longer than 256 characters"));
    }
    if raw.chars().any(char::is_control) {
        return Err(refuse(
            "value contains a control character (newline, tab, NUL, …)",
        ));
    }
    if raw.chars().any(is_bidi_control) {
        return Err(refuse("value contains a bidirectional-text control"));
    }
    // Sentry's quoted-value rule reads `\"` as an escaped quote, so a trailing backslash would
    // swallow the closing quote whatever its count; `\*` is Sentry's escaped star, so a literal
    // backslash before a star cannot be told apart from it.
    if raw.ends_with('\\') {
        return Err(refuse("value ends with a backslash"));
    }
    if raw.contains("\\*") {
        return Err(refuse("value contains a backslash before *"));
    }
    Ok(raw.replace('*', "\\*"))
}

fn check_key_segment(raw: &str) -> Result<String, QuoteError> {
    let valid = !raw.is_empty()
        && raw.len() <= MAX_VALUE_CHARS
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(refuse(
            "a value used inside an attribute key may contain only a-z, A-Z, 0-9, _, . and -",
        ))
    }
}

/// `raw` as a quoted Sentry search value (security.md URL-2), or why it cannot be one.
pub fn quote_value(raw: &str) -> Result<String, QuoteError> {
    let text = escape_value_text(raw)?;
    Ok(Value {
        quoted: true,
        parts: vec![Part::Text(text)],
    }
    .to_string())
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
