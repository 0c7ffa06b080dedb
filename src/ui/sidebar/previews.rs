//! "Answers before the click": each ready follow-up card in view shows what its query finds.
//! `core::previews` decides what to ask and how the answer reads; the requests take the API reads'
//! line (`api_reads.rs`, the background). At most four at a time per tab, answers kept a minute,
//! nothing while the panel is closed or the card is out of view, nothing when the option or the
//! team policy says no.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::api_reads::{ApiReader, Slots};
use crate::core::lens::RecipeView;
use crate::core::previews::{
    abbreviated, combine, exact, read, Preview, PreviewCache, PreviewPlan, MAX_PREVIEWS_IN_FLIGHT,
};
use crate::core::sentry_api::Problem;

/// The sidebar's handle on previews, shared with every card (`provide_context`, as a local
/// `StoredValue`: it holds the frame's request line).
#[derive(Clone)]
pub struct PreviewLoader {
    api: ApiReader,
    /// The page's result is wholly shown (`Drawing::settled`): cards ask nothing before.
    settled: Signal<bool>,
    /// Why cards ask nothing (the option, the team policy, a practice page), or `None`.
    off: Signal<Option<&'static str>>,
    /// The page's Sentry host and organization.
    page: Memo<Option<(String, String)>>,
    cache: Rc<RefCell<PreviewCache>>,
    slots: Rc<Slots>,
}

/// Why a load gave no preview.
enum Stop {
    Problem(Problem),
    /// Given up (a new page, the panel closed): nothing to show, ask again when seen.
    Dropped,
}

impl From<Problem> for Stop {
    fn from(problem: Problem) -> Self {
        Stop::Problem(problem)
    }
}

impl PreviewLoader {
    pub fn new(
        api: ApiReader,
        settled: Signal<bool>,
        off: Signal<Option<&'static str>>,
        page: Memo<Option<(String, String)>>,
    ) -> Self {
        Self {
            api,
            settled,
            off,
            page,
            cache: Rc::default(),
            slots: Rc::new(Slots::new(MAX_PREVIEWS_IN_FLIGHT)),
        }
    }

    /// The card's preview; `fresh` asks again whatever the cache holds (the refresh control).
    async fn load(&self, plan: &PreviewPlan, fresh: bool) -> Result<Preview, Stop> {
        let (host, org) = self.page.get_untracked().ok_or(Problem::Unexpected {
            what: "a page without its Sentry organization",
        })?;
        let region = self.api.region(&host, &org).await?;
        let mut answers = Vec::new();
        for ask in &plan.asks {
            let url = format!("{region}{}", ask.path);
            if fresh {
                self.cache.borrow_mut().forget(&url);
            }
            let cached = self.cache.borrow().get(&url, js_sys::Date::now()).cloned();
            if let Some(answer) = cached {
                answers.push(answer?);
                continue;
            }
            self.api.check_held()?;
            self.slots.acquire().await;
            let reply = self.api.get(&url).await;
            self.slots.release();
            if reply.failure.as_deref() == Some("aborted") {
                return Err(Stop::Dropped);
            }
            let answer = self.api.body_of(&reply).and_then(|body| read(ask, &body));
            // A rate limit is the tab's wait, not this query's answer.
            if !matches!(answer, Err(Problem::RateLimited { .. })) {
                self.cache
                    .borrow_mut()
                    .put(url, answer.clone(), js_sys::Date::now());
            }
            answers.push(answer?);
        }
        Ok(combine(&answers))
    }
}

#[derive(Clone, PartialEq)]
enum PreviewState {
    Loading,
    Ok(Preview),
    Error(Problem),
    Off(&'static str),
}

impl PreviewState {
    fn as_str(&self) -> &'static str {
        match self {
            PreviewState::Loading => "loading",
            PreviewState::Ok(_) => "ok",
            PreviewState::Error(_) => "error",
            PreviewState::Off(_) => "off",
        }
    }
}

/// A number as `data-count` carries it: exact, no separators.
fn raw(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// An observer and its callback, which must live as long as it does.
type Watch = (
    web_sys::IntersectionObserver,
    Closure<dyn Fn(js_sys::Array)>,
);

/// Calls `seen(true|false)` as `element` comes into or leaves the panel's view.
fn watch_visibility(element: &web_sys::Element, seen: impl Fn(bool) + 'static) -> Option<Watch> {
    let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let visible = entries.iter().any(|entry| {
            entry
                .dyn_into::<web_sys::IntersectionObserverEntry>()
                .is_ok_and(|entry| entry.is_intersecting())
        });
        seen(visible);
    });
    let observer = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(element);
    Some((observer, callback))
}

