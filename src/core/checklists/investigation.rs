//! Investigations: progress through one scenario (pivots collected, steps done, notes per step),
//! kept in `storage.local` and shared by every tab.
//!
//! Storage layout, schema 2 (security.md STO-1..STO-3):
//! - `pl.investigation.<id>`: the record (scenario, where it started, pivots, closed);
//! - `pl.step.<id>.<step id>`: one step's progress. One key per step, so two tabs ticking
//!   different steps of the same investigation never overwrite each other;
//! - `pl.quarantine.<key>`: an entry that could not be read, set aside (masked, bounded).
//!
//! Schema 1 kept every checklist in one `checklists` object, one per scenario; `migrate` turns it
//! into schema 2 records. Nothing stored here may look like a secret (SEC-1).
//!
//! INTERFACE: `migrate(storage) -> Loaded` (state, notices, and the writes that complete the
//! migration), `Investigations::apply_change` for `storage.onChanged`, and the operations
//! (`start`, `set_step`, `collect`, `set_closed`, `delete`), each returning the `StorageWrite` to do.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::guard::secrets::{detect_secret, mask};
use crate::core::lens::PivotView;

pub const SCHEMA_VERSION: u32 = 2;
pub const INVESTIGATION_PREFIX: &str = "pl.investigation.";
pub const STEP_PREFIX: &str = "pl.step.";
pub const QUARANTINE_PREFIX: &str = "pl.quarantine.";
/// Schema 1's single key.
pub const V1_KEY: &str = "checklists";

