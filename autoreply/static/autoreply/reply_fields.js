"use strict";
// The rule page: each reply shows only the fields its type uses, and its news articles
// only when its type carries articles. Both come from the server as JSON (rendered from
// wechat.replies.REPLY_KINDS), so a new reply type needs no change here. Hidden fields
// keep their values; the server validates whatever is submitted.
(function () {
  const data = document.getElementById("reply-fields");
  if (!data) {
    return;
  }
  const DECLARED = JSON.parse(data.textContent);
  const FIELDS = DECLARED.fields;
  const WITH_ARTICLES = new Set(DECLARED.articles);
  const TYPED = new Set(Object.values(FIELDS).flat());

  function fieldName(element) {
    const match = Array.from(element.classList).find((c) => c.startsWith("field-"));
    return match ? match.slice("field-".length) : null;
  }

  function apply(select) {
    const item = select.closest(".djn-item");
    const fieldset = item && item.querySelector("fieldset");
    if (!fieldset) {
      return;
    }
    const shown = new Set(FIELDS[select.value] || []);
    for (const row of fieldset.querySelectorAll(":scope > .form-row")) {
      const boxes = Array.from(row.querySelectorAll(".fieldBox"));
      const parts = boxes.length ? boxes : [row];
      for (const part of parts) {
        const name = fieldName(part);
        part.hidden = TYPED.has(name) && !shown.has(name);
      }
      row.hidden = parts.every((part) => part.hidden);
    }
    const articles = item.querySelector(".djn-group-nested");
    if (articles) {
      articles.hidden = !WITH_ARTICLES.has(select.value);
    }
  }

  function applyAll() {
    document.querySelectorAll("select[name^='replies-'][name$='-type']").forEach(apply);
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name^='replies-'][name$='-type']")) {
      apply(event.target);
    }
  });
  document.addEventListener("formset:added", applyAll);
  document.addEventListener("DOMContentLoaded", applyAll);
})();
