//! The text `runbook-check` prints: a summary of a valid runbook, or its line-numbered errors.

use std::fmt::Write;

use super::{Binding, Runbook};

/// `Ok(summary)` for a valid runbook, `Err(one error per line)` otherwise.
pub fn check_report(markdown: &str) -> Result<String, String> {
    match Runbook::parse(markdown) {
        Ok(runbook) => Ok(summary(&runbook)),
        Err(errors) => Err(errors.iter().map(|error| format!("{error}\n")).collect()),
    }
}

fn summary(runbook: &Runbook) -> String {
    let mut out = format!(
        "{} starting points, {} pivots, {} recipes, {} domains, {} settings, {} attribute notes, {} references\n",
        runbook.starting_points.len(),
        runbook.pivots.len(),
        runbook.recipes.len(),
        runbook.domains.len(),
        runbook.settings.len(),
        runbook.notes.len(),
        runbook.references.len(),
    );
    out.push_str("recipes:\n");
    for recipe in &runbook.recipes {
        let bindings: Vec<String> = recipe.bindings.iter().map(describe_binding).collect();
        let bindings = if bindings.is_empty() {
            "no placeholders".to_owned()
        } else {
            bindings.join(", ")
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "  {} [{}, line {}]: {bindings}",
            recipe.id,
            recipe.dataset.name(),
            recipe.line
        );
    }
    let warnings = runbook.warnings();
    if warnings.is_empty() {
        out.push_str("no warnings\n");
    } else {
        out.push_str("warnings:\n");
        for warning in warnings {
            let _ = writeln!(out, "  line {}: {}", warning.line, warning.message);
        }
    }
    out
}

fn describe_binding(binding: &Binding) -> String {
    let position = if binding.in_key { " (in key)" } else { "" };
    let transform = binding
        .transform
        .as_ref()
        .map(|replace| format!(" with `{}` replaced by `{}`", replace.from, replace.to))
        .unwrap_or_default();
    format!(
        "<{}> <- {}{position}{transform}",
        binding.placeholder, binding.pivot
    )
}
