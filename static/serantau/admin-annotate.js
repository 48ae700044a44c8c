// "Annotate selection" on an article's change page: the words selected in the
// read-only rendering of the text ([data-annotate-body], which holds the body
// and nothing else) become a new annotation row with its offsets, quote and
// context filled in. Offsets count characters (code points) as Python does,
// not the UTF-16 units of a JavaScript string. Without this script the button
// stays hidden and the editor pastes the quote into a new row instead.
"use strict";

(function () {
  const CONTEXT = 32;

  function codePoints(text) {
    return Array.from(text);
  }

  function selectionIn(root) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) {
      return null;
    }
    // The number of UTF-16 units before each end of the selection.
    const before = document.createRange();
    before.selectNodeContents(root);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    return { start: start, end: start + range.toString().length };
  }

  function anchorFor(text, start, end) {
    // Leave out blanks picked up at either end of a selection.
    while (start < end && /\s/.test(text[start])) start += 1;
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    if (start === end) return null;
    const head = codePoints(text.slice(0, start));
    const quote = text.slice(start, end);
    return {
      start: head.length,
      end: head.length + codePoints(quote).length,
      quote: quote,
      prefix: head.slice(-CONTEXT).join(""),
      suffix: codePoints(text.slice(end)).slice(0, CONTEXT).join(""),
    };
  }

  function addAnnotationRow(anchor) {
    const total = document.getElementById("id_annotations-TOTAL_FORMS");
    const add = document.querySelector("#annotations-group .add-row a");
    if (!total || !add) return false;
    const index = total.value;
    add.click();
    const field = (name) =>
      document.getElementById("id_annotations-" + index + "-" + name);
    if (!field("start")) return false;
    for (const name of ["start", "end", "quote", "prefix", "suffix"]) {
      field(name).value = anchor[name];
    }
    field("note").focus();
    return true;
  }

  function annotate(button) {
    const root = document.querySelector("[data-annotate-body]");
    const found = root && selectionIn(root);
    const anchor = found && anchorFor(root.textContent, found.start, found.end);
    if (!anchor) {
      window.alert(button.dataset.emptyMessage || "Select words in the text first.");
      return;
    }
    addAnnotationRow(anchor);
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const button of document.querySelectorAll("[data-annotate-button]")) {
      button.hidden = false;
      button.addEventListener("click", function () {
        annotate(button);
      });
    }
  });
})();
