// The frame's only script tag. The sidebar's modules (glue, runbook, wasm loader) start once this
// frame has loaded: a frame's load is part of its page's, so the Sentry page's `load` event does
// not wait for them. Modules that fail to load get the error state, never a blank frame.
function startSidebar() {
  import("./sidebar.js").catch(async (error) => {
    const { fail } = await import("./sidebar-channel.js");
    fail(error);
  });
}

addEventListener("load", startSidebar, { once: true });
