/* Every page: two small helpers for keyboard and screen-reader users (the pages work without them).
   1. A form that comes back with errors: focus goes to what says so (the error summary, else the first error
      message), so that a screen reader reads it and the next Tab starts from there, not from the top.
   2. On a page in English, the Thai in it (names, subjects, units and texts from the data, Thai terms in the
      English wording) is marked lang="th", so that a screen reader reads it with its Thai voice. */
(function () {
  "use strict";

  var summary = document.querySelector(".alert-error[role=alert], .message-error");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  if (/^th\b/.test(document.documentElement.lang)) {
    return;
  }
  // A run of Thai: Thai letters, with the spaces, digits and punctuation between two of them (ผอ.กง.ทอ.).
  var run = /[\u0E00-\u0E7F]+(?:[\s\d.,:;/()\-–·]+[\u0E00-\u0E7F]+)*\.?/g;
  var thai = /[\u0E00-\u0E7F]/;
  var skip = { SCRIPT: 1, STYLE: 1, TEXTAREA: 1, TITLE: 1 };
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: function (node) {
      var parent = node.parentElement;
      if (!parent || skip[parent.tagName] || !thai.test(node.nodeValue)) {
        return NodeFilter.FILTER_REJECT;
      }
      var marked = parent.closest("[lang]");
      return marked && /^th\b/.test(marked.lang) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  });
  var found = [];
  while (walker.nextNode()) {
    found.push(walker.currentNode);
  }
  found.forEach(function (node) {
    var text = node.nodeValue;
    var parent = node.parentElement;
    run.lastIndex = 0;
    var first = run.exec(text);
    // All of an element's text is Thai (a name in a cell, an option): mark the element itself.
    if (parent.childNodes.length === 1 && first && first[0] === text.trim()) {
      parent.lang = "th";
      return;
    }
    if (parent.tagName === "OPTION") {
      return; // an option holds text only: mixed wording stays as it is
    }
    var pieces = document.createDocumentFragment();
    var from = 0;
    run.lastIndex = 0;
    var match;
    while ((match = run.exec(text))) {
      pieces.appendChild(document.createTextNode(text.slice(from, match.index)));
      var span = document.createElement("span");
      span.lang = "th";
      span.textContent = match[0];
      pieces.appendChild(span);
      from = match.index + match[0].length;
    }
    pieces.appendChild(document.createTextNode(text.slice(from)));
    parent.replaceChild(pieces, node);
  });
})();
