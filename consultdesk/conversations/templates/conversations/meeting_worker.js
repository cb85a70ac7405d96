// Keeps one meeting page (and the files it loads) so that a reload without a connection
// still opens it; the notes typed meanwhile wait in localStorage (meeting.js). Its scope
// is the meeting's URL: no other page goes through it. Only GET requests are answered,
// from the network first and from the copy when the network fails.
const CACHE = "consultdesk-meeting";

async function keepPage(cache) {
  const page = await fetch(self.registration.scope, { credentials: "same-origin" });
  if (!page.ok) return;
  const html = await page.clone().text();
  const files = Array.from(html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g), (m) => m[1]);
  await cache.put(self.registration.scope, page);
  await cache.addAll(files);
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then(keepPage).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true, ignoreVary: true }).then((hit) => hit || Response.error()))
  );
});
