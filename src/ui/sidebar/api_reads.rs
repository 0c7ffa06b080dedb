//! Reading the item in view from Sentry's API while the panel is open: `core::sentry_api`
//! decides what to ask and what the replies say; this asks `background.js` (through the two
//! functions `sidebar.js` connects), one request at a time, and drops answers for a page that is
//! no longer shown. The facts it keeps go into the lens beside the page's (source `api`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::core::recognition::facts::RawFact;
use crate::core::sentry_api::{
    region_request, ApiReads, Ask, Next, Problem, Reply, Target, MAX_READS_PER_PAGE,
};

/// Contract v2 `data-api`, and the problem behind `error`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ApiState {
    /// The engineer (or the team policy) turned the API off.
    Off,
    /// Nothing asked: the panel is closed, or the page shows no item the API knows.
    Idle,
    Loading,
    Done,
    Error(Problem),
}

impl ApiState {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiState::Off => "off",
            ApiState::Idle => "idle",
            ApiState::Loading => "loading",
            ApiState::Done => "done",
            ApiState::Error(_) => "error",
        }
    }
}

/// What the sidebar needs from the extension to ask Sentry: `get(url)` resolves to the JSON of a
/// `Reply`; `abort()` gives up every request still waiting.
struct Connection {
    get: js_sys::Function,
    abort: js_sys::Function,
}

/// The sidebar's handle on the API (shared with the components through `SidebarState`).
#[derive(Clone)]
pub struct ApiReader {
    pub state: RwSignal<ApiState>,
    /// The facts of the item of the page at this URL.
    pub facts: RwSignal<Option<(String, Arc<[RawFact]>)>>,
    reads: Rc<RefCell<ApiReads>>,
    connection: Rc<RefCell<Option<Connection>>>,
    /// What is being read (or was last read), with its page URL; a new page bumps `run`.
    reading: Rc<RefCell<Option<(String, Target)>>>,
    run: Rc<Cell<u32>>,
    /// One organization lookup at a time: the cards that need a region wait for the first.
    region_lookup: Rc<Slots>,
}

/// At most a number of holders at a time; the others wait their turn, first come first served.
pub struct Slots {
    free: Cell<usize>,
    waiting: RefCell<VecDeque<js_sys::Function>>,
}

impl Slots {
    pub fn new(limit: usize) -> Self {
        Self {
            free: Cell::new(limit),
            waiting: RefCell::default(),
        }
    }

    pub async fn acquire(&self) {
        if self.free.get() > 0 {
            self.free.set(self.free.get() - 1);
            return;
        }
        let turn =
            js_sys::Promise::new(&mut |resolve, _| self.waiting.borrow_mut().push_back(resolve));
        let _ = JsFuture::from(turn).await;
    }

    /// Hands the slot to the next in line, or frees it.
    pub fn release(&self) {
        let next = self.waiting.borrow_mut().pop_front();
        match next {
            Some(next) => {
                let _ = next.call0(&JsValue::NULL);
            }
            None => self.free.set(self.free.get() + 1),
        }
    }
}

impl ApiReader {
    pub fn new(enabled: bool) -> Self {
        Self {
            state: RwSignal::new(if enabled {
                ApiState::Idle
            } else {
                ApiState::Off
            }),
            facts: RwSignal::new(None),
            reads: Rc::default(),
            connection: Rc::default(),
            reading: Rc::default(),
            run: Rc::default(),
            region_lookup: Rc::new(Slots::new(1)),
        }
    }

    pub fn connect(&self, get: js_sys::Function, abort: js_sys::Function) {
        self.connection.replace(Some(Connection { get, abort }));
    }

    /// The page in view changed, or the panel opened or closed: read its item if the panel is
    /// open; otherwise give up what is in flight. `target` is `None` on pages without an item.
    pub fn follow(&self, url: &str, target: Option<Target>, open: bool) {
        if self.state.get_untracked() == ApiState::Off || self.connection.borrow().is_none() {
            return;
        }
        let same = self
            .reading
            .borrow()
            .as_ref()
            .is_some_and(|(u, t)| u == url && Some(t) == target.as_ref());
        if same
            && matches!(
                self.state.get_untracked(),
                ApiState::Loading | ApiState::Done | ApiState::Error(_)
            )
        {
            if !open && self.state.get_untracked() == ApiState::Loading {
                self.stop(ApiState::Idle);
            }
            return;
        }
        self.stop(ApiState::Idle);
        let Some(target) = target.filter(|_| open) else {
            return;
        };
        self.reading.replace(Some((url.to_owned(), target.clone())));
        let (reader, url) = (self.clone(), url.to_owned());
        let run = self.run.get();
        leptos::task::spawn_local(async move { reader.read(url, target, run).await });
    }

