//! Runbook prose on screen: `backticked` spans become <code>, everything stays text (never HTML).

use leptos::prelude::*;

/// Renders `text` with its backticked spans as inline code.
pub fn prose(text: &str) -> impl IntoView {
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            let part = part.to_owned();
            // Odd pieces sit between backticks.
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}
