// Keyboard navigation for lists marked data-keynav: j / k move, Enter opens.
(function () {
  let index = -1;
  function rows() { return Array.from(document.querySelectorAll("[data-keynav] > li.row")); }
  function focus(next) {
    const all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, next));
    all.forEach((row, i) => row.classList.toggle("kb-focus", i === index));
    all[index].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "j") focus(index + 1);
    else if (event.key === "k") focus(index - 1);
    else if (event.key === "Enter" && index >= 0) {
      const link = rows()[index] && rows()[index].querySelector("a");
      if (link) link.click();
    }
  });
  // Only a new list resets the position (the sidebar counts also arrive by htmx).
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail && event.detail.target && event.detail.target.id === "inbox-rows") index = -1;
  });
})();
