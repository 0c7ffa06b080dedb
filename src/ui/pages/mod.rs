//! The extension's own pages: options (settings, runbook, team transfer, self-hosted hosts) and
//! the glossary. Each has its wasm entry point in its file.

mod glossary;
mod options;
