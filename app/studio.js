// The nst_nb studio page's own helpers, added by app/studio.ipynb when Voila serves it.
// 1. An upload over the app's limit is refused in the page, before it is sent: the kernel's websocket would drop
//    a message that big, and the Upload button would stop working. MAX_UPLOAD_BYTES is filled in by the notebook.
// 2. When the page goes (closed, reloaded, navigated away) its kernel is shut down, which also ends a run still
//    going. The request carries an XSRF token (double-submit: a cookie set here and the same value in a header),
//    which Jupyter Server requires of a DELETE and which Voila's page does not send.
// 3. The page gives a sign of life every 5 s (a hidden Play widget it starts), so that a run whose page is gone stops
//    even when the request of 2. was lost.
(function (limit) {
  if (window.__nstStudio) return;
  window.__nstStudio = true;
  const mb = n => (n / 1e6).toFixed(1) + ' MB';
  const esc = s => s.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  function say(text) {
    const box = document.querySelector('.nst-input-status .widget-html-content') || document.querySelector('.nst-input-status');
    if (box) box.innerHTML = '<span class="nst-error nst-upload-refused" style="color:#b00020">⚠ ' + esc(text) + '</span>';
  }
  function guard(ev) {   // runs before the upload widget's own listener (capturing, at the target)
    const files = Array.from(ev.target.files || []), total = files.reduce((a, f) => a + f.size, 0);
    if (total <= limit) return;
    ev.stopImmediatePropagation();
    ev.target.value = '';
    say(files.map(f => f.name).join(', ') + ' is ' + mb(total) + ', over the upload limit of ' + mb(limit) +
        ': not sent. Downscale or compress it first.');
  }
  // The upload widget's <input type=file> is not in the document, so catch it when the widget opens it.
  const click = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function () {
    if (this.type === 'file' && !this.__nstGuard) { this.__nstGuard = true; this.addEventListener('change', guard, true); }
    return click.apply(this, arguments);
  };
  let config = {};
  try { config = JSON.parse(document.getElementById('jupyter-config-data').textContent); } catch (e) { return; }
  if (!config.kernelId) return;
  // The cookie is shared by every page of the server: use the one already set (by the server or another page), so
  // that pages closed together do not overwrite each other's token between setting it and sending the request.
  function xsrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
    if (m) return m[1];
    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
    document.cookie = '_xsrf=' + token + '; path=/; SameSite=Strict';
    return token;
  }
  let ended = false;
  function endKernel() {
    if (ended) return;
    ended = true;
    const token = xsrfToken();
    fetch(new URL((config.baseUrl || '/') + 'api/kernels/' + config.kernelId, location.origin),
          {method: 'DELETE', keepalive: true, headers: {'X-XSRFToken': token}}).catch(() => {});
  }
  window.addEventListener('pagehide', endKernel);
  window.addEventListener('beforeunload', endKernel);
  // 3. The page's heartbeat: start the hidden Play widget (class nst-heartbeat) once it is on the page; its ticks tell
  //    the kernel the page is there, and a run whose page has gone silent is stopped there (nst_nb.studio.PageWatch).
  const beat = setInterval(() => {
    const play = document.querySelector('.nst-heartbeat button');
    if (play) { clearInterval(beat); play.click(); }
  }, 500);
})(MAX_UPLOAD_BYTES);
