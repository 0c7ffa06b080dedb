// The page probe's rules (extension/probe/rules.js) in node's test runner, on jsdom: each rule on
// markup shaped as Sentry's components render it (paths in the cases), and every fixture page under
// tests/fixtures/pages and extension/practice read as probe/main.js reads it. What the rules emit is raw: placeholders such as
// `--` or `{}` may be emitted here and are dropped by the sidebar's Rust (src/core/guard/text.rs); a
// collapsed value's hidden entries must not be emitted at all, since they are not on the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// The limits the build generates from the core (tools/generate.mjs), then the rules.
const RULES_SOURCE = [
  readFileSync(new URL("../../target/bindgen/shared.js", import.meta.url), "utf8"),
  readFileSync(new URL("../../extension/probe/dom.js", import.meta.url), "utf8"),
  readFileSync(new URL("../../extension/probe/rules.js", import.meta.url), "utf8"),
].join("\n");
// The fixture pages, and the practice pages the extension ships (fixture pages too).
const PAGE_DIRS = [new URL("../fixtures/pages/", import.meta.url), new URL("../../extension/practice/", import.meta.url)];

/** The facts the rules read from `html`, as probe/main.js reads a page: each element matched by a rule
 * is read by the first rule that matches it, unless it is inside a portal (tooltip, menu). */
export function factsOf(html, url = urlOf(html)) {
  const { window } = new JSDOM(html, { url, runScripts: "outside-only" }); // links resolve as on the page
  window.eval(RULES_SOURCE);
  const { RULES, RULE_SELECTOR, PORTALS } = window.pivotLensProbeRules;
  const dom = window.pivotLensProbeDom;
  const root = window.document.body;
  const portals = [...dom.queryAll(root, PORTALS)];
  const page = { knows: () => true, url: () => url };
  const facts = [];
  const failed = [];
  for (const el of dom.queryAll(root, RULE_SELECTOR)) {
    if (portals.some((portal) => dom.contains(portal, el))) continue;
    const rule = RULES.find((r) => dom.matches(el, r.selector));
    try {
      rule.each(el, (fact) => facts.push({ rule: rule.name, ...fact }), page);
    } catch (error) {
      failed.push(`${rule.name}: ${error}`);
    }
  }
  assert.deepEqual(failed, [], "no rule throws");
  return facts;
}

const urlOf = (html) => html.match(/<!--\s*URL:\s*(https:\/\/\S+)\s*-->/)?.[1].replaceAll("&amp;", "&") ?? "https://acme.sentry.io/";
const pageDir = (name) => PAGE_DIRS.find((dir) => readdirSync(dir).includes(name));
const page = (name) => readFileSync(new URL(name, pageDir(name)), "utf8");
/** `key=value` of each fact (links as `href=<url>`), for whole-set comparisons. */
const pairs = (facts, source) => facts.filter((f) => !source || f.source === source).map((f) => `${f.key || f.source}=${f.value}`);

// ---- Each rule on Sentry-shaped markup -------------------------------------------------------

// components/tables/keyValueTable/keyValueTableCard.tsx + keyValueTableDataRow.tsx; the title of
// components/events/contexts/contextCard.tsx is a flex box with the title and the context's icon.
const card = (title, rows) => `<div data-sentry-element="KeyValueTableCardPanel" class="e1 css-a">
  ${title === null ? "" : `<div data-sentry-element="KeyValueTableCardTitle" class="e2 css-b"><div class="css-c" data-sentry-element="Flex"><div>${title}</div><div style="min-width:14px"><img alt="" src="data:,"></div></div></div>`}
  ${rows.map(([subject, value]) => `<div data-sentry-element="RowWrapper" class="e3 css-d"><div data-sentry-element="KeyValueTableSubject" class="e4 css-e">${subject}</div><div data-sentry-element="KeyValueTableValueSection" class="e5 css-f"><div data-sentry-element="ValueWrapper">${value}</div></div></div>`).join("")}
</div>`;
const unformatted = (text) => `<span data-test-id="value-unformatted">${text}</span>`;
// components/structuredEventData/recursiveStructuredData.tsx + collapsibleValue.tsx
const entry = (key, value, last = false) => `<div><span data-sentry-element="ValueObjectKey">${key}</span><span>: </span>${value}${last ? "" : "<span>,</span>"}</div>`;
const object = (entries, { key = null, open = true, base = true } = {}) => `<span data-sentry-element="CollapsibleDataContainer" data-base-with-toggle="${base}">` +
  `<button aria-label="${open ? "Collapse" : "Expand"}"></button>` +
  (key ? `<span data-sentry-element="ValueObjectKey">${key}</span><span>: </span>` : "") +
  `<span>{</span>${open ? `<div data-sentry-element="IndentedValues">${entries.join("")}</div>` : `<button>${entries.length} items</button>`}<span>}</span></span>`;