/// What a ready card's query finds (contract v2 `pl-preview`), asked when the card is first in
/// view and again when its query changes or the engineer asks.
#[component]
pub fn PreviewLine(recipe: Memo<Option<RecipeView>>) -> impl IntoView {
    let Some(loader) = use_context::<StoredValue<PreviewLoader, LocalStorage>>() else {
        return ().into_any();
    };
    let loader = loader.get_value();
    let plan = Memo::new(move |_| {
        recipe.with(|r| {
            r.as_ref()
                .filter(|r| r.ready)
                .and_then(|r| r.preview.clone())
        })
    });
    let state = RwSignal::new(None::<PreviewState>);
    let visible = RwSignal::new(false);
    let refreshes = RwSignal::new(0u32);
    // A load given up (a new page, the panel closed) asks again once the card is in view.
    let dropped = RwSignal::new(0u32);
    // The plan the state belongs to, so a changed query asks again and a scroll does not.
    let asked = StoredValue::new_local(None::<PreviewPlan>);
    let node = NodeRef::<html::Div>::new();
    let observer = StoredValue::new_local(None::<Watch>);
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            if observer.with_value(Option::is_none) {
                observer.set_value(watch_visibility(&element, move |seen| {
                    visible.set(seen);
                }));
            }
        }
    });
    on_cleanup(move || {
        // The callback is dropped with the card, once its observer is disconnected.
        if let Some(Some((observer, _))) = observer.try_update_value(Option::take) {
            observer.disconnect();
        }
    });
    let (off, settled) = (loader.off, loader.settled);
    Effect::new(move |previous_refreshes: Option<u32>| {
        let refreshes_now = refreshes.get();
        let fresh = previous_refreshes.is_some_and(|p| p != refreshes_now);
        dropped.track();
        let Some(plan) = plan.get() else {
            state.set(None);
            return refreshes_now;
        };
        if let Some(reason) = off.get() {
            state.set(Some(PreviewState::Off(reason)));
            return refreshes_now;
        }
        let same = asked.with_value(|a| a.as_ref() == Some(&plan));
        if !settled.get() || !visible.get() || (same && !fresh && state.get_untracked().is_some()) {
            return refreshes_now;
        }
        asked.set_value(Some(plan.clone()));
        state.set(Some(PreviewState::Loading));
        let loader = loader.clone();
        leptos::task::spawn_local(async move {
            let result = loader.load(&plan, fresh).await;
            // A card whose query changed meanwhile shows the newer query's answer only.
            if asked
                .try_with_value(|a| a.as_ref() != Some(&plan))
                .unwrap_or(true)
            {
                return;
            }
            match result {
                Ok(preview) => state.set(Some(PreviewState::Ok(preview))),
                Err(Stop::Problem(problem)) => state.set(Some(PreviewState::Error(problem))),
                Err(Stop::Dropped) => {
                    state.set(None);
                    dropped.update(|n| *n += 1);
                }
            }
        });
        refreshes_now
    });
    let title = move || recipe.with(|r| r.as_ref().map(|r| r.title.clone()).unwrap_or_default());
    let content = move || {
        let current = state.get()?;
        let line = match &current {
            PreviewState::Loading => view! { <span class="pl-muted">"Counting…"</span> }.into_any(),
            PreviewState::Off(reason) => {
                view! { <span class="pl-muted">{*reason}</span> }.into_any()
            }
            PreviewState::Error(problem) => view! {
                <span class="pl-preview-error">{problem.short()}</span>
            }
            .into_any(),
            PreviewState::Ok(preview) => {
                let summary = plan
                    .with(|p| p.as_ref().map(|p| p.summary(preview)))
                    .unwrap_or_default();
                let groups = preview
                    .groups
                    .iter()
                    .map(|group| {
                        view! {
                            <li data-testid="pl-preview-group" data-group=group.label.clone()
                                data-value=raw(group.value)>
                                <span class="pl-preview-label">{group.label.clone()}</span>": "
                                <span title=exact(group.value)>{abbreviated(group.value)}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <span class="pl-preview-count" title=exact(preview.count)>{summary}</span>
                    <ol class="pl-preview-groups">{groups}</ol>
                }
                .into_any()
            }
        };
        let (count, zero) = match &current {
            PreviewState::Ok(preview) => (
                Some(raw(preview.count)),
                (preview.count == 0.0).then_some("true"),
            ),
            _ => (None, None),
        };
        let can_refresh = !matches!(current, PreviewState::Loading | PreviewState::Off(_));
        Some(view! {
            <div class="pl-preview" data-testid="pl-preview" data-state=current.as_str()
                data-count=count data-zero=zero aria-live="polite">
                {line}
                {can_refresh.then(|| view! {
                    <button type="button" class="pl-secondary pl-preview-refresh"
                        aria-label=move || format!("Count again: {}", title())
                        on:click=move |_| refreshes.update(|n| *n += 1)>"↻"</button>
                })}
            </div>
        })
    };
    view! { <div node_ref=node class="pl-preview-slot">{content}</div> }.into_any()
}
