"use strict";
// Tags are typed as text, comma separated. While an editor types one, the existing tags that
// match it are offered in the input's <datalist>, each option being the whole value with the
// tag completed, so the browser's own suggestion list does the rest.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-suggest-url]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let pending;
    input.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(async () => {
        const parts = input.value.split(",");
        const term = parts.pop().trim();
        const typed = parts.map((part) => part.trim()).filter(Boolean);
        if (!term) {
          list.replaceChildren();
          return;
        }
        const url = `${input.dataset.suggestUrl}?term=${encodeURIComponent(term)}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const { results } = await response.json();
        list.replaceChildren(
          ...results
            .filter((name) => !typed.includes(name))
            .map((name) => {
              const option = document.createElement("option");
              // A name with a comma is quoted, as taggit writes it.
              option.value = [...typed, name.includes(",") ? `"${name}"` : name].join(", ");
              return option;
            }),
        );
      }, 150);
    });
  }
});
