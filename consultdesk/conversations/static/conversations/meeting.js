// Meeting mode: single keys start a note, Enter moves on and saves, nothing is lost.
//
// Each note has a key made here and a revision counted here (1, 2, … one per change).
// Every change is kept in localStorage at once and sent (debounced); a note leaves
// localStorage only when the server answers that it holds that revision or a newer one.
// The server ignores a save older than what it holds, so requests that arrive out of
// order (the page reloaded while one was on its way, a second tab, a request the browser
// gave up on that still reached the server) never put an older text over a newer one.
// After the meeting the same page corrects notes: j / k choose, e edits, x deletes.
(function () {
  const root = document.querySelector("[data-meeting]");
  if (!root) return;
  const labels = JSON.parse(document.getElementById("meeting-labels").textContent);
  const url = root.dataset.entryUrl;
  const store = "consultdesk:meeting:" + root.dataset.meetingId;
  const composer = document.getElementById("composer");
  const list = document.getElementById("entries");
  const field = (name) => composer.elements[name];
  let current = null; // the note in the composer: {key, kind, revision, last}
  let timer = null;
  let selected = null;

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function pending() {
    try { return JSON.parse(localStorage.getItem(store) || "{}"); } catch (e) { return {}; }
  }
  function savePending(all) { localStorage.setItem(store, JSON.stringify(all)); }
  function keep(entry) { // a newer revision is never replaced by an older one
    const all = pending();
    if (all[entry.key] && all[entry.key].revision > entry.revision) return;
    all[entry.key] = entry;
    savePending(all);
  }
  function settle(key, revision) { // the server holds this revision or a newer one
    const all = pending();
    if (all[key] && all[key].revision <= revision) {
      delete all[key];
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
    li.className = "entry kind-" + entry.kind + (li === selected ? " selected" : "");
    ["kind", "text", "reply", "response", "question", "revision"].forEach((name) => {
      li.dataset[name] = entry[name];
    });
    li.replaceChildren();
    const add = (cls, text) => {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      li.appendChild(span);
      return span;
    };
    add("kind", labels["kind_" + entry.kind]);
    add("text", entry.text);
    if (entry.kind === "confirm" && entry.reply) {
      add("reply reply-" + entry.reply, labels[entry.reply === "correction" ? "reply_correction" : entry.reply]);
    }
    if (entry.response) add("response", "→ " + entry.response);
    if (root.hasAttribute("data-ended")) add("muted small edited", labels.edited);
    add("save-state muted small", "");
    const tools = add("entry-tools no-print", "");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "linklike edit";
    button.textContent = labels.edit;
    const link = document.createElement("a");
    link.className = "delete";
    link.href = root.dataset.deleteUrl.replace("KEY", entry.key);
    link.textContent = labels.delete;
    tools.append(button, " ", link);
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

  // One request per note at a time from this page; a change made meanwhile goes when
  // it returns. (Other pages may still race it: the server's revision check decides.)
  const inFlight = {};
  function send(entry) {
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
        if (answer.ok && answer.data.saved) answered(entry, answer.data);
        else state(entry.key, "error");
      })
      .catch(() => state(entry.key, "offline"))
      .finally(() => { delete inFlight[entry.key]; });
    inFlight[entry.key] = request;
    return request;
  }
  function answered(entry, data) {
    if (current && current.key === entry.key) current.revision = Math.max(current.revision, data.revision);
    const mine = pending()[entry.key];
    if (data.deleted) {
      settle(entry.key, Number.MAX_SAFE_INTEGER);
      row(entry.key).remove();
      return;
    }
    if (!data.applied && mine && mine.revision === entry.revision) {
      // Another tab or device changed this note after this page had it: the text
      // typed here is the latest word, so it goes again above their revision.
      keep(Object.assign(mine, { revision: data.revision + 1 }));
      send(mine);
      return;
    }
    settle(entry.key, data.revision);
    state(entry.key, "saved");
    tick(data);
  }
  function resendAll() { Object.values(pending()).forEach(send); }

  function content() {
    return {
      kind: current.kind,
      text: field("text").value,
      reply: current.kind === "confirm" ? field("reply").value : "",
      response: current.kind === "listen" ? "" : field("response").value,
      question: current.kind === "ask" ? field("question").value : "",
      opened: current.opened,
    };
  }
  function changed() {
    if (!current) return;
    const now = content();
    const text = JSON.stringify(now);
    if (!now.text.trim() || text === current.last) return;
    current.last = text;
    current.revision += 1;
    const entry = Object.assign({ key: current.key }, now, { revision: current.revision });
    render(entry);
    keep(entry);
    clearTimeout(timer);
    timer = setTimeout(() => send(entry), 600);
  }

  // A new note (kind, optionally a checklist question), or an existing one to correct.
  function open(kind, questionId, entry) {
    if (current) finish();
    current = {
      key: entry ? entry.key : newKey(),
      kind: kind,
      revision: entry ? Number(entry.revision) : 0,
      opened: entry && entry.opened ? entry.opened : String(Date.now()), // orders the notes
    };
    composer.reset();
    field("key").value = current.key;
    field("kind").value = kind;
    composer.dataset.kind = kind;
    document.getElementById("composer-label").textContent = labels[kind];
    document.getElementById("composer-response-label").textContent =
      kind === "ask" ? labels.answer : labels.correction;
    composer.hidden = false;
    if (entry) {
      ["text", "reply", "response", "question"].forEach((name) => { field(name).value = entry[name] || ""; });
      current.last = JSON.stringify(content());
      field("text").focus();
    } else if (questionId) {
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
    changed();
    const waiting = pending()[current.key];
    if (waiting) send(waiting);
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

  function edit(li) {
    if (!li) return;
    const waiting = pending()[li.dataset.key];
    open(li.dataset.kind, null, waiting || li.dataset);
  }
  function remove(li) {
    if (!li || !window.confirm(labels.delete_confirm + "\n\n" + li.dataset.text)) return;
    const key = li.dataset.key;
    if (current && current.key === key) {
      clearTimeout(timer);
      current = null;
      composer.hidden = true;
    }
    // After any save of this note from this page, so the deletion is the last word.
    Promise.resolve(inFlight[key])
      .then(() => fetch(root.dataset.deleteUrl.replace("KEY", key), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": root.dataset.csrf, "X-Autosave": "1" },
      }))
      .then((response) => {
        if (!response.ok) throw new Error(response.status);
        settle(key, Number.MAX_SAFE_INTEGER);
        if (selected === li) selected = null;
        li.remove();
      })
      .catch(() => alert(labels.not_deleted));
  }
  function select(step) {
    const rows = Array.from(list.querySelectorAll("li.entry"));
    if (!rows.length) return;
    const at = rows.indexOf(selected);
    const next = at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, at + step));
    if (selected) selected.classList.remove("selected");
    selected = rows[next];
    selected.classList.add("selected");
    selected.scrollIntoView({ block: "nearest" });
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
    if (target && ["INPUT", "TEXTAREA", "SELECT", "BUTTON", "A"].includes(target.tagName)) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const kinds = { l: "listen", c: "confirm", a: "ask" };
    const keys = {
      j: () => select(1), k: () => select(-1),
      e: () => edit(selected || list.querySelector("li.entry:last-child")),
      Enter: () => edit(selected), x: () => remove(selected), Delete: () => remove(selected),
    };
    if (kinds[event.key]) { event.preventDefault(); open(kinds[event.key]); return; }
    if (keys[event.key] && (selected || !["Enter", "x", "Delete"].includes(event.key))) {
      event.preventDefault();
      keys[event.key]();
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      const item = document.querySelectorAll("#meeting-questions [data-question]")[Number(event.key) - 1];
      if (item) { event.preventDefault(); open("ask", item.dataset.question); }
    }
  });
  list.addEventListener("click", (event) => {
    const li = event.target.closest("li.entry");
    if (event.target.closest(".edit")) edit(li);
    if (event.target.closest("a.delete")) { event.preventDefault(); remove(li); }
  });
  list.querySelectorAll(".entry-tools .edit").forEach((button) => { button.hidden = false; });

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
  Object.values(pending()).forEach(render);
  resendAll();
  window.addEventListener("online", resendAll);
  window.addEventListener("offline", () => { document.getElementById("connection").hidden = false; });
  if (!navigator.onLine) document.getElementById("connection").hidden = false;
  setInterval(() => { if (Object.keys(pending()).length) resendAll(); }, 5000);
  // Keys pressed before this point went nowhere (the script is deferred): say when
  // they work, so that a test (or a very quick hand) waits for it.
  root.dataset.ready = "1";
  // The page itself opens without a connection too (a copy kept by a service worker).
  if ("serviceWorker" in navigator && root.dataset.workerUrl) {
    navigator.serviceWorker.register(root.dataset.workerUrl).catch(() => {});
  }
})();
