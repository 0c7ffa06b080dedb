// Pivot Lens page probe, the rules: how Sentry's DOM is read (docs/recognition.md has each rule,
// the Sentry component it reads and the fixture that proves it). It only collects raw facts
// `{source, key, value, section}`, unjudged: the sidebar's Rust decides what is a pivot, drops
// placeholders (`--`, `{}`, `[Filtered]`, …) and validates ids. probe/main.js runs the rules
// over the page and its changes; tests/js/probe-rules.test.mjs runs them over the fixture pages.
// A classic script sharing the content scripts' isolated world, so it defines one global only;
// injected again (an update in a tab that stays open), it replaces it: a probe that already runs
// keeps the rules it started with.
globalThis.pivotLensProbeRules = (() => {
  "use strict";
  // shared.js, from the core: the value limit, and the sources a fact may name (FactSource).
  const { MAX_VALUE_UNITS: MAX_VALUE, FACT_SOURCES: SOURCE } = globalThis.pivotLensShared;

  // The page's DOM, read through the prototypes (probe/dom.js).
  const dom = globalThis.pivotLensProbeDom;
  const { query, queryAll, closest, matches, attribute, contains, childrenOf, firstChildOf, nextSiblingOf,
    previousSiblingOf, parentOf, textContentOf, tagOf, documentOf, treeWalker, rootOf } = dom;

  // Tooltips, hovercards and menus (portals, there while hovered or open) are never page facts.
  // Sentry's overlays (components/overlay.tsx: tooltips, hovercards, dropdowns) carry
  // `data-overlay` and no tooltip role; the roles cover other widgets.
  const IGNORED = "button, [aria-hidden='true'], [data-overlay], [role='tooltip'], [role='menu'], svg, style, script";
  const PORTALS = "[data-overlay], [role='tooltip'], [role='menu'], [role='listbox']";

  /** Visible text of an element, leaving out icon buttons, hidden full keys and tooltips. */
  function textOf(el) {
    if (!el) return "";
    // Most value cells are plain text: one query, no walk over text nodes.
    if (!query(el, IGNORED)) return textContentOf(el).trim().slice(0, MAX_VALUE);
    let out = "";
    const walker = treeWalker(documentOf(el), el, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => {
        const ignored = n.parentElement && closest(n.parentElement, IGNORED);
        return ignored && contains(el, ignored) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    while (walker.nextNode() && out.length <= MAX_VALUE) out += walker.currentNode.data;
    return out.trim().slice(0, MAX_VALUE);
  }

  // Parts of Sentry's pages holding facts, rows too: a fact is filed under the nearest, which a
  // change re-reads.
  const CONTAINER_IDS = new Set([
    "trace-drawer", "trace-drawer-title", "fields-tree", "attribute-tree-column", "event-tags-tree",
    "tag-tree-column", "logs-table", "spans-table", "attribute-tree-row", "tag-tree-row",
    "highlight-tag-row", "highlight-context-row", "log-table-row",
  ]);
  const CONTAINERS = ["section[id]", "[role='region'][aria-label]", "[role='dialog']", "header",
    ...[...CONTAINER_IDS].map((id) => `[data-test-id='${id}']`)].join(", ");
  /** The container `el` is filed under (itself when it is one), or null. Rows first: most reads. */
  const nearestContainer = (el) => (CONTAINER_IDS.has(attribute(el, "data-test-id")) ? el : closest(el, CONTAINERS));

  const SECTION = "section[id], [data-test-id='trace-drawer'], [data-test-id='logs-table'], [data-test-id='spans-table']";
  const sectionName = (region) => (region ? (attribute(region, "id") || attribute(region, "data-test-id") || "") : "");
  const sectionOf = (el) => sectionName(closest(el, SECTION));

  // ---- Attribute and tag trees (components/keyValueTree/keyValueTreeRow.tsx): a nested row shows
  // its dotted key's leaf; `rowKey` finds the full key. Rows with no key (trunks) hold no value.
  function treeRow(row, emit, page, isTag) {
    const [source, key] = rowKey(row, isTag) ?? [];
    if (!key || !page.knows(key.trim())) return;
    const valueCell = query(row, "[data-sentry-element='TreeValue']") ?? nextSiblingOf(firstChildOf(row));
    if (!valueCell) return;
    const section = sectionOf(row);
    // A JSON value is shown as StructuredData (collapsed in the span drawer, expanded as a `<pre>`
    // in logs and explore trees): its text is not the value, its expanded entries are `<key>.<path>`.
    if (structured(valueCell)) structuredPairs(valueCell, key.trim(), emit, section);
    else emit({ source, key, value: textOf(valueCell), section });
    for (const a of queryAll(valueCell, "a[href]")) emit({ source: SOURCE.HREF, key: "", value: a.href, section });
  }

  /** `[source, key]` of a tree row, from its most reliable hook. */
  function rowKey(row, isTag) {
    const testIdKey = query(row, "[data-test-id^='tree-key-']");
    if (testIdKey) return [SOURCE.TEST_ID, attribute(testIdKey, "data-test-id").slice("tree-key-".length)];
    const keyCell = firstChildOf(row);
    if (!keyCell) return null;
    // Icons are aria-hidden too; the full key is the one with text.
    const hiddenKey = [...queryAll(keyCell, "[aria-hidden='true']")].find((el) => textContentOf(el).trim());
    if (hiddenKey) return [isTag ? SOURCE.TAG : SOURCE.HIDDEN_KEY, textContentOf(hiddenKey).trim()];
    const titled = matches(keyCell, "[title]") ? keyCell : query(keyCell, "[title]:not(button)");
    const title = titled ? attribute(titled, "title").trim() : "";
    return title ? [isTag ? SOURCE.TAG : SOURCE.TITLE, title] : null;
  }

  // ---- Key-value cards (components/tables/keyValueTable/keyValueTableCard.tsx and
  // keyValueTableDataRow.tsx): a row is a div of a subject div (plain text) and a value section.
  // The card's title is its first child whatever its markup (a flex box with the title and an icon).

  /** The row's `[subject, value cell]` when `row` is a key-value row, else null. */
  function subjectAndValue(row) {
    const cells = childrenOf(row);
    if (cells.length !== 2) return null;
    const [subject, value] = cells;
    if (tagOf(subject) !== "DIV" || childrenOf(subject).length) return null;
    const text = textContentOf(subject).trim();
    return text && text.length <= 60 ? [text, value] : null;
  }

  /** Context cards ("Trace Details" → "Trace ID"), keyed `<card title>/<subject>`. */
  function contextCards(section, emit) {
    const name = sectionName(section);
    for (const row of queryAll(section, "div")) {
      const pair = subjectAndValue(row);
      if (!pair) continue;
      // The card's title is its first child unless that is a row with a value (an untitled card).
      // A title shaped like a row (text + icon) reads as a row with no value: nothing is emitted.
      const first = firstChildOf(parentOf(row));
      const title = first === row || hasValue(first) ? "" : textOf(first);
      emitRow(title, ...pair, emit, name);
    }
  }

  function hasValue(row) {
    const pair = subjectAndValue(row);
    return !!pair && textOf(pair[1]) !== "";
  }

  /** Highlights' context rows (components/events/highlights/highlightsDataSection.tsx): the subject
   * reads `<Context>: <Subject>` ("Trace: Trace ID", "User: ID"). */
  function highlightContextRow(row, emit) {
    const [subject, value] = subjectAndValue(row) ?? [];
    const [context, field] = subject?.split(": ") ?? [];
    if (context && field) emitRow(context, field, value, emit, sectionOf(row));
  }

  function emitRow(title, subject, value, emit, section) {
    // An object or array value (StructuredData) is read key by key, and only where expanded.
    if (structured(value)) return structuredPairs(value, /^data$/i.test(subject) ? "" : subject, emit, section);
    const text = textOf(value); // none in a title shaped as a row (its "value" is the icon)
    if (text) emit({ source: SOURCE.CONTEXT, key: `${title}/${subject}`, value: text, section });
  }

  // ---- StructuredData (components/structuredEventData/recursiveStructuredData.tsx and
  // collapsibleValue.tsx): an object renders `{`, its entries (`<span>key</span><span>: </span>` then
  // the value, `[data-test-id=value-…]` for a leaf) and `}`; collapsed, an "N items" button stands
  // for the entries, which are then not in the DOM at all. Keys are unquoted.
  const OPEN_TAG = /^[[{]$/;
  const isOpenTag = (el) => OPEN_TAG.test(textContentOf(el));
  // Most values are plain text: one look at the first character before a walk over the spans.
  function structured(value) {
    return /^\s*[[{]/.test(textContentOf(value)) && [...queryAll(value, "span")].some(isOpenTag);
  }

  /** `key` of `<span>key</span><span>: </span>el`, or null. */
  function keyBefore(el) {
    const colon = previousSiblingOf(el);
    const key = colon && textContentOf(colon) === ": " ? previousSiblingOf(colon) : null;
    return key ? textContentOf(key).trim() || null : null;
  }

  /** The dotted path of a leaf inside `root`, or null inside an array (items have no keys). */
  function pathOf(leaf, root) {
    const path = [keyBefore(leaf)];
    if (!path[0]) return null;
    for (let el = parentOf(leaf); el && el !== root; el = parentOf(el)) {
      const open = [...childrenOf(el)].find(isOpenTag);
      if (!open) continue;
      if (textContentOf(open) === "[") return null;
      const key = keyBefore(open); // a nested object's own key; the outermost has none
      if (key) path.unshift(key);
    }
    return path.join(".");
  }

  function structuredPairs(value, prefix, emit, section) {
    for (const leaf of queryAll(value, "[data-test-id^='value-']")) {
      const path = pathOf(leaf, value);
      if (path) emit({ source: SOURCE.JSON, key: prefix ? `${prefix}.${path}` : path, value: textOf(leaf), section });
    }
  }

  // ---- Tables whose columns are fields (views/explore/tables, components/tables/dataTable): the
  // URL's `field=` list names the columns after any leading ones of their own (the details toggle);
  // without it, the header labels do. An empty cell reads "(no value)" (a placeholder).
  const fieldsOf = (url) => {
    try { return new URL(url).searchParams.getAll("field"); } catch { return []; }
  };

  /** Each body row's cells, the row the engineer is looking at first (hovered: Sentry re-renders
   * a hovered row's cell actions, so the probe reads the table again then; else an expanded one),
   * so its values lead where a key has several. */
  function spansTable(table, emit, page) {
    const rows = [...queryAll(table, "tr")].filter((row) => [...childrenOf(row)].some((cell) => tagOf(cell) === "TD"));
    const focus = rows.find((row) => matches(row, ":hover")) ?? rows.find((row) => query(row, "[aria-expanded='true']"));
    const headers = [...queryAll(table, "th")];
    const fields = fieldsOf(page.url());
    const offset = headers.length - fields.length;
    for (const row of focus ? [focus, ...rows.filter((r) => r !== focus)] : rows) {
      [...childrenOf(row)].forEach((cell, at) => {
        // A sortable header's label is inside its button (sortableHeaderCell.tsx).
        const key = fields.length && offset >= 0 ? fields[at - offset] : headers[at] && textContentOf(headers[at]).trim();
        if (key && page.knows(key)) emit({ source: SOURCE.TABLE_CELL, key, value: textOf(cell), section: "spans-table" });
      });
    }
  }

  /** The trace waterfall's pinned attribute (views/performance/traceDetails/tracePinnedAttribute.tsx):
   * the key is the URL's `pinnedAttribute` (the header shows it too), each row's cell its value. */
  function pinnedCell(cell, emit, page) {
    let key = "";
    try { key = new URL(page.url()).searchParams.get("pinnedAttribute") ?? ""; } catch { /* no key */ }
    if (!key) key = textOf(query(rootOf(documentOf(cell)), ".TracePinnedAttributeHeader"));
    if (key && page.knows(key)) emit({ source: SOURCE.TABLE_CELL, key, value: textOf(cell), section: "" });
  }

  // Most frequent first: each element is read by the first rule that matches it. `page` is
  // `{knows(key), url()}`: whether the runbook may know a key, and the Sentry URL the page stands for.
  const RULES = [
    { name: "attribute-tree", selector: "[data-test-id='attribute-tree-row']", each: (el, emit, page) => treeRow(el, emit, page, false) },
    { name: "log-cells", selector: "td[data-test-id^='log-table-cell-']", each: (el, emit) => emit({ source: SOURCE.TABLE_CELL, key: attribute(el, "data-test-id").slice("log-table-cell-".length), value: textOf(el), section: "logs-table" }) },
    { name: "id-links", selector: "a[href*='/trace/'], a[href*='/events/'], a[href*='/trace-items/'], a[href*='/discover/']", each: (el, emit) => emit({ source: SOURCE.HREF, key: "", value: el.href, section: sectionOf(el) }) },
    { name: "spans-table", selector: "[data-test-id='spans-table'] table", each: spansTable },
    { name: "pinned-attribute", selector: ".TracePinnedAttributeCell", each: pinnedCell },
    { name: "tag-tree", selector: "[data-test-id='tag-tree-row'], [data-test-id='highlight-tag-row']", each: (el, emit, page) => treeRow(el, emit, page, true) },
    { name: "highlight-context", selector: "[data-test-id='highlight-context-row']", each: highlightContextRow },
    { name: "context-cards", selector: "section[id^='contexts']", each: contextCards },
    { name: "drawer-title", selector: "[data-test-id='trace-drawer-title']", each: (el, emit) => emit({ source: SOURCE.DRAWER_TITLE, key: "", value: textOf(el), section: "trace-drawer" }) },
  ];
  const RULE_SELECTOR = RULES.map((rule) => rule.selector).join(", ");

  return { MAX_VALUE, PORTALS, RULES, RULE_SELECTOR, CONTAINER_IDS, nearestContainer };
})();
