/* The paper explorer: search, filters, the paper table, the map's selection and the URL.
 *
 * The papers are embedded once (<script id="paper-data">: columnar JSON, Zstandard,
 * base64; see trends.report.explorer_data). Search is a case-insensitive substring match
 * of every term ("quoted phrases" are one term) in a paper's title, authors, tags and
 * abstract, or in its theme's name and keywords. The state (query, themes, dates,
 * facets, sort, page) lives in the URL fragment. All data is written with textContent:
 * titles are untrusted.
 */
(function () {
  "use strict";
  var PAGE = 25;
  var DAY = 86400000;
  var NODATE = -2147483648;
  var MAX_CACHED = 64;

  function $(id) { return document.getElementById(id); }

  function node(tag, attrs, text) {
    var el = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); }); }
    if (text != null) { el.textContent = text; }
    return el;
  }

  function decode() {  /* short columns as JSON, then NUL, then the texts (report.pack) */
    var full = window.TrendsUnpack("paper-data");
    var cut = full.indexOf("\u0000");
    var data = JSON.parse(full.slice(0, cut));
    data.text = full.slice(cut + 1);
    return data;
  }

  function dayString(day) {
    return day === NODATE ? "" : new Date(day * DAY).toISOString().slice(0, 10);
  }

  function parseDay(text) {  /* a real day "YYYY-MM-DD" as days since 1970; else null */
    if (!text) { return null; }
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(text));
    if (!m) { return null; }
    var at = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    /* 2025-13-45 is no day (Date.UTC would roll it over to 2026-02-14) */
    if (at.getUTCMonth() !== +m[2] - 1 || at.getUTCDate() !== +m[3]) { return null; }
    return Math.round(at.getTime() / DAY);
  }

  function fold(text) {  /* lower case, one code unit for one: offsets stay the same */
    var low = text.toLowerCase();
    if (low.length === text.length) { return low; }
    var out = [];
    for (var k = 0; k < text.length; k++) {
      var c = text[k].toLowerCase();
      out.push(c.length === 1 ? c : c[0]);  /* U+0130 "İ" is "i" + a dot: kept as "i" */
    }
    return out.join("");
  }

  function plotlyMs(value) {  /* plotly's dates ("2025-04-01 12:30:00.5") or numbers, as ms */
    if (typeof value === "number") { return value; }
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?/.exec(value);
    if (!m) { return NaN; }
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), 0) + 1000 * +(m[6] || 0);
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function escapeHtml(text) {  /* for plotly's hover text, which reads a little HTML */
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function shorten(text, limit) {
    return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  function start() {
    var D = decode();
    performance.mark("trends:data-decoded");
    var n = D.n;
    var theme = Int32Array.from(D.theme);
    var date = new Int32Array(n);
    var closeness = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      date[i] = D.date[i] == null ? NODATE : D.date[i];
      closeness[i] = D.closeness[i] == null ? NaN : D.closeness[i];
    }
    var dated = D.date.some(function (d) { return d != null; });
    var themes = {};
    D.themes.forEach(function (t) {
      themes[t.id] = t;
      t.text = fold(t.name + " " + t.keywords.join(" "));
    });

    /* facets as compressed rows: codes of paper i are codes[start[i] .. start[i+1]) */
    var facets = D.facets.map(function (f) {
      var starts = new Int32Array(n + 1), total = 0;
      for (var i = 0; i < n; i++) { starts[i] = total; total += f.codes[i].length; }
      starts[n] = total;
      var codes = new Int32Array(total);
      for (var j = 0; j < n; j++) { codes.set(f.codes[j], starts[j]); }
      var index = {};
      f.values.forEach(function (v, k) { index[v] = k; });
      return {column: f.column, values: f.values, starts: starts, codes: codes, index: index};
    });

    /* The texts: segments separated by \u0001, every title, then every author list, every
     * paper's tags, every abstract (segment f * n + i is field f of paper i). The search
     * reads their lower-case copy (`fold`), which has the same offsets: a letter whose
     * lower case is longer (U+0130 "İ") keeps one code unit. */
    var TITLE = 0, AUTHORS = 1, ABSTRACT = 3, FIELDS = 4, SEGMENTS = FIELDS * n;
    var text = D.text;
    D.text = null;
    function offsetsOf(all) {
      var out = new Int32Array(SEGMENTS + 1), at = 0;
      for (var s = 0; s < SEGMENTS; s++) {
        out[s] = at;
        var next = all.indexOf("\u0001", at);
        at = next < 0 ? all.length + 1 : next + 1;
      }
      out[SEGMENTS] = all.length + 1;
      return out;
    }
    var textOffsets = offsetsOf(text);
    var hay = fold(text);
    var offsets = textOffsets;
    function field(f, i) {
      var s = f * n + i;
      return text.slice(textOffsets[s], textOffsets[s + 1] - 1);
    }
    performance.mark("trends:search-ready");

    /* -- search ---------------------------------------------------------------------- */
    var cache = new Map();

    function termsOf(query) {
      var out = [], re = /"([^"]*)"|(\S+)/g, m;
      var text = fold(query);
      while ((m = re.exec(text)) !== null) {
        var t = (m[1] !== undefined ? m[1] : m[2]).replace(/\s+/g, " ").trim();
        if (t && out.indexOf(t) < 0) { out.push(t); }
      }
      return out;
    }

    function themeHits(term) {
      var hits = {};
      D.themes.forEach(function (t) { if (t.text.indexOf(term) >= 0) { hits[t.id] = true; } });
      return hits;
    }

    function segmentOf(pos, from) {  /* the segment whose text holds position pos */
      var lo = from, hi = SEGMENTS - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (offsets[mid] <= pos) { lo = mid; } else { hi = mid - 1; }
      }
      return lo;
    }

    function scan(term) {  /* every paper holding term: one pass of indexOf over all text */
      var byTheme = themeHits(term);
      var mark = new Uint8Array(n), pos = 0, from = 0, out = [];
      while (from < SEGMENTS) {
        pos = hay.indexOf(term, pos);
        if (pos < 0) { break; }
        var s = segmentOf(pos, from);
        mark[s % n] = 1;
        from = s + 1;
        pos = offsets[from];
      }
      for (var i = 0; i < n; i++) {
        if (mark[i] || byTheme[theme[i]]) { out.push(i); }
      }
      return Int32Array.from(out);
    }

    function holds(c, term) {  /* does a field of paper c hold term? */
      for (var f = 0; f < FIELDS; f++) {
        var s = f * n + c;
        if (offsets[s + 1] - 1 - offsets[s] >= term.length &&
            hay.substring(offsets[s], offsets[s + 1] - 1).indexOf(term) >= 0) { return true; }
      }
      return false;
    }

    function refine(candidates, terms) {  /* the candidates holding every term */
      var byTheme = terms.map(themeHits);
      var out = new Int32Array(candidates.length), k = 0;
      for (var j = 0; j < candidates.length; j++) {
        var c = candidates[j], ok = true;
        for (var t = 0; t < terms.length && ok; t++) {
          ok = byTheme[t][theme[c]] || holds(c, terms[t]);
        }
        if (ok) { out[k++] = c; }
      }
      return out.slice(0, k);
    }

    function search(terms) {
      var key = terms.join("\u0000");
      if (cache.has(key)) { return cache.get(key); }
      /* a cached query each of whose terms is inside one of ours matched a superset */
      var best = null;
      cache.forEach(function (hits, k) {
        var old = k.split("\u0000");
        var covers = old.every(function (o) {
          return terms.some(function (t) { return t.indexOf(o) >= 0; });
        });
        if (covers && (best === null || hits.length < best.length)) { best = hits; }
      });
      var result;
      if (best !== null) {
        result = refine(best, terms);
      } else {
        var longest = terms.slice().sort(function (a, b) { return b.length - a.length; });
        result = scan(longest[0]);
        if (longest.length > 1) { result = refine(result, longest.slice(1)); }
      }
      if (cache.size >= MAX_CACHED) { cache.delete(cache.keys().next().value); }
      cache.set(key, result);
      return result;
    }

    /* -- sort orders (computed once each) --------------------------------------------- */
    var orders = {};
    function order(sort) {
      if (orders[sort]) { return orders[sort]; }
      var idx = new Int32Array(n);
      for (var i = 0; i < n; i++) { idx[i] = i; }
      var arr = Array.from(idx);
      if (sort === "date-desc" || sort === "date-asc") {
        var sign = sort === "date-desc" ? -1 : 1;
        arr.sort(function (a, b) {
          var da = date[a], db = date[b];
          if (da === NODATE || db === NODATE) { return (da === NODATE) - (db === NODATE) || a - b; }
          return sign * (da - db) || a - b;
        });
      } else {
        var asc = sort === "closeness-asc";
        arr.sort(function (a, b) {
          var ca = closeness[a], cb = closeness[b];
          if (isNaN(ca) || isNaN(cb)) { return isNaN(ca) - isNaN(cb) || a - b; }
          return (asc ? ca - cb : cb - ca) || a - b;
        });
      }
      orders[sort] = Int32Array.from(arr);
      return orders[sort];
    }

    /* -- state and the URL fragment ---------------------------------------------------- */
    var SORTS = ["date-desc", "date-asc", "closeness-desc", "closeness-asc"];
    var defaultSort = dated ? "date-desc" : "closeness-desc";
    var state = blank();

    function blank() {
      return {q: "", themes: [], from: null, to: null, facets: {}, sort: defaultSort, page: 0};
    }

    function fragment() {
      var params = new URLSearchParams();
      if (state.q) { params.set("q", state.q); }
      if (state.themes.length) { params.set("theme", state.themes.join(",")); }
      if (state.from !== null) { params.set("from", dayString(state.from)); }
      if (state.to !== null) { params.set("to", dayString(state.to)); }
      facets.forEach(function (f) {
        if (state.facets[f.column] != null) { params.set("f." + f.column, state.facets[f.column]); }
      });
      if (state.sort !== defaultSort) { params.set("sort", state.sort); }
      if (state.page) { params.set("page", String(state.page + 1)); }
      return params.toString().replace(/\+/g, "%20");
    }

    function readFragment() {
      var text = location.hash.replace(/^#/, "");
      if (text.indexOf("=") < 0) { return false; }  /* a plain anchor such as #map */
      var params = new URLSearchParams(text);
      var s = blank();
      s.q = (params.get("q") || "").trim() ? params.get("q") : "";
      s.themes = (params.get("theme") || "").split(",").filter(function (t) {
        return t !== "" && themes[+t] !== undefined;
      }).map(Number).sort(function (a, b) { return a - b; });
      s.from = parseDay(params.get("from"));
      s.to = parseDay(params.get("to"));
      facets.forEach(function (f) {
        var v = params.get("f." + f.column);
        if (v !== null && f.index[v] !== undefined) { s.facets[f.column] = v; }
      });
      if (SORTS.indexOf(params.get("sort")) >= 0) { s.sort = params.get("sort"); }
      s.page = Math.max(0, (parseInt(params.get("page"), 10) || 1) - 1);
      state = s;
      return true;
    }

    var lastFragment = null, fragmentTimer = null;
    function writeFragment() {  /* debounced: browsers throttle many history calls */
      clearTimeout(fragmentTimer);
      fragmentTimer = setTimeout(function () {
        var text = fragment();
        if (text === lastFragment) { return; }
        lastFragment = text;
        var url = location.pathname + location.search + (text ? "#" + text : "");
        history.replaceState(null, "", url);
      }, 150);
    }

    /* -- computing the selection ------------------------------------------------------- */
    var passes = new Uint8Array(n);
    var counts = {};
    var selection = new Int32Array(0);
    var terms = [];
    var highlighter = null;

    function compute() {
      terms = termsOf(state.q);
      highlighter = terms.length ? new RegExp(terms.map(function (t) {
        return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }).sort(function (a, b) { return b.length - a.length; }).join("|"), "gi") : null;
      var hits = terms.length ? search(terms) : null;
      var from = state.from, to = state.to;
      var wanted = facets.map(function (f) {
        var v = state.facets[f.column];
        return v == null ? -1 : f.index[v];
      });
      var onTheme = {};
      state.themes.forEach(function (t) { onTheme[t] = true; });
      var anyTheme = state.themes.length > 0;
      counts = {};
      passes.fill(0);
      var m = hits ? hits.length : n;
      for (var j = 0; j < m; j++) {
        var i = hits ? hits[j] : j;
        if (from !== null && (date[i] === NODATE || date[i] < from)) { continue; }
        if (to !== null && (date[i] === NODATE || date[i] > to)) { continue; }
        var ok = true;
        for (var f = 0; f < facets.length && ok; f++) {
          if (wanted[f] < 0) { continue; }
          ok = false;
          for (var k = facets[f].starts[i]; k < facets[f].starts[i + 1]; k++) {
            if (facets[f].codes[k] === wanted[f]) { ok = true; break; }
          }
        }
        if (!ok) { continue; }
        counts[theme[i]] = (counts[theme[i]] || 0) + 1;
        if (!anyTheme || onTheme[theme[i]]) { passes[i] = 1; }
      }
      var ord = order(state.sort), out = new Int32Array(n), c = 0;
      for (var r = 0; r < n; r++) { if (passes[ord[r]]) { out[c++] = ord[r]; } }
      selection = out.slice(0, c);
    }

    function filtering() {
      return state.q !== "" || state.themes.length > 0 || state.from !== null ||
        state.to !== null || Object.keys(state.facets).length > 0;
    }

    /* -- drawing ------------------------------------------------------------------------ */
    function highlight(el, text) {
      if (!highlighter || !text) { el.textContent = text; return el; }
      /* matched in the folded copy (the search's own), marked in the text: same offsets */
      var last = 0, m, folded = fold(text);
      highlighter.lastIndex = 0;
      while ((m = highlighter.exec(folded)) !== null) {
        if (m[0] === "") { highlighter.lastIndex++; continue; }
        if (m.index > last) { el.appendChild(document.createTextNode(text.slice(last, m.index))); }
        last = m.index + m[0].length;
        el.appendChild(node("mark", null, text.slice(m.index, last)));
      }
      if (last < text.length) { el.appendChild(document.createTextNode(text.slice(last))); }
      return el;
    }

    var openAbstracts = {};

    function paperRow(i) {
      var tr = node("tr", {"data-paper": String(i)});
      var cell = node("td", {"class": "title"});
      var url = safeUrl(D.url[i]);
      var link = url ? node("a", {href: url, target: "_blank", rel: "noopener noreferrer"})
        : node("span");
      cell.appendChild(highlight(link, field(TITLE, i)));
      var people = field(AUTHORS, i);
      if (textOffsets[ABSTRACT * n + i + 1] - 1 > textOffsets[ABSTRACT * n + i]) {
        var button = node("button", {
          type: "button", "class": "abs-btn", "data-abstract": String(i),
          "aria-expanded": openAbstracts[i] ? "true" : "false", "aria-controls": "abstract-" + i
        }, "abstract");
        cell.appendChild(button);
      }
      if (people) {
        cell.appendChild(highlight(node("div", {"class": "people"}), shorten(people, 200)));
      }
      var around = snippet(i);
      if (around) { cell.appendChild(highlight(node("div", {"class": "snippet"}), around)); }
      tr.appendChild(cell);
      var t = themes[theme[i]];
      var themeCell = node("td");
      var themeButton = node("button", {
        type: "button", "class": "theme-link", "data-theme": String(theme[i]),
        title: "Show only this theme"
      });
      themeButton.appendChild(node("span", {"class": "swatch", style: "background:" + (t ? t.color : "#b8b8b8")}));
      themeButton.appendChild(document.createTextNode(" " + (t ? t.name : "Outliers")));
      themeCell.appendChild(themeButton);
      tr.appendChild(themeCell);
      tr.appendChild(node("td", {"class": "num c-date"}, dayString(date[i])));
      var tagCell = node("td", {"class": "c-tags"});
      facets.forEach(function (f) {
        for (var k = f.starts[i]; k < f.starts[i + 1] && k < f.starts[i] + 4; k++) {
          tagCell.appendChild(highlight(node("span", {"class": "chip"}), f.values[f.codes[k]]));
        }
      });
      tr.appendChild(tagCell);
      tr.appendChild(node("td", {"class": "num"}, isNaN(closeness[i]) ? "–" : closeness[i].toFixed(2)));
      return tr;
    }

    function snippet(i) {  /* where the abstract matches the search, unless shown in full */
      if (!highlighter || openAbstracts[i]) { return ""; }
      var s = ABSTRACT * n + i, lower = hay.substring(offsets[s], offsets[s + 1] - 1);
      var at = -1;
      for (var t = 0; t < terms.length && at < 0; t++) { at = lower.indexOf(terms[t]); }
      if (at < 0) { return ""; }
      var whole = field(ABSTRACT, i), from = Math.max(0, at - 70);
      return (from > 0 ? "…" : "") + whole.slice(from, at + 110) +
        (at + 110 < whole.length ? "…" : "");
    }

    function abstractRow(i) {
      var tr = node("tr", {"class": "abstract"});
      var td = node("td", {colspan: "5"});
      td.appendChild(highlight(node("p", {id: "abstract-" + i}), field(ABSTRACT, i)));
      tr.appendChild(td);
      return tr;
    }

    function drawTable() {
      var pages = Math.max(1, Math.ceil(selection.length / PAGE));
      if (state.page >= pages) { state.page = pages - 1; }
      var first = state.page * PAGE, last = Math.min(selection.length, first + PAGE);
      var body = document.createDocumentFragment();
      for (var r = first; r < last; r++) {
        var i = selection[r];
        body.appendChild(paperRow(i));
        if (openAbstracts[i]) { body.appendChild(abstractRow(i)); }
      }
      $("paper-rows").replaceChildren(body);
      $("page-info").textContent = selection.length
        ? "Papers " + fmt(first + 1) + "–" + fmt(last) + " of " + fmt(selection.length) +
          " · page " + (state.page + 1) + " of " + pages
        : "No paper matches.";
      $("page-prev").disabled = state.page === 0;
      $("page-next").disabled = state.page >= pages - 1;
      document.querySelectorAll("th.sortable").forEach(function (th) {
        var key = th.getAttribute("data-sort");
        var on = state.sort.indexOf(key) === 0;
        th.setAttribute("aria-sort", on ? (/-asc$/.test(state.sort) ? "ascending" : "descending") : "none");
      });
    }

    function drawThemes() {
      var active = filtering() && (state.q !== "" || state.from !== null || state.to !== null ||
        Object.keys(state.facets).length > 0);
      document.querySelectorAll("#theme-list button[data-theme]").forEach(function (b) {
        var id = +b.getAttribute("data-theme");
        var count = counts[id] || 0;
        var label = b.querySelector(".count");
        var size = +label.getAttribute("data-size");
        label.textContent = active ? fmt(count) + " / " + fmt(size) : fmt(size);
        b.classList.toggle("none", active && count === 0);
        b.setAttribute("aria-pressed", state.themes.indexOf(id) >= 0 ? "true" : "false");
      });
    }

    function describeFilters() {
      var box = $("active-filters");
      box.replaceChildren();
      function chip(text, clear) {
        var b = node("button", {type: "button", "class": "filter", title: "Remove this filter"}, text + " ×");
        b.addEventListener("click", function () { clear(); changed(true); });
        box.appendChild(b);
      }
      state.themes.forEach(function (t) {
        chip("theme: " + (themes[t] ? themes[t].name : t), function () {
          state.themes = state.themes.filter(function (x) { return x !== t; });
        });
      });
      if (state.from !== null || state.to !== null) {
        chip("dates: " + (state.from !== null ? dayString(state.from) : "…") + " to " +
          (state.to !== null ? dayString(state.to) : "…"), function () { state.from = state.to = null; });
      }
      Object.keys(state.facets).forEach(function (column) {
        chip(column + ": " + state.facets[column], function () { delete state.facets[column]; });
      });
    }

    function drawCount() {
      $("match-count").textContent = filtering()
        ? fmt(selection.length) + " of " + fmt(n) + " papers match"
        : fmt(n) + " papers";
    }

    function syncControls() {
      var search = $("search");
      if (search.value !== state.q) { search.value = state.q; }
      if ($("date-from")) {
        $("date-from").value = state.from !== null ? dayString(state.from) : "";
        $("date-to").value = state.to !== null ? dayString(state.to) : "";
      }
      document.querySelectorAll("select[data-facet]").forEach(function (s) {
        var v = state.facets[s.getAttribute("data-facet")];
        s.value = v == null ? "" : v;
      });
    }

    /* -- charts: the map's selection, the timeline's selected bars and range --------------- */
    var mapDiv = $("chart-map"), timeDiv = $("chart-papers-timeline");
    var tracePoints = [];  /* per map trace: the papers it draws, in order */
    var placeInTrace = new Int32Array(n);
    var traceOf = new Int32Array(n).fill(-1);
    var chartTimer = null;
    var lastRange = JSON.stringify({"xaxis.autorange": true});

    function hydrate(fig) {
      var byTheme = {};
      for (var i = 0; i < n; i++) { (byTheme[theme[i]] = byTheme[theme[i]] || []).push(i); }
      fig.data.forEach(function (trace, k) {
        var meta = trace.meta || {};
        if (typeof meta.theme_id !== "number") { return; }
        var rows = byTheme[meta.theme_id] || [];
        tracePoints[k] = rows;
        trace.x = rows.map(function (i) { return D.x[i]; });
        trace.y = rows.map(function (i) { return D.y[i]; });
        trace.text = rows.map(function (i, place) {
          placeInTrace[i] = place;
          traceOf[i] = k;
          var when = dayString(date[i]);
          return escapeHtml(shorten(field(TITLE, i), 110)) + (when ? "<br>" + when : "");
        });
      });
    }

    function drawCharts() {
      clearTimeout(chartTimer);
      chartTimer = setTimeout(function () {
        var started = performance.now();
        if (mapDiv && mapDiv.getAttribute("data-drawn")) {
          var picked = tracePoints.map(function () { return []; });
          if (filtering()) {
            for (var j = 0; j < selection.length; j++) {
              var i = selection[j];
              if (traceOf[i] >= 0) { picked[traceOf[i]].push(placeInTrace[i]); }
            }
          }
          var all = mapDiv.data.map(function (_, k) { return k; });
          Plotly.restyle(mapDiv, {
            selectedpoints: all.map(function (k) {
              return filtering() && tracePoints[k] ? picked[k] : null;
            })
          }, all);
        }
        if (timeDiv && timeDiv.getAttribute("data-drawn")) {
          var meta = timeDiv.layout.meta;
          var bins = meta.bins.map(parseDay), binned = new Array(bins.length).fill(0);
          for (var s = 0; s < selection.length; s++) {
            var d = date[selection[s]];
            if (d === NODATE) { continue; }
            var lo = 0, hi = bins.length - 1;
            while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (bins[mid] <= d) { lo = mid; } else { hi = mid - 1; } }
            binned[lo]++;
          }
          Plotly.restyle(timeDiv, {y: [binned]}, [1]);
          var range = state.from === null && state.to === null ? null : [
            (state.from !== null ? state.from : parseDay(meta.bins[0])) * DAY,
            ((state.to !== null ? state.to : parseDay(meta.ends[meta.ends.length - 1])) + 1) * DAY
          ];
          var update = range ? {"xaxis.range": range.map(function (ms) {
            return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
          })} : {"xaxis.autorange": true};
          var key = JSON.stringify(update);
          if (key !== lastRange) {
            lastRange = key;
            timeDiv.__trendsSyncing = true;
            Promise.resolve(Plotly.relayout(timeDiv, update)).then(function () {
              timeDiv.__trendsSyncing = false;
            });
          }
        }
        window.TrendsExplorer.chartMs = performance.now() - started;
      }, 120);
    }

    /* -- one change: recompute, redraw ------------------------------------------------- */
    function changed(resetPage) {
      var started = performance.now();
      if (resetPage) { state.page = 0; }
      if (state.from !== null && state.to !== null && state.from > state.to) {
        // "From" after "to": the same days, typed in the other order (not an empty result).
        var later = state.from; state.from = state.to; state.to = later;
      }
      compute();
      drawTable();
      drawThemes();
      drawCount();
      describeFilters();
      syncControls();
      writeFragment();
      drawCharts();
      window.TrendsExplorer.updateMs = performance.now() - started;
      window.TrendsExplorer.updates++;
    }

    function toggleTheme(t) {
      var at = state.themes.indexOf(t);
      if (at >= 0) { state.themes.splice(at, 1); } else { state.themes.push(t); }
      state.themes.sort(function (a, b) { return a - b; });
      changed(true);
    }

    function toggleThemes(ids) {  /* a group: all on, or all off when all were on */
      var known = ids.filter(function (t) { return themes[t] !== undefined; });
      var allOn = known.every(function (t) { return state.themes.indexOf(t) >= 0; });
      state.themes = state.themes.filter(function (t) { return known.indexOf(t) < 0; });
      if (!allOn) { state.themes = state.themes.concat(known); }
      state.themes.sort(function (a, b) { return a - b; });
      changed(true);
    }

    function clearAll() {
      var sort = state.sort;
      state = blank();
      state.sort = sort;
      changed(true);
    }

    /* -- wiring ------------------------------------------------------------------------ */
    var searchBox = $("search");
    searchBox.addEventListener("input", function () {
      /* blanks alone are no search: not a filter, not in the address */
      state.q = searchBox.value.trim() ? searchBox.value : "";
      changed(true);
    });
    if ($("date-from")) {
      $("date-from").addEventListener("change", function () { state.from = parseDay(this.value); changed(true); });
      $("date-to").addEventListener("change", function () { state.to = parseDay(this.value); changed(true); });
    }
    document.querySelectorAll("select[data-facet]").forEach(function (s) {
      s.addEventListener("change", function () {
        var column = s.getAttribute("data-facet");
        if (s.value === "") { delete state.facets[column]; } else { state.facets[column] = s.value; }
        changed(true);
      });
    });
    $("clear-all").addEventListener("click", clearAll);
    $("page-prev").addEventListener("click", function () { state.page--; changed(false); });
    $("page-next").addEventListener("click", function () { state.page++; changed(false); });
    document.querySelectorAll("th.sortable button").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.parentNode.getAttribute("data-sort");
        state.sort = state.sort === key + "-desc" ? key + "-asc" : key + "-desc";
        changed(true);
      });
    });
    $("theme-list").addEventListener("click", function (event) {
      var b = event.target.closest("button[data-theme]");
      if (b) { toggleTheme(+b.getAttribute("data-theme")); }
    });
    $("paper-rows").addEventListener("click", function (event) {
      var abs = event.target.closest("button[data-abstract]");
      if (abs) {
        var i = +abs.getAttribute("data-abstract");
        if (openAbstracts[i]) { delete openAbstracts[i]; } else { openAbstracts[i] = true; }
        drawTable();
        var again = document.querySelector('button[data-abstract="' + i + '"]');
        if (again) { again.focus(); }
        return;
      }
      var t = event.target.closest("button[data-theme]");
      if (t) { toggleTheme(+t.getAttribute("data-theme")); }
    });
    window.addEventListener("trends:filter", function (event) {
      var d = event.detail;
      if (d.kind === "theme" && Array.isArray(d.theme)) { toggleThemes(d.theme); }
      if (d.kind === "theme" && themes[d.theme] !== undefined) { toggleTheme(d.theme); }
      if (d.kind === "dates") {
        if (d.from === null) { state.from = state.to = null; } else {
          state.from = Math.ceil((plotlyMs(d.from) - DAY / 2) / DAY);
          state.to = Math.floor((plotlyMs(d.to) - DAY / 2) / DAY);
        }
        changed(true);
      }
    });
    document.addEventListener("keydown", function (event) {
      var el = event.target, typing = el && (el.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        searchBox.focus();
        searchBox.select();
      } else if (event.key === "Escape") {
        if (el === searchBox && searchBox.value) {
          event.preventDefault();
          state.q = "";
          changed(true);
        } else if (filtering()) {
          event.preventDefault();
          clearAll();
        }
      }
    });
    window.addEventListener("hashchange", function () {
      if (location.hash.replace(/^#/, "") === lastFragment) { return; }
      if (readFragment()) { changed(false); }
    });
    /* The section menu scrolls below the sticky bar and leaves the address alone: the
       address holds the view (#q=...&theme=2), which a plain #map would wipe. */
    document.querySelectorAll('nav[aria-label="Sections"] a[href^="#"]').forEach(function (a) {
      a.addEventListener("click", function (event) {
        var target = document.getElementById(a.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        var bar = $("explorer-bar");
        var offset = bar ? bar.getBoundingClientRect().height + 8 : 0;
        window.scrollTo(0, target.getBoundingClientRect().top + window.pageYOffset - offset);
      });
    });

    var table = $("paper-table");
    table.classList.toggle("no-dates", !dated);
    table.classList.toggle("no-tags", facets.length === 0);
    readFragment();
    document.querySelectorAll("#explorer-bar [disabled], #theme-list [disabled]").forEach(function (el) {
      el.disabled = false;
    });
    changed(false);
    lastFragment = fragment();
    window.TrendsExplorer.fragment = fragment;
    return function drawMap() {  /* after the table is on screen: the page is usable first */
      return window.TrendsCharts.papersReady(hydrate).then(function () {
        drawCharts();
      });
    };
  }

  function later(fn) {  /* after the next frame is painted */
    requestAnimationFrame(function () { setTimeout(fn, 0); });
  }

  window.TrendsExplorer = {ready: false, updates: 0, updateMs: null, chartMs: null};
  window.TrendsBoot.then(function () { later(function () {  /* charts paint first */
    var drawMap = start();
    performance.mark("trends:interactive");
    window.TrendsExplorer.ready = true;
    document.documentElement.setAttribute("data-explorer", "ready");
    later(function () {
      drawMap().then(function () {
        performance.mark("trends:map-drawn");
        document.documentElement.setAttribute("data-map", "drawn");
      });
    });
  }); });
})();