/// Bounds on growth (STO-2): open work is never evicted, closed investigations go oldest first.
pub const MAX_INVESTIGATIONS: usize = 50;
pub const MAX_PIVOTS: usize = 40;
pub const MAX_NOTE_CHARS: usize = 4_000;
/// Investigations of one scenario started this close together, sharing a pivot, are one
/// investigation started from two tabs at once (`Investigations::fold_twins`).
pub const TWIN_WINDOW_MS: f64 = 10_000.0;
const MAX_ID_CHARS: usize = 120;
const MAX_QUARANTINED_CHARS: usize = 16_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub schema: u32,
    pub id: String,
    /// Scenario id (slug of the domain heading).
    pub scenario: String,
    /// Origin and path of the page it was started from (no query: it may carry anything).
    pub started_from: String,
    /// Milliseconds since the epoch.
    pub started_at: f64,
    #[serde(default)]
    pub pivots: Vec<PivotValue>,
    #[serde(default)]
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PivotValue {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub schema: u32,
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub updated_at: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Investigation {
    pub record: Record,
    pub steps: BTreeMap<String, StepRecord>,
}

impl Investigation {
    pub fn is_done(&self, step: &str) -> bool {
        self.steps.get(step).is_some_and(|s| s.done)
    }

    pub fn note(&self, step: &str) -> &str {
        self.steps.get(step).map_or("", |s| s.note.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Investigations {
    pub by_id: BTreeMap<String, Investigation>,
}

/// Something the engineer should know about stored data (shown in the sidebar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub key: String,
    pub message: String,
}

/// `storage.local.set(set)` then `storage.local.remove(remove)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct StorageWrite {
    pub set: Map<String, Value>,
    pub remove: Vec<String>,
}

impl StorageWrite {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }

    /// Adds `other`'s writes after these.
    pub fn extend(&mut self, other: StorageWrite) {
        self.set.extend(other.set);
        self.remove.extend(other.remove);
    }

    fn put(&mut self, key: String, value: &impl Serialize) {
        if let Ok(value) = serde_json::to_value(value) {
            self.set.insert(key, value);
        }
    }
}

pub struct Loaded {
    pub state: Investigations,
    pub notices: Vec<Notice>,
    /// Writes that finish the migration: records rewritten at the current schema, bad entries
    /// quarantined, schema 1's key and orphaned steps removed. Idempotent: loading again after
    /// them changes nothing.
    pub write: StorageWrite,
}

/// Schema 1: `{"version": 1, "scenarios": {"<scenario id>": {"started", "url", "trace_id",
/// "user_id", "checked": ["metric:<name>", "attribute:<key>", "trace"], "notes": {…}}}}`.
#[derive(Deserialize)]
struct V1 {
    version: u32,
    scenarios: BTreeMap<String, V1Checklist>,
}

#[derive(Deserialize)]
struct V1Checklist {
    #[serde(default)]
    started: f64,
    #[serde(default)]
    url: String,
    trace_id: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    checked: Vec<String>,
    /// By the same item names as `checked`.
    #[serde(default)]
    notes: BTreeMap<String, String>,
}

/// Schema 1 named items `metric:<name>` / `attribute:<key>`; schema 2 names steps by slug.
fn v1_step_id(item: &str) -> String {
    match item.split_once(':') {
        Some((kind, name)) => format!("{kind}-{}", crate::core::runbook::slug::slug(name)),
        None => crate::core::runbook::slug::slug(item),
    }
}

/// Reads every investigation out of the whole of `storage.local` (as JSON), migrating older
/// schemas and setting aside what cannot be read. Never fails: the worst case is an empty state
/// and a notice.
pub fn migrate(storage: &Value) -> Loaded {
    let mut loaded = Loaded {
        state: Investigations::default(),
        notices: Vec::new(),
        write: StorageWrite::default(),
    };
    let Some(entries) = storage.as_object() else {
        loaded.notices.push(Notice {
            key: String::new(),
            message: "Stored data is not an object; investigations start empty.".into(),
        });
        return loaded;
    };
    let mut steps = Vec::new();
    for (key, value) in entries {
        match decode(key, value) {
            Ok(Some(Entry::Record(record))) => {
                loaded.state.by_id.insert(
                    record.id.clone(),
                    Investigation {
                        record,
                        steps: BTreeMap::new(),
                    },
                );
            }
            Ok(Some(Entry::Step { id, step, record })) => steps.push((key, id, step, record)),
            Ok(None) => {}
            Err(reason) => loaded.quarantine(key, value, &reason),
        }
    }
    for (key, id, step, record) in steps {
        match loaded.state.by_id.get_mut(&id) {
            Some(investigation) => {
                investigation.steps.insert(step, record);
            }
            // Its investigation was deleted while another tab was still writing.
            None => loaded.write.remove.push(key.clone()),
        }
    }
    if let Some(v1) = entries.get(V1_KEY) {
        match serde_json::from_value::<V1>(v1.clone()) {
            Ok(v1) if v1.version == 1 => loaded.migrate_v1(v1),
            Ok(v1) => loaded.quarantine(
                V1_KEY,
                &Value::Null,
                &format!("unknown version {}", v1.version),
            ),
            Err(error) => loaded.quarantine(V1_KEY, v1, &error.to_string()),
        }
    }
    loaded
}

impl Loaded {
    fn quarantine(&mut self, key: &str, value: &Value, reason: &str) {
        let (raw, _) =
            crate::core::guard::text::bounded(&mask(&value.to_string()), MAX_QUARANTINED_CHARS);
        let target = format!("{QUARANTINE_PREFIX}{key}");
        self.write.put(
            target.clone(),
            &serde_json::json!({ "reason": reason, "raw": raw }),
        );
        self.write.remove.push(key.to_owned());
        self.notices.push(Notice {
            key: key.to_owned(),
            message: format!(
                "Stored entry {key} could not be read ({reason}); it was set aside as {target} and the other investigations are unaffected."
            ),
        });
    }

    fn migrate_v1(&mut self, v1: V1) {
        let mut migrated = 0;
        for (scenario, checklist) in v1.scenarios {
            let scenario = crate::core::runbook::slug::slug(&scenario);
            let id = format!("v1-{scenario}");
            if scenario.is_empty() || self.state.by_id.contains_key(&id) {
                continue;
            }
            let pivots = [
                ("trace_id", checklist.trace_id),
                ("user.id", checklist.user_id),
            ]
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key, v)))
            .filter_map(|(key, value)| storable_pivot(key, &value))
            .collect();
            let record = Record {
                schema: SCHEMA_VERSION,
                id: id.clone(),
                scenario,
                started_from: page_address(&checklist.url),
                started_at: checklist.started,
                pivots,
                closed: false,
            };
            let mut investigation = Investigation {
                record,
                steps: BTreeMap::new(),
            };
            let named = checklist
                .checked
                .iter()
                .map(|item| (item.as_str(), true))
                .chain(checklist.notes.keys().map(|item| (item.as_str(), false)));
            for (item, done) in named {
                let note = checklist.notes.get(item).map_or("", String::as_str);
                let entry = investigation
                    .steps
                    .entry(v1_step_id(item))
                    .or_insert_with(|| StepRecord {
                        schema: SCHEMA_VERSION,
                        done: false,
                        note: String::new(),
                        updated_at: checklist.started,
                    });
                entry.done |= done;
                if entry.note.is_empty() && detect_secret(note).is_none() {
                    entry.note = bounded_note(note);
                }
            }
            self.write.put(record_key(&id), &investigation.record);
            for (step, record) in &investigation.steps {
                self.write.put(step_key(&id, step), record);
            }
            self.state.by_id.insert(id, investigation);
            migrated += 1;
        }
        self.write.remove.push(V1_KEY.into());
        self.notices.push(Notice {
            key: V1_KEY.into(),
            message: format!(
                "Migrated {migrated} checklist(s) saved by an older Pivot Lens (schema 1) to investigations."
            ),
        });
    }
}

