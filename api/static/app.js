/* jobmatch web page: upload a resume, call POST /v1/match/resume, render the answer.
 *
 * Plain browser JavaScript, no build step, nothing fetched from elsewhere.
 * Every piece of text that comes from the API is put into the page with textContent
 * (through el()), never innerHTML, so a posting title cannot inject markup.
 */
"use strict";

(function () {
  const ENDPOINT = "v1/match/resume"; // relative: works when the service is mounted under a prefix
  const TIMEOUT_MS = 120000;
  const SAMPLE_AS_OF = "2021-08-01";

  const DEGREE_LABEL = {
    high_school: "High school",
    associate: "Associate degree",
    bachelor: "Bachelor's degree",
    postgraduate: "Postgraduate degree",
  };
  const DEGREE_BY_LEVEL = { 1: "high_school", 2: "associate", 3: "bachelor", 4: "postgraduate" };
  const RULE_LABEL = {
    validity: "Still open (validity)",
    degree: "Degree",
    experience: "Experience",
    location: "Location",
    employment_type: "Employment type",
    salary: "Salary",
    freshness: "Posted recently",
  };
  const FIELD_LABEL = {
    file: "Resume file", top_k: "How many results", location: "Location", lat: "Latitude", lon: "Longitude",
    radius_km: "Radius", remote: "Remote work", degree: "Highest degree", months: "Months of experience",
    months_slack: "Experience slack", as_of: "Match as of", strict: "Strict", filters: "No hard filters",
    employment_types: "Employment type", min_salary: "Minimum salary", salary_currency: "Currency",
    posted_within_days: "Posted within",
  };

  // ---------------------------------------------------------------- helpers
  const el = window.jobmatchEl; // api/static/dom.js

  const $ = (id) => document.getElementById(id);

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : (many || one + "s")}`;
  }

  function fmtMonths(m) {
    if (m === null || m === undefined) return "unknown";
    const n = Number(m);
    if (!Number.isFinite(n)) return String(m);
    if (n === 0) return "none";
    const y = Math.floor(n / 12), r = n % 12;
    if (y === 0) return plural(n, "month");
    const text = r === 0 ? plural(y, "year") : `${plural(y, "year")} ${plural(r, "month")}`;
    return `${text} (${n} months)`;
  }

  function fmtDegree(d) {
    if (d === null || d === undefined || d === "") return "unknown";
    if (typeof d === "number") {
      if (d === 0) return "none";
      return DEGREE_LABEL[DEGREE_BY_LEVEL[d]] || `level ${d}`;
    }
    return DEGREE_LABEL[d] || String(d);
  }

  function fmtDate(iso) {
    if (!iso) return "";
    const s = String(iso);
    // "2021-08-01T00:00:00Z" -> "2021-08-01"; keep the time only when it is not midnight
    const m = s.match(/^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?/);
    if (!m) return s;
    if (!m[2] || m[2] === "00:00") return m[1];
    return `${m[1]} ${m[2]}`;
  }

  function fmtKm(km) {
    const n = Number(km);
    if (!Number.isFinite(n)) return "";
    return n < 10 ? `${n.toFixed(1)} km` : `${Math.round(n).toLocaleString("en")} km`;
  }

  function fmtPlace(p) {
    if (!p || typeof p !== "object") return p ? String(p) : "unknown";
    const text = [p.city, p.region, p.country].filter(Boolean).join(", ");
    const hasPoint = typeof p.lat === "number" && typeof p.lon === "number";
    const point = hasPoint ? `${p.lat.toFixed(3)}, ${p.lon.toFixed(3)}` : "";
    if (text && point) return `${text} (${point})`;
    return text || point || "unknown";
  }

  function fmtValue(v, rule) {
    if (v === null || v === undefined || v === "") return "unknown";
    if (rule === "degree") return fmtDegree(v);
    if (rule === "experience") return fmtMonths(v);
    if (rule === "validity" && typeof v === "string") return fmtDate(v);
    if (rule === "salary" && typeof v === "object") return `at least ${Number(v.min_salary).toLocaleString("en-US")} ${v.currency} a year`;
    if (rule === "freshness" && typeof v === "object") return `posted within ${v.posted_within_days} days (since ${fmtDate(v.since)})`;
    if (rule === "employment_type" && Array.isArray(v)) return v.map((t) => t.replace("_", " ").toLowerCase()).join(" or ");
    if (typeof v === "object" && !Array.isArray(v) && ("city" in v || "lat" in v || "country" in v)) return fmtPlace(v);
    if (typeof v === "object") {
      try { return JSON.stringify(v); } catch (e) { return String(v); }
    }
    return String(v);
  }

  /** Only http(s) links from postings become clickable. */
  function safeUrl(u) {
    if (!u) return null;
    try {
      const url = new URL(String(u), window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- status + errors
  function setStatus(text) {
    $("status").textContent = text || "";
  }

  function showError(sentence, details) {
    const box = $("error");
    $("output").hidden = true; // results on screen would belong to an earlier request
    box.replaceChildren(el("p", { class: "error-main" }, sentence));
    for (const d of details || []) box.append(el("p", { class: "error-detail" }, d));
    box.hidden = false;
  }

  function clearError() {
    const box = $("error");
    box.replaceChildren();
    box.hidden = true;
  }

  function fieldName(loc) {
    if (!Array.isArray(loc)) return "";
    const last = [...loc].reverse().find((p) => typeof p === "string" && p !== "body" && p !== "query" && p !== "form");
    return last ? (FIELD_LABEL[last] || last) : "";
  }

  /** "the file is empty" -> "The file is empty." */
  function sentenceCase(text) {
    if (!text) return "";
    const t = text.charAt(0).toUpperCase() + text.slice(1);
    return /[.!?]$/.test(t) ? t : t + ".";
  }

  /** Turn a non-2xx response into {sentence, details} a person can act on. */
  function explain(status, body, sentKey) {
    const err = body && typeof body.error === "object" && body.error ? body.error : {};
    const apiMsg = typeof err.message === "string" ? sentenceCase(err.message.trim()) : "";
    const code = typeof err.code === "string" ? err.code : "";
    // field-level problems: FastAPI's default {"detail": [...]} or this API's {"error": {"details": [...]}}
    const fieldErrors = body && Array.isArray(body.detail) ? body.detail : Array.isArray(err.details) ? err.details : null;
    const details = [];
    if (fieldErrors) {
      for (const d of fieldErrors.slice(0, 5)) {
        const name = fieldName(d && d.loc);
        const msg = d && d.msg ? String(d.msg) : "is not valid";
        details.push(name ? `${name}: ${msg}.` : `${msg}.`);
      }
    } else if (body && typeof body.detail === "string") {
      details.push(body.detail);
    }
    const withApi = (sentence) => ({
      sentence,
      details: apiMsg && apiMsg !== sentence && !fieldErrors ? [apiMsg, ...details] : details.length ? details : apiMsg ? [apiMsg] : [],
    });
    if (code === "request_timeout" || status === 408 || status === 504) {
      return withApi("The matcher took too long to answer. Try again, or try a shorter resume.");
    }

    switch (status) {
      case 400:
        return withApi("The matcher could not use that request. Check the form and try again.");
      case 401:
      case 403:
        return withApi(sentKey
          ? "That API key was not accepted. Check it under “API key” and try again."
          : "This server needs an API key. Open “API key” below the form, enter it, and try again.");
      case 404:
        return withApi("The matcher was not found at this address. Is this page being served by the jobmatch service?");
      case 413:
        return withApi("That file is too large (or has too many pages) for the matcher. Try a smaller file, such as a PDF of just the resume.");
      case 415:
        return withApi("That file type isn't supported. Upload a PDF, a Word document (.docx), a plain-text file or a JSON Resume.");
      case 422:
        if (fieldErrors || code === "invalid_request") {
          return withApi("Some of the options aren't valid. Correct them and try again.");
        }
        return withApi("We couldn't read that resume. Check that the file opens and contains text (a scanned image has no text to read), then try again.");
      case 429:
        return withApi("Too many requests right now. Wait a few seconds and try again.");
      case 502:
      case 503:
        return withApi("The matcher is still starting, or its job index isn't ready yet. Wait a moment and try again.");
      default:
        if (status >= 500) {
          return withApi(`Something went wrong in the matcher (error ${status}). Try again; if it keeps happening, tell whoever runs this service.`);
        }
        return withApi(`The matcher refused the request (error ${status}).`);
    }
  }

  // ---------------------------------------------------------------- file picking + drop zone
  function describeFile(file) {
    if (!file) return "No file chosen yet.";
    const kb = file.size / 1024;
    const size = kb < 1024 ? `${Math.max(1, Math.round(kb))} KB` : `${(kb / 1024).toFixed(1)} MB`;
    return `Chosen: ${file.name} (${size})`;
  }

  function onFileChange() {
    const input = $("file");
    $("file-chosen").textContent = describeFile(input.files && input.files[0]);
    clearError();
  }

  function setupDropZone() {
    const zone = $("dropzone");
    const input = $("file");
    let depth = 0;
    // a file dropped next to the zone must not make the browser navigate away from the page
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => e.preventDefault());
    zone.addEventListener("dragenter", (e) => { e.preventDefault(); depth += 1; zone.classList.add("dragging"); });
    zone.addEventListener("dragover", (e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "copy"; });
    zone.addEventListener("dragleave", () => { depth = Math.max(0, depth - 1); if (!depth) zone.classList.remove("dragging"); });
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      depth = 0;
      zone.classList.remove("dragging");
      const files = e.dataTransfer && e.dataTransfer.files;
      if (!files || !files.length) return;
      const dt = new DataTransfer();
      dt.items.add(files[0]);
      input.files = dt.files;
      onFileChange();
      if (files.length > 1) setStatus(`Only one resume at a time: using ${files[0].name}.`);
    });
    input.addEventListener("change", onFileChange);
  }

  // ---------------------------------------------------------------- request
  function buildForm() {
    const fd = new FormData();
    const file = $("file").files[0];
    fd.append("file", file, file.name);
    const text = (id) => $(id).value.trim();
    for (const id of ["location", "radius_km", "lat", "lon", "months", "months_slack", "as_of", "top_k",
                      "posted_within_days"]) {
      if (text(id) !== "") fd.append(id, text(id));
    }
    const types = Array.from($("employment_types").selectedOptions).map((o) => o.value);
    if (types.length) fd.append("employment_types", types.join(","));
    if (text("min_salary") !== "") {
      fd.append("min_salary", text("min_salary"));
      fd.append("salary_currency", text("salary_currency") || "USD");
    }
    if ($("remote").value !== "any") fd.append("remote", $("remote").value);
    if ($("degree").value) fd.append("degree", $("degree").value);
    if ($("strict").checked) fd.append("strict", "true");
    if ($("no_filters").checked) fd.append("filters", "false");
    return fd;
  }

  /** Checks the browser can do before sending: returns a sentence, or "" when all is well. */
  function precheck() {
    const input = $("file");
    const file = input.files && input.files[0];
    if (!file) return { sentence: "Choose a resume file first (or drag one onto the box).", focus: input };
    if (file.size === 0) return { sentence: `“${file.name}” is empty. Choose the file that contains the resume.`, focus: input };
    for (const id of ["radius_km", "lat", "lon", "months", "top_k"]) {
      const f = $(id);
      if (f.validity && !f.validity.valid) {
        const label = document.querySelector(`label[for="${id}"]`).textContent;
        const why = f.validity.badInput ? "is not a number" : (f.validationMessage || "is out of range");
        return { sentence: `${label}: ${why.replace(/\.$/, "")}. Correct it and try again.`, focus: f };
      }
    }
    const lat = $("lat").value.trim(), lon = $("lon").value.trim();
    if ((lat === "") !== (lon === "")) {
      return { sentence: "Give both latitude and longitude, or neither.", focus: lat === "" ? $("lat") : $("lon") };
    }
    return null;
  }

  let busy = false;

  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    clearError();
    const problem = precheck();
    if (problem) {
      setStatus("");
      showError(problem.sentence);
      problem.focus.focus();
      return;
    }
    const key = $("api_key").value;
    const headers = { Accept: "application/json" };
    if (key) headers["X-API-Key"] = key;

    busy = true;
    $("submit").disabled = true;
    $("output").setAttribute("aria-busy", "true");
    setStatus("Reading the resume and matching… this can take a few seconds.");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      let response;
      try {
        response = await fetch(new URL(ENDPOINT, document.baseURI), {
          method: "POST", body: buildForm(), headers, signal: controller.signal,
        });
      } catch (e) {
        setStatus("");
        if (e && e.name === "AbortError") {
          showError("The matcher took too long to answer. Try again, or try a shorter resume.");
        } else {
          showError("Couldn't reach the matcher. Check that the service is running and that you are online, then try again.");
        }
        return;
      }
      let body = null;
      const raw = await response.text().catch(() => "");
      try { body = raw ? JSON.parse(raw) : null; } catch (e) { body = null; }
      if (!response.ok) {
        setStatus("");
        const { sentence, details } = explain(response.status, body, Boolean(key));
        showError(sentence, details);
        return;
      }
      if (!body || !Array.isArray(body.results) || !body.filters) {
        setStatus("");
        showError("The matcher sent an answer this page doesn't understand. Try reloading the page.");
        return;
      }
      render(body);
      setStatus(`Done: ${plural(body.results.length, "match", "matches")}.`);
      $("results-heading").focus();
    } finally {
      clearTimeout(timer);
      busy = false;
      $("submit").disabled = false;
      $("output").removeAttribute("aria-busy");
    }
  }

  // ---------------------------------------------------------------- rendering
  function requirementItem(name, req) {
    const label = name === "degree" ? "Degree" : name === "months" ? "Experience" : name;
    const fmt = name === "degree" ? fmtDegree : name === "months" ? fmtMonths : (v) => fmtValue(v);
    const required = req ? req.required : null;
    const noRequirement = required === 0 || required === "none";
    let mark, word, cls;
    if (req && req.met === true) { mark = "✓"; word = "met"; cls = "met"; }
    else if (req && req.met === false) { mark = "✗"; word = "not met"; cls = "not-met"; }
    else { mark = "?"; word = "unknown"; cls = "unknown"; }
    const needs = required === null || required === undefined ? "requirement unknown" : noRequirement ? "none required" : `requires ${fmt(required)}`;
    const you = req && req.candidate !== null && req.candidate !== undefined ? `you: ${fmt(req.candidate)}` : "yours is unknown";
    return el("li", { class: `req ${cls}` },
      el("span", { class: "req-mark", "aria-hidden": "true" }, mark), " ",
      el("strong", null, `${label} ${word}`), ` — ${needs}; ${you}`);
  }

  function resultItem(m, rank) {
    const href = safeUrl(m.url);
    const title = href
      ? el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", class: "result-link" }, m.title || "(untitled)")
      : (m.title || "(untitled)");
    const where = [];
    if (m.location) where.push(m.location);
    if (m.remote && !/remote/i.test(m.location || "")) where.push("Remote");
    const facts = el("ul", { class: "facts" },
      el("li", { class: "fact-company" }, el("span", { class: "k" }, "Company: "), m.company || "not stated"),
      el("li", { class: "fact-place" }, el("span", { class: "k" }, "Place: "), where.join("; ") || "not stated"),
      m.distance_km !== null && m.distance_km !== undefined
        ? el("li", { class: "fact-distance" }, el("span", { class: "k" }, "Distance: "), `${fmtKm(m.distance_km)} away`)
        : null,
      typeof m.match === "number"
        ? el("li", { class: "fact-match", title: matchTitle(m) }, el("span", { class: "k" }, "Match: "),
          `${m.match}/100`, matchWhy(m))
        : el("li", { class: "fact-score" }, el("span", { class: "k" }, "Score: "),
          typeof m.score === "number" ? m.score.toFixed(3) : String(m.score)),
      m.occupation && (m.occupation.posting || m.occupation.candidate)
        ? el("li", { class: "fact-occupation" }, el("span", { class: "k" }, "Occupation: "), occupationText(m.occupation))
        : null,
      m.valid_through ? el("li", { class: "fact-valid" }, el("span", { class: "k" }, "Open until: "), fmtDate(m.valid_through)) : null,
      (m.employment_types || []).length
        ? el("li", { class: "fact-type" }, el("span", { class: "k" }, "Type: "),
          m.employment_types.map((t) => t.replace("_", " ").toLowerCase()).join(", "))
        : null,
      m.salary ? el("li", { class: "fact-salary" }, el("span", { class: "k" }, "Salary: "), salaryText(m.salary)) : null,
      m.date_posted ? el("li", { class: "fact-posted" }, el("span", { class: "k" }, "Posted: "), fmtDate(m.date_posted)) : null,
    );
    const reqs = el("ul", { class: "reqs", "aria-label": "Requirements" });
    const names = Object.keys(m.requirements || {});
    for (const n of ["degree", "months", ...names.filter((x) => x !== "degree" && x !== "months")]) {
      if (m.requirements && n in m.requirements) reqs.append(requirementItem(n, m.requirements[n]));
    }
    const skills = (m.skills_in_common || []).length
      ? el("p", { class: "skills" }, el("span", { class: "k" }, "Skills in common: "), m.skills_in_common.join(", "))
      : el("p", { class: "skills none" }, "No listed skills in common.");
    const gap = (m.skills_missing || []).length
      ? el("p", { class: "skills missing" }, el("span", { class: "k" }, "Skills it asks for that your resume does not show: "),
        m.skills_missing.join(", "))
      : null;
    return el("li", { class: "result card", "data-id": m.id },
      el("h3", { class: "result-title" }, el("span", { class: "rank" }, `${rank}. `), title),
      facts, names.length ? reqs : null, skills, gap);
  }

  const SIGNAL_NAMES = { semantic: "meaning", requirements: "requirements shown", text: "wording", occupation: "occupation" };

  function matchWhy(m) {
    const parts = Object.entries(m.match_signals || {}).filter(([, v]) => v > 0)
      .map(([k, v]) => `${SIGNAL_NAMES[k] || k} ${Math.round(v)}`);
    return parts.length ? ` (${parts.join(", ")})` : "";
  }

  function matchTitle(m) {
    const r = m.ranking || {};
    return r.diversity ? `placed lower: ${r.diversity}` : "match strength from the ranking signals";
  }

  function occupationText(o) {
    const name = (x) => (x ? `${x.title} (${x.code.slice(0, 7)})` : "unknown");
    const same = o.agreement === 1 ? " — same as yours" : o.agreement > 0 ? " — close to yours" : "";
    return `${name(o.posting)}; yours: ${name(o.candidate)}${same}`;
  }

  function salaryText(s) {
    const n = (x) => Math.round(x).toLocaleString("en-US");
    const range = s.min !== null && s.max !== null && s.min !== s.max ? `${n(s.min)}–${n(s.max)}`
      : s.max !== null ? n(s.max) : `from ${n(s.min)}`;
    return `${range} ${s.currency || "(currency not stated)"} a year`;
  }

  function renderFilters(report, candidate) {
    const rules = report.rules || [];
    const applied = rules.filter((r) => r.status === "applied").length;
    $("filters-summary").textContent =
      `As of ${fmtDate(report.as_of)}: ${plural(report.total, "posting")} in total, ${report.eligible} passed every applied filter` +
      (rules.length ? ` (${applied} of ${rules.length} filters applied).` : ". No hard filters were used.");
    const tbody = $("filters-table").querySelector("tbody");
    tbody.replaceChildren();
    if (!rules.length) {
      tbody.append(el("tr", null, el("td", { colspan: "4" }, "None: hard filters were turned off for this search.")));
    }
    for (const r of rules) {
      const details = [];
      if (r.reason) details.push(r.reason);
      if (r.candidate_value !== null && r.candidate_value !== undefined) {
        details.push(`${r.rule === "validity" ? "Date" : "Your value"}: ${fmtValue(r.candidate_value, r.rule)}`);
      }
      tbody.append(el("tr", { class: `rule rule-${r.status}`, "data-rule": r.rule },
        el("th", { scope: "row" }, RULE_LABEL[r.rule] || r.rule),
        el("td", { class: "rule-status" }, r.status === "applied" ? "✓ applied" : "– skipped"),
        el("td", { class: "rule-removed" }, r.status === "applied"
          ? `removed ${r.removed}` + (r.unknown ? `, ${r.unknown} kept as unknown` : "")
          : (r.removed ? `removed ${r.removed}` : "—")),
        el("td", null, details.join(". "))));
    }
  }

  function renderProfile(c) {
    const over = new Set(c.overridden || []);
    const dl = $("profile");
    dl.replaceChildren();
    const row = (key, label, value) => {
      dl.append(el("dt", null, label), el("dd", { "data-field": key }, value,
        over.has(key) ? el("span", { class: "badge" }, " (you set this)") : null));
    };
    row("degree", "Highest degree", fmtDegree(c.degree));
    row("months", "Experience", fmtMonths(c.months));
    row("location", "Location", c.location ? fmtPlace(c.location) : "unknown");
    const skills = c.skills || [];
    if (skills.length) {
      const ul = el("ul", { class: "chips" });
      for (const s of skills) ul.append(el("li", null, s));
      dl.append(el("dt", null, `Skills (${skills.length})`), el("dd", { "data-field": "skills" }, ul));
    } else {
      row("skills", "Skills", "none found");
    }
    const ev = $("evidence");
    ev.replaceChildren();
    const entries = Object.entries(c.evidence || {}).filter(([, v]) => Array.isArray(v) && v.length);
    if (entries.length) {
      const det = el("details", null, el("summary", null, "Where in the resume we found this"));
      for (const [field, lines] of entries) {
        det.append(el("h3", null, FIELD_LABEL[field] || field));
        const ul = el("ul", { class: "evidence" });
        for (const line of lines.slice(0, 8)) ul.append(el("li", null, el("q", null, String(line))));
        det.append(ul);
      }
      ev.append(det);
    }
  }

  function render(data) {
    const results = data.results;
    const report = data.filters;
    const list = $("results");
    list.replaceChildren();
    results.forEach((m, i) => list.append(resultItem(m, i + 1)));
    $("results-summary").textContent = results.length
      ? `The ${plural(results.length, "posting")} most similar to the resume, among the ${report.eligible} that passed the filters.`
      : "No postings passed the filters. The table above shows which filter removed them.";

    const validity = (report.rules || []).find((r) => r.rule === "validity" && r.status === "applied");
    const note = $("validity-note");
    note.replaceChildren();
    note.hidden = true;
    if (validity && validity.removed > 0) {
      const allGone = report.eligible === 0 || validity.removed >= report.total;
      note.append(el("p", null,
        `The validity filter removed ${plural(validity.removed, "posting")} that had expired as of ${fmtDate(report.as_of)}.` +
        (allGone || !$("as_of").value
          ? ` The sample postings are from 2021: set “Match as of” to ${SAMPLE_AS_OF} (or another date in 2021) to see them.`
          : "")));
      note.hidden = false;
    } else if (!results.length && report.total === 0) {
      note.append(el("p", null, "The job index is empty: no postings have been ingested into this service yet."));
      note.hidden = false;
    }
    renderFilters(report, data.candidate || {});
    renderProfile(data.candidate || {});
    $("output").hidden = false;
  }

  // ---------------------------------------------------------------- start
  function init() {
    setupDropZone();
    $("match-form").addEventListener("submit", onSubmit);
    $("use-sample-date").addEventListener("click", () => {
      $("as_of").value = SAMPLE_AS_OF;
      $("as_of").focus();
    });
    onFileChange();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
