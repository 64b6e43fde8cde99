/* MD5 of a byte string (each character's low 8 bits), as RouterOS's http-chap expects: hexMD5(chapId + password +
 * chapChallenge). Written for this portal; same algorithm (RFC 1321) and byte handling as RouterOS's stock md5.js. */
(function (g) {
  'use strict';
  function add(a, b) { return (a + b) | 0; }
  function rol(x, n) { return (x << n) | (x >>> (32 - n)); }
  var S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  var K = [];
  for (var i = 0; i < 64; i++) K[i] = (Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
  function md5(bytes) {
    var n = bytes.length, words = [], i;
    for (i = 0; i < n; i++) words[i >> 2] |= (bytes.charCodeAt(i) & 255) << ((i % 4) * 8);
    words[n >> 2] |= 0x80 << ((n % 4) * 8);
    var total = (((n + 8) >> 6) + 1) * 16;
    for (i = 0; i < total; i++) words[i] = words[i] | 0;
    words[total - 2] = n * 8;
    var h = [1732584193, -271733879, -1732584194, 271733878];
    for (var blk = 0; blk < total; blk += 16) {
      var a = h[0], b = h[1], c = h[2], d = h[3];
      for (i = 0; i < 64; i++) {
        var f, k, r = i >> 4;
        if (r === 0) { f = (b & c) | (~b & d); k = i; }
        else if (r === 1) { f = (d & b) | (~d & c); k = (5 * i + 1) % 16; }
        else if (r === 2) { f = b ^ c ^ d; k = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); k = (7 * i) % 16; }
        var t = d; d = c; c = b;
        b = add(b, rol(add(add(a, f), add(K[i], words[blk + k])), S[r * 4 + (i % 4)]));
        a = t;
      }
      h[0] = add(h[0], a); h[1] = add(h[1], b); h[2] = add(h[2], c); h[3] = add(h[3], d);
    }
    var hex = '';
    for (i = 0; i < 16; i++) hex += ((h[i >> 2] >>> ((i % 4) * 8)) & 255).toString(16).padStart(2, '0');
    return hex;
  }
  g.hexMD5 = md5;
})(window);
