/**
 * A drop-in test copy of Conekta's browser tokenizer (`conekta-checkout.min.js`): the same global,
 * `ConektaCheckoutComponents.Card({ config: { targetIFrame, publicKey, locale, useExternalSubmit }, callbacks,
 * allowTokenization })`, the same callbacks (`onCreateTokenSucceeded(token)`, `onCreateTokenError`, `onFormError`,
 * `onUpdateSubmitTrigger(submit)`, `onGetInfoSuccess`). The card fields live in an iframe from the simulator's origin,
 * as Conekta's live on pay.conekta.com, so the page never reads the card; the number picks the token's scenario.
 */
import { cardScript } from '../lib/test-cards';
import { route, type Route } from '../lib/http';

const SCRIPT = `(function () {
  'use strict';
  var ORIGIN = new URL(document.currentScript.src).origin;
  function Card(options) {
    var config = (options && options.config) || {}, callbacks = (options && options.callbacks) || {};
    var target = document.querySelector(config.targetIFrame);
    if (!target) throw new Error('ConektaCheckoutComponents: targetIFrame not found: ' + config.targetIFrame);
    var frame = document.createElement('iframe');
    frame.src = ORIGIN + '/__sim/tokenizer/card?key=' + encodeURIComponent(config.publicKey || '') + '&external=' + (config.useExternalSubmit ? '1' : '0');
    frame.title = 'Datos de la tarjeta';
    frame.style.cssText = 'width:100%;height:18rem;border:0';
    target.appendChild(frame);
    var started = Date.now();
    window.addEventListener('message', function (event) {
      if (event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === 'ready' && callbacks.onGetInfoSuccess) callbacks.onGetInfoSuccess({ loadingTime: Date.now() - started });
      if (data.type === 'token' && callbacks.onCreateTokenSucceeded) callbacks.onCreateTokenSucceeded(data.token);
      if (data.type === 'form-error' && callbacks.onFormError) callbacks.onFormError(data.error);
      if (data.type === 'error' && callbacks.onCreateTokenError) callbacks.onCreateTokenError(data.error);
    });
    if (config.useExternalSubmit && callbacks.onUpdateSubmitTrigger) {
      callbacks.onUpdateSubmitTrigger(function () { frame.contentWindow.postMessage({ type: 'tokenize' }, ORIGIN); return Promise.resolve(); });
    }
  }
  window.ConektaCheckoutComponents = { Card: Card };
})();
`;

const PAGE = (key: string, external: boolean) => `<!doctype html><html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Tarjeta (simulador de Conekta)</title>
<style>body{margin:0;font:15px system-ui,sans-serif}label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;font:inherit;border:1px solid #aab;border-radius:.4rem}
.fila{display:flex;gap:.5rem}.fila>div{flex:1}p{color:#b3261e;margin:.4rem 0}</style></head><body>
<form id="f" novalidate>
<label for="numero">Número de tarjeta</label><input id="numero" inputmode="numeric" autocomplete="cc-number">
<label for="titular">Nombre del titular</label><input id="titular" autocomplete="cc-name">
<div class="fila"><div><label for="vence">Vencimiento (MM/AA)</label><input id="vence" autocomplete="cc-exp"></div>
<div><label for="cvc">CVC</label><input id="cvc" inputmode="numeric" autocomplete="cc-csc"></div></div>
<p id="error" role="alert"></p>${external ? '' : '<button>Pagar</button>'}</form>
<script>
${cardScript()}
var KEY = ${JSON.stringify(key)};
function send(message) { parent.postMessage(message, '*'); }
function tokenize() {
  var problem = !/^key_[A-Za-z0-9_]+$/.test(KEY) ? 'Llave pública inválida'
    : !luhn(numero.value) ? 'Número de tarjeta inválido' : !titular.value.trim() ? 'Escriba el nombre del titular'
    : !validExpiry(vence.value) ? 'Fecha de vencimiento inválida' : !/^\\d{3,4}$/.test(cvc.value) ? 'CVC inválido' : '';
  document.getElementById('error').textContent = problem;
  if (problem) return send({ type: /^Llave/.test(problem) ? 'error' : 'form-error', error: { message_to_purchaser: problem, type: 'parameter_validation_error' } });
  send({ type: 'token', token: { id: 'tok_test_' + cardScenario(numero.value) + '_' + randomSuffix(), object: 'token', livemode: false, used: false } });
}
window.addEventListener('message', function (event) { if (event.source === parent && event.data && event.data.type === 'tokenize') tokenize(); });
document.getElementById('f').addEventListener('submit', function (event) { event.preventDefault(); tokenize(); });
send({ type: 'ready' });
</script></body></html>`;

/** Routes the simulator serves to browsers (never delayed or failed by the API's latency and outage switches). */
export function conektaTokenizerRoutes(): Route[] {
  return [
    route('GET', /^\/v1\.0\/js\/conekta-checkout\.min\.js$/, () => ({
      status: 200,
      html: SCRIPT,
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
    })),
    route('GET', /^\/__sim\/tokenizer\/card$/, (req) => ({
      status: 200,
      html: PAGE(req.query.get('key') ?? '', req.query.get('external') === '1'),
    })),
  ];
}
