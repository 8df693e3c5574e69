/// The dashboard page both servers serve at `GET /dashboard`: one self-contained HTML document
/// (inline CSS, JS and SVG; no external URL, no build step) that polls `/dashboard/stats`
/// every second and draws the ``DashboardDocument`` it gets.
///
/// - Every string from the server goes into the DOM through `textContent` or `setAttribute`
///   of numbers, never `innerHTML`, so config names cannot inject markup.
/// - A 401 shows a key field; the key is kept in `sessionStorage` (this tab only) and sent as
///   `Authorization: Bearer`, never in a URL.
/// - Each poll is bounded (aborted after 5 s) and the next starts only after the last ended.
/// - Rates and sparklines come from the page's own history: rates over the polls of the last
///   5 seconds, sparklines of the last 180 polls (3 minutes) per cell, for the rows of the
///   latest document only.
package enum DashboardPage {
    /// The path of the page.
    package static let path = "/dashboard"
    /// The path of the JSON the page polls.
    package static let statsPath = "/dashboard/stats"
    /// The `Content-Type` of the page.
    package static let contentType = "text/html; charset=utf-8"

    package static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>OneSimModels dashboard</title>
        <style>
        :root { color-scheme: light dark; --ok: #2e9e5b; --warn: #d49a12; --bad: #d64545; --line: #4a7fd4; --muted: #888; }
        body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 16px 20px; }
        h1 { font-size: 18px; margin: 0 0 4px; }
        h2 { font-size: 14px; margin: 18px 0 2px; }
        #status { color: var(--muted); margin-bottom: 8px; }
        #status.error { color: var(--bad); }
        .note { color: var(--muted); margin: 0 0 4px; }
        table { border-collapse: collapse; }
        th, td { padding: 3px 7px; border-bottom: 1px solid rgba(128,128,128,.25); text-align: right; white-space: nowrap; vertical-align: middle; }
        th { font-weight: 600; color: var(--muted); }
        th:first-child, td:first-child { text-align: left; }
        td.name::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 4px; margin-right: 6px; background: var(--ok); }
        tr.warn td.name::before { background: var(--warn); }
        tr.bad td.name::before { background: var(--bad); }
        td.text { text-align: left; }
        svg.spark { margin-right: 6px; vertical-align: middle; }
        svg.spark polyline { fill: none; stroke: var(--line); stroke-width: 1.2; }
        #login { display: none; margin: 8px 0; }
        #login input { width: 22em; }
        </style>
        </head>
        <body>
        <h1 id="title">OneSimModels dashboard</h1>
        <div id="status">connecting…</div>
        <form id="login" autocomplete="off">
        <label>Master key: <input id="key" type="password"></label>
        <button type="submit">Show</button>
        <span id="loginNote" class="note"></span>
        </form>
        <div id="sections"></div>
        <template id="spark"><svg class="spark" width="64" height="18"><polyline points=""></polyline></svg></template>
        <script>
        "use strict";
        const STATS = "/dashboard/stats";
        const KEEP = 180;
        const STORE = "onesim-dashboard-key";
        const seriesById = new Map();
        const RATE_WINDOW = 5;
        let snapshots = [];
        let key = null;
        try { key = sessionStorage.getItem(STORE); } catch (e) { key = null; }

        function el(tag, text, cls) {
          const node = document.createElement(tag);
          if (text !== undefined && text !== null) node.textContent = String(text);
          if (cls) node.className = cls;
          return node;
        }

        function fmt(format, v) {
          if (typeof v !== "number" || !isFinite(v)) return "–";
          switch (format) {
            case "int": return Math.round(v).toLocaleString("en-US");
            case "rate": return v.toFixed(v < 10 ? 2 : 1);
            case "percent": return (v * 100).toFixed(1) + " %";
            case "ms": return (v * 1000).toFixed(v < 0.01 ? 2 : 1) + " ms";
            case "usd": return "$" + v.toFixed(v < 1 ? 4 : 2);
            default: return v.toFixed(1);
          }
        }

        function spark(series) {
          const w = 64, h = 18;
          const svg = document.getElementById("spark").content.firstElementChild.cloneNode(true);
          const line = svg.firstElementChild;
          const values = series.filter(function (v) { return typeof v === "number" && isFinite(v); });
          if (values.length < 2) return svg;
          let lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
          if (hi === lo) { hi = lo + 1; }
          const step = w / (series.length - 1), start = 0;
          const points = [];
          series.forEach(function (v, i) {
            if (typeof v !== "number" || !isFinite(v)) return;
            const x = start + i * step, y = h - 1 - (v - lo) / (hi - lo) * (h - 2);
            points.push(x.toFixed(1) + "," + y.toFixed(1));
          });
          line.setAttribute("points", points.join(" "));
          return svg;
        }

        function remember(id, value) {
          let series = seriesById.get(id);
          if (!series) { series = []; seriesById.set(id, series); }
          series.push(value);
          if (series.length > KEEP) series.shift();
          return series;
        }

        function render(doc) {
          const title = typeof doc.title === "string" ? doc.title : "OneSimModels dashboard";
          document.getElementById("title").textContent = title;
          document.title = title;
          const time = typeof doc.time === "number" ? doc.time : Date.now() / 1000;
          // Rates are over the last RATE_WINDOW seconds of polls (the oldest poll in it).
          snapshots = snapshots.filter(function (p) { return p.time < time && time - p.time <= RATE_WINDOW; }).slice(-16);
          const before = snapshots.length > 0 ? snapshots[0] : null, seen = new Set();
          const counters = new Map();
          const root = document.getElementById("sections");
          const fresh = document.createDocumentFragment();
          (Array.isArray(doc.sections) ? doc.sections : []).forEach(function (section) {
            const columns = Array.isArray(section.columns) ? section.columns : [];
            const rows = Array.isArray(section.rows) ? section.rows : [];
            const box = el("section");
            box.setAttribute("data-section", String(section.id));
            box.appendChild(el("h2", section.title));
            if (section.note) box.appendChild(el("p", section.note, "note"));
            const table = el("table"), head = el("tr");
            head.appendChild(el("th", ""));
            columns.forEach(function (c) { head.appendChild(el("th", c.label)); });
            table.appendChild(head);
            rows.forEach(function (row) {
              const tr = el("tr", null, row.state === "bad" ? "bad" : row.state === "warn" ? "warn" : "ok");
              tr.setAttribute("data-row", String(row.name));
              tr.appendChild(el("td", row.name, "name"));
              const values = row.values || {}, texts = row.texts || {};
              columns.forEach(function (c) {
                const id = section.id + "\u0000" + row.name + "\u0000" + c.key;
                seen.add(id);
                let shown = values[c.key];
                if (c.format === "rate") {
                  counters.set(id, shown);
                  const last = before && before.counters.get(id);
                  const dt = before ? time - before.time : 0;
                  shown = (typeof shown === "number" && typeof last === "number" && dt > 0) ? Math.max(0, (shown - last) / dt) : undefined;
                }
                const td = el("td", c.format === "text" ? (texts[c.key] || "–") : fmt(c.format, shown), c.format === "text" ? "text" : "num");
                td.setAttribute("data-key", String(c.key));
                if (c.format !== "text" && typeof values[c.key] === "number") td.setAttribute("data-value", String(values[c.key]));
                if (c.spark) td.insertBefore(spark(remember(id, typeof shown === "number" ? shown : null)), td.firstChild);
                tr.appendChild(td);
              });
              table.appendChild(tr);
            });
            box.appendChild(table);
            fresh.appendChild(box);
          });
          for (const id of Array.from(seriesById.keys())) { if (!seen.has(id)) seriesById.delete(id); }
          snapshots.push({ time: time, counters: counters });
          root.replaceChildren(fresh);
        }

        function status(text, bad) {
          const node = document.getElementById("status");
          node.textContent = text;
          node.className = bad ? "error" : "";
        }

        function askForKey(message) {
          document.getElementById("login").style.display = "block";
          document.getElementById("loginNote").textContent = message;
        }

        async function poll() {
          const abort = new AbortController();
          const timer = setTimeout(function () { abort.abort(); }, 5000);
          try {
            const headers = { "Accept": "application/json" };
            if (key) headers["Authorization"] = "Bearer " + key;
            const response = await fetch(STATS, { headers: headers, signal: abort.signal, cache: "no-store" });
            if (response.status === 401 || response.status === 403) {
              const refused = key !== null;
              if (refused) {
                key = null;
                try { sessionStorage.removeItem(STORE); } catch (e) {}
              }
              status("stats need the master key", true);
              askForKey(response.status === 403 ? "that key may not read stats" : refused ? "that key was not accepted" : "");
              return;
            }
            if (!response.ok) { status("stats: HTTP " + response.status, true); return; }
            render(await response.json());
            document.getElementById("login").style.display = "none";
            status("updated " + new Date().toLocaleTimeString(), false);
          } catch (e) {
            status("stats unavailable (" + (e && e.name ? e.name : "error") + "); retrying", true);
          } finally {
            clearTimeout(timer);
            setTimeout(poll, 1000);
          }
        }

        document.getElementById("login").addEventListener("submit", function (event) {
          event.preventDefault();
          const input = document.getElementById("key");
          key = input.value || null;
          input.value = "";
          try { if (key) sessionStorage.setItem(STORE, key); else sessionStorage.removeItem(STORE); } catch (e) {}
          document.getElementById("loginNote").textContent = "";
        });

        poll();
        </script>
        </body>
        </html>
        """#
}
