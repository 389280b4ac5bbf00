// Skill Dominoes' embed script, for a page that embeds the lab: the Share dialog's embed
// snippet includes it after the frame (once per page is enough; more copies do nothing).
// It sets the height of every Skill Dominoes frame (`<iframe data-skill-dominoes>`) to the
// height the lab reports for itself at the frame's width, so the frame neither scrolls nor
// leaves a gap, at any column width and after every change of layout.
// The lab posts its height in several formats (src/ui/embed.rs, post_height); this reads
// `{"context":"iframe.resize","height":N}` (as JSON text or an object), Datawrapper's
// `{"datawrapper-height":{"skill-dominoes":N}}` and AMP's `{sentinel:"amp",type:"embed-size",
// height:N}`. A message counts only when it comes from the frame's own window and origin (or
// from the opaque origin "null" of a frame the page sandboxes without allow-same-origin), and
// the height is a number between 100 and 20 000 px.
(function () {
  'use strict';
  if (window.skillDominoesEmbed) return;
  window.skillDominoesEmbed = true;
  var MIN = 100;
  var MAX = 20000;
  var DW_ID = 'skill-dominoes';

  /** The height a message carries, or null. */
  function heightOf(data) {
    if (typeof data === 'string') {
      if (data.length > 10000 || data.indexOf('iframe.resize') < 0) return null;
      try {
        data = JSON.parse(data);
      } catch (e) {
        return null;
      }
    }
    if (!data || typeof data !== 'object') return null;
    var h = null;
    if (data.context === 'iframe.resize') h = data.height;
    else if (data.sentinel === 'amp' && data.type === 'embed-size') h = data.height;
    else if (data['datawrapper-height'] && typeof data['datawrapper-height'] === 'object') {
      h = data['datawrapper-height'][DW_ID];
    }
    return typeof h === 'number' && isFinite(h) && h >= MIN && h <= MAX ? Math.ceil(h) : null;
  }

  /** May a message with `origin` come from the frame `f`? */
  function fromFrame(f, origin) {
    var own;
    try {
      own = new URL(f.src, location.href).origin;
    } catch (e) {
      return false;
    }
    if (origin === own) return true;
    var sb = f.getAttribute('sandbox');
    return origin === 'null' && sb !== null && !/(^|\s)allow-same-origin(\s|$)/.test(sb);
  }

  addEventListener('message', function (e) {
    var h = heightOf(e.data);
    if (h === null) return;
    var frames = document.querySelectorAll('iframe[data-skill-dominoes]');
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.contentWindow === e.source && fromFrame(f, e.origin)) {
        f.style.height = h + 'px';
        f.setAttribute('height', String(h));
      }
    }
  });
})();
