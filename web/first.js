// The page's first picture, before the WebAssembly module has loaded (README "First load").
// A classic script, loaded async (Trunk.toml's pattern_script writes its tag; no CORS needed,
// so it also runs in a sandboxed frame whose host sends no CORS header): it shows the figure drawn at build time for this address (`skills predraw`,
// src/predraw.rs) in index.html's #loading block. The file name is computed as
// `predraw::name_of` computes it: page-only keys and v=1 dropped, `=` → `-`, `&` → `_`, only
// [A-Za-z0-9.,_-] allowed; an address without a drawn figure keeps the skeleton.
(function () {
  var script = document.currentScript;
  // The figures there are: `skills predraw` writes their names here when it copies this file
  // into the build (Trunk.toml), so the page never asks for one that does not exist.
  var DRAWN = [];
  // The page-only keys (src/link/page.rs: KEYS and the `*_hide` flags), written here by the
  // same step, so this file keeps no list of its own.
  var PAGE_KEYS = [];
  // The figure name of each step of the guided tour (src/lab/tour.rs), by the same step: an
  // address naming only a step (`?tour=3`) opens that step's link.
  var TOUR = [];
  function show(script) {
    var meta = document.querySelector('meta[name="skill-dominoes:link"]');
    var query = location.search || (meta ? '?' + meta.content : '');
    var kept = query
      .replace(/^\?/, '')
      .split('&')
      .filter(function (kv) {
        var key = kv.split('=')[0];
        return kv !== '' && kv !== 'v=1' && PAGE_KEYS.indexOf(key) < 0;
      });
    // `theme=dark|light` colours the loading block too (as src/ui/embed.rs does the page's)
    var theme = /(^|[?&])theme=(dark|light)(&|$)/.exec(query);
    if (theme) document.documentElement.setAttribute('data-theme', theme[2]);
    var tour = /(^|[?&])tour=(\d+)(&|$)/.exec(query);
    var name = kept.length
      ? kept.join('_').replace(/=/g, '-')
      : tour
        ? TOUR[Number(tour[2]) - 1] || ''
        : 'default';
    var drawn = name.length <= 120 && /^[A-Za-z0-9.,_-]+$/.test(name) && DRAWN.indexOf(name) >= 0;
    // web/start.js loads the live preview only for an address with a drawn figure (a run of
    // a toy model, not a sweep or a real network): this mark and event tell it.
    document.documentElement.setAttribute('data-drawn', drawn ? name : '');
    document.dispatchEvent(new Event('skill-dominoes:drawn'));
    if (!drawn) return;
    // Loaded async from the head: the request starts at once; the picture goes in when both it
    // and #first-figure are there (and never once the lab has started and removed #loading).
    var img = new Image();
    img.alt = 'The figure of this run, drawn in advance: the live lab replaces it when it has loaded';
    img.width = 640;
    img.height = 340;
    if (theme) img.className = theme[2];
    var place = function () {
      var box = document.getElementById('first-figure');
      if (!box || !img.complete || !img.naturalWidth) return;
      box.appendChild(img);
      box.classList.add('drawn');
    };
    img.onload = function () {
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', place);
      else place();
    };
    img.src = new URL('first/' + name + '.svg', script ? script.src : location.href).href;
  }
  // a figure page of the published site (src/site) carries its link in a meta tag
  if (!location.search && document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () {
      show(script);
    });
  } else {
    show(script);
  }
})();
