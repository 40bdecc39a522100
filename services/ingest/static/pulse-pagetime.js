/*
 * Pulse page-time script (served by ingest at GET /v1/pulse-pagetime.js).
 *
 *   <script async src="https://INGEST/v1/pulse-pagetime.js" data-write-key="BROWSER_WRITE_KEY"></script>
 *
 * Measures how long the page was visible (time in a hidden tab does not count) and sends ONE
 * `page` call per page view when the visitor leaves it (the tab is hidden or the page unloads),
 * with `properties.time_on_page_ms`, through navigator.sendBeacon (text/plain, no preflight, and
 * it survives the unload). Sites using it should not also send a page call for the same view.
 * Ids: analytics.js's `ajs_anonymous_id` / `ajs_user_id` (localStorage) when present, else its
 * own `pulse_anonymous_id`. Attributes: data-write-key (required), data-host (default: where the
 * script was loaded from). Never throws into the page.
 */
/* global window, document, location */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__pulsePageTime) return;
  window.__pulsePageTime = true;
  var writeKey = script.getAttribute('data-write-key');
  var host = script.getAttribute('data-host') || new URL(script.src).origin;
  if (!writeKey) return;

  function stored(name) {
    try {
      var value = window.localStorage.getItem(name);
      return value === null ? null : JSON.parse(value);
    } catch {
      return null;
    }
  }
  function uuid() {
    return window.crypto && crypto.randomUUID
      ? crypto.randomUUID()
      : String(Date.now()) + '-' + String(Math.random()).slice(2);
  }
  function anonymousId() {
    var id = stored('ajs_anonymous_id') || stored('pulse_anonymous_id');
    if (!id) {
      id = uuid();
      try {
        window.localStorage.setItem('pulse_anonymous_id', JSON.stringify(id));
      } catch {
        /* private mode: an id per page view is the best we can do */
      }
    }
    return id;
  }

  var visibleMs = 0;
  var visibleSince = document.visibilityState === 'visible' ? performance.now() : null;
  var sent = false;

  function pause() {
    if (visibleSince !== null) {
      visibleMs += performance.now() - visibleSince;
      visibleSince = null;
    }
  }

  function send() {
    pause();
    if (sent) return;
    sent = true;
    var now = new Date().toISOString();
    var page = {
      url: location.href,
      path: location.pathname,
      referrer: document.referrer || undefined,
      title: document.title,
      search: location.search || undefined,
    };
    var body = {
      writeKey: writeKey,
      type: 'page',
      messageId: 'pulse-pt-' + uuid(),
      anonymousId: anonymousId(),
      userId: stored('ajs_user_id') || undefined,
      properties: Object.assign({}, page, { time_on_page_ms: Math.round(visibleMs) }),
      context: { page: page, userAgent: navigator.userAgent, library: { name: 'pulse-pagetime' } },
      originalTimestamp: now,
      sentAt: now,
    };
    try {
      var data = JSON.stringify(body);
      if (!(navigator.sendBeacon && navigator.sendBeacon(host + '/v1/page', data))) {
        fetch(host + '/v1/page', { method: 'POST', body: data, keepalive: true }).catch(
          function () {},
        );
      }
    } catch {
      /* the page must never break because of tracking */
    }
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') send();
    else if (!sent) visibleSince = performance.now();
  });
  window.addEventListener('pagehide', send);
})();
