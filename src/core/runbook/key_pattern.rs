//! Keys as the runbook writes them: exact (`trace_id`), families (`app.oauth.*`, `gen_ai.*`) and
//! patterns with a placeholder (`gen_ai.tool.call.arguments.<key>`, `app.consent.skill.<skill>.granted`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub struct KeyPattern {
    raw: String,
    /// Read once: a page report matches every key it holds against every pattern of the runbook.
    shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Exact,
    /// `prefix*`
    Family,
    /// `prefix<name>suffix`, by the byte offsets of `<` and `>`.
    Placeholder {
        open: usize,
        close: usize,
    },
}

impl Shape {
    fn of(raw: &str) -> Self {
        if raw.ends_with('*') {
            return Self::Family;
        }
        raw.find('<')
            .and_then(|open| Some((open, open + raw[open..].find('>')?)))
            .map_or(Self::Exact, |(open, close)| Self::Placeholder {
                open,
                close,
            })
    }
}

/// How a concrete key matched a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMatch {
    Exact,
    /// Inside a `prefix.*` family.
    Family,
    /// Matched `prefix<name>suffix`; the placeholder's text is `value`.
    Placeholder {
        name: String,
        value: String,
    },
}

impl KeyPattern {
    pub fn new(raw: impl Into<String>) -> Self {
        Self::from(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn is_family(&self) -> bool {
        self.raw.ends_with(".*")
    }

    /// `(prefix, name, suffix)` for `prefix<name>suffix`.
    pub fn placeholder(&self) -> Option<(&str, &str, &str)> {
        let Shape::Placeholder { open, close } = self.shape else {
            return None;
        };
        Some((
            &self.raw[..open],
            &self.raw[open + 1..close],
            &self.raw[close + 1..],
        ))
    }

    /// The text every matching key starts with, and whether it is the whole key (an exact pattern).
    pub fn literal_start(&self) -> (&str, bool) {
        match self.shape {
            Shape::Exact => (&self.raw, true),
            Shape::Family => (&self.raw[..self.raw.len() - 1], false),
            Shape::Placeholder { open, .. } => (&self.raw[..open], false),
        }
    }

    pub fn matches(&self, key: &str) -> Option<KeyMatch> {
        match self.shape {
            Shape::Family => key
                .strip_prefix(&self.raw[..self.raw.len() - 1])
                .filter(|rest| !rest.is_empty())
                .map(|_| KeyMatch::Family),
            Shape::Placeholder { .. } => {
                let (prefix, name, suffix) = self.placeholder()?;
                let value = key.strip_prefix(prefix)?.strip_suffix(suffix)?;
                // One key segment only: `a.<x>.b` must not swallow dots.
                if value.is_empty() || value.contains('.') {
                    return None;
                }
                Some(KeyMatch::Placeholder {
                    name: name.to_owned(),
                    value: value.to_owned(),
                })
            }
            Shape::Exact => (self.raw == key).then_some(KeyMatch::Exact),
        }
    }
}

impl From<String> for KeyPattern {
    fn from(raw: String) -> Self {
        let shape = Shape::of(&raw);
        Self { raw, shape }
    }
}

impl From<KeyPattern> for String {
    fn from(p: KeyPattern) -> Self {
        p.raw
    }
}

impl std::fmt::Display for KeyPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_family_and_placeholder() {
        let exact = KeyPattern::new("trace_id");
        assert_eq!(exact.matches("trace_id"), Some(KeyMatch::Exact));
        assert_eq!(exact.matches("trace_id2"), None);

        let family = KeyPattern::new("app.oauth.*");
        assert_eq!(
            family.matches("app.oauth.probe.reason"),
            Some(KeyMatch::Family)
        );
        assert_eq!(family.matches("app.oauth."), None);
        assert_eq!(family.matches("app.oauthx.y"), None);

        let skill = KeyPattern::new("app.consent.skill.<skill>.granted");
        assert_eq!(
            skill.matches("app.consent.skill.project_management.granted"),
            Some(KeyMatch::Placeholder {
                name: "skill".into(),
                value: "project_management".into()
            })
        );
        assert_eq!(skill.matches("app.consent.skill..granted"), None);
        assert_eq!(skill.matches("app.consent.skill.a.b.granted"), None);
        assert_eq!(skill.matches("app.consent.skill"), None);

        let args = KeyPattern::new("gen_ai.tool.call.arguments.<key>");
        assert_eq!(
            args.matches("gen_ai.tool.call.arguments.query"),
            Some(KeyMatch::Placeholder {
                name: "key".into(),
                value: "query".into()
            })
        );
    }
}
