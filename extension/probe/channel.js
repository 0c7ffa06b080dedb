// Pivot Lens page probe, the channel: its host element on the page (the automation contract's
// `data-pl-*` hooks), the sidebar frame it holds or the browser's panel it answers when docked, and
// the line to the sidebar: extension messages (no page script can send one), relayed by the
// background (in Firefox a tab's messages do not reach its extension frame). What comes in is
// checked here and dispatched by type, once; probe/main.js handles what concerns the page.
globalThis.pivotLensProbeChannel = (() => {
  "use strict";

  const CONNECT_TIMEOUT_MS = 15000;
  const { SIDEBAR_WIDTH_MIN, SIDEBAR_WIDTH_MAX, MESSAGES } = globalThis.pivotLensShared;
  const { RUNTIME, TO_PROBE, FROM_PROBE } = MESSAGES;
  const STYLE = `
  :host { all: initial; position: fixed; top: 0; z-index: 2147483000; display: block; }
  :host([data-pl-side="right"]) { right: 0; }
  :host([data-pl-side="left"]) { left: 0; }
  iframe { border: 0; display: block; background: transparent; color-scheme: normal; }
  :host([data-pl-open="false"]) iframe { width: 40px; height: 132px; margin-top: 40vh; }
  :host([data-pl-open="true"]) iframe { width: var(--pl-width, 380px); height: 100vh;
    box-shadow: 0 0 0 1px rgba(0,0,0,.12), 0 8px 24px rgba(0,0,0,.18); }`;

  /**
   * The channel of a probe living as long as `lifetime`. `practice`: on a bundled practice page
   * (always framed; its frame may message the probe directly). `receive` holds probe/main.js's
   * handlers of the sidebar's `hello`, `rendered` and `highlight`, by name.
   */
  function createChannel({ api, lifetime, practice, receive }) {
    const { later, cancel, atStop } = lifetime;
    const SIDEBAR_PAGE = api.runtime.getURL("sidebar.html");
    // The origin of the sidebar's document: Chromium redirects the per-session URL the page sees
    // (`use_dynamic_url`, security.md MAN-7) to the extension's own origin, named by its id.
    const EXTENSION_ORIGIN = SIDEBAR_PAGE.startsWith("chrome-extension:")
      ? `chrome-extension://${api.runtime.id}`
      : new URL(SIDEBAR_PAGE).origin;

    // A content script orphaned by an extension reload or update leaves no second sidebar.
    for (const stale of document.querySelectorAll("[data-pivot-lens]")) stale.remove();
    const host = document.createElement("div");
    /** Sets the host's `data-pl-*` hooks (docs/automation-contract.md). */
    const mark = (hooks) => Object.entries(hooks).forEach(([name, value]) => host.setAttribute(`data-pl-${name}`, value));
    host.setAttribute("data-pivot-lens", "");
    mark({ state: "loading", open: false, side: "right" });
    const shadow = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    shadow.append(style);
    document.documentElement.append(host);
    atStop(() => host.remove()); // its own host, never one found by query (maybe a new probe's)

    // The sidebar's line: a channel and a key. For the frame we make, the channel is readable in
    // the open shadow root, so a page script can frame a second copy of the sidebar at it; the key
    // is not: it reaches only our frame (a message addressed to the extension's origin, which no
    // page can read), and every message both ways carries it (security.md MSG-3). Docked, the
    // browser's panel names both in its hello.
    let channel = "";
    let frameKey = "";
    let ready = false; // the sidebar said hello on this line
    let frame = null;
    let docked = null; // unknown until storage answers
    let connectWatchdog = 0; // marks an error when no sidebar says hello in time

    function addFrame() {
      channel = crypto.randomUUID();
      frameKey = crypto.randomUUID();
      const made = document.createElement("iframe");
      made.title = "Pivot Lens";
      // Named, not 'src': in Chromium the document the frame ends at is not at the URL it was given.
      made.allow = `clipboard-write ${EXTENSION_ORIGIN}`;
      made.src = `${SIDEBAR_PAGE}#${channel}`;
      // On every load (the frame reloads itself after a failure); a later `load` the page
      // dispatches reaches the same frame, and only while it holds an extension page.
      const key = frameKey;
      made.addEventListener("load", () => made.contentWindow?.postMessage({ pivotLensKey: key }, EXTENSION_ORIGIN));
      shadow.append(made);
      frame = made;
    }

    // ---- Where the sidebar is: a frame on the page, or docked in the browser's own panel (the
    // engineer's choice, `settings.sidebar.docked`), followed live.
    function setDocked(on) {
      if (on === docked) return;
      docked = on;
      ready = false;
      cancel(connectWatchdog);
      frame?.remove();
      frame = null;
      channel = frameKey = ""; // until the panel's hello names them
      mark({ mode: on ? "docked" : "frame", open: false });
      // A docked panel showing this tab asks for the page once it hears this one is there.
      if (on) return api.runtime.sendMessage({ type: RUNTIME.PROBE_READY }).catch(() => {});
      addFrame();
      connectWatchdog = later(() => mark({ state: "error" }), CONNECT_TIMEOUT_MS);
    }

    let sequence = 0;
    /** Sends `message` to the sidebar, once it has said hello. */
    function send(message) {
      if (!ready) return;
      sequence += 1;
      api.runtime.sendMessage({ type: RUNTIME.PAGE, channel, key: frameKey, sequence, message }).catch(() => {});
    }

    // What the sidebar says, by type (no inherited names).
    const fromSidebar = Object.assign(Object.create(null), {
      [TO_PROBE.HELLO](message) {
        ready = true;
        cancel(connectWatchdog);
        receive.hello(message);
      },
      [TO_PROBE.RENDERED]: receive.rendered,
      [TO_PROBE.LAYOUT](message) {
        mark({ open: message.open === true, side: message.side === "left" ? "left" : "right" });
        const width = Number(message.width);
        if (Number.isFinite(width)) host.style.setProperty("--pl-width", `${Math.min(Math.max(width, SIDEBAR_WIDTH_MIN), SIDEBAR_WIDTH_MAX)}px`);
      },
      [TO_PROBE.ERROR]() {
        cancel(connectWatchdog);
        mark({ state: "error", open: true });
      },
      [TO_PROBE.BLUR]() {
        frame?.blur();
        window.focus();
      },
      [TO_PROBE.HIGHLIGHT]: receive.highlight,
    });

    /** The docked panel: a page of ours outside any tab (only extension pages can message us). */
    function fromPanel(sender) {
      try {
        return !sender.tab && new URL(sender.url).pathname === "/sidebar.html";
      } catch {
        return false;
      }
    }

    // What the extension says, by type: the sidebar's line, and the keyboard command's toggle.
    const fromExtension = Object.assign(Object.create(null), {
      [RUNTIME.TO_PAGE](envelope, sender) {
        if (docked && fromPanel(sender) && envelope.message?.type === TO_PROBE.HELLO
            && typeof envelope.channel === "string" && typeof envelope.key === "string") {
          // The panel now in view of this tab: its line replaces any earlier panel's.
          channel = envelope.channel;
          frameKey = envelope.key;
        }
        const message = envelope.message;
        if (channel === "" || envelope.channel !== channel || envelope.key !== frameKey) return;
        if (message && typeof message === "object") fromSidebar[message.type]?.(message);
      },
      [RUNTIME.TOGGLE]: () => send({ type: FROM_PROBE.TOGGLE }),
    });

    api.runtime.onMessage.addListener((envelope, sender) => {
      // Only the background relays to us (and on a practice page, our sidebar frame), or the panel.
      const direct = practice && sender.url?.startsWith(SIDEBAR_PAGE);
      if (sender.id !== api.runtime.id || (sender.tab && !direct)) return;
      if (envelope && typeof envelope === "object") fromExtension[envelope.type]?.(envelope, sender);
    });

    // Practice pages always frame the sidebar.
    if (practice) setDocked(false);
    else {
      api.storage.local.get("settings").then(
        ({ settings }) => setDocked(settings?.sidebar?.docked === true),
        () => setDocked(false),
      );
      api.storage.onChanged.addListener((changes, area) => {
        if (area === "local" && "settings" in changes && docked !== null) {
          setDocked(changes.settings.newValue?.sidebar?.docked === true);
        }
      });
    }

    return { send, mark, isReady: () => ready };
  }

  return Object.freeze({ createChannel });
})();
