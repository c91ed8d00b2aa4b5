/* AVEC companion: live analysis (debounced fetch), in-place highlights, copy button.
   Plain JavaScript, no library. Offsets from the server are Python code-point offsets:
   strings are sliced as arrays of code points so emoji and rare characters stay aligned. */
"use strict";

(function () {
  var DELAY_MS = 400;

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Rebuild the backdrop of a textarea: plain text nodes plus <mark> for each span. */
  function paint(textarea, backdrop, spans) {
    var chars = Array.from(textarea.value);
    backdrop.textContent = "";
    var cursor = 0;
    spans.forEach(function (s) {
      if (s.start < cursor) return;
      backdrop.appendChild(document.createTextNode(chars.slice(cursor, s.start).join("")));
      backdrop.appendChild(el("mark", { title: s.label_fr }, chars.slice(s.start, s.end).join("")));
      cursor = s.end;
    });
    // A trailing newline needs a character after it, or the backdrop ends one line short.
    backdrop.appendChild(document.createTextNode(chars.slice(cursor).join("") + "\n"));
    // Leave room for the textarea's scrollbar so that both wrap lines at the same width.
    var scrollbar = textarea.offsetWidth - textarea.clientWidth - 4;
    backdrop.style.right = Math.max(scrollbar, 0) + "px";
    backdrop.scrollTop = textarea.scrollTop;
  }

  function renderAnalysis(box, data) {
    box.textContent = "";
    var grid = el("div", { class: "grid" });
    var ids = el("div");
    ids.appendChild(el("h3", {}, "Identifiants détectés"));
    if (data.counts.length) {
      var ul = el("ul", { id: "found-identifiers" });
      data.counts.forEach(function (c) { ul.appendChild(el("li", {}, c.label_fr + " : " + c.n)); });
      ids.appendChild(ul);
      ids.appendChild(el("p", { class: "help" }, "Ils seront remplacés par des valeurs fictives à l'étape 3."));
    } else {
      ids.appendChild(el("p", { class: "muted" }, "Aucun pour l'instant."));
    }
    grid.appendChild(ids);

    var risk = el("div", { id: "indirect-risk" });
    risk.appendChild(el("h3", {}, "Risque d'identification indirecte"));
    if (data.risk) {
      var panel = el("div", { class: "risk risk-" + data.risk.level });
      panel.appendChild(el("p", {}, "Niveau : " + data.risk.level + ". " + data.risk.explanation));
      if (data.risk.reasons.length) {
        var reasons = el("ul");
        data.risk.reasons.forEach(function (r) { reasons.appendChild(el("li", {}, r)); });
        panel.appendChild(reasons);
      }
      risk.appendChild(panel);
    } else {
      risk.appendChild(el("p", { class: "muted" }, "Non évalué."));
    }
    grid.appendChild(risk);

    var check = el("div");
    check.appendChild(el("h3", {}, "Demande explicite ?"));
    var list = el("ul", { class: "checklist", id: "checklist" });
    data.checklist.forEach(function (item) {
      var li = el("li", { class: item.present ? "ok" : "missing", "data-key": item.key });
      li.appendChild(document.createTextNode(item.label + (item.present ? "" : " : manquant")));
      if (!item.present) li.appendChild(el("span", { class: "tip" }, item.tip));
      list.appendChild(li);
    });
    check.appendChild(list);
    grid.appendChild(check);
    box.appendChild(grid);

    if (data.warnings.length) {
      var warn = el("ul", { class: "warnings", id: "system-warnings" });
      data.warnings.forEach(function (w) { warn.appendChild(el("li", {}, w)); });
      box.appendChild(warn);
    }
  }

  function setUpAnalysis() {
    var box = document.getElementById("analysis");
    var form = document.getElementById("flow-form");
    if (!box || !form) return;
    var fields = {
      request: document.getElementById("demande"),
      document: document.getElementById("document")
    };
    var backdrops = {
      request: form.querySelector('.hl-backdrop[data-for="demande"]'),
      document: form.querySelector('.hl-backdrop[data-for="document"]')
    };
    var system = document.getElementById("system_id");
    var task = document.getElementById("task");
    var seq = 0;

    function run() {
      var mine = ++seq;
      var body = {
        system_id: system.value, task: task.value,
        request: fields.request.value, document: fields.document.value
      };
      fetch(box.getAttribute("data-endpoint"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (data) {
        if (mine !== seq) return; // a newer analysis is on its way
        paint(fields.request, backdrops.request, data.identifiers.request);
        paint(fields.document, backdrops.document, data.identifiers.document);
        renderAnalysis(box, data);
        box.setAttribute("data-ready", String(mine));
      }).catch(function () {
        if (mine !== seq) return;
        box.textContent = "";
        box.appendChild(el("p", { class: "alert warning" },
          "Analyse indisponible pour l'instant ; la protection se fera quand même à l'étape 3."));
      });
    }

    var later = debounce(run, DELAY_MS);
    ["request", "document"].forEach(function (k) {
      fields[k].addEventListener("input", function () {
        paint(fields[k], backdrops[k], []); // offsets are stale until the next answer
        later();
      });
      fields[k].addEventListener("scroll", function () { backdrops[k].scrollTop = fields[k].scrollTop; });
    });
    [system, task].forEach(function (s) { s.addEventListener("change", run); });
    system.addEventListener("change", function () {
      document.querySelectorAll(".system-notes li").forEach(function (li) {
        li.hidden = li.getAttribute("data-system") !== system.value;
      });
    });
    run();
  }

  function setUpCopy() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        var status = button.parentNode.querySelector(".copy-status");
        function done(ok) {
          if (status) status.textContent = ok ? "Copié dans le presse-papiers." : "Sélectionnez le texte puis Ctrl+C.";
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.value).then(function () { done(true); }, function () { done(false); });
        } else {
          source.focus();
          source.select();
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          done(ok);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAnalysis();
    setUpCopy();
  });
})();
