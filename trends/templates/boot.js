/* Unpacks what the page embeds compressed (Zstandard, base64): plotly.js, run as soon as
 * the decoder is ready, and the paper data, which the explorer reads. `TrendsBoot` is a
 * promise the chart loader and the explorer wait for. */
(function () {
  "use strict";
  function bytesOf(text) {
    if (typeof Uint8Array.fromBase64 === "function") { return Uint8Array.fromBase64(text); }
    var bin = atob(text), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }
  var decoder = new window.ZSTDDecoder();
  window.TrendsBoot = decoder.init().then(function () {
    window.TrendsUnpack = function (id) {
      var text = document.getElementById(id).textContent.trim();
      return new TextDecoder().decode(decoder.decode(bytesOf(text)));
    };
    var script = document.createElement("script");
    script.textContent = window.TrendsUnpack("plotly-js");
    document.head.appendChild(script);
    performance.mark("trends:plotly-ready");
  });
  window.TrendsBoot.catch(function (error) {
    var status = document.getElementById("match-count");
    if (status) { status.textContent = "This browser could not unpack the report: " + error; }
    console.error(error);
  });
})();
