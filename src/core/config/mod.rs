//! What is in force: the engineer's settings (`settings`), the team policy over them (`managed`),
//! the imported runbook and its history (`runbook_store`), export and import of all of it
//! (`transfer`), and the self-hosted Sentry origins granted (`self_hosted`).

pub mod managed;
pub mod runbook_store;
pub mod self_hosted;
pub mod settings;
pub mod transfer;
