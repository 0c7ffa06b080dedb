// Pivot Lens page probe, the outline: the tour's field step outlines the page element a pivot was
// read from, and the next step removes it. probe/main.js tells it where each value was read.
globalThis.pivotLensProbeOutline = (() => {
  "use strict";

  /**
   * An outline for values read on the page; `dom` is probe/rules.js's page access, `pageRoot()` the
   * page's root, and at most `maxSources` values keep the element they were read from.
   */
  function createOutline({ dom, pageRoot, maxSources }) {
    const { queryAll, childrenOf, textContentOf, connected } = dom;
    const sources = new Map(); // value → element last read from, oldest first
    let outlined = null; // { el, outline, offset } as they were before

    /** Where `value` was last read. */
    function readFrom(value, el) {
      sources.delete(value);
      if (sources.size >= maxSources) sources.delete(sources.keys().next().value);
      sources.set(value, el);
    }

    /** The innermost element showing `value`, else a link to it, else where it was read. */
    function elementShowing(value) {
      const source = sources.get(value);
      const root = source && connected(source) ? source : pageRoot();
      const candidates = root === source ? [source, ...queryAll(source, "*")] : queryAll(root, "*");
      for (const el of candidates) {
        if (!childrenOf(el).length && textContentOf(el).trim() === value) return el;
      }
      return [...queryAll(root, "a[href]")].find((a) => a.href.includes(value)) ?? (root === source ? source : null);
    }

    /** Outlines the element showing `value` (scrolled into view); "" only removes the outline. */
    function show(value) {
      if (outlined) {
        outlined.el.style.outline = outlined.outline;
        outlined.el.style.outlineOffset = outlined.offset;
        outlined.el.removeAttribute("data-pl-highlight");
        outlined = null;
      }
      const el = value && elementShowing(value);
      if (!el) return;
      outlined = { el, outline: el.style.outline, offset: el.style.outlineOffset };
      el.style.outline = "3px solid #6c47ff";
      el.style.outlineOffset = "2px";
      el.setAttribute("data-pl-highlight", "");
      el.scrollIntoView({ block: "center" });
    }

    /** Forgets where values were read (a new page). */
    const forget = () => sources.clear();

    return { readFrom, show, forget };
  }

  return Object.freeze({ createOutline });
})();
