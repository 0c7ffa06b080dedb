//! Scenario checklists: each runbook scenario's steps as the page fills them (`scenarios`), and
//! the investigations that remember ticks and notes across pages, tabs and restarts
//! (`investigation`).

pub mod investigation;
pub mod scenarios;
