//! "Where am I": page kind, organisation, and the runbook's starting points that fit this page.

use leptos::prelude::*;

use super::sidebar::part;
use super::text::prose;
use crate::core::lens::Lens;

#[component]
pub fn WhereAmI(lens: Memo<Option<Lens>>) -> impl IntoView {
    let shown = part(lens, |l| (l.kind, l.org.clone(), l.starting_points.clone()));
    move || {
        shown.get().map(|(kind, org, starting_points)| {
            let org = if org.is_empty() {
                "no organisation".to_owned()
            } else {
                org
            };
            view! {
                <section class="pl-section" aria-labelledby="pl-where">
                    <h2 id="pl-where">"Where am I"</h2>
                    <p><span class="pl-chip">{kind.as_str()}</span>" page · "{org}</p>
                    <ul class="pl-starting-points">
                        {starting_points.into_iter().map(|point| view! {
                            <li>
                                <strong>{prose(&point.symptom)}</strong>" → "{prose(&point.surface)}
                                {(!point.pivots.is_empty()).then(|| view! { " → pivot on " <code>{point.pivots.join(", ")}</code> })}
                                " → "{prose(&point.next_step)}
                                <div class="pl-muted">{prose(&point.answers)}</div>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
