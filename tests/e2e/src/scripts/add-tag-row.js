// Appends a copy of the tag tree's first leaf row keyed arguments[0] with value arguments[1] (add_tag_row).
const row = document.querySelector('[data-test-id="tag-tree-row"]:has([title])').cloneNode(true);
row.querySelector('[title]').setAttribute('title', arguments[0]);
const hidden = row.querySelector('[aria-hidden="true"]');
if (hidden) hidden.textContent = arguments[0];
row.querySelector('[data-sentry-element="TreeValue"]').textContent = arguments[1];
document.querySelector('[data-test-id="tag-tree-column"]').append(row);
