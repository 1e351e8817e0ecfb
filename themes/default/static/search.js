// Gazette search: loads the site's search index and finds articles by words of their title,
// tags, summary and body as the reader types (every word must match, the last one or any as a
// prefix), best matches first. No dependencies. Without JavaScript the page says search needs it.
(function () {
  "use strict";

  var form = document.querySelector("form[data-search-index]");
  if (!form || !window.fetch || !window.Set) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var notice = document.getElementById("search-needs-js");
  if (notice) notice.hidden = true;

  var FORMAT = 2;
  var LIMIT = 50;
  // Title beats tags beats summary beats body, for each query word.
  var WEIGHT = { title: 8, tags: 4, summary: 2, body: 1 };
  // Split like the build does (src/search.rs, fold): lowercased, accents off Latin, Greek and
  // Cyrillic letters, a few letters spelled out, NFC; runs of letters, marks and digits, two or
  // more.
  var WORD = /[\p{Alphabetic}\p{M}\p{N}]+/gu;
  var ACCENTS = /[\u0300-\u036f]/g;
  var SPELLED = { "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ø": "o", "ł": "l", "đ": "d", "ı": "i" };
  var LETTERS = /[ßæœþøłđı]/g;
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var DIGIT = {};
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS[d]] = d;

  var index = null;
  var docs = [];

  function words(text) {
    var folded = String(text).toLowerCase().normalize("NFD").replace(ACCENTS, "")
      .replace(LETTERS, function (c) { return SPELLED[c]; }).normalize("NFC");
    var found = folded.match(WORD) || [];
    return found.filter(function (w) { return Array.from(w).length >= 2; });
  }

  function anyStartsWith(list, prefix) {
    for (var i = 0; i < list.length; i++) if (list[i].lastIndexOf(prefix, 0) === 0) return true;
    return false;
  }

  // Postings: gaps between article numbers, each a base-32 varint; after a "!", the articles
  // that do not use the word (see src/search.rs).
  function decode(text) {
    var numbers = [], value = 0, doc = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text[i]];
      value = value * 32 + (digit & 31);
      if (digit < 32) {
        doc += value;
        numbers.push(doc);
        value = 0;
      }
    }
    return numbers;
  }

  function addPostings(text, into) {
    if (text[0] !== "!") {
      decode(text).forEach(function (n) { into.add(n); });
      return;
    }
    var without = new Set(decode(text.slice(1)));
    for (var n = 0; n < docs.length; n++) if (!without.has(n)) into.add(n);
  }

  function prepare(data) {
    index = data;
    docs = data.docs.map(function (d) {
      var tags = d[4].map(function (t) { return data.tags[t]; }).filter(Boolean);
      var tagWords = [];
      tags.forEach(function (t) { tagWords = tagWords.concat(words(t[0])); });
      return {
        url: data.base + d[0],
        title: d[1],
        date: d[2],
        summary: d[3],
        tags: tags,
        titleWords: words(d[1]),
        tagWords: tagWords,
        summaryWords: words(d[3])
      };
    });
  }

  function bodyMatches(prefix) {
    var found = new Set();
    for (var i = 0; i < index.words.length; i++) {
      if (index.words[i].lastIndexOf(prefix, 0) === 0) addPostings(index.postings[i], found);
    }
    return found;
  }

  function search(query) {
    var terms = Array.from(new Set(words(query)));
    if (!terms.length) return null;
    var scores = docs.map(function () { return 0; });
    terms.forEach(function (term) {
      var body = bodyMatches(term);
      docs.forEach(function (doc, n) {
        if (scores[n] < 0) return;
        var weight = anyStartsWith(doc.titleWords, term) ? WEIGHT.title
          : anyStartsWith(doc.tagWords, term) ? WEIGHT.tags
          : anyStartsWith(doc.summaryWords, term) ? WEIGHT.summary
          : body.has(n) ? WEIGHT.body : 0;
        scores[n] = weight ? scores[n] + weight : -1;
      });
    });
    var hits = [];
    scores.forEach(function (score, n) { if (score > 0) hits.push(n); });
    // Docs are newest first, and sort is stable: equal scores stay newest first.
    hits.sort(function (a, b) { return scores[b] - scores[a]; });
    return hits;
  }

  // "27 November 2024", like the dates the theme's pages show; the month in the page's language.
  function formatDate(ymd) {
    var date = new Date(ymd + "T00:00:00");
    if (isNaN(date)) return ymd;
    try {
      var month = date.toLocaleDateString(document.documentElement.lang || undefined,
        { month: "long" });
      return date.getDate() + " " + month + " " + date.getFullYear();
    } catch (e) {
      return ymd;
    }
  }

  function element(name, className, text) {
    var el = document.createElement(name);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function show(query, hits) {
    list.textContent = "";
    if (hits === null) {
      status.textContent = "";
      return;
    }
    var quoted = "\u201c" + query.trim() + "\u201d";
    if (!hits.length) {
      status.textContent = "No articles match " + quoted + ".";
      return;
    }
    var count = hits.length === 1 ? "1 article matches " : hits.length + " articles match ";
    status.textContent = count + quoted + (hits.length > LIMIT ? "; showing the best " + LIMIT + "." : ".");
    hits.slice(0, LIMIT).forEach(function (n) {
      var doc = docs[n];
      var item = element("li", "search-result");
      var heading = element("h2", "search-result-title");
      var link = element("a", "", doc.title);
      link.href = doc.url;
      heading.appendChild(link);
      item.appendChild(heading);
      var meta = element("p", "meta");
      var time = element("time", "", formatDate(doc.date));
      time.setAttribute("datetime", doc.date);
      meta.appendChild(time);
      item.appendChild(meta);
      if (doc.summary) item.appendChild(element("p", "summary", doc.summary));
      if (doc.tags.length) {
        var tags = element("ul", "tags");
        tags.setAttribute("aria-label", "Tags");
        doc.tags.forEach(function (t) {
          var li = element("li");
          var a = element("a", "", t[0]);
          a.href = index.base + t[1];
          a.rel = "tag";
          li.appendChild(a);
          tags.appendChild(li);
        });
        item.appendChild(tags);
      }
      list.appendChild(item);
    });
  }

  function run() {
    if (!index) return;
    var query = input.value;
    show(query, search(query));
    // Keep the query in the address, so a search can be shared and survives going back.
    if (window.history && history.replaceState) {
      var url = new URL(window.location.href);
      if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    }
  }

  input.addEventListener("input", run);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) input.value = initial;
  status.textContent = "Loading the search index\u2026";
  fetch(form.getAttribute("data-search-index"))
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      if (data.v !== FORMAT) throw new Error("unknown index format " + data.v);
      prepare(data);
      status.textContent = "";
      form.setAttribute("data-ready", "");
      if (input.value) run();
    })
    .catch(function () {
      status.textContent = "Sorry, the search index could not be loaded.";
    });
})();
