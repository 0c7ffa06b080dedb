// The frame's only script tag. The sidebar's modules (glue, runbook, wasm loader) start once this
// frame has loaded: a frame's load is part of its page's, so the Sentry page's `load` event does
// not wait for them. Modules that fail to load get the error state, never a blank frame.
//
// The page probe hands the frame it made a key, in a message to the extension's origin; the first
// one is this frame's (security.md MSG-3). A copy a page script framed never gets one.
globalThis.pivotLensFrameKey = new Promise((resolve) => {
  addEventListener("message", function take(event) {
    if (event.source !== parent || typeof event.data?.pivotLensKey !== "string") return;
    removeEventListener("message", take);
    resolve(event.data.pivotLensKey);
  });
});

function startSidebar() {
  import("./sidebar.js").catch(async (error) => {
    const { fail } = await import("./sidebar-channel.js");
    fail(error);
  });
}

addEventListener("load", startSidebar, { once: true });
