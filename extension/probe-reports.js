// The order of the page probe's reports, as the sidebar frame receives them. A report carries only
// the entries that changed since the previous one (the wasm keeps them: src/core/recognition/page_entries.rs),
// so none may be missed. A pure module, so tests/js/probe-reports.test.mjs checks it under node.

export class ProbeReports {
  #lastSequence = 0;
  #synced = false; // a full report arrived and none was missed since

  /**
   * The wasm's message (JSON) for the probe's envelope `{sequence, message}`, or null for a repeat
   * (Chromium delivers each one directly and again through the background's relay) or for a report
   * that cannot be applied. `resync()` is called when a report was missed: what the page holds is
   * unknown until the next full report, which `resync` asks for (as this frame's hello does).
   */
  read({ sequence, message }, resync) {
    if (!(sequence > this.#lastSequence)) return null;
    if (this.#synced && sequence !== this.#lastSequence + 1) {
      this.#synced = false;
      resync();
    }
    this.#lastSequence = sequence;
    if (message?.type === "page") {
      if (message.full === true) this.#synced = true;
      else if (!this.#synced) return null;
    }
    return JSON.stringify(message);
  }
}
