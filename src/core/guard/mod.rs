//! What keeps hostile page text harmless: secrets detected and masked before anything shows,
//! stores, links or copies them (`secrets`), and untrusted text bounded and made inert (`text`).

pub mod secrets;
pub(crate) mod text;
