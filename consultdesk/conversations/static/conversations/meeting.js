// Meeting mode: single keys start a note, Enter moves on and saves, nothing is lost.
// Each note carries a key made here before its first save; the server stores one row per
// key, so resending after a dropped connection updates instead of duplicating. Notes wait
// in localStorage until the server has acknowledged exactly the text that was sent.
(function () {
  const root = document.querySelector("[data-meeting]");
  if (!root) return;
  const labels = JSON.parse(document.getElementById("meeting-labels").textContent);
  const url = root.dataset.entryUrl;
  const store = "consultdesk:meeting:" + root.dataset.meetingId;
  const composer = document.getElementById("composer");
  const list = document.getElementById("entries");
  const field = (name) => composer.elements[name];
  let current = null;
  let timer = null;

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function pending() {
    try { return JSON.parse(localStorage.getItem(store) || "{}"); } catch (e) { return {}; }
  }
  function savePending(all) { localStorage.setItem(store, JSON.stringify(all)); }
  function keep(entry) { const all = pending(); all[entry.key] = entry; savePending(all); }
  function forget(entry) {
    const all = pending();
    if (all[entry.key] && JSON.stringify(all[entry.key]) === JSON.stringify(entry)) {
      delete all[entry.key];
      savePending(all);
    }
  }

  function row(key) {
    let li = list.querySelector('[data-key="' + key + '"]');
    if (!li) {
      li = document.createElement("li");
      li.dataset.key = key;
      list.appendChild(li);
    }
    return li;
  }
  function render(entry) {
    const li = row(entry.key);
    li.className = "entry kind-" + entry.kind;
    li.replaceChildren();
    const add = (cls, text) => {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      li.appendChild(span);
    };
    add("kind", labels["kind_" + entry.kind]);
    add("text", entry.text);
    if (entry.kind === "confirm" && entry.reply) {
      add("reply reply-" + entry.reply, labels[entry.reply === "correction" ? "reply_correction" : entry.reply]);
    }
    if (entry.response) add("response", "→ " + entry.response);
    add("save-state muted small", "");
    li.scrollIntoView({ block: "nearest" });
  }
  function state(key, word) {
    const span = row(key).querySelector(".save-state");
    if (span) span.textContent = labels[word];
    document.getElementById("connection").hidden = word !== "offline";
  }
  function tick(data) {
    if (!data.question) return;
    const item = document.querySelector('[data-question="' + data.question + '"]');
    if (item) item.className = "question st-" + data.question_status;
  }

  // One request per note at a time: a change typed while one is on its way is sent
  // when it returns, so requests for the same note never race each other.
  const inFlight = {};
  function send(entry) {
    if (!entry.text.trim()) return Promise.resolve();
    keep(entry);
    if (inFlight[entry.key]) {
      return inFlight[entry.key].then(() => {
        const latest = pending()[entry.key];
        return latest ? send(latest) : undefined;
      });
    }
    state(entry.key, "saving");
    const request = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf, "X-Autosave": "1" },
      body: new URLSearchParams(entry),
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data: data })))
      .then((answer) => {
        if (answer.ok && answer.data.saved) {
          forget(entry);
          state(entry.key, "saved");
          tick(answer.data);
        } else {
          state(entry.key, "error");
        }
      })
      .catch(() => state(entry.key, "offline"))
      .finally(() => { delete inFlight[entry.key]; });
    inFlight[entry.key] = request;
    return request;
  }
  function resendAll() { Object.values(pending()).forEach(send); }

  function snapshot() {
    return {
      key: current.key,
      kind: current.kind,
      text: field("text").value,
      reply: current.kind === "confirm" ? field("reply").value : "",
      response: current.kind === "listen" ? "" : field("response").value,
      question: current.kind === "ask" ? field("question").value : "",
    };
  }
  function changed() {
    if (!current) return;
    const entry = snapshot();
    if (!entry.text.trim()) return;
    render(entry);
    keep(entry);
    clearTimeout(timer);
    timer = setTimeout(() => send(entry), 600);
  }

  function open(kind, questionId) {
    if (current) finish();
    current = { key: newKey(), kind: kind };
    composer.reset();
    field("key").value = current.key;
    field("kind").value = kind;
    composer.dataset.kind = kind;
    document.getElementById("composer-label").textContent = labels[kind];
    document.getElementById("composer-response-label").textContent =
      kind === "ask" ? labels.answer : labels.correction;
    composer.hidden = false;
    if (questionId) {
      field("question").value = questionId;
      const item = document.querySelector('[data-question="' + questionId + '"]');
      if (item) field("text").value = item.dataset.text;
      changed();
      field("response").focus();
    } else {
      field("text").focus();
    }
  }
  function finish() {
    if (!current) return;
    clearTimeout(timer);
    const entry = snapshot();
    send(entry);
    current = null;
    composer.hidden = true;
    document.activeElement.blur();
  }
  function nextField(element) {
    const kind = current.kind;
    if (element === field("text")) {
      if (kind === "listen") return finish();
      return kind === "confirm" ? field("reply").focus() : field("response").focus();
    }
    if (element === field("reply")) {
      return field("reply").value === "correction" ? field("response").focus() : finish();
    }
    finish();
  }

  composer.addEventListener("input", changed);
  composer.addEventListener("change", changed);
  composer.addEventListener("submit", (event) => { event.preventDefault(); finish(); });
  composer.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); finish(); return; }
    if (event.target === field("reply") && ["y", "n", "c"].includes(event.key)) {
      event.preventDefault();
      field("reply").value = { y: "yes", n: "no", c: "correction" }[event.key];
      changed();
      nextField(field("reply"));
      return;
    }
    // Enter that commits a Chinese IME composition must not save the note.
    if (event.key === "Enter" && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      nextField(event.target);
    }
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const kinds = { l: "listen", c: "confirm", a: "ask" };
    if (kinds[event.key]) { event.preventDefault(); open(kinds[event.key]); return; }
    if (/^[1-9]$/.test(event.key)) {
      const item = document.querySelectorAll("#meeting-questions [data-question]")[Number(event.key) - 1];
      if (item) { event.preventDefault(); open("ask", item.dataset.question); }
    }
  });

  const end = document.getElementById("end-meeting");
  if (end) {
    end.addEventListener("submit", (event) => {
      event.preventDefault();
      finish();
      Promise.all(Object.values(pending()).map(send)).then(() => {
        if (Object.keys(pending()).length) alert(labels.unsent);
        else end.submit();
      });
    });
  }
  // Notes typed before a reload or a lost connection come back and are sent again.
  Object.values(pending()).forEach((entry) => { render(entry); });
  resendAll();
  window.addEventListener("online", resendAll);
  setInterval(() => { if (Object.keys(pending()).length) resendAll(); }, 5000);
})();
