/* The store (login.html): plans → customer and card → purchase → credentials and login; pending payments and 3-D
 * Secure wait here; the same plan bought again while connected (from status.html) adds its time to the device's
 * access; "Ya compré" logs a returning device in; "Tengo una ficha" redeems a voucher (its printed QR code opens this
 * page with ?ficha=<code>&clave=<password>) and then goes the way of an approved purchase. One Idempotency-Key and one
 * card token per attempt: a request that got no answer is resent unchanged (the API answers it once), anything
 * answered starts a new attempt. */
(function (g) {
  'use strict';
  var P = g.Portal, $ = P.$, cfg = P.cfg, dev = P.device();
  var PENDING = 'pagos-hotspot:compra-pendiente';
  var POLL_MS = 2500;
  var plans = [], plan = null, gateway = null, attempt = null, polling = null, challengeReturn = null;

  function show(id, visible) { var el = typeof id === 'string' ? $(id) : id; el.hidden = !visible; }
  function focusOn(sel) { var el = $(sel); if (el) el.focus(); }
  function message(sel, text) { var el = $(sel); el.textContent = text || ''; el.hidden = !text; }

  // ---- entries (tabs)
  function enter(name) {
    document.querySelectorAll('nav.entradas button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.entrada === name)); });
    document.querySelectorAll('section[data-entrada]').forEach(function (s) { s.hidden = s.dataset.entrada !== name; });
    ['#espera', '#desafio', '#listo'].forEach(function (s) { show(s, false); });
    var heading = $('section[data-entrada="' + name + '"] h2');
    if (heading) heading.focus();
  }
  document.querySelectorAll('nav.entradas button').forEach(function (b) { b.addEventListener('click', function () { enter(b.dataset.entrada); }); });

  function only(sel) {
    document.querySelectorAll('section').forEach(function (s) { s.hidden = true; });
    show(sel, true);
    focusOn(sel + ' h2');
  }

  // ---- plans
  function renderPlans(list) {
    var box = $('#planes');
    box.innerHTML = '<legend class="oculto">Planes</legend>';
    if (list.length === 0) { box.insertAdjacentHTML('beforeend', '<p class="nota">No hay planes a la venta en este momento.</p>'); return; }
    list.forEach(function (p) {
      var label = document.createElement('label');
      label.className = 'plan' + (p.destacado ? ' destacado' : '');
      var input = document.createElement('input');
      input.type = 'radio'; input.name = 'plan'; input.value = String(p.id);
      input.addEventListener('change', function () { choose(p); });
      label.appendChild(input);
      var text = document.createElement('span');
      text.className = 'plan-texto';
      var title = document.createElement('strong'); title.textContent = p.nombre_venta; text.appendChild(title);
      var price = document.createElement('span'); price.className = 'precio'; price.textContent = P.money(p.precio, p.moneda); text.appendChild(price);
      var info = document.createElement('span'); info.className = 'nota';
      info.textContent = 'Acceso por ' + P.duration(p.vigencia_segundos) + (p.descripcion ? ' · ' + p.descripcion : '');
      text.appendChild(info);
      if (p.detalles.length) {
        var ul = document.createElement('ul');
        p.detalles.forEach(function (d) { var li = document.createElement('li'); li.textContent = d.value || Object.values(d).join(': '); ul.appendChild(li); });
        text.appendChild(ul);
      }
      if (p.destacado) { var badge = document.createElement('span'); badge.className = 'insignia'; badge.textContent = 'Recomendado'; text.appendChild(badge); }
      label.appendChild(text);
      box.appendChild(label);
    });
  }

  function choose(p) {
    plan = p;
    show('#datos', true);
    if (gateway) gateway.amount(p);
  }

  // ---- gateways: one adapter each, same shape: mount(), amount(plan), token() → Promise<{token, extra}>
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src; s.async = true; s.onload = resolve; s.onerror = function () { reject(new Error('script')); };
      document.head.appendChild(s);
    });
  }

  function conekta(publicKey) {
    var trigger = null, pending = null;
    return {
      path: '/api/v1/payments/pagar-conekta',
      mount: function () {
        show('#conekta-tarjeta', true);
        g.ConektaCheckoutComponents.Card({
          config: { targetIFrame: '#conekta-tarjeta', publicKey: publicKey, locale: 'es', useExternalSubmit: true },
          callbacks: {
            onCreateTokenSucceeded: function (token) { if (pending) pending.resolve({ token: token.id, extra: {} }); pending = null; },
            onCreateTokenError: function () { if (pending) pending.reject(new Error('Revise los datos de su tarjeta.')); pending = null; },
            onFormError: function () { if (pending) pending.reject(new Error('Revise los datos de su tarjeta.')); pending = null; },
            onUpdateSubmitTrigger: function (fn) { trigger = fn; },
            onGetInfoSuccess: function () {}
          },
          allowTokenization: true
        });
      },
      amount: function () {},
      token: function () {
        if (!trigger) return Promise.reject(new Error('El formulario de la tarjeta aún no está listo.'));
        return new Promise(function (resolve, reject) { pending = { resolve: resolve, reject: reject }; trigger(); });
      },
      body: function (t) { return { token_tarjeta: t.token }; }
    };
  }

  function mercadoPago(publicKey) {
    var mp = null, form = null, pending = null;
    function mountFor(p) {
      if (form) form.unmount();
      form = mp.cardForm({
        amount: String(p.precio),
        iframe: true,
        form: {
          id: 'form-pago',
          cardholderName: { id: 'mp-titular', placeholder: 'Como aparece en la tarjeta' },
          cardholderEmail: { id: 'email' },
          cardNumber: { id: 'mp-numero', placeholder: 'Número de tarjeta' },
          expirationDate: { id: 'mp-vence', placeholder: 'MM/AA' },
          securityCode: { id: 'mp-cvv', placeholder: 'CVV' },
          issuer: { id: 'mp-emisor' },
          installments: { id: 'mp-cuotas' }
        },
        callbacks: {
          onFormMounted: function (error) { if (error) message('#error-pago', 'No se pudo cargar el formulario de la tarjeta.'); },
          onSubmit: function (event) {
            event.preventDefault();
            var data = form.getCardFormData();
            if (!pending) return;
            if (data.token) pending.resolve({ token: data.token, extra: data }); else pending.reject(new Error('Revise los datos de su tarjeta.'));
            pending = null;
          },
          onError: function () { if (pending) pending.reject(new Error('Revise los datos de su tarjeta.')); pending = null; }
        }
      });
    }
    return {
      path: '/api/v1/payments/pagar-mercado-pago',
      // The card form owns the form's submit: our own handler only asks it for a token.
      ownsSubmit: true,
      mount: function () { show('#mp-tarjeta', true); mp = new g.MercadoPago(publicKey, { locale: 'es-MX' }); },
      amount: function (p) { mountFor(p); },
      token: function () { return new Promise(function (resolve, reject) { pending = { resolve: resolve, reject: reject }; }); },
      body: function (t) {
        return {
          token: t.token, payment_method_id: t.extra.paymentMethodId, issuer_id: t.extra.issuerId || undefined,
          installments: Number(t.extra.installments) || 1, transaction_amount: plan.precio
        };
      }
    };
  }

  function setUpGateway(config) {
    var empresa = config.empresa;
    var wanted = cfg.pasarela === 'mercado_pago' && empresa.mercadopago_public_key ? 'mercado_pago'
      : empresa.conekta_public_key ? 'conekta' : empresa.mercadopago_public_key ? 'mercado_pago' : null;
    if (!wanted) { message('#aviso-pagina', 'Este punto de acceso aún no acepta pagos con tarjeta.'); return; }
    gateway = wanted === 'conekta' ? conekta(empresa.conekta_public_key) : mercadoPago(empresa.mercadopago_public_key);
    loadScript(cfg.tokenizadores[wanted]).then(function () {
      gateway.mount();
      if (plan) gateway.amount(plan);
    }, function () {
      gateway = null;
      message('#aviso-pagina', 'No se pudo cargar el formulario de pago. Intente de nuevo en unos minutos.');
    });
  }

  // ---- purchase
  function validCustomer() {
    var ok = true;
    ['#nombre', '#email'].forEach(function (sel) {
      var el = $(sel);
      var valid = el.checkValidity() && el.value.trim() !== '';
      el.setAttribute('aria-invalid', String(!valid));
      if (!valid && ok) { el.focus(); ok = false; }
    });
    if (!plan) { message('#error-pago', 'Elija un plan.'); return false; }
    if (!ok) message('#error-pago', 'Escriba su nombre y un correo electrónico válido.');
    return ok;
  }

  /** This device, for the API to log it in once it has access (a purchase's or a voucher's). */
  function withDevice(body) {
    body.conexion_automatica = Boolean(dev.mac);
    if (dev.mac) body.mac_cliente = dev.mac;
    if (dev.ip) body.ip_cliente = dev.ip;
    return body;
  }

  function busy(on) { $('#pagar').disabled = on; $('#pagar').textContent = on ? 'Procesando…' : 'Pagar'; }

  function pay() {
    message('#error-pago', '');
    if (!gateway || !validCustomer()) return;
    busy(true);
    var ready = attempt ? Promise.resolve(attempt) : gateway.token().then(function (t) {
      var body = gateway.body(t);
      body.producto_id = plan.id;
      body.nombre_cliente = $('#nombre').value.trim();
      body.email_cliente = $('#email').value.trim();
      attempt = { key: P.randomKey(), body: withDevice(body) };
      return attempt;
    });
    ready.then(function (a) {
      return P.api(gateway.path, { method: 'POST', body: a.body, headers: { 'Idempotency-Key': a.key } }).then(function (res) {
        attempt = null; // answered: the next try is a new attempt, with a new token
        answered(res, '#error-pago', 'No se pudo completar el pago. Intente de nuevo.');
      }, function () {
        message('#error-pago', 'No hubo respuesta del servicio de pagos. Revise su conexión y pulse Pagar de nuevo: no se cobrará dos veces.');
      });
    }, function (error) {
      message('#error-pago', error.message);
    }).then(function () { busy(false); });
  }

  /** A purchase's or a voucher's answer: approved, still under way, or refused (its `detail` shown at `errorSel`). */
  function answered(res, errorSel, fallback) {
    if (res.status === 200 && res.body.tiempo_sumado) return stacked(res.body.producto.nombre, res.body.expira_en, res.body.auto_conexion.mensaje);
    if (res.status === 200) return approved(res.body.usuario_hotspot, res.body.producto.nombre, res.body.expira_en, res.body.auto_conexion.estado === 'conectado');
    if (res.status === 202) return waitFor(res.body);
    message(errorSel, P.detail(res.body, fallback));
  }

  // ---- pending and 3-D Secure
  function waitFor(body) {
    P.save(PENDING, { url: body.url_estado, at: Date.now() });
    var challenge = body.desafio_3ds;
    if (challenge && challenge.url && challenge.creq) {
      only('#desafio');
      // Mercado Pago: the issuer's page takes the `creq` by a form POST, shown in the frame.
      var f = document.createElement('form');
      f.method = 'post'; f.action = challenge.url; f.target = 'desafio-marco';
      var input = document.createElement('input'); input.type = 'hidden'; input.name = 'creq'; input.value = challenge.creq; f.appendChild(input);
      document.body.appendChild(f); f.submit(); f.remove();
      $('#desafio-enlace').parentNode.hidden = true; // a link cannot open it: it takes the POST
      challengeReturn = body.url_estado + '/retorno';
    } else if (body.redirect_url) {
      only('#desafio');
      $('#desafio-marco').src = body.redirect_url;
      $('#desafio-enlace').href = body.redirect_url;
    } else {
      only('#espera');
      $('#espera-mensaje').textContent = body.mensaje || 'Estamos esperando la confirmación de su banco. No cierre esta página.';
    }
    poll(body.url_estado);
  }

  // Mercado Pago's challenge page tells its parent when it is over ({status: 'COMPLETE'}); how it ended is the
  // payment's to say. Once: the purchase's return URL has it ask the gateway now, and polling shows the outcome.
  g.addEventListener('message', function (event) {
    if (!challengeReturn || event.source !== $('#desafio-marco').contentWindow || (event.data || {}).status !== 'COMPLETE') return;
    var url = challengeReturn;
    challengeReturn = null;
    P.api(url).catch(function () {}); // unanswered: the workflow asks the gateway on its own, only later
  });

  function poll(url) {
    clearTimeout(polling);
    polling = setTimeout(function () {
      P.api(url).then(function (res) {
        var b = res.body || {};
        if (res.status === 200 && b.estado === 'active' && b.tiempo_sumado) {
          P.save(PENDING, null);
          return stacked(b.producto.nombre, b.expira_en, b.mensaje);
        }
        if (res.status === 200 && b.estado === 'active' && b.usuario_hotspot) {
          P.save(PENDING, null);
          return approved(b.usuario_hotspot, b.producto.nombre, b.expira_en, false);
        }
        if (res.status === 200 && b.siguiente_accion === 'ninguna') {
          P.save(PENDING, null);
          enter('comprar');
          return message('#error-pago', b.mensaje || 'El pago no se completó. Intente de nuevo.');
        }
        if (res.status === 404) { P.save(PENDING, null); return enter('comprar'); }
        poll(url);
      }, function () { poll(url); });
    }, POLL_MS);
  }

  // ---- approved
  function approved(credentials, planName, expires, connected) {
    P.save(P.ACCESS, { usuario: credentials.usuario, contrasena: credentials.contrasena, plan: planName, expira: expires });
    only('#listo');
    $('#c-usuario').textContent = credentials.usuario;
    $('#c-contrasena').textContent = credentials.contrasena || '(PIN, sin contraseña)';
    $('#c-plan').textContent = planName;
    $('#c-vence').textContent = new Date(expires).toLocaleString('es-MX');
    var connect = function () { login(credentials.usuario, credentials.contrasena, connected); };
    $('#conectar').onclick = connect;
    setTimeout(connect, 1500);
  }

  /** The same plan bought again while connected: its time was added to this device's access, which goes on as it is. */
  function stacked(planName, expires, text) {
    var saved = P.load(P.ACCESS);
    if (saved) { saved.expira = expires; P.save(P.ACCESS, saved); }
    only('#sumado');
    $('#s-mensaje').textContent = text || 'Se agregó el tiempo a su conexión actual.';
    $('#s-plan').textContent = planName;
    $('#s-vence').textContent = new Date(expires).toLocaleString('es-MX');
  }

  /** Connected by the API: the router shows its after-login page. Otherwise: the hotspot's own login form. */
  function login(username, password, connected) {
    if (connected && dev.loginUrl) { g.location.href = dev.loginUrl + (dev.dst ? '?dst=' + encodeURIComponent(dev.dst) : ''); return; }
    if (!P.hotspotLogin(username, password || '')) $('#listo-mensaje').textContent = 'Ya puede navegar.';
  }

  // ---- returning device
  function reconnect(event) {
    event.preventDefault();
    message('#error-reconectar', '');
    var username = $('#r-usuario').value.trim(), password = $('#r-contrasena').value;
    if (!username) { $('#r-usuario').focus(); return message('#error-reconectar', 'Escriba su usuario o PIN.'); }
    if (!dev.mac) return P.hotspotLogin(username, password);
    P.api('/api/v1/hotspot/auto-reconnect', { method: 'POST', body: { username: username, password: password, current_mac: dev.mac, current_ip: dev.ip || null } }).then(function (res) {
      var b = res.body || {};
      if (res.status !== 200) return message('#error-reconectar', P.detail(b, 'No se pudo verificar su acceso. Intente de nuevo.'));
      if (b.estado !== 'activo') return message('#error-reconectar', b.mensaje);
      P.save(P.ACCESS, { usuario: username, contrasena: password, plan: b.datos_sesion.perfil, expira: b.datos_sesion.expira_en });
      login(username, password, b.auto_conexion === 'conectado');
    }, function () { message('#error-reconectar', 'No hubo respuesta del servicio. Revise su conexión e intente de nuevo.'); });
  }

  // ---- voucher: redeeming one is a purchase already paid; its answers are a purchase's
  function redeem(event) {
    event.preventDefault();
    message('#error-ficha', '');
    var code = $('#f-codigo').value.trim(), password = $('#f-clave').value;
    if (!code) { $('#f-codigo').focus(); return message('#error-ficha', 'Escriba el código de su ficha.'); }
    var body = withDevice({ codigo: code });
    if (password) body.contrasena = password;
    $('#canjear').disabled = true;
    P.api('/api/v1/vouchers/canjear', { method: 'POST', body: body }).then(function (res) {
      answered(res, '#error-ficha', 'No se pudo canjear la ficha. Intente de nuevo.');
    }, function () {
      message('#error-ficha', 'No hubo respuesta del servicio. Revise su conexión e intente de nuevo.');
    }).then(function () { $('#canjear').disabled = false; });
  }

  // ---- start
  $('#form-pago').addEventListener('submit', function (event) {
    event.preventDefault();
    // Mercado Pago's card form listens to this submit too: it makes the token that pay() waits for.
    if (gateway && gateway.ownsSubmit && !validCustomer()) event.stopImmediatePropagation();
    else pay();
  }, true);
  $('#form-reconectar').addEventListener('submit', reconnect);
  $('#form-ficha').addEventListener('submit', redeem);
  var query = new URLSearchParams(g.location.search);
  if (query.get('ficha')) {
    $('#f-codigo').value = query.get('ficha');
    $('#f-clave').value = query.get('clave') || '';
    enter('ficha');
  }
  var saved = P.load(P.ACCESS);
  if (saved) $('#r-usuario').value = saved.usuario;
  if (dev.user) {
    $('#contexto').textContent = 'Comprando más tiempo para este dispositivo (usuario ' + dev.user + ').';
    $('#contexto').hidden = false;
  }

  P.brand().then(function (config) {
    if (config) setUpGateway(config);
    else message('#aviso-pagina', 'No se pudo conectar con el servicio. Intente de nuevo en unos minutos.');
  });
  P.api('/api/v1/catalogo_perfiles_venta').then(function (res) {
    plans = res.status === 200 ? res.body : [];
    renderPlans(plans);
  }, function () { renderPlans([]); });
  var pending = P.load(PENDING);
  if (pending && Date.now() - pending.at < 3600e3) { only('#espera'); poll(pending.url); }
})(window);
