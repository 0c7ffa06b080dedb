// The host element's contract attributes (null without one, 'duplicate' with two); run by Session::host_state.
const h = Document.prototype.querySelectorAll.call(document, '[data-pivot-lens]');
if (h.length !== 1) return h.length ? 'duplicate' : null;
const f = h[0].shadowRoot && h[0].shadowRoot.querySelector('iframe');
return { state: h[0].getAttribute('data-pl-state'), url: h[0].getAttribute('data-pl-url'),
         readyMs: h[0].getAttribute('data-pl-ready-ms'), src: f ? f.src : '' };
