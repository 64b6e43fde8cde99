/* Pagos Hotspot portal: what every page shares — the router's settings (config.js), the hotspot's values, calls to
 * the API with the router key, the customer's saved access, and formatting. No framework: it must load fast over a
 * slow link and fit the router's flash. */
(function (g) {
  'use strict';
  var cfg = g.PAGOS_HOTSPOT || {};
  var hs = g.HOTSPOT || {};
  var query = new URLSearchParams(g.location.search);
  var ACCESS = 'pagos-hotspot:acceso';

  function $(sel, root) { return (root || document).querySelector(sel); }

  /** The hotspot's values: filled in by the router; a page opened from status.html carries them in its query. */
  function device() {
    return {
      mac: hs.mac || query.get('mac') || '',
      ip: hs.ip || query.get('ip') || '',
      user: hs.user || query.get('usuario') || '',
      loginUrl: hs.loginUrl || '',
      dst: hs.dst ? decodeURIComponent(hs.dst) : ''
    };
  }

  /** A JSON call to the API; resolves to {status, body} for any HTTP answer, rejects only when there is none. */
  function api(path, options) {
    options = options || {};
    var headers = { Authorization: 'Bearer ' + cfg.apiKey, Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    for (var k in options.headers || {}) headers[k] = options.headers[k];
    var url = /^https?:/.test(path) ? path : cfg.api + path;
    return fetch(url, { method: options.method || 'GET', headers: headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), cache: 'no-store' })
      .then(function (res) {
        return res.text().then(function (text) {
          var body = null;
          try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
          return { status: res.status, body: body };
        });
      });
  }

  /** The API's `detail`: a text, or the list of invalid fields of a 422. */
  function detail(body, fallback) {
    var d = body && body.detail;
    if (typeof d === 'string') return d;
    if (Array.isArray(d)) return d.map(function (e) { return e.msg; }).join('. ');
    return fallback;
  }

  /** A random key (the page is plain http: crypto.randomUUID needs a secure context, getRandomValues does not). */
  function randomKey() {
    var bytes = new Uint8Array(16);
    g.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  function money(amount, currency) {
    try { return new Intl.NumberFormat('es-MX', { style: 'currency', currency: currency || 'MXN' }).format(amount); }
    catch (e) { return '$' + Number(amount).toFixed(2); }
  }

  /** 600 → "10 minutos", 86400 → "1 día", 93784 → "1 día 2 horas". */
  function duration(seconds) {
    var units = [[604800, 'semana', 'semanas'], [86400, 'día', 'días'], [3600, 'hora', 'horas'], [60, 'minuto', 'minutos'], [1, 'segundo', 'segundos']];
    var parts = [];
    for (var i = 0; i < units.length && parts.length < 2; i++) {
      var n = Math.floor(seconds / units[i][0]);
      if (n > 0) { parts.push(n + ' ' + (n === 1 ? units[i][1] : units[i][2])); seconds -= n * units[i][0]; }
    }
    return parts.join(' ') || '0 segundos';
  }

  /** Storage may be missing or wiped in a phone's captive-portal browser: every use is optional. */
  function load(key) { try { return JSON.parse(g.localStorage.getItem(key) || 'null'); } catch (e) { return null; } }
  function save(key, value) { try { if (value === null) g.localStorage.removeItem(key); else g.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* no storage */ } }

  /** The company's name and logo in the header, from config/public. */
  function brand() {
    return api('/api/v1/config/public').then(function (res) {
      if (res.status !== 200) return null;
      var empresa = res.body.empresa;
      $('#empresa').textContent = empresa.nombre;
      document.title = empresa.nombre + ' · WiFi';
      if (empresa.logo_url) {
        var img = $('#logo');
        img.src = /^https?:/.test(empresa.logo_url) ? empresa.logo_url : cfg.api + empresa.logo_url;
        img.alt = empresa.nombre;
        img.hidden = false;
      }
      return res.body;
    }, function () { return null; });
  }

  /** Logs the device in through the hotspot's own form, with CHAP when the router offers it (http-chap). */
  function hotspotLogin(username, password) {
    var form = document.forms.sendin;
    if (!form) return false;
    form.username.value = username;
    form.password.value = hs.chapId ? g.hexMD5(hs.chapId + password + hs.chapChallenge) : password;
    form.submit();
    return true;
  }

  g.Portal = {
    $: $, cfg: cfg, device: device, api: api, detail: detail, randomKey: randomKey, money: money, duration: duration,
    load: load, save: save, brand: brand, hotspotLogin: hotspotLogin, ACCESS: ACCESS
  };
})(window);