enum Entry {
    Record(Record),
    Step {
        id: String,
        step: String,
        record: StepRecord,
    },
}

/// One `storage.local` entry: `Ok(None)` when it is not ours, `Err(reason)` when it is ours but
/// unreadable (corrupt, foreign, from a newer schema, or holding what looks like a secret).
fn decode(key: &str, value: &Value) -> Result<Option<Entry>, String> {
    if let Some(id) = key.strip_prefix(INVESTIGATION_PREFIX) {
        check_schema(value)?;
        let record: Record = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        if record.id != id || !is_id(id) || !is_id(&record.scenario) {
            return Err("its id or scenario is not valid".into());
        }
        let secret = std::iter::once(record.started_from.as_str())
            .chain(
                record
                    .pivots
                    .iter()
                    .flat_map(|p| [p.key.as_str(), p.value.as_str()]),
            )
            .any(|text| detect_secret(text).is_some());
        if secret {
            return Err("it holds what looks like a secret".into());
        }
        return Ok(Some(Entry::Record(record)));
    }
    if let Some(rest) = key.strip_prefix(STEP_PREFIX) {
        let (id, step) = rest
            .split_once('.')
            .filter(|(id, step)| is_id(id) && is_id(step))
            .ok_or("its key names no investigation and step")?;
        check_schema(value)?;
        let record: StepRecord =
            serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        if detect_secret(&record.note).is_some() {
            return Err("its note looks like a secret".into());
        }
        return Ok(Some(Entry::Step {
            id: id.to_owned(),
            step: step.to_owned(),
            record,
        }));
    }
    Ok(None)
}

fn check_schema(value: &Value) -> Result<(), String> {
    match value.get("schema").and_then(Value::as_u64) {
        Some(schema) if schema == u64::from(SCHEMA_VERSION) => Ok(()),
        Some(schema) => Err(format!("schema {schema} is not {SCHEMA_VERSION}")),
        None => Err("it has no schema version".into()),
    }
}

