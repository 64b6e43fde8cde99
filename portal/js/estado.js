/* status.html: the plan and the time left of this device's access, from the API when this device saved its
 * credentials at purchase (the router's own counters are shown otherwise), counting down every second. */
(function (g) {
  'use strict';
  var P = g.Portal, $ = P.$, dev = P.device();
  P.brand();
  var saved = P.load(P.ACCESS);
  if (!saved || saved.usuario !== dev.user) return;
  P.api('/api/v1/hotspot/user/profile-info', { method: 'POST', body: { username: saved.usuario, password: saved.contrasena || null } }).then(function (res) {
    var b = res.body || {};
    if (res.status !== 200 || !b.success) return;
    $('#e-plan').textContent = b.datos_completos.plan;
    $('#e-vence').textContent = new Date(b.expira_en).toLocaleString('es-MX');
    var ends = Date.now() + b.tiempo_restante * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      $('#e-restante').textContent = P.duration(left);
      if (left > 0) setTimeout(tick, 1000);
    };
    tick();
  }, function () { /* the router's counters stay */ });
})(window);
