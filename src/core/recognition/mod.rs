//! Recognition: what the page is and which pivots it shows. The URL says the page's kind and ids
//! (`page`), the probe's reports say what the page holds (`page_entries`), and `facts` turns raw
//! facts into the runbook's canonical pivots, reading only the keys the runbook can know
//! (`known_keys`, `probe_keys`) and id shapes shared with the context menu (`ids`).

pub mod facts;
pub(crate) mod ids;
pub(crate) mod known_keys;
pub mod page;
pub mod page_entries;
pub mod probe_keys;
