/* jobmatch web page, "Candidates for a job" tab: the pool (add a resume, list, remove) and a search of the pool
 * for a stored posting (by id) or a posting pasted as JSON-LD. Plain JavaScript; every text from the API is put
 * into the page with textContent, never innerHTML.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const TIMEOUT_MS = 120000;
  const RULE_LABEL = { degree: "Degree", experience: "Experience", location: "Location" };

  const el = window.jobmatchEl; // api/static/dom.js

  // ---------------------------------------------------------------- tabs
  function showTab(name) {
    const jobs = name === "jobs";
    $("tab-jobs").hidden = !jobs;
    $("tab-candidates").hidden = jobs;
    $("tab-btn-jobs").setAttribute("aria-selected", String(jobs));
    $("tab-btn-candidates").setAttribute("aria-selected", String(!jobs));
    $("tab-btn-jobs").tabIndex = jobs ? 0 : -1;
    $("tab-btn-candidates").tabIndex = jobs ? -1 : 0;
    if (!jobs) refreshPool();
  }

  // ---------------------------------------------------------------- requests
  function headers(extra) {
    const h = Object.assign({ Accept: "application/json" }, extra || {});
    const key = $("api_key") ? $("api_key").value : "";
    if (key) h["X-API-Key"] = key;
    return h;
  }

  async function call(method, url, body, contentType) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
    try {
      const opts = { method, headers: headers(contentType ? { "Content-Type": contentType } : null), signal: ctrl.signal };
      if (body !== undefined) opts.body = body;
      const r = await fetch(url, opts);
      let data = null;
      try { data = await r.json(); } catch (e) { data = null; }
      if (!r.ok) {
        const msg = data && data.error && data.error.message ? data.error.message : `The server answered ${r.status}.`;
        throw new Error(msg);
      }
      return data;
    } catch (e) {
      if (e.name === "AbortError") throw new Error("The server took too long to answer; try again.");
      if (e instanceof TypeError) throw new Error("Could not reach the server; check your connection.");
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  function say(id, text, isError) {
    const node = $(id);
    node.textContent = text || "";
    node.classList.toggle("error-text", Boolean(isError));
  }

  // ---------------------------------------------------------------- the pool
  async function refreshPool(note) {
    try {
      const data = await call("GET", "v1/candidates");
      renderPool(data.items || [], note);
    } catch (e) {
      say("pool-status", e.message, true);
    }
  }

  function renderPool(items, note) {
    const list = $("pool-list");
    list.replaceChildren();
    say("pool-status", (note ? note + " " : "") + (items.length
      ? `${items.length} candidate${items.length === 1 ? "" : "s"} in the pool.` : "The pool is empty: add a resume above."));
    for (const c of items) {
      const rm = el("button", { type: "button", class: "linklike", "aria-label": `Remove ${c.label || c.id}` }, "Remove");
      rm.addEventListener("click", async () => {
        try {
          await call("DELETE", `v1/candidates/${encodeURIComponent(c.id)}`);
          refreshPool(`Removed ${c.label || c.id} (every trace).`);
        } catch (e) {
          say("pool-status", e.message, true);
        }
      });
      list.append(el("li", { class: "pool-item" },
        el("span", { class: "pool-label", text: c.label || c.id }), " ",
        el("span", { class: "muted", text: `${c.degree || "degree unknown"} · ${c.months ?? "?"} months · ${c.location || "place unknown"}` }),
        " ", rm));
    }
  }

  async function addCandidate(ev) {
    ev.preventDefault();
    const file = $("cand-file").files[0];
    if (!file) { say("add-status", "Choose a resume file first.", true); return; }
    const form = new FormData();
    form.append("file", file);
    if ($("cand-label").value.trim()) form.append("label", $("cand-label").value.trim());
    say("add-status", "Adding…");
    try {
      const data = await call("POST", "v1/candidates", form);
      say("add-status", `${data.outcome === "added" ? "Added" : "Updated"} ${data.candidate.label || data.id}.`);
      $("add-form").reset();
      refreshPool();
    } catch (e) {
      say("add-status", e.message, true);
    }
  }

  // ---------------------------------------------------------------- search
  function options() {
    const o = {};
    const num = (id) => { const v = $(id).value.trim(); return v === "" ? undefined : Number(v); };
    if (num("rc-top_k") !== undefined) o.top_k = num("rc-top_k");
    if (num("rc-radius_km") !== undefined) o.radius_km = num("rc-radius_km");
    if (num("rc-months_slack") !== undefined) o.months_slack = num("rc-months_slack");
    if ($("rc-strict").checked) o.strict = true;
    if ($("rc-no_filters").checked) o.filters = false;
    return o;
  }

  async function search(ev) {
    ev.preventDefault();
    const id = $("rc-job-id").value.trim();
    const pasted = $("rc-posting").value.trim();
    if (!id && !pasted) { say("search-status", "Give a stored posting id, or paste a JobPosting as JSON-LD.", true); return; }
    say("search-status", "Searching…");
    try {
      let data;
      if (id) {
        data = await call("POST", `v1/jobs/${encodeURIComponent(id)}/candidates`, JSON.stringify(options()), "application/json");
      } else {
        let posting;
        try { posting = JSON.parse(pasted); } catch (e) { posting = pasted; }
        data = await call("POST", "v1/match/job", JSON.stringify(Object.assign({ posting }, options())), "application/json");
      }
      say("search-status", "");
      renderMatches(data);
    } catch (e) {
      say("search-status", e.message, true);
      $("rc-output").hidden = true;
    }
  }

  function renderMatches(data) {
    const j = data.job, f = data.filters;
    $("rc-output").hidden = false;
    $("rc-job").textContent = `${j.title} — ${j.company || "?"} [${j.location || "no place"}]` +
      (j.stored ? "" : " (pasted, not stored)");
    $("rc-summary").textContent = `${f.eligible} of ${f.total} candidates pass the filters.`;
    const tbody = $("rc-filters").querySelector("tbody");
    tbody.replaceChildren();
    for (const r of f.rules) {
      tbody.append(el("tr", null, el("th", { scope: "row", text: RULE_LABEL[r.rule] || r.rule }),
        el("td", { text: r.status }), el("td", { text: r.status === "applied" ? String(r.removed) : "–" }),
        el("td", { text: r.status === "applied" ? (r.unknown ? `${r.unknown} kept: their value is unknown` : "") : (r.reason || "") })));
    }
    const list = $("rc-results");
    list.replaceChildren();
    if (!data.results.length) {
      list.append(el("li", { class: "card", text: "No candidate passes the filters. Try a larger radius, some experience slack, or no hard filters." }));
    }
    data.results.forEach((m, i) => {
      const reqs = el("ul", { class: "reqs" });
      for (const [name, r] of Object.entries(m.requirements)) {
        const mark = r.met === true ? "met" : r.met === false ? "not met" : "unknown";
        reqs.append(el("li", { text: `${name}: ${mark}` + (r.met === null && r.reason ? ` (${r.reason})` : "") }));
      }
      list.append(el("li", { class: "card result" },
        el("h3", { class: "result-title" }, el("span", { class: "rank", text: `${i + 1}. ` }), m.label || m.id),
        el("p", { class: "muted", text: `score ${m.score.toFixed(4)} · similarity ${m.similarity ?? "?"} · ` +
          `${m.location || "place unknown"}` + (m.distance_km !== null && m.distance_km !== undefined ? ` · ${m.distance_km} km` : "") }),
        m.skills_in_common.length ? el("p", { text: `Skills in common: ${m.skills_in_common.join(", ")}` }) : null,
        m.skills_missing.length ? el("p", { class: "muted", text: `Missing: ${m.skills_missing.slice(0, 12).join(", ")}` }) : null,
        reqs));
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("tab-candidates")) return;
    $("tab-btn-jobs").addEventListener("click", () => showTab("jobs"));
    $("tab-btn-candidates").addEventListener("click", () => showTab("candidates"));
    for (const b of [$("tab-btn-jobs"), $("tab-btn-candidates")]) {
      b.addEventListener("keydown", (e) => {
        if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
          const other = b.id === "tab-btn-jobs" ? "candidates" : "jobs";
          showTab(other);
          $(`tab-btn-${other}`).focus();
        }
      });
    }
    $("add-form").addEventListener("submit", addCandidate);
    $("search-form").addEventListener("submit", search);
  });
})();
