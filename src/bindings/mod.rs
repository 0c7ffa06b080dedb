//! The wasm entry points that are not UI, in the `pages` module: the background's (context menu,
//! classification, API limits, self-hosted plan) and the runbook compiler `build.sh` runs.

mod background;
mod runbook_compiler;
