/*
 * The moveset explorer: one page, routed by the URL's hash, drawn from the node's JSON API
 * (node/explorer/server.ts). No framework and nothing from elsewhere: every element is made with
 * createElement and textContent, so no data from the chain is ever parsed as HTML. The current view
 * and the chain strip are fetched again every two seconds and redrawn only when their data changed.
 */
(function () {
  "use strict";

  const REFRESH_MS = 2000;
  const view = document.getElementById("view");
  const chain = document.getElementById("chain");
  let status = null;
  let current = { route: "", json: "" };
  let timer = null;
  // Each refresh takes a number; one that finishes after a later one started (a periodic
  // refresh still reading the old route when the hash changed) draws nothing.
  let generation = 0;

  // ---- small helpers ------------------------------------------------------------------------------

  /** An element: h("a", { href: "#/" , class: "x" }, "text", child, ...). */
  function h(tag, attrs) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (let i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }

  function add(el, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) c.forEach((x) => add(el, x));
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }

  /** Replaces an element's children (arrays flattened, null and false left out). */
  function add0(el, ...children) {
    el.replaceChildren();
    add(el, children);
  }

  const short = (x) => (typeof x === "string" && x.length > 18 ? x.slice(0, 10) + "…" + x.slice(-6) : String(x));

  /** A hash or address shown short, the whole in its title; a link when `href` is given. */
  function hex(x, href) {
    if (x === null || x === undefined) return h("span", { class: "muted" }, "—");
    const el = h(href ? "a" : "span", { class: "hex", title: x, href }, short(x));
    return el;
  }

  const txLink = (x) => hex(x, "#/tx/" + x);
  const addrLink = (x) => hex(x, "#/address/" + x);
  const batchLink = (i) => h("a", { href: "#/batch/" + i }, "#" + i);

  /** Wei (decimal string) as ETH, up to 6 decimals. */
  function eth(wei) {
    if (wei === null || wei === undefined) return "—";
    const w = BigInt(wei);
    const whole = w / 10n ** 18n;
    const frac = (w % 10n ** 18n).toString().padStart(18, "0").slice(0, 6).replace(/0+$/, "");
    if (w > 0n && whole === 0n && !frac) return "<0.000001 ETH";
    return whole.toString() + (frac ? "." + frac : "") + " ETH";
  }

  function duration(s) {
    s = Math.max(0, Math.ceil(Number(s)));
    if (s >= 3600) return Math.floor(s / 3600) + "h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
    if (s >= 60) return Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s";
    return s + "s";
  }

  /** "12s ago" by L1's clock (the chain strip's), else the browser's. */
  function ago(t) {
    if (t === null || t === undefined) return "—";
    const now = status && status.l1 ? status.l1.time : Math.floor(Date.now() / 1000);
    const d = now - Number(t);
    return d < 0 ? "just now" : duration(d) + " ago";
  }

  function when(t) {
    return h("span", { title: new Date(Number(t) * 1000).toISOString() }, ago(t));
  }

  /** A status badge: pending (with the time to finality), final, invalid, rolled back, ... */
  function badge(text, kind) {
    return h("span", { class: "badge b-" + (kind || text).replace(/[^a-z]+/g, "-") }, text);
  }

  function countdown(left, total) {
    const t = Math.max(1, Number(total));
    const done = Math.min(t, Math.max(0, t - Number(left)));
    const fill = h("span", { class: "fill" });
    fill.style.width = Math.round((done / t) * 100) + "%"; // through the CSSOM: the CSP allows no style attribute
    return h("span", { class: "countdown" }, h("span", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": t, "aria-valuenow": done }, fill), " " + duration(left) + " left");
  }

  function batchStatus(b) {
    const window = status ? Number(status.challengeWindow) : 1;
    if (b.status === "pending") return h("span", {}, badge("pending"), " ", b.secondsLeft !== null && b.secondsLeft !== undefined ? countdown(b.secondsLeft, window) : null);
    return badge(b.status);
  }

  function verdict(b) {
    if (b.fault) return h("span", { class: "bad" }, "invalid: " + b.fault.kind + "/" + b.fault.code + " at tx " + b.fault.txIndex);
    if (b.unreadable) return h("span", { class: "warn" }, "unchecked: data not read (" + b.unreadable + ")");
    return h("span", { class: b.verdict === "valid" ? "good" : "muted" }, b.verdict);
  }

  /** A table whose cells carry their column's name (the narrow layout shows it as a label). */
  function table(cols, rows, rowAttrs) {
    const head = h(
      "tr",
      {},
      cols.map((c) => h("th", { scope: "col" }, c)),
    );
    const body = rows.map((r, i) =>
      h(
        "tr",
        rowAttrs ? rowAttrs(i) : {},
        r.map((cell, j) => h("td", { "data-label": cols[j] }, cell)),
      ),
    );
    return h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, head), h("tbody", {}, body)));
  }

  /** A list of label: value pairs. */
  function kv(pairs) {
    return h(
      "dl",
      { class: "kv" },
      pairs.filter((p) => p).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    );
  }

  function empty(text) {
    return h("p", { class: "muted empty" }, text);
  }

  async function api(path) {
    const r = await fetch("/api/" + path, { cache: "no-store" });
    const text = await r.text();
    let j;
    try {
      j = JSON.parse(text);
    } catch {
      throw new Error("the explorer answered HTTP " + r.status + " without JSON");
    }
    if (!r.ok) throw new Error(j.error || "HTTP " + r.status);
    return { j, text };
  }

  // ---- views --------------------------------------------------------------------------------------

  function batchesView(rows) {
    return [
      h("h1", {}, "Batches"),
      h("p", { class: "lead" }, "Every batch L1 has had, newest first: rolled-back ones stay listed."),
      rows.length === 0
        ? empty("No batch yet.")
        : table(
            ["batch", "status", "txs", "poster", "L1 tx", "verdict", "posted"],
            rows.map((b) => [
              h("a", { href: "#/batch/" + (b.status === "rolled back" ? b.hash : b.index) }, "#" + b.index),
              h("span", {}, batchStatus(b), b.rolledBackBy ? h("span", { class: "note" }, " by a " + b.rolledBackBy.kind + " proof") : null),
              String(b.txCount),
              addrLink(b.poster),
              hex(b.l1Tx),
              verdict(b),
              when(b.postedAt),
            ]),
            (i) => ({ "data-batch": rows[i].index, "data-status": rows[i].status }),
          ),
    ];
  }

  function batchView(b) {
    const header = b.header;
    const faulty = new Set((b.faults || []).map((f) => f.txIndex));
    return [
      h("h1", {}, "Batch #" + b.index + " ", batchStatus(b)),
      kv([
        ["header hash", hex(b.hash)],
        ["parent", hex(header.parent, Number(b.index) > 0 ? "#/batch/" + (Number(b.index) - 1) : undefined)],
        ["verdict", verdict(b)],
        b.faults && b.faults.length > 1
          ? [
              "every fault",
              h(
                "ul",
                { class: "faults" },
                b.faults.map((f) => h("li", {}, f.kind + "/" + f.code + " at tx " + f.txIndex + ": " + f.message)),
              ),
            ]
          : null,
        b.fault ? ["why", h("span", { class: "bad" }, b.fault.message)] : null,
        b.rolledBackBy
          ? ["rolled back", h("span", {}, "by a " + b.rolledBackBy.kind + " proof of ", addrLink(b.rolledBackBy.challenger), " in L1 tx ", hex(b.rolledBackBy.l1Tx), " ", when(b.rolledBackBy.at))]
          : null,
        ["poster", addrLink(b.poster)],
        ["L1 tx", h("span", {}, hex(b.l1Tx), " in L1 block ", String(b.l1Block))],
        ["posted", when(b.postedAt)],
        ["final", b.status === "final" ? "yes" : b.status === "pending" ? countdown(b.secondsLeft || 0, status ? status.challengeWindow : 1) : "never"],
        ["seqs", header.firstSeq + " … " + (BigInt(header.firstSeq) + BigInt(header.txCount) - 1n).toString()],
        ["deposits", header.depositStart === header.depositEnd ? "none" : "#" + header.depositStart + " … #" + (BigInt(header.depositEnd) - 1n).toString()],
        ["timestamp", when(header.timestamp)],
        ["base fee", header.baseFee + " wei"],
        ["fee recipient", addrLink(header.feeRecipient)],
        ["tx root", hex(header.txRoot)],
        ["data hash", hex(header.dataHash)],
      ]),
      h("h2", {}, "Transactions"),
      b.transactions.length === 0
        ? empty(b.status === "rolled back" ? "The node no longer has this batch's transactions." : "No transaction.")
        : table(
            ["#", "seq", "hash", "type", "from", "to", "status", "moves", "withdrawal"],
            b.transactions.map((t, i) => [
              h("span", {}, String(i), faulty.has(i) ? h("span", { class: "bad", title: "a fault of this batch" }, " ✗") : null),
              t.seq,
              t.hash ? (b.status === "rolled back" ? hex(t.hash) : txLink(t.hash)) : h("span", { class: "bad" }, t.error || "undecodable"),
              t.type,
              t.from ? addrLink(t.from) : "—",
              t.to ? addrLink(t.to) : "—",
              t.status === null || t.status === undefined ? "—" : t.status === 1 ? h("span", { class: "good" }, "ok") : h("span", { class: "warn" }, "reverted"),
              String(t.moves ?? "—"),
              t.withdrawal ? eth(t.withdrawal) : "",
            ]),
            (i) => ({ class: faulty.has(i) ? "faulty" : undefined }),
          ),
    ];
  }

  function keyHref(m) {
    return "#/key/" + m.mark + "/" + m.addr + (m.slot !== null && m.slot !== undefined ? "/" + m.slot : "");
  }

  function value(mark, v) {
    if (mark === "b" || mark === "f" || mark === "w") return h("span", { title: v + " wei" }, eth(v));
    if (mark === "c") return v === "0" ? h("span", { class: "muted" }, "no code") : hex("0x" + BigInt(v).toString(16).padStart(64, "0"));
    return v.length > 20 ? hex("0x" + BigInt(v).toString(16)) : v;
  }

  const MARK_WORDS = { b: "balance", n: "nonce", c: "code", s: "storage", f: "fee output", w: "withdrawal" };

  function txView(t) {
    return [
      h("h1", {}, "Transaction ", h("span", { class: "hex big", title: t.hash }, short(t.hash))),
      kv([
        ["hash", h("code", { class: "wrap" }, t.hash)],
        [
          "where",
          t.batchIndex !== undefined
            ? h("span", {}, "batch ", batchLink(t.batchIndex), ", position " + t.txIndex + ", seq " + t.seq + " ", badge(t.batchStatus))
            : badge("waiting for a batch", "pending"),
        ],
        ["type", t.type],
        t.status !== undefined ? ["result", t.status === 1 ? h("span", { class: "good" }, "ok") : h("span", { class: "warn" }, "reverted")] : null,
        ["from", t.from ? addrLink(t.from) : "—"],
        ["to", t.to ? addrLink(t.to) : "contract creation"],
        t.value !== undefined ? ["value", eth(t.value)] : null,
        t.depositIndex !== undefined ? ["deposit", "#" + t.depositIndex + " of the L1 queue"] : null,
        t.gasUsed !== undefined ? ["gas used", t.gasUsed] : null,
        t.fee !== undefined && t.fee !== "0" ? ["fee output", eth(t.fee)] : null,
        t.withdrawal && t.withdrawal !== "0" ? ["withdrawal", h("span", {}, eth(t.withdrawal) + " to L1 (", h("a", { href: "#/bridge" }, "bridge"), ")")] : null,
        t.contractAddress ? ["created", addrLink(t.contractAddress)] : null,
        t.witness && t.witness.length
          ? [
              "witness",
              h(
                "span",
                {},
                t.witness.map((w) => h("span", { class: "chip" }, short(w.hash) + " (" + w.bytes + " bytes)")),
              ),
            ]
          : null,
      ]),
      h("h2", {}, "Moves"),
      h("p", { class: "lead" }, "Every piece of state this transaction touches: the version it uses (produced by the transaction with seq intx) and the one it makes."),
      t.moves.length === 0
        ? empty("No move.")
        : table(
            ["key", "use", "from (intx)", "prev → next", "mask"],
            t.moves.map((m) => [
              h(
                "span",
                { class: "key" },
                h("span", { class: "mark", title: MARK_WORDS[m.mark] || m.mark }, m.mark),
                " ",
                h("a", { href: keyHref(m), class: "hex", title: m.addr }, short(m.addr)),
                m.slot !== null ? h("span", { class: "slot", title: m.slot }, " [" + short(m.slot) + "]") : null,
              ),
              m.ref ? h("span", { class: "ref" }, "reference") : "consume",
              m.producer === "genesis"
                ? h("span", { class: "muted" }, "genesis")
                : m.producer
                ? h("a", { href: "#/tx/" + m.producer, class: "intx", title: m.producer }, "seq " + m.intx)
                : "seq " + m.intx,
              m.ref
                ? h("span", {}, value(m.mark, m.prev), h("span", { class: "muted" }, " (read)"))
                : h("span", {}, value(m.mark, m.prev), h("span", { class: "arrow" }, " → "), value(m.mark, m.next)),
              m.mask === 0 ? h("span", { class: "muted" }, "unsigned") : "0x" + m.mask.toString(16),
            ]),
          ),
    ];
  }

  function keyView(k) {
    const name = (MARK_WORDS[k.mark] || k.mark) + " of " + short(k.addr) + (k.slot !== null ? " [" + short(k.slot) + "]" : "");
    return [
      h("h1", {}, "Key ", h("span", { class: "mark" }, k.mark), " ", h("span", { title: k.addr }, name)),
      kv([
        ["address", addrLink(k.addr)],
        k.slot !== null ? ["slot", h("code", { class: "wrap" }, k.slot)] : null,
        ["value now", value(k.mark, k.value)],
        ["newest version", k.latestSeq === "0" ? "genesis (never written)" : "seq " + k.latestSeq],
      ]),
      h("h2", {}, "Versions"),
      h("p", { class: "lead" }, "Each version names the one before it: a consuming move's intx is the seq that produced its prev."),
      k.versions.length === 0
        ? empty("Never written: the key is at its genesis value.")
        : table(
            ["seq", "transaction", "batch", "prev → next", "from"],
            k.versions.map((v) => [
              v.seq,
              txLink(v.hash),
              batchLink(v.batchIndex),
              h("span", {}, value(k.mark, v.prev), h("span", { class: "arrow" }, " → "), value(k.mark, v.next)),
              v.intx === "0" ? h("span", { class: "muted" }, "genesis") : "seq " + v.intx,
            ]),
          ),
      k.more ? h("p", {}, h("a", { href: "#/key/" + k.mark + "/" + k.addr + (k.slot !== null ? "/" + k.slot : "") + "?from=" + k.more }, "older versions…")) : null,
    ];
  }

  function withdrawalsTable(ws) {
    const window = status ? status.challengeWindow : 1;
    return ws.length === 0
      ? empty("No withdrawal yet.")
      : table(
          ["L2 tx", "from", "amount", "batch", "status", "claim"],
          ws.map((w) => [
            txLink(w.hash),
            addrLink(w.from),
            eth(w.amount),
            batchLink(w.batchIndex),
            w.status === "challenge" ? h("span", {}, badge("challenge window", "pending"), " ", countdown(w.secondsLeft || 0, window)) : badge(w.status),
            w.claimTx ? hex(w.claimTx) : "",
          ]),
          (i) => ({ "data-status": ws[i].status }),
        );
  }

  function depositsTable(ds) {
    return ds.length === 0
      ? empty("No deposit yet.")
      : table(
          ["#", "from (L1)", "to (L2)", "value", "L1 tx", "on L2", "queued"],
          ds.map((d) => [d.index, hex(d.from), addrLink(d.to), eth(d.value), hex(d.l1Tx), d.included ? txLink(d.l2Tx) : badge("queued", "pending"), when(d.time)]),
        );
  }

  function addressView(a) {
    return [
      h("h1", {}, "Address ", h("span", { class: "hex big", title: a.address }, short(a.address))),
      kv([
        ["address", h("code", { class: "wrap" }, a.address)],
        ["balance", h("span", {}, eth(a.balance.value), " ", h("a", { href: "#/key/b/" + a.address }, "history"))],
        ["nonce", h("span", {}, a.nonce.value, " ", h("a", { href: "#/key/n/" + a.address }, "history"))],
        ["code", h("span", {}, a.code.none ? "none" : hex(a.code.value), " ", h("a", { href: "#/key/c/" + a.address }, "history"))],
      ]),
      h("h2", {}, "Withdrawals"),
      withdrawalsTable(a.withdrawals),
      h("h2", {}, "Deposits"),
      depositsTable(a.deposits),
    ];
  }

  function bridgeView(b) {
    return [
      h("h1", {}, "Bridge"),
      h("p", { class: "lead" }, "Deposits are queued on L1 and consumed by batches in order; a withdrawal is paid on L1 once its batch is final."),
      h("h2", { id: "withdrawals" }, "Withdrawals"),
      withdrawalsTable(b.withdrawals),
      h("h2", { id: "deposits" }, "Deposits"),
      depositsTable(b.deposits),
    ];
  }

  function proofsView(p) {
    const noGame = !p.game || /^0x0+$/.test(p.game);
    return [
      h("h1", {}, "Proofs & games"),
      h("h2", {}, "Fraud proofs"),
      h("p", { class: "lead" }, "A proof deletes the invalid batch and every later one, pays the challenger part of the poster's bond and burns the rest."),
      p.rollbacks.length === 0
        ? empty("No batch has been rolled back.")
        : table(
            ["batch", "kind", "batches removed", "challenger", "reward", "burned", "L1 tx", "when"],
            p.rollbacks.map((r) => [batchLink(r.index), badge(r.kind, "invalid"), r.removedCount, addrLink(r.challenger), eth(r.reward), eth(r.burned), hex(r.l1Tx), when(r.time)]),
            (i) => ({ "data-kind": p.rollbacks[i].kind }),
          ),
      h("h2", {}, "Prover activity"),
      p.proverEvents.length === 0
        ? empty("No commitment or proof yet.")
        : table(
            ["prover", "event", "by", "L1 tx", "when"],
            p.proverEvents.map((e) => [e.prover, e.name, addrLink(e.args.challenger || null), hex(e.l1Tx), when(e.time)]),
          ),
      h("h2", {}, "Dispute games"),
      noGame
        ? empty("No dispute game is registered with this Inbox (execution faults are settled by one once its step verifier is deployed).")
        : p.games.length === 0
        ? empty("No game yet (dispute game " + p.game + ").")
        : p.games.map((g) =>
            h(
              "section",
              { class: "game", "data-game": g.id },
              h("h3", {}, "Game " + g.id + " ", badge(g.status, g.status === "in progress" ? "pending" : g.status === "challenger wins" ? "invalid" : "final")),
              kv([
                ["disputes", g.batchIndex !== undefined ? h("span", {}, "tx " + g.txIndex + " of batch ", batchLink(g.batchIndex)) : "—"],
                ["challenger", addrLink(g.challenger || null)],
                ["claims", String(g.claims) + ", steps " + g.steps],
                g.winner ? ["winner", h("span", {}, addrLink(g.winner), g.rolledBack ? " (batch rolled back)" : "")] : null,
              ]),
              table(
                ["event", "details", "L1 tx", "when"],
                g.events.map((e) => [
                  e.name,
                  Object.entries(e.args)
                    .filter(([k]) => k !== "gameId")
                    .map(([k, v]) => k + "=" + short(String(v)))
                    .join(" "),
                  hex(e.l1Tx),
                  when(e.time),
                ]),
              ),
            ),
          ),
    ];
  }

  function errorView(msg) {
    return [h("h1", {}, "Not found"), h("p", { class: "bad", role: "alert" }, msg), h("p", {}, h("a", { href: "#/" }, "back to the batches"))];
  }

  // ---- routing ------------------------------------------------------------------------------------

  const ROUTES = [
    [/^#?\/?$/, "batches", () => "batches?limit=100", batchesView],
    [/^#\/batch\/([^/?]+)$/, "batch", (m) => "batch/" + encodeURIComponent(m[1]), batchView],
    [/^#\/tx\/([^/?]+)$/, "tx", (m) => "tx/" + encodeURIComponent(m[1]), txView],
    [
      /^#\/key\/([a-z])\/([^/?]+)(?:\/([^/?]+))?(?:\?from=(\d+))?$/,
      "key",
      (m) => "key/" + m[1] + "/" + encodeURIComponent(m[2]) + (m[3] ? "/" + encodeURIComponent(m[3]) : "") + (m[4] ? "?from=" + m[4] : ""),
      keyView,
    ],
    [/^#\/address\/([^/?]+)$/, "address", (m) => "address/" + encodeURIComponent(m[1]), addressView],
    [/^#\/bridge$/, "bridge", () => "bridge", bridgeView],
    [/^#\/proofs$/, "proofs", () => "proofs", proofsView],
  ];

  function match(hash) {
    for (const [re, name, path, render] of ROUTES) {
      const m = re.exec(hash);
      if (m) return { name, path: path(m), render };
    }
    return undefined;
  }

  // data-route names the route the view shows (tests wait for it after a hash change).
  function draw(name, nodes, route = location.hash || "#/") {
    add0(view, nodes);
    view.setAttribute("data-view", name);
    view.setAttribute("data-route", route);
    for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.getAttribute("data-nav") === (name === "batch" ? "batches" : name));
  }

  async function refresh(force) {
    const mine = ++generation;
    const stale = () => mine !== generation;
    const hash = location.hash || "#/";
    const r = match(hash);
    try {
      const s = await api("status");
      if (stale()) return;
      status = s.j;
      drawChain();
    } catch (e) {
      if (stale()) return;
      chain.replaceChildren(h("span", { class: "bad" }, "the node does not answer: " + e.message));
    }
    if (!r) {
      draw("error", errorView("no such page: " + hash), hash);
      return;
    }
    try {
      const { j, text } = await api(r.path);
      if (stale()) return;
      if (!force && current.route === hash && current.json === text) return;
      current = { route: hash, json: text };
      draw(r.name, r.render(j), hash);
    } catch (e) {
      if (stale()) return;
      current = { route: hash, json: "" };
      draw("error", errorView(e.message), hash);
    }
  }

  function drawChain() {
    const s = status;
    add0(
      chain,
      h("span", {}, "L1 block ", h("b", {}, String(s.l1.block)), " (chain " + s.l1ChainId + ")"),
      h("span", {}, "L2 block ", h("b", {}, s.l2.block), " (chain " + s.l2ChainId + ")"),
      h("span", {}, "challenge window ", h("b", {}, duration(s.challengeWindow))),
      s.mempool !== null ? h("span", {}, "mempool ", h("b", {}, String(s.mempool))) : null,
      s.halted ? h("span", { class: "bad" }, "coordinator halted at batch " + s.halted.index + ": " + s.halted.reason) : null,
    );
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      await refresh(false);
      schedule();
    }, REFRESH_MS);
  }

  window.addEventListener("hashchange", () => {
    view.setAttribute("data-view", "loading");
    refresh(true).then(() => window.scrollTo(0, 0));
  });

  document.getElementById("search").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (!q) return;
    try {
      const { j } = await api("search?q=" + encodeURIComponent(q));
      location.hash = j.route;
    } catch (e) {
      draw("error", errorView(e.message));
    }
  });

  refresh(true).then(schedule);
})();