const contexts = (cards) => `<section id="contexts" role="region" aria-label="Contexts" data-test-id="contexts">${cards.join("")}</section>`;

test("context cards: rows by subject under an icon-titled card; an untitled card keeps its rows", () => {
  const facts = factsOf(contexts([
    card("Trace Details", [["Trace ID", unformatted("4bf92f3577b34da6a3ce929d0e0e4736")], ["Span ID", unformatted("00f067aa0ba902b7")], ["mcp.session.id", unformatted("sess_1")]]),
    card("User", [["ID", unformatted("4242")]]),
    card(null, [["Span ID", unformatted("1111222233334444")], ["Operation Name", unformatted("mcp.server")]]),
  ]));
  assert.deepEqual(pairs(facts), [
    "Trace Details/Trace ID=4bf92f3577b34da6a3ce929d0e0e4736", "Trace Details/Span ID=00f067aa0ba902b7",
    "Trace Details/mcp.session.id=sess_1", "User/ID=4242", "/Span ID=1111222233334444", "/Operation Name=mcp.server",
  ]);
});

test("context cards: a value's copy button and link hint are not its text", () => {
  const value = `<a href="/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/">${unformatted("4bf92f3577b34da6a3ce929d0e0e4736")}</a><div><button aria-label="Copy to clipboard">Copy</button></div>`;
  const facts = factsOf(contexts([card("Trace Details", [["Trace ID", value]])]));
  assert.deepEqual(pairs(facts, "context"), ["Trace Details/Trace ID=4bf92f3577b34da6a3ce929d0e0e4736"]);
});

test("structured data: an expanded Data reads key by key (unquoted keys, nested paths), a collapsed one reads nothing", () => {
  const data = object([
    entry("http.response.status_code", `<span data-test-id="value-number">500</span>`),
    entry("http.route", unformatted("/mcp")),
    entry("nested", object([entry("app.transport", unformatted("http"), true)], { key: "nested", base: false }).replace(/^<span/, "<span")),
    entry("tools", `<span data-sentry-element="CollapsibleDataContainer"><button aria-label="Collapse"></button><span>[</span><div><div>${unformatted("search_events")}</div></div><span>]</span></span>`, true),
  ]);
  const collapsed = object([entry("app.client.family", unformatted("cursor"), true)], { open: false });
  const facts = factsOf(contexts([card("Trace Details", [["Data", data]]), card("App", [["Data", collapsed]])]));
  assert.deepEqual(pairs(facts), ["http.response.status_code=500", "http.route=/mcp", "nested.app.transport=http"]);
  assert.ok(facts.every((f) => f.source === "json"));
});

test("structured data: another subject's object is read under that subject", () => {
  const value = object([entry("query", `<span data-test-id="value-string">"errors"</span>`, true)]);
  const facts = factsOf(contexts([card("Trace Details", [["gen_ai.tool.call.arguments", value]])]));
  assert.deepEqual(pairs(facts), ['gen_ai.tool.call.arguments.query="errors"']);
});

test("highlight context rows: `Trace: Trace ID` reads as card Trace, subject Trace ID", () => {
  // components/events/highlights/highlightsDataSection.tsx: includeAliasInSubject
  const row = (subject, value) => `<div data-test-id="highlight-context-row" data-sentry-element="RowWrapper"><div data-sentry-element="KeyValueTableSubject">${subject}</div><div data-sentry-element="KeyValueTableValueSection"><div>${value}</div></div></div>`;
  const facts = factsOf(`<section id="highlights">${row("Trace: Trace ID", unformatted("4bf92f3577b34da6a3ce929d0e0e4736"))}${row("User: ID", unformatted("u-1"))}${row("Subjectless", unformatted("x"))}</section>`);
  assert.deepEqual(pairs(facts), ["Trace/Trace ID=4bf92f3577b34da6a3ce929d0e0e4736", "User/ID=u-1"]);
});

