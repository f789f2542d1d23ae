"use strict";
// The live preview follows the editor: after every scroll of the text and every update of the
// preview it shows the same share of the article, so what is being typed is in view on both sides.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".markdownx")) {
    const editor = box.querySelector(".markdownx-editor");
    const preview = box.querySelector(".markdownx-preview");
    if (!editor || !preview) continue;
    const follow = () => {
      const share = editor.scrollTop / Math.max(1, editor.scrollHeight - editor.clientHeight);
      preview.scrollTop = share * (preview.scrollHeight - preview.clientHeight);
    };
    editor.addEventListener("scroll", follow);
    box.addEventListener("markdownx.update", follow);
    window.addEventListener("resize", follow);
  }
});
