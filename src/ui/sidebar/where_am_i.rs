//! "Where am I": one line (page kind, organisation, the keys of the page's pivots); and the
//! runbook's starting points that fit this page, lower in the panel.

use leptos::prelude::*;

use super::state::part;
use crate::core::lens::{Lens, StartingPointView};
use crate::ui::text::prose;

/// Starting points shown before "more".
const SHOWN_STARTING_POINTS: usize = 2;
/// Pivot keys named in the one line.
const NAMED_KEYS: usize = 4;

#[component]
pub fn WhereAmI(lens: Memo<Option<Lens>>) -> impl IntoView {
    let shown = part(lens, |l| {
        let mut keys: Vec<String> = Vec::new();
        for pivot in &l.pivots {
            if !keys.contains(&pivot.key) {
                keys.push(pivot.key.clone());
            }
        }
        (l.kind, l.org.clone(), keys)
    });
    move || {
        shown.get().map(|(kind, org, keys)| {
            let org = if org.is_empty() {
                "no organisation".to_owned()
            } else {
                org
            };
            let more_keys = keys.len().saturating_sub(NAMED_KEYS);
            let named = keys
                .into_iter()
                .take(NAMED_KEYS)
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <section class="pl-section pl-where" aria-labelledby="pl-where">
                    <h2 id="pl-where" class="pl-visually-hidden">"Where am I"</h2>
                    <p class="pl-where-line" data-testid="pl-where">
                        <span class="pl-chip">{kind.as_str()}</span>" page · "{org}
                        {(!named.is_empty()).then(|| view! {
                            " · "<code>{named}</code>
                            {(more_keys > 0).then(|| format!(" and {more_keys} more"))}
                        })}
                    </p>
                </section>
            }
        })
    }
}

/// The runbook's starting points that fit this page: the best two, the rest behind "more". Below
/// the queries: they say where an investigation of this kind starts, the queries say what to do.
#[component]
pub fn StartingPoints(lens: Memo<Option<Lens>>) -> impl IntoView {
    let points = part(lens, |l| l.starting_points.clone());
    move || {
        points.get().filter(|p| !p.is_empty()).map(|mut shown| {
            let rest = shown.split_off(SHOWN_STARTING_POINTS.min(shown.len()));
            view! {
                <section class="pl-section" aria-labelledby="pl-starting">
                    <h2 id="pl-starting">"Starting points"</h2>
                    <ul class="pl-starting-points">
                        {shown.into_iter().map(starting_point).collect_view()}
                    </ul>
                    {(!rest.is_empty()).then(|| view! {
                        <details class="pl-more">
                            <summary>{format!("More starting points ({})", rest.len())}</summary>
                            <ul class="pl-starting-points">
                                {rest.into_iter().map(starting_point).collect_view()}
                            </ul>
                        </details>
                    })}
                </section>
            }
        })
    }
}

fn starting_point(point: StartingPointView) -> impl IntoView {
    view! {
        <li>
            <strong>{prose(&point.symptom)}</strong>" → "{prose(&point.surface)}
            {(!point.pivots.is_empty()).then(|| view! { " → pivot on " <code>{point.pivots.join(", ")}</code> })}
            " → "{prose(&point.next_step)}
            <div class="pl-muted">{prose(&point.answers)}</div>
        </li>
    }
}
