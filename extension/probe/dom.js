// Pivot Lens page probe, its access to the page's DOM. DOM clobbering (security.md XSS-4): a form's
// named controls shadow its properties, also in Chromium's isolated world (`<input name="closest">`),
// so every read goes through the prototypes, never through the element. The rules and the other
// parts read the page only through these.
globalThis.pivotLensProbeDom = (() => {
  "use strict";
  const method = (proto, name) => Function.prototype.call.bind(proto[name]);
  const getter = (proto, name) => Function.prototype.call.bind(Object.getOwnPropertyDescriptor(proto, name).get);
  return Object.freeze({
    query: method(Element.prototype, "querySelector"),
    queryAll: method(Element.prototype, "querySelectorAll"),
    closest: method(Element.prototype, "closest"),
    matches: method(Element.prototype, "matches"),
    attribute: method(Element.prototype, "getAttribute"),
    contains: method(Node.prototype, "contains"),
    childrenOf: getter(Element.prototype, "children"),
    firstChildOf: getter(Element.prototype, "firstElementChild"),
    nextSiblingOf: getter(Element.prototype, "nextElementSibling"),
    previousSiblingOf: getter(Element.prototype, "previousElementSibling"),
    parentOf: getter(Node.prototype, "parentElement"),
    textContentOf: getter(Node.prototype, "textContent"),
    nodeTypeOf: getter(Node.prototype, "nodeType"),
    connected: getter(Node.prototype, "isConnected"),
    tagOf: getter(Element.prototype, "tagName"),
    documentOf: getter(Node.prototype, "ownerDocument"),
    treeWalker: method(Document.prototype, "createTreeWalker"),
    rootOf: getter(Document.prototype, "documentElement"),
  });
})();
