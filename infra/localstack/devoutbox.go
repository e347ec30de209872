package localstack

import (
	"net/http"
	"strings"
)

// The dev outbox viewer: a static page (no data, no token) that asks
// /_dev/outbox with the dev token and lists what would have been sent. Its
// script is a file of its own: the pages' policy runs no inline script.
const (
	DevOutboxViewPath = "/_dev/outbox/view"
	devOutboxJSPath   = "/_dev/outbox/view.js"
	// DevOutboxMeta tells the SPA (the admin's Messages page) where the
	// viewer is; it carries no token.
	DevOutboxMeta = `<meta name="topsmile-dev-outbox" content="` + DevOutboxViewPath + `">`
)

const devOutboxHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev outbox · TopSmile</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#13233a;background:#f4f7fb}
main{max-width:60rem;margin:0 auto}h1{font-size:1.5rem;margin:0 0 .25rem}
.m{background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgb(16 24 40/.1);padding:.75rem 1rem;margin:.75rem 0}
.m h2{font-size:1rem;margin:0}.meta{color:#475467;font-size:.875rem;margin:.25rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;margin:.5rem 0 0}
label{font-weight:600;display:block;margin:.5rem 0 .25rem}input{font:inherit;padding:.5rem;min-width:16rem;max-width:100%}
button{font:inherit;font-weight:600;padding:.5rem 1rem;margin-left:.5rem;color:#fff;background:#0b5cad;border:0;border-radius:.5rem}
.err{color:#9b1c1c}:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
</style></head><body><main>
<h1>Dev outbox</h1>
<p class="meta">What the local stack would have emailed or texted (it sends nothing), oldest first. Refreshes every 2 seconds.</p>
<form id="ask" hidden><label for="token">Dev token (printed by the local stack at start)</label><input id="token" autocomplete="off" required><button>Show messages</button></form>
<p id="status" role="status" class="meta"></p>
<div id="list"></div>
</main><script src="` + devOutboxJSPath + `"></script></body></html>
`

const devOutboxJS = `(function () {
  var KEY = 'topsmile.devToken';
  var m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname);
  }
  var ask = document.getElementById('ask'), status = document.getElementById('status'), list = document.getElementById('list');
  var timer = null, last = '';
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }
  function show(items) {
    var key = JSON.stringify(items);
    if (key === last) return;
    last = key;
    list.replaceChildren();
    items.forEach(function (i) {
      var box = el('article', 'm');
      box.appendChild(el('h2', '', i.subject || i.template));
      box.appendChild(el('p', 'meta', [i.channel, 'to ' + i.to, i.template, i.status].join(' · ')));
      box.appendChild(el('pre', '', i.body || '(not rendered)'));
      list.appendChild(box);
    });
    status.textContent = items.length + (items.length === 1 ? ' message' : ' messages');
  }
  function load() {
    var token = sessionStorage.getItem(KEY);
    if (!token) { ask.hidden = false; status.textContent = 'Enter the dev token to see the messages.'; return; }
    fetch('/_dev/outbox', { headers: { 'X-Dev-Token': token }, cache: 'no-store' }).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        sessionStorage.removeItem(KEY); clearInterval(timer); timer = null; ask.hidden = false;
        status.textContent = 'That dev token was not accepted.'; status.className = 'meta err'; return null;
      }
      return r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status));
    }).then(function (body) {
      if (!body) return;
      ask.hidden = true; status.className = 'meta';
      show(body.items || []);
      if (!timer) timer = setInterval(load, 2000);
    }).catch(function (e) { status.textContent = 'Could not reach the outbox (' + e.message + '); trying again.'; status.className = 'meta err'; });
  }
  ask.addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById('token').value.trim());
    load();
  });
  load();
})();
`

// DevOutboxView serves the viewer page and its script. They hold nothing
// secret, so they need no token; the data they fetch does.
func DevOutboxView() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ctype := devOutboxHTML, "text/html; charset=utf-8"
		if r.URL.Path == devOutboxJSPath {
			body, ctype = devOutboxJS, "text/javascript; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(body))
	})
}

// withHead puts extra into an HTML page's head (before </head>), or in
// front of a page without one (the parser puts it in the implied head).
func withHead(page []byte, extra string) []byte {
	s := string(page)
	i := strings.Index(strings.ToLower(s), "</head>")
	if i < 0 {
		return []byte(extra + s)
	}
	return []byte(s[:i] + extra + s[i:])
}
