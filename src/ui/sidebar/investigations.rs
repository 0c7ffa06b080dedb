//! The investigations that remember scenario checklists: every tab's, as `storage.local` holds
//! them, and which one this tab shows per scenario (decisions in `core::checklists::investigation`;
//! this file holds them as signals and does the storage I/O; `scenarios.rs` renders them).

use std::collections::BTreeMap;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::core::checklists::investigation::{
    migrate, Investigation, Investigations, Loaded, Notice, PivotValue, StorageWrite,
};

/// The investigations of every tab, as `storage.local` holds them, plus which one this tab shows
/// per scenario.
#[derive(Clone, Copy)]
pub struct Investigating {
    pub(super) board: Board,
    pub(super) notices: RwSignal<Vec<Notice>>,
    writer: StoredValue<Option<js_sys::Function>, LocalStorage>,
    /// Writes made before the writer was connected (the migration's).
    pending: StoredValue<StorageWrite>,
}

impl Investigating {
    pub fn load(stored: &str) -> Self {
        let storage = serde_json::from_str(stored).unwrap_or(serde_json::Value::Null);
        let Loaded {
            mut state,
            notices,
            mut write,
        } = migrate(&storage);
        write.extend(state.fold_twins());
        Self {
            board: Board {
                state: RwSignal::new(state),
                chosen: RwSignal::new(BTreeMap::new()),
            },
            notices: RwSignal::new(notices),
            writer: StoredValue::new_local(None),
            pending: StoredValue::new(write),
        }
    }

    pub fn connect(&self, writer: js_sys::Function) {
        self.writer.set_value(Some(writer));
        let mut pending = StorageWrite::default();
        self.pending.update_value(|p| pending = std::mem::take(p));
        self.write(pending);
    }

    pub fn storage_changed(&self, changes: &str) {
        let Ok(changes) =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(changes)
        else {
            return;
        };
        let (mut notices, mut fold) = (Vec::new(), StorageWrite::default());
        self.board.state.update(|state| {
            notices = state.apply_changes(&changes);
            // Another tab may have started this scenario at the same moment as this one.
            fold = state.fold_twins();
        });
        if !notices.is_empty() {
            self.notices.update(|n| n.extend(notices));
        }
        self.write(fold);
    }

    fn write(&self, write: StorageWrite) {
        if write.is_empty() {
            return;
        }
        let Some(writer) = self.writer.get_value() else {
            self.pending.update_value(|p| p.extend(write));
            return;
        };
        let json = serde_json::to_string(&write).unwrap_or_default();
        let notices = self.notices;
        let Ok(promise) = writer.call1(&JsValue::NULL, &json.into()) else {
            return;
        };
        let promise = js_sys::Promise::resolve(&promise);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = JsFuture::from(promise).await {
                let reason = error
                    .as_string()
                    .unwrap_or_else(|| "storage refused it".into());
                notices.update(|n| {
                    n.push(Notice {
                        key: String::new(),
                        message: format!("Progress could not be saved: {reason}"),
                    })
                });
            }
        });
    }

    fn report(&self, message: String) {
        self.notices.update(|n| {
            n.push(Notice {
                key: String::new(),
                message,
            })
        });
    }

    pub(super) fn start(&self, scenario: &str, url: &str, page: &[PivotValue]) -> Option<String> {
        let mut started = None;
        self.board.state.update(|state| {
            let nonce = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
            started = Some(state.start(scenario, url, page.to_vec(), js_sys::Date::now(), nonce));
        });
        match started? {
            Ok((id, write)) => {
                self.board
                    .chosen
                    .update(|c| drop(c.insert(scenario.to_owned(), id.clone())));
                self.write(write);
                Some(id)
            }
            Err(message) => {
                self.report(message);
                None
            }
        }
    }

    /// Ticks a step (or saves its note) in the shown investigation, starting one from this page
    /// when there is none; the page's pivots join the investigation.
    pub(super) fn set_step(
        &self,
        scenario: &str,
        step: &str,
        change: StepChange,
        url: &str,
        page: &[PivotValue],
    ) {
        let id = match self.board.shown(scenario, page) {
            Some(investigation) => investigation.record.id,
            None => match self.start(scenario, url, page) {
                Some(id) => id,
                None => return,
            },
        };
        let mut result = Ok(StorageWrite::default());
        self.board.state.update(|state| {
            let current = state.by_id.get(&id);
            let done = current.is_some_and(|i| i.is_done(step));
            let note = current.map(|i| i.note(step).to_owned()).unwrap_or_default();
            let (done, note) = match &change {
                StepChange::Done(done) => (*done, note),
                StepChange::Note(note) => (done, note.clone()),
            };
            let collected = state.collect(&id, page).unwrap_or_default();
            result = state
                .set_step(&id, step, done, &note, js_sys::Date::now())
                .map(|mut write| {
                    write.set.extend(collected.set);
                    write
                });
        });
        match result {
            Ok(write) => self.write(write),
            Err(message) => self.report(message),
        }
    }

    pub(super) fn set_closed(&self, id: &str, closed: bool) {
        let mut write = None;
        self.board
            .state
            .update(|state| write = state.set_closed(id, closed));
        if let Some(write) = write {
            self.write(write);
        }
    }

    pub(super) fn delete(&self, id: &str) {
        let mut write = StorageWrite::default();
        self.board.state.update(|state| write = state.delete(id));
        self.write(write);
    }
}

/// The reactive part: plain signals, usable from memos.
#[derive(Clone, Copy)]
pub(super) struct Board {
    pub(super) state: RwSignal<Investigations>,
    /// Scenario id → investigation the engineer picked in this tab.
    pub(super) chosen: RwSignal<BTreeMap<String, String>>,
}

impl Board {
    /// The investigation a scenario card shows: the one picked here, else the open one that fits
    /// the page best.
    pub(super) fn shown(self, scenario: &str, page: &[PivotValue]) -> Option<Investigation> {
        let chosen = self.chosen.with(|c| c.get(scenario).cloned());
        self.state.with(|state| {
            chosen
                .and_then(|id| state.by_id.get(&id).filter(|i| !i.record.closed).cloned())
                .or_else(|| state.open_for(scenario, page).first().map(|i| (*i).clone()))
        })
    }
}

pub(super) enum StepChange {
    Done(bool),
    Note(String),
}