    /// Gives up the current run (its answers are dropped) and aborts what is in flight.
    fn stop(&self, state: ApiState) {
        self.run.set(self.run.get().wrapping_add(1));
        self.reading.replace(None);
        if let Some(connection) = self.connection.borrow().as_ref() {
            let _ = connection.abort.call0(&JsValue::NULL);
        }
        self.state.set(state);
    }

    async fn read(self, url: String, target: Target, run: u32) {
        let current = || self.run.get() == run;
        let mut asked = 0;
        loop {
            let next = self.reads.borrow().next(&target, js_sys::Date::now());
            let request = match next {
                Next::Done(facts) => {
                    self.facts.set(Some((url, facts)));
                    self.state.set(ApiState::Done);
                    return;
                }
                Next::Held(problem) => return self.state.set(ApiState::Error(problem)),
                Next::Ask(request) if asked < MAX_READS_PER_PAGE => request,
                Next::Ask(_) => {
                    return self.state.set(ApiState::Error(Problem::Unexpected {
                        what: "more requests than one page may make",
                    }))
                }
            };
            asked += 1;
            self.state.set(ApiState::Loading);
            // The organization's region is shared with the cards' counts: asked once per tab.
            if request.ask == Ask::Region {
                let region = self.region(&target.host, &target.org).await;
                if !current() {
                    return;
                }
                if let Err(problem) = region {
                    return self.state.set(ApiState::Error(problem));
                }
                continue;
            }
            let reply = self.get(&request.url).await;
            if !current() {
                return;
            }
            let answered =
                self.reads
                    .borrow_mut()
                    .answer(&target, request.ask, &reply, js_sys::Date::now());
            if let Err(problem) = answered {
                return self.state.set(ApiState::Error(problem));
            }
        }
    }

    /// Whether the sidebar may ask Sentry at all (the option and the team policy).
    pub fn enabled(&self) -> bool {
        self.state.get_untracked() != ApiState::Off
    }

    /// The API origin of `org` on the Sentry at `host`, asked once per tab.
    pub async fn region(&self, host: &str, org: &str) -> Result<String, Problem> {
        self.region_lookup.acquire().await;
        let region = self.region_now(host, org).await;
        self.region_lookup.release();
        region
    }

    async fn region_now(&self, host: &str, org: &str) -> Result<String, Problem> {
        if let Some(region) = self.reads.borrow().region(host, org) {
            return Ok(region.to_owned());
        }
        self.check_held()?;
        let reply = self.get(&region_request(host, org)).await;
        let mut reads = self.reads.borrow_mut();
        reads.answer_region(host, org, &reply, js_sys::Date::now())?;
        reads
            .region(host, org)
            .map(str::to_owned)
            .ok_or(Problem::Unreachable)
    }

    /// The rate-limit wait in force, as the problem to show.
    pub fn check_held(&self) -> Result<(), Problem> {
        match self.reads.borrow().held(js_sys::Date::now()) {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// The body of a reply, or its problem (a 429 holds every request of this tab).
    pub fn body_of(&self, reply: &Reply) -> Result<String, Problem> {
        self.reads
            .borrow_mut()
            .body_of(reply, js_sys::Date::now())
            .map(str::to_owned)
    }

    /// One GET through the background; anything but a reply counts as Sentry unreachable.
    pub async fn get(&self, url: &str) -> Reply {
        let unreachable = Reply {
            failure: Some("unreachable".into()),
            ..Reply::default()
        };
        let promise = self.connection.borrow().as_ref().and_then(|c| {
            c.get
                .call1(&JsValue::NULL, &url.into())
                .ok()
                .map(js_sys::Promise::from)
        });
        let Some(promise) = promise else {
            return unreachable;
        };
        match JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
        {
            Some(json) => serde_json::from_str(&json).unwrap_or(unreachable),
            None => unreachable,
        }
    }
}

/// The facts Sentry's API gave for the page at `url`, if any (`ApiReader::facts`).
pub fn facts_for(
    facts: RwSignal<Option<(String, Arc<[RawFact]>)>>,
    url: &str,
) -> Option<Arc<[RawFact]>> {
    facts.with(|facts| {
        facts
            .as_ref()
            .filter(|(read_for, _)| read_for == url)
            .map(|(_, facts)| facts.clone())
    })
}
