//! The panic hook: a fixed message and where in our code it happened, never the panic's payload,
//! which can quote the page value or selection being handled (security.md SEC-5). The stock
//! `console_error_panic_hook` prints the payload.

use std::sync::Once;

pub fn install_quiet_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            web_sys::console::error_1(
                &format!("Pivot Lens stopped on an internal error{place}").into(),
            );
        }));
    });
}
