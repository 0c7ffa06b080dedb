//! Every message the sidebar sends out, one serde-tagged enum (`{"type": …}`): `sidebar.js` handles
//! `dock` and `undock` itself (they need the background) and passes the rest to the page probe
//! (`extension/content.js` `onSidebarMessage`). What comes in is `app::ProbeMessage`.

use serde::Serialize;

#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Outgoing {
    /// How the probe sizes the frame (never sent docked: the browser sizes its panel).
    Layout { open: bool, width: u16, side: Side },
    /// Give the focus back to the page (Esc).
    Blur,
    /// Outline the page element showing `value` (the tour's field step); without one, remove the
    /// outline.
    Highlight {
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        field: Option<Field>,
    },
    /// Show this sidebar in the browser's own panel (`sidebar.js` asks the background).
    Dock,
    /// Back on the page from the browser's panel.
    Undock,
}

#[derive(Serialize, Debug, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Field {
    pub key: String,
    pub value: String,
}