/// Ids are contract slugs: `a-z0-9-`, bounded.
fn is_id(id: &str) -> bool {
    (1..=MAX_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub fn record_key(id: &str) -> String {
    format!("{INVESTIGATION_PREFIX}{id}")
}

pub fn step_key(id: &str, step: &str) -> String {
    format!("{STEP_PREFIX}{id}.{step}")
}

/// `https://host/path` of a page URL, without query or fragment.
fn page_address(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let address = &url[..end];
    if detect_secret(address).is_some() {
        return String::new();
    }
    crate::core::guard::text::bounded(address, 500).0
}

fn bounded_note(note: &str) -> String {
    note.chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .take(MAX_NOTE_CHARS)
        .collect()
}

fn storable_pivot(key: &str, value: &str) -> Option<PivotValue> {
    let storable = crate::core::guard::text::is_attribute_key(key)
        && !value.trim().is_empty()
        && value.chars().count() <= crate::core::guard::text::MAX_VALUE_CHARS
        && detect_secret(key).is_none()
        && detect_secret(value).is_none();
    storable.then(|| PivotValue {
        key: key.to_owned(),
        value: value.to_owned(),
    })
}

/// The page's pivots an investigation collects: usable, not secret, and only keys with a single
/// value on the page (a table of fifty traces names no one trace).
pub fn collectible(pivots: &[PivotView]) -> Vec<PivotValue> {
    // One pass: a logs table brings hundreds of values, and this runs at every page report.
    // Sets of String: the sidebar's wasm has their code already; a map keyed by &str added 1 KB or
    // more to it.
    let (mut seen, mut repeated) = (BTreeSet::new(), BTreeSet::new());
    for pivot in pivots {
        if !seen.insert(pivot.key.clone()) {
            repeated.insert(pivot.key.clone());
        }
    }
    pivots
        .iter()
        .filter(|p| p.is_usable() && !repeated.contains(&p.key))
        .filter_map(|p| storable_pivot(&p.key, &p.value))
        .collect()
}

impl Investigations {
    /// Open investigations of a scenario, the one sharing most pivot values with the page first,
    /// then the most recently started.
    pub fn open_for(&self, scenario: &str, page: &[PivotValue]) -> Vec<&Investigation> {
        let mut open: Vec<&Investigation> = self
            .by_id
            .values()
            .filter(|i| i.record.scenario == scenario && !i.record.closed)
            .collect();
        let shared =
            |i: &Investigation| i.record.pivots.iter().filter(|p| page.contains(p)).count();
        open.sort_by(|a, b| {
            shared(b)
                .cmp(&shared(a))
                .then(b.record.started_at.total_cmp(&a.record.started_at))
        });
        open
    }

    /// Two tabs that start the same scenario at the same moment each make an investigation (their
    /// ids differ on purpose), and each tab would show only its own ticks. Such twins (the same
    /// scenario, both open, started within `TWIN_WINDOW_MS`, sharing a pivot) are one
    /// investigation: the later id folds into the earlier, keeping the newer record of each step
    /// and every pivot. Every tab computes the same fold from the same records, so their writes
    /// agree.
    pub fn fold_twins(&mut self) -> StorageWrite {
        let mut write = StorageWrite::default();
        while let Some((keep, fold)) = self.twins() {
            let Some(folded) = self.by_id.remove(&fold) else {
                break;
            };
            write.remove.push(record_key(&fold));
            write
                .remove
                .extend(folded.steps.keys().map(|step| step_key(&fold, step)));
            let Some(survivor) = self.by_id.get_mut(&keep) else {
                break;
            };
            for (step, record) in folded.steps {
                if survivor
                    .steps
                    .get(&step)
                    .is_none_or(|kept| kept.updated_at < record.updated_at)
                {
                    write.put(step_key(&keep, &step), &record);
                    survivor.steps.insert(step, record);
                }
            }
            for pivot in folded.record.pivots {
                if survivor.record.pivots.len() < MAX_PIVOTS
                    && !survivor.record.pivots.contains(&pivot)
                {
                    survivor.record.pivots.push(pivot);
                }
            }
            write.put(record_key(&keep), &survivor.record);
        }
        write
    }

    /// The first pair of twins as (the id kept, the id folded into it).
    fn twins(&self) -> Option<(String, String)> {
        let open: Vec<&Record> = self
            .by_id
            .values()
            .map(|i| &i.record)
            .filter(|r| !r.closed)
            .collect();
        open.iter().find_map(|a| {
            open.iter()
                .find(|b| {
                    a.id < b.id
                        && a.scenario == b.scenario
                        && (a.started_at - b.started_at).abs() <= TWIN_WINDOW_MS
                        && (a.pivots == b.pivots || a.pivots.iter().any(|p| b.pivots.contains(p)))
                })
                .map(|b| (a.id.clone(), b.id.clone()))
        })
    }

    pub fn closed(&self) -> Vec<&Investigation> {
        self.by_id.values().filter(|i| i.record.closed).collect()
    }

    /// Starts an investigation of `scenario` from a page. `nonce` makes ids from two tabs in the
    /// same millisecond distinct. Closed investigations beyond the cap are evicted, oldest first.
    pub fn start(
        &mut self,
        scenario: &str,
        page_url: &str,
        pivots: Vec<PivotValue>,
        now: f64,
        nonce: u32,
    ) -> Result<(String, StorageWrite), String> {
        if !is_id(scenario) {
            return Err(format!("{scenario} is not a scenario id"));
        }
        let mut write = StorageWrite::default();
        while self.by_id.len() >= MAX_INVESTIGATIONS {
            let oldest_closed = self
                .closed()
                .into_iter()
                .min_by(|a, b| a.record.started_at.total_cmp(&b.record.started_at))
                .map(|i| i.record.id.clone());
            let Some(id) = oldest_closed else {
                return Err(format!(
                    "{MAX_INVESTIGATIONS} investigations are open: close or delete one first."
                ));
            };
            write.remove.extend(self.delete(&id).remove);
        }
        // Whole milliseconds; the float-to-integer cast saturates on nonsense clocks.
        let id = format!("{scenario}-{:x}{nonce:x}", now.max(0.0) as u64);
        let record = Record {
            schema: SCHEMA_VERSION,
            id: id.clone(),
            scenario: scenario.to_owned(),
            started_from: page_address(page_url),
            started_at: now,
            pivots: pivots.into_iter().take(MAX_PIVOTS).collect(),
            closed: false,
        };
        write.put(record_key(&id), &record);
        self.by_id.insert(
            id.clone(),
            Investigation {
                record,
                steps: BTreeMap::new(),
            },
        );
        Ok((id, write))
    }

    /// Ticks or unticks a step and sets its note; writes only that step's key. A note that looks
    /// like a secret is refused.
    pub fn set_step(
        &mut self,
        id: &str,
        step: &str,
        done: bool,
        note: &str,
        now: f64,
    ) -> Result<StorageWrite, String> {
        if detect_secret(note).is_some() {
            return Err("Not saved: the note looks like it holds a secret.".into());
        }
        if !is_id(step) {
            return Err(format!("{step} is not a step id"));
        }
        let investigation = self
            .by_id
            .get_mut(id)
            .ok_or("That investigation no longer exists.")?;
        let record = StepRecord {
            schema: SCHEMA_VERSION,
            done,
            note: bounded_note(note),
            updated_at: now,
        };
        let mut write = StorageWrite::default();
        write.put(step_key(id, step), &record);
        investigation.steps.insert(step.to_owned(), record);
        Ok(write)
    }

    /// Adds the page's pivots the investigation does not have yet; `None` when nothing is new.
    pub fn collect(&mut self, id: &str, pivots: &[PivotValue]) -> Option<StorageWrite> {
        let investigation = self.by_id.get_mut(id)?;
        let before = investigation.record.pivots.len();
        for pivot in pivots {
            if investigation.record.pivots.len() >= MAX_PIVOTS {
                break;
            }
            if !investigation.record.pivots.contains(pivot) {
                investigation.record.pivots.push(pivot.clone());
            }
        }
        (investigation.record.pivots.len() > before).then(|| {
            let mut write = StorageWrite::default();
            write.put(record_key(id), &investigation.record);
            write
        })
    }

    pub fn set_closed(&mut self, id: &str, closed: bool) -> Option<StorageWrite> {
        let investigation = self.by_id.get_mut(id)?;
        investigation.record.closed = closed;
        let mut write = StorageWrite::default();
        write.put(record_key(id), &investigation.record);
        Some(write)
    }

    pub fn delete(&mut self, id: &str) -> StorageWrite {
        let mut write = StorageWrite::default();
        if let Some(investigation) = self.by_id.remove(id) {
            write.remove.push(record_key(id));
            write
                .remove
                .extend(investigation.steps.keys().map(|step| step_key(id, step)));
        }
        write
    }

    /// Applies a `storage.onChanged` batch (`{key: new value or null}`: another tab's write, or
    /// our own echoed back). Records go first, so a batch that starts an investigation and ticks
    /// its first step lands whole. Unreadable data is left out, with a notice; the next load
    /// quarantines it.
    pub fn apply_changes(&mut self, changes: &Map<String, Value>) -> Vec<Notice> {
        let (records, others): (Vec<_>, Vec<_>) = changes
            .iter()
            .partition(|(key, _)| key.starts_with(INVESTIGATION_PREFIX));
        records
            .into_iter()
            .chain(others)
            .filter_map(|(key, value)| self.apply_change(key, Some(value).filter(|v| !v.is_null())))
            .collect()
    }

    fn apply_change(&mut self, key: &str, value: Option<&Value>) -> Option<Notice> {
        let Some(value) = value else {
            if let Some(id) = key.strip_prefix(INVESTIGATION_PREFIX) {
                self.by_id.remove(id);
            } else if let Some((id, step)) = key
                .strip_prefix(STEP_PREFIX)
                .and_then(|rest| rest.split_once('.'))
            {
                if let Some(investigation) = self.by_id.get_mut(id) {
                    investigation.steps.remove(step);
                }
            }
            return None;
        };
        match decode(key, value) {
            Ok(Some(Entry::Record(record))) => {
                match self.by_id.get_mut(&record.id) {
                    Some(investigation) => investigation.record = record,
                    None => {
                        self.by_id.insert(
                            record.id.clone(),
                            Investigation {
                                record,
                                steps: BTreeMap::new(),
                            },
                        );
                    }
                }
                None
            }
            Ok(Some(Entry::Step { id, step, record })) => {
                if let Some(investigation) = self.by_id.get_mut(&id) {
                    investigation.steps.insert(step, record);
                }
                None
            }
            Ok(None) => None,
            Err(reason) => Some(Notice {
                key: key.to_owned(),
                message: format!("Stored entry {key} could not be read ({reason}) and is ignored."),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/storage/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// What `storage.local` holds after a write (set, then remove, as sidebar.js does it).
    fn apply(storage: &mut Value, write: &StorageWrite) {
        let entries = storage.as_object_mut().unwrap();
        for (key, value) in &write.set {
            entries.insert(key.clone(), value.clone());
        }
        for key in &write.remove {
            entries.remove(key);
        }
    }

    fn load(storage: &mut Value) -> Loaded {
        let loaded = migrate(storage);
        apply(storage, &loaded.write);
        loaded
    }

    #[test]
    fn schema_1_checklists_become_investigations() {
        let mut storage = fixture("v1.json");
        let loaded = load(&mut storage);
        assert_eq!(loaded.notices.len(), 1, "{:?}", loaded.notices);
        assert!(loaded.notices[0].message.contains("Migrated 2"));

        let oauth = &loaded.state.by_id["v1-oauth-and-client-registration"];
        assert_eq!(oauth.record.scenario, "oauth-and-client-registration");
        assert_eq!(
            oauth.record.started_from,
            "https://acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/",
            "the query is not kept"
        );
        assert_eq!(
            oauth.record.pivots,
            [
                PivotValue {
                    key: "trace_id".into(),
                    value: "4bf92f3577b34da6a3ce929d0e0e4736".into()
                },
                PivotValue {
                    key: "user.id".into(),
                    value: "4242".into()
                }
            ]
        );
        assert!(oauth.is_done("metric-app-oauth-grant-revoked"));
        assert!(oauth.is_done("attribute-app-oauth-grant-revoked-reason"));
        assert!(oauth.is_done("trace"));
        assert_eq!(
            oauth.note("metric-app-oauth-grant-revoked"),
            "3 revocations, all upstream_rejected_in_use"
        );
        // A note on an unticked item keeps the step open.
        assert!(!oauth.is_done("attribute-app-client-family"));
        assert_eq!(oauth.note("attribute-app-client-family"), "only cursor");
        // A heading-style scenario name becomes its slug.
        let tools = &loaded.state.by_id["v1-mcp-tool-execution"];
        assert!(tools.is_done("attribute-gen-ai-tool-name"));

        // The old key is gone, the new ones are there, other data is untouched.
        let entries = storage.as_object().unwrap();
        assert!(!entries.contains_key(V1_KEY));
        assert!(entries.contains_key("sidebar"));
        assert!(entries.contains_key(&step_key(
            "v1-oauth-and-client-registration",
            "metric-app-oauth-grant-revoked"
        )));

        // Loading the migrated storage again is a no-op with the same state.
        let again = load(&mut storage);
        assert!(again.write.is_empty() && again.notices.is_empty());
        assert_eq!(again.state, loaded.state);
    }

    #[test]
    fn unreadable_entries_are_set_aside_and_the_rest_survive() {
        let mut storage = fixture("v2-with-corruption.json");
        let loaded = load(&mut storage);
        let ids: Vec<&str> = loaded.state.by_id.keys().map(String::as_str).collect();
        assert_eq!(ids, ["cloudflare-http-server-18f2a3b4c5d1"]);
        let survivor = &loaded.state.by_id["cloudflare-http-server-18f2a3b4c5d1"];
        assert!(survivor.is_done("metric-app-server-response"));
        assert_eq!(
            survivor.note("metric-app-server-response"),
            "500s spike at 14:02"
        );

        let quarantined: Vec<&str> = loaded.notices.iter().map(|n| n.key.as_str()).collect();
        for key in [
            "pl.investigation.agent-and-genai-1",
            "pl.investigation.stdio-transport-1",
            "pl.step.cloudflare-http-server-18f2a3b4c5d1.trace",
            "pl.investigation.oauth-and-client-registration-2",
        ] {
            assert!(quarantined.contains(&key), "{key} not in {quarantined:?}");
            let entries = storage.as_object().unwrap();
            assert!(!entries.contains_key(key));
            assert!(entries.contains_key(&format!("{QUARANTINE_PREFIX}{key}")));
        }
        assert!(loaded
            .notices
            .iter()
            .any(|n| n.message.contains("schema 9 is not 2")));
        // The orphaned step is dropped quietly; settings are not ours to touch.
        let entries = storage.as_object().unwrap();
        assert!(!entries.contains_key("pl.step.deleted-elsewhere-1.trace"));
        assert!(entries.contains_key("settings"));
        // Set aside does not mean copied verbatim: the token is masked there too.
        assert!(!storage.to_string().contains("sntryu_abababab"));
    }

    #[test]
    fn anything_at_all_in_storage_loads() {
        for storage in [
            json!(null),
            json!([1, 2]),
            json!("x"),
            json!({ "checklists": 5 }),
            json!({ "checklists": { "version": 3, "scenarios": {} } }),
            json!({ "pl.investigation.": {}, "pl.step.": 1, "pl.step.a": {} }),
            json!({ "pl.investigation.A_B": { "schema": 2, "id": "A_B", "scenario": "x",
                     "started_from": "", "started_at": 0 } }),
        ] {
            let loaded = migrate(&storage);
            assert!(loaded.state.by_id.is_empty(), "{storage}");
            assert!(!loaded.notices.is_empty(), "{storage} gave no notice");
        }
    }

    fn started(
        state: &mut Investigations,
        storage: &mut Value,
        scenario: &str,
        now: f64,
    ) -> String {
        let (id, write) = state
            .start(
                scenario,
                "https://acme.sentry.io/explore/logs/?q=1",
                Vec::new(),
                now,
                7,
            )
            .unwrap();
        apply(storage, &write);
        id
    }

    #[test]
    fn two_tabs_ticking_different_steps_keep_both() {
        let mut storage = json!({});
        let mut tab_a = Investigations::default();
        let id = started(&mut tab_a, &mut storage, "cloudflare-http-server", 1.0e12);
        let mut tab_b = migrate(&storage).state;
        // Both tabs write from the same starting state, one after the other.
        let write_a = tab_a.set_step(&id, "trace", true, "", 2.0).unwrap();
        let write_b = tab_b
            .set_step(&id, "metric-app-server-response", true, "spike", 3.0)
            .unwrap();
        assert_eq!(write_a.set.len(), 1, "a tick writes only its own step");
        apply(&mut storage, &write_a);
        apply(&mut storage, &write_b);
        let merged = &migrate(&storage).state.by_id[&id];
        assert!(merged.is_done("trace") && merged.is_done("metric-app-server-response"));

        // And each tab sees the other's tick through storage.onChanged.
        let notices = tab_a.apply_changes(&write_b.set);
        assert!(notices.is_empty());
        assert!(tab_a.by_id[&id].is_done("metric-app-server-response"));
        assert_eq!(tab_a.by_id[&id].note("metric-app-server-response"), "spike");
    }

    #[test]
    fn two_tabs_starting_the_same_investigation_at_once_end_with_one() {
        let trace = PivotValue {
            key: "trace_id".into(),
            value: "a".repeat(32),
        };
        let start = |nonce: u32, pivots: Vec<PivotValue>, step: &str| {
            let mut tab = Investigations::default();
            let (id, mut write) = tab
                .start(
                    "cloudflare-http-server",
                    "https://acme.sentry.io/",
                    pivots,
                    1.0e12,
                    nonce,
                )
                .unwrap();
            let tick = tab.set_step(&id, step, true, "", 1.0e12 + 5.0).unwrap();
            write.set.extend(tick.set);
            (tab, write)
        };
        let user = PivotValue {
            key: "user.id".into(),
            value: "42".into(),
        };
        let (mut tab_a, write_a) = start(1, vec![trace.clone()], "trace");
        let (mut tab_b, write_b) =
            start(2, vec![trace, user.clone()], "metric-app-server-response");
        // Each tab hears of the other's start and tick, then folds; both do the same.
        tab_a.apply_changes(&write_b.set);
        tab_b.apply_changes(&write_a.set);
        let (fold_a, fold_b) = (tab_a.fold_twins(), tab_b.fold_twins());
        assert_eq!(fold_a, fold_b, "both tabs write the same fold");
        let mut storage = json!({});
        apply(&mut storage, &write_a);
        apply(&mut storage, &write_b);
        apply(&mut storage, &fold_a);
        apply(&mut storage, &fold_b);
        let state = migrate(&storage).state;
        assert_eq!(state.by_id.len(), 1, "{storage:#}");
        let one = state.by_id.values().next().unwrap();
        assert!(one.is_done("trace") && one.is_done("metric-app-server-response"));
        assert!(one.record.pivots.contains(&user), "pivots of both are kept");
        assert_eq!(state, tab_a);
        assert!(
            tab_a.fold_twins().is_empty(),
            "folding twice changes nothing"
        );
    }

    #[test]
    fn investigations_apart_in_time_or_pivots_are_not_twins() {
        let pivot = |value: &str| PivotValue {
            key: "trace_id".into(),
            value: value.repeat(32),
        };
        let mut tabs = Investigations::default();
        for (nonce, at, pivots) in [
            (1, 1.0e12, vec![pivot("a")]),
            (2, 1.0e12 + TWIN_WINDOW_MS + 1.0, vec![pivot("a")]),
            (3, 1.0e12, vec![pivot("b")]),
        ] {
            tabs.start(
                "cloudflare-http-server",
                "https://acme.sentry.io/",
                pivots,
                at,
                nonce,
            )
            .unwrap();
        }
        tabs.start(
            "stdio-transport",
            "https://acme.sentry.io/",
            vec![pivot("a")],
            1.0e12,
            4,
        )
        .unwrap();
        assert!(tabs.fold_twins().is_empty());
        assert_eq!(tabs.by_id.len(), 4);
    }

    #[test]
    fn changes_from_another_tab_apply_whole_and_deletions_too() {
        let mut storage = json!({});
        let mut other = Investigations::default();
        let (id, mut write) = other
            .start(
                "stdio-transport",
                "https://acme.sentry.io/",
                Vec::new(),
                5.0,
                1,
            )
            .unwrap();
        let tick = other.set_step(&id, "trace", true, "", 6.0).unwrap();
        write.set.extend(tick.set);
        apply(&mut storage, &write);
        let mut this = Investigations::default();
        // A batch lists keys in any order; the step must not be lost before its record.
        assert!(this.apply_changes(&write.set).is_empty());
        assert!(this.by_id[&id].is_done("trace"));

        let deletion: Map<String, Value> = other
            .delete(&id)
            .remove
            .into_iter()
            .map(|key| (key, Value::Null))
            .collect();
        assert_eq!(deletion.len(), 2);
        this.apply_changes(&deletion);
        assert!(this.by_id.is_empty());

        let mut bad = Map::new();
        bad.insert(record_key("x-1"), json!({ "schema": 1 }));
        assert_eq!(this.apply_changes(&bad).len(), 1);
        assert!(this.by_id.is_empty());
    }

    #[test]
    fn secrets_never_reach_storage() {
        let mut state = Investigations::default();
        let mut storage = json!({});
        let id = started(
            &mut state,
            &mut storage,
            "oauth-and-client-registration",
            1.0,
        );
        let token = format!("sntryu_{}", "ab".repeat(32));
        let refused = state.set_step(&id, "trace", true, &format!("used {token}"), 2.0);
        assert!(refused.is_err());
        assert!(!state.by_id[&id].is_done("trace"), "nothing changed");

        let pivots = vec![
            pivot("user.id", &token, false),
            pivot("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", false),
            pivot("gen_ai.tool.call.arguments.token", "x", true),
        ];
        let collected = collectible(&pivots);
        assert_eq!(collected.len(), 1, "{collected:?}");
        assert_eq!(collected[0].key, "trace_id");
        let write = state.collect(&id, &collected).unwrap();
        assert!(!serde_json::to_string(&write).unwrap().contains("sntryu_"));
        assert!(
            state.collect(&id, &collected).is_none(),
            "nothing new, no write"
        );
        // The started-from address keeps no query.
        assert_eq!(
            state.by_id[&id].record.started_from,
            "https://acme.sentry.io/explore/logs/"
        );
    }

    fn pivot(key: &str, value: &str, secret: bool) -> PivotView {
        PivotView {
            key: key.into(),
            value: value.into(),
            escaped: None,
            source: "page",
            secret,
            truncated: false,
            info: Default::default(),
        }
    }

    #[test]
    fn a_key_with_several_values_on_the_page_is_not_collected() {
        let pivots = vec![
            pivot("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", false),
            pivot("trace_id", "0af7651916cd43dd8448eb211c80319c", false),
            pivot("http.route", "/oauth/token", false),
        ];
        let keys: Vec<String> = collectible(&pivots).into_iter().map(|p| p.key).collect();
        assert_eq!(keys, ["http.route"]);
    }

    #[test]
    fn the_page_picks_the_investigation_it_belongs_to() {
        let mut state = Investigations::default();
        let trace = PivotValue {
            key: "trace_id".into(),
            value: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        };
        let (older, _) = state
            .start(
                "mcp-tool-execution",
                "https://acme.sentry.io/",
                vec![trace.clone()],
                1.0,
                1,
            )
            .unwrap();
        let (newer, _) = state
            .start(
                "mcp-tool-execution",
                "https://acme.sentry.io/",
                Vec::new(),
                2.0,
                2,
            )
            .unwrap();
        let first = |page: &[PivotValue]| {
            state.open_for("mcp-tool-execution", page)[0]
                .record
                .id
                .clone()
        };
        assert_eq!(first(&[]), newer, "the most recent without a shared pivot");
        assert_eq!(
            first(std::slice::from_ref(&trace)),
            older,
            "the one sharing the trace"
        );
        state.set_closed(&older, true);
        assert_eq!(state.open_for("mcp-tool-execution", &[trace]).len(), 1);
        assert_eq!(state.closed().len(), 1);
    }

    #[test]
    fn growth_is_bounded_without_losing_open_work() {
        let mut state = Investigations::default();
        let mut storage = json!({});
        for n in 0..MAX_INVESTIGATIONS {
            let id = started(&mut state, &mut storage, "stdio-transport", n as f64);
            if n < 2 {
                state.set_closed(&id, true);
            }
        }
        let oldest_closed = state.closed()[0].record.id.clone();
        let (_, write) = state
            .start(
                "stdio-transport",
                "https://acme.sentry.io/",
                Vec::new(),
                1.0e6,
                1,
            )
            .unwrap();
        assert!(write.remove.contains(&record_key(&oldest_closed)));
        assert_eq!(state.by_id.len(), MAX_INVESTIGATIONS);
        // One closed left: evicted next. Then only open work remains, and starting is refused.
        assert!(state
            .start(
                "stdio-transport",
                "https://acme.sentry.io/",
                Vec::new(),
                2.0e6,
                1
            )
            .is_ok());
        assert!(state
            .start(
                "stdio-transport",
                "https://acme.sentry.io/",
                Vec::new(),
                3.0e6,
                1
            )
            .is_err());
    }
}
