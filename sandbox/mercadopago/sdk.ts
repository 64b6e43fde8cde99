/**
 * A drop-in test copy of MercadoPago.js v2 for the card form: `new MercadoPago(publicKey, { locale })`,
 * `mp.cardForm({ amount, iframe: true, form: { id, cardNumber, expirationDate, securityCode, cardholderName,
 * cardholderEmail, issuer, installments }, callbacks })` with `onFormMounted`, `onSubmit`, `onCardTokenReceived`,
 * `onError`, and `getCardFormData()`, `unmount()`. Card number, expiry and security code are iframes from the
 * simulator's origin ("secure fields"), so the page never reads them; the number picks the token's scenario.
 */
import { cardScript } from '../lib/test-cards';
import { route, type Route } from '../lib/http';

const FIELDS = { cardNumber: 'Número de tarjeta', expirationDate: 'Vencimiento', securityCode: 'Código de seguridad' } as const;

const SCRIPT = `(function () {
  'use strict';
  var ORIGIN = new URL(document.currentScript.src).origin;
  var FIELDS = ${JSON.stringify(Object.keys(FIELDS))};
  function MercadoPago(publicKey, options) {
    if (!(this instanceof MercadoPago)) throw new TypeError('MercadoPago must be called with new');
    if (!/^(TEST|APP_USR)-/.test(publicKey || '')) throw new Error('MercadoPago: invalid public key');
    this.publicKey = publicKey;
    this.locale = (options && options.locale) || 'es-MX';
  }
  MercadoPago.prototype.cardForm = function (options) {
    var spec = options.form, callbacks = options.callbacks || {};
    var form = document.getElementById(spec.id);
    var byId = function (name) { return spec[name] && document.getElementById(spec[name].id); };
    var frames = {}, fields = {}, data = {};
    FIELDS.forEach(function (name) {
      var box = byId(name), frame = document.createElement('iframe');
      frame.src = ORIGIN + '/__sim/secure-fields/' + name + '?placeholder=' + encodeURIComponent(spec[name].placeholder || '');
      frame.title = ${JSON.stringify(FIELDS)}[name];
      frame.style.cssText = 'width:100%;height:2.8rem;border:0';
      box.appendChild(frame);
      frames[name] = frame;
    });
    var issuer = byId('issuer'), installments = byId('installments');
    issuer.innerHTML = '<option value="160">Banco de prueba</option>';
    installments.innerHTML = '<option value="1">1 pago de $' + Number(options.amount).toFixed(2) + '</option>';
    function onMessage(event) {
      if (event.origin !== ORIGIN) return;
      var name = FIELDS.filter(function (n) { return frames[n].contentWindow === event.source; })[0];
      if (name) fields[name] = event.data;
    }
    function onSubmit(event) {
      event.preventDefault();
      var number = fields.cardNumber || {}, holder = byId('cardholderName');
      var valid = number.valid && (fields.expirationDate || {}).valid && (fields.securityCode || {}).valid && holder && holder.value.trim();
      data = valid ? {
        token: 'tok_test_' + number.scenario + '_' + Math.random().toString(16).slice(2, 14), paymentMethodId: number.brand,
        issuerId: issuer.value, installments: installments.value, amount: String(options.amount), processingMode: 'aggregator',
        cardholderEmail: byId('cardholderEmail') ? byId('cardholderEmail').value : ''
      } : {};
      setTimeout(function () {
        if (!valid) { if (callbacks.onError) callbacks.onError([{ message: 'Revise los datos de la tarjeta' }]); }
        else if (callbacks.onCardTokenReceived) callbacks.onCardTokenReceived(null, { token: data.token });
        if (callbacks.onSubmit) callbacks.onSubmit(event);
      }, 0);
    }
    window.addEventListener('message', onMessage);
    form.addEventListener('submit', onSubmit);
    setTimeout(function () { if (callbacks.onFormMounted) callbacks.onFormMounted(); }, 0);
    return {
      getCardFormData: function () { return data; },
      unmount: function () {
        window.removeEventListener('message', onMessage);
        form.removeEventListener('submit', onSubmit);
        FIELDS.forEach(function (name) { frames[name].remove(); });
      }
    };
  };
  window.MercadoPago = MercadoPago;
})();
`;

const FIELD_PAGE = (name: keyof typeof FIELDS, placeholder: string) => `<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>${FIELDS[name]}</title><style>body{margin:0}input{width:100%;box-sizing:border-box;height:2.8rem;padding:.6rem;font:15px system-ui,sans-serif;border:0}</style>
</head><body><input id="campo" aria-label="${FIELDS[name]}" placeholder="${placeholder.replace(/[<>"&]/g, '')}" inputmode="numeric">
<script>
${cardScript()}
var NAME = ${JSON.stringify(name)};
campo.addEventListener('input', function () {
  var v = campo.value, message;
  if (NAME === 'cardNumber') message = { valid: luhn(v), scenario: cardScenario(v), brand: brand(v), bin: digits(v).slice(0, 8) };
  else if (NAME === 'expirationDate') message = { valid: validExpiry(v) };
  else message = { valid: /^\\d{3,4}$/.test(v) };
  parent.postMessage(message, '*');
});
</script></body></html>`;

/** Routes the simulator serves to browsers (never delayed or failed by the API's latency and outage switches). */
export function mercadoPagoSdkRoutes(): Route[] {
  return [
    route('GET', /^\/js\/v2$/, () => ({ status: 200, html: SCRIPT, headers: { 'content-type': 'text/javascript; charset=utf-8' } })),
    route('GET', /^\/__sim\/secure-fields\/(cardNumber|expirationDate|securityCode)$/, (req) => ({
      status: 200,
      html: FIELD_PAGE(req.params[0] as keyof typeof FIELDS, req.query.get('placeholder') ?? ''),
    })),
  ];
}