// components/tables/dataTable/index.tsx, views/explore/tables/fieldRenderer.tsx
const spansTable = (headers, rows) => `<div data-test-id="spans-table" data-sentry-element="Frame"><table role="table">
  <thead><tr role="row">${headers.map((h) => `<th role="columnheader">${h}</th>`).join("")}</tr></thead>
  <tbody>${rows.map((cells) => `<tr role="row">${cells.map((c) => `<td role="cell">${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;

test("spans table: the URL's fields name the columns after the details toggle", () => {
  const html = spansTable(["", "id", "Tool Name", "user.id"], [
    [`<button aria-label="Show span details"></button>`, `<a href="/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7">00f067aa</a>`, "search_events", "4242"],
    ["", "11223344", "find_issues", "7"],
  ]);
  const facts = factsOf(html, "https://acme.sentry.io/explore/traces/?field=id&field=gen_ai.tool.name&field=user.id");
  assert.deepEqual(pairs(facts, "tableCell"), ["id=00f067aa", "gen_ai.tool.name=search_events", "user.id=4242", "id=11223344", "gen_ai.tool.name=find_issues", "user.id=7"]);
  assert.deepEqual(pairs(facts, "href").length, 1, "the id link is read too");
});

test("spans table: an expanded row's values come first", () => {
  const html = spansTable(["", "user.id"], [
    [`<button aria-expanded="false" aria-label="Show span details"></button>`, "4242"],
    [`<button aria-expanded="true" aria-label="Hide span details"></button>`, "7"],
  ]);
  assert.deepEqual(pairs(factsOf(html, "https://acme.sentry.io/explore/traces/?field=user.id")), ["user.id=7", "user.id=4242"]);
});

test("spans table: without fields in the URL the header labels name the columns", () => {
  const facts = factsOf(spansTable(["span.op", "app.transport"], [["mcp.server", "stdio"]]), "https://acme.sentry.io/explore/traces/");
  assert.deepEqual(pairs(facts), ["span.op=mcp.server", "app.transport=stdio"]);
});

test("pinned attribute: the URL's key, each waterfall row's cell", () => {
  // views/performance/traceDetails/tracePinnedAttribute.tsx
  const html = `<div class="TracePinnedAttributeHeader">mcp.session.id</div>` +
    ["sess_A1", "sess_B2"].map((v) => `<div class="TraceRow"><div class="TracePinnedAttributeCell"><span>${v}</span></div></div>`).join("");
  assert.deepEqual(pairs(factsOf(html, "https://acme.sentry.io/explore/traces/trace/6a1b2c3d4e5f60718293a4b5c6d7e8f9/?pinnedAttribute=mcp.session.id")),
    ["mcp.session.id=sess_A1", "mcp.session.id=sess_B2"]);
  assert.deepEqual(pairs(factsOf(html, "https://acme.sentry.io/explore/traces/trace/6a1b2c3d4e5f60718293a4b5c6d7e8f9/")),
    ["mcp.session.id=sess_A1", "mcp.session.id=sess_B2"], "the header names the key when the URL does not");
});

test("tree rows: test id, then the aria-hidden full key, then the title; trunks and portals read nothing", () => {
  // components/keyValueTree/keyValueTreeRow.tsx, views/explore/components/traceItemAttributes/attributesTree.tsx
  const row = (key, value) => `<div data-test-id="attribute-tree-row"><div data-sentry-element="TreeKeyTrunk">${key}</div><div data-sentry-element="TreeValueTrunk"><div data-sentry-element="TreeValue"><span>${value}</span></div><button aria-label="Attribute Actions Menu"></button></div></div>`;
  const html = `<div data-test-id="fields-tree">` +
    row(`<div data-sentry-element="TreeKey">gen_ai</div>`, "") +
    row(`<span aria-hidden="true">environment</span><div data-sentry-element="TreeKey"><div data-test-id="tree-key-sentry.environment">environment</div></div>`, "production") +
    row(`<span aria-hidden="true">mcp.session.id</span><div data-sentry-element="TreeKey">id</div>`, "sess_1") +
    row(`<div data-sentry-element="TreeKey" title="app.transport">transport</div>`, "http") +
    `</div><div role="tooltip">${row(`<span aria-hidden="true">user.id</span>`, "never")}</div>`;
  assert.deepEqual(factsOf(html).map((f) => [f.source, f.key, f.value]), [
    ["testId", "sentry.environment", "production"], ["hiddenKey", "mcp.session.id", "sess_1"], ["title", "app.transport", "http"],
  ]);
});

// ---- Every fixture page ---------------------------------------------------------------------

const FIXTURES = PAGE_DIRS.flatMap((dir) => readdirSync(dir)).filter((name) => name.endsWith(".html") && !name.startsWith("bench-"));

test("every fixture page is read without a rule failing", () => {
  for (const name of FIXTURES) factsOf(page(name));
});

/** The facts of `name` from `rule`, as `key=value`. */
const fromRule = (name, rule) => pairs(factsOf(page(name)).filter((f) => f.rule === rule));

test("event.html: icon-titled cards, the expanded Data and Highlights' context rows", () => {
  assert.deepEqual(fromRule("event.html", "context-cards"), [
    "http.response.status_code=500", "http.route=/mcp/:organizationSlug?/:projectSlug?",
    "Trace Details/Span ID=00f067aa0ba902b7", "Trace Details/Trace ID=4bf92f3577b34da6a3ce929d0e0e4736", "User/ID=4242",
  ]);
  assert.deepEqual(fromRule("event.html", "highlight-context"), ["Trace/Trace ID=4bf92f3577b34da6a3ce929d0e0e4736", "User/ID=4242"]);
});

test("event-contexts.html: a collapsed Data gives nothing; placeholders are read as the page shows them", () => {
  const facts = factsOf(page("event-contexts.html"));
  assert.ok(!facts.some((f) => f.source === "json"), "no entry of the collapsed Data");
  assert.ok(!facts.some((f) => /app\.client\.family|gen_ai\.tool\.name/.test(f.key) && f.rule === "context-cards"));
  assert.deepEqual(fromRule("event-contexts.html", "highlight-context"), ["Trace/Trace ID=2b7c9e1f4a6d8053c1e2f3a4b5c6d7e8", "User/ID=u-1701"]);
  const cards = fromRule("event-contexts.html", "context-cards");
  for (const fact of ["Trace Details/Trace ID=2b7c9e1f4a6d8053c1e2f3a4b5c6d7e8", "Trace Details/Span ID=5e6f7a8b9c0d1e2f", "Trace Details/mcp.session.id=sess_9QX2", "User/ID=u-1701"]) {
    assert.ok(cards.includes(fact), `${fact} in ${cards}`);
  }
  assert.ok(fromRule("event-contexts.html", "tag-tree").includes("mcp.session.id=--"), "the highlight placeholder is left to recognition");
});

test("issue.html: links in a tooltip and an open menu (overlays) are not page facts", () => {
  const links = pairs(factsOf(page("issue.html")), "href").join(" ");
  assert.ok(!links.includes("deadbeef") && !links.includes("feedface"), links);
  assert.ok(links.includes("5c0ffee5c0ffee5c0ffee5c0ffee5c0f"), links);
});

test("trace-span.html: newest drawer tree (no title), a collapsed JSON attribute gives nothing", () => {
  const facts = factsOf(page("trace-span.html"));
  assert.deepEqual(pairs(facts.filter((f) => f.rule === "attribute-tree" && f.source !== "href")),
    ["gen_ai.tool.name=search_events", "mcp.session.id=sess_01HZX0A7", "sentry.environment=production"]);
  assert.ok(!facts.some((f) => f.key.startsWith("gen_ai.tool.call.result")), "the folded result is not read");
});

test("spans.html: the runbook columns of every row, by the URL's fields", () => {
  const cells = fromRule("spans.html", "spans-table");
  for (const fact of ["gen_ai.tool.name=search_events", "mcp.tool.name=search_events", "app.transport=http", "app.transport=stdio",
    "app.client.family=cursor", "app.client.family=claude-code", "user.id=4242", "user.id=7"]) {
    assert.ok(cells.includes(fact), `${fact} in ${cells}`);
  }
});

test("trace-pinned.html: the pinned column's values", () => {
  assert.deepEqual(fromRule("trace-pinned.html", "pinned-attribute").filter((f) => !f.endsWith("=") && !f.endsWith("—")),
    ["mcp.session.id=sess_A1", "mcp.session.id=sess_A1", "mcp.session.id=sess_B2"]);
});

// ---- The probe's report of each recognised page, for the Rust recognition ------------------------
// tests/probe_reports.rs feeds these reports into the core's recognition and expects the pivots of
// tests/fixtures/recognised-pages.json, which the e2e suite expects in the browsers too. Read with
// every row key admitted: the probe skips rows whose key the runbook cannot know, which
// recognition ignores anyway.

const RECOGNISED = JSON.parse(readFileSync(new URL("../fixtures/recognised-pages.json", import.meta.url), "utf8"));
const REPORTS = new URL("../fixtures/probe-reports/", import.meta.url);

test("each recognised page's report is the one in tests/fixtures/probe-reports (PL_UPDATE_REPORTS=1 rewrites them)", () => {
  for (const { page: name, path } of RECOGNISED.pages) {
    const url = `https://acme.sentry.io${path}`;
    // As probe/main.js sends a page: entries of facts (the rule's name is this test's own).
    const facts = factsOf(page(name), url).map(({ rule, ...fact }) => fact);
    const report = `${JSON.stringify({ url, entries: [[1, facts, []]] }, null, 1)}\n`;
    const file = new URL(name.replace(/\.html$/, ".json"), REPORTS);
    if (process.env.PL_UPDATE_REPORTS) writeFileSync(file, report);
    assert.equal(readFileSync(file, "utf8"), report, `${name}: the probe reads it differently now; check, then PL_UPDATE_REPORTS=1`);
  }
});
