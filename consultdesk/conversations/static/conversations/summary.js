// Summary editor: the preview follows the text as it is typed; "copy link" for WeCom.
(function () {
  const form = document.getElementById("summary-form");
  if (form) {
    form.addEventListener("input", (event) => {
      const target = document.querySelector('[data-preview="' + event.target.name + '"]');
      if (target) target.textContent = event.target.value || "—";
    });
  }
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const input = document.querySelector(button.dataset.copy);
      input.select();
      const done = () => { button.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done);
      } else {
        document.execCommand("copy");  // plain-http installs have no Clipboard API
        done();
      }
    });
  });
})();
