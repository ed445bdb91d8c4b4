"use strict";
// The rule page: each reply shows only the fields its type uses (REPLY_FIELDS, given by
// the page as JSON), and its news articles only when it is a news reply. Hidden fields
// keep their values; the server validates whatever is submitted.
(function () {
  const data = document.getElementById("reply-fields");
  if (!data) {
    return;
  }
  const FIELDS = JSON.parse(data.textContent);
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
      articles.hidden = select.value !== "news";
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
