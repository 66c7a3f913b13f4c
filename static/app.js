// The grid's behaviour that HTML and htmx can't express: moving between cells with the keyboard,
// editing a cell in place, a range of cells to copy, paste, clear and fill, row selection for
// bulk edits, column widths and order, Shift-click sorting and Ctrl+Z / Ctrl+Shift+Z.
// Addresses come from the markup (the table's data-cell-url and data-cells-url); no inline
// scripts: the page's Content-Security-Policy forbids them.
//
// Every key, click and paste meant for the grid goes through one queue, handled in order: while
// an editor is on its way or a save is in flight, what the user types waits its turn and then
// reaches the cell it was meant for, at any typing speed.
(function () {
  "use strict";

  const PAGE_ROWS = 20;
  const PREFIX_PAUSE = 1000; // ms between keys after which a choice's typed prefix starts again

  // -- Where things are ---------------------------------------------------------------------
  const table = () => document.getElementById("grid");
  // A mentor reads the list (data-readonly): cells are moved between, selected and copied, never
  // edited; Enter comments on the cell instead. The server refuses a mentor's writes anyway.
  const readOnly = () => { const grid = table(); return !!(grid && grid.dataset.readonly); };
  // a row is <tr id="p-ID" data-version="V">: its id is read from the element id, not repeated
  const rowId = (tr) => tr.id.slice(2);
  const rowsOf = () => Array.from(document.querySelectorAll("#rows > tr[data-version]"));
  const cellsOf = (tr) => Array.from(tr.querySelectorAll(":scope > [data-f]"));
  const headKeys = () => Array.from(document.querySelectorAll("#grid thead tr.heads th[data-f]")).map((th) => th.dataset.f);
  const isCell = (el) => !!(el && el.matches && el.matches("#rows > tr[data-version] > [data-f]"));
  const posOf = (td) => ({ id: rowId(td.closest("tr")), f: td.dataset.f });
  const samePos = (a, b) => !!a && !!b && a.id === b.id && a.f === b.f;
  function cellAt(pos) {
    return pos ? document.querySelector(`#p-${pos.id} > [data-f="${pos.f}"]`) : null;
  }
  function cellUrl(td) {
    const tr = td.closest("tr[data-version]");
    return table().dataset.cellUrl.replace("ID", rowId(tr)).replace("FIELD", td.dataset.f);
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (err) { return ""; }
  }
  const openEditorForm = () => document.querySelector("#rows form.editor");
  const editorInput = (form) => form && form.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea, input[type=checkbox]");

  // -- The active cell and the range ----------------------------------------------------------
  let active = null; // the focused cell: {id, f}
  let activeRow = 0; // its row's place, to land near it if the row goes away
  let anchor = null; // the other corner of the selected range ({id, f}), or null for one cell

  function activate(td, { focus = true, keepRange = false } = {}) {
    if (!td) return;
    document.querySelectorAll("#grid .active").forEach((el) => {
      el.classList.remove("active");
      el.removeAttribute("tabindex");
    });
    td.classList.add("active");
    td.tabIndex = 0;
    const tr = td.closest("tr");
    active = posOf(td);
    activeRow = rowsOf().indexOf(tr);
    if (!keepRange) anchor = null;
    drawRange();
    if (focus) {
      td.focus({ preventScroll: true });
      td.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  // The active cell, or if its row has gone, the same column in the row now in its place.
  function activeOrNear() {
    if (!active) return null;
    const td = cellAt(active);
    if (td) return td;
    const rows = rowsOf();
    const row = rows[Math.min(activeRow, rows.length - 1)];
    return row ? row.querySelector(`:scope > [data-f="${active.f}"]`) : null;
  }

  // The range as row and column indexes, [top, bottom] and [left, right]; one cell when no anchor.
  function rangeBox() {
    const a = cellAt(active);
    if (!a) return null;
    const rows = rowsOf();
    const place = (td) => [rows.indexOf(td.closest("tr")), cellsOf(td.closest("tr")).indexOf(td)];
    const [r1, c1] = place(a);
    const b = anchor && cellAt(anchor);
    const [r2, c2] = b ? place(b) : [r1, c1];
    return { top: Math.min(r1, r2), bottom: Math.max(r1, r2), left: Math.min(c1, c2), right: Math.max(c1, c2), rows };
  }
  function rangeCells() { // rows of cells, top to bottom, left to right
    const box = rangeBox();
    if (!box) return [];
    return box.rows.slice(box.top, box.bottom + 1).map((tr) => cellsOf(tr).slice(box.left, box.right + 1));
  }
  function drawRange() {
    document.querySelectorAll("#rows .in-range").forEach((el) => el.classList.remove("in-range"));
    const grid = table();
    if (!grid) return;
    const many = anchor && !samePos(anchor, active);
    grid.classList.toggle("has-range", !!many);
    if (many) rangeCells().flat().forEach((td) => td.classList.add("in-range"));
    const status = document.getElementById("range-status");
    if (status) {
      const box = many ? rangeBox() : null;
      status.textContent = box ? `${box.bottom - box.top + 1} × ${box.right - box.left + 1} cells selected` : "";
    }
  }
  function extendTo(td) {
    if (!td) return;
    const from = anchor || active;
    activate(td, { keepRange: true });
    anchor = from;
    drawRange();
  }

  // The cell dRow rows down and dCol columns right (clamped to the grid), or null.
  function neighbour(td, dRow, dCol) {
    const tr = td.closest("tr");
    const cells = cellsOf(tr);
    const col = Math.min(Math.max(cells.indexOf(td) + dCol, 0), cells.length - 1);
    const rows = rowsOf();
    const row = rows[Math.min(Math.max(rows.indexOf(tr) + dRow, 0), rows.length - 1)];
    const next = row && row.querySelector(`:scope > [data-f="${cells[col].dataset.f}"]`);
    return next === td ? null : next;
  }
  function edgeCell(td, where) {
    const rows = rowsOf();
    const tr = td.closest("tr");
    const row = where.endsWith("Row") ? (where.startsWith("first") ? rows[0] : rows[rows.length - 1]) : tr;
    const cells = cellsOf(row);
    if (where === "firstCol") return cells[0];
    if (where === "lastCol") return cells[cells.length - 1];
    return row.querySelector(`:scope > [data-f="${td.dataset.f}"]`);
  }

  // -- Talking to the server -----------------------------------------------------------------
  async function send(method, url, body) {
    const headers = { "HX-Request": "true", "HX-Current-URL": window.location.href, "X-CSRFToken": csrfToken(),
                      "X-Grid-Columns": headKeys().join(",") };
    let response;
    try {
      response = await fetch(url, { method, body, headers, credentials: "same-origin" });
    } catch (err) {
      return { status: 0, html: "", headers: new Headers() };
    }
    return { status: response.status, html: await response.text(), headers: response.headers };
  }
  function swap(target, html) {
    htmx.swap(target, html, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0 });
  }
  function fireTriggers(answer) {
    const header = answer.headers.get("HX-Trigger");
    if (!header) return;
    let events;
    try { events = JSON.parse(header); } catch (err) { events = { [header]: {} }; }
    Object.entries(events).forEach(([name, detail]) => htmx.trigger(document.body, name, detail));
  }
  function showError(answer, fallback) {
    const flash = document.getElementById("flash");
    let html = answer.html;
    if (!answer.status || !/class="msg/.test(html)) {
      html = `<p class="msg msg-error" role="alert"></p>`;
    }
    if (!flash) return;
    flash.innerHTML = html;
    const msg = flash.querySelector(".msg");
    if (msg && !msg.textContent.trim()) msg.textContent = fallback || "That did not work; reload the page and try again.";
  }
  function oobAnswer(answer) { // rows and messages swapped out of band; the body targets nothing else
    const holder = document.createElement("div");
    document.body.appendChild(holder);
    htmx.swap(holder, answer.html, { swapStyle: "innerHTML", swapDelay: 0, settleDelay: 0 });
    holder.remove();
  }

  // -- The queue -----------------------------------------------------------------------------
  const queue = [];
  let running = false;
  const busy = () => running || queue.length > 0;
  function enqueue(intent) {
    queue.push(intent);
    if (!running) pump();
  }
  async function pump() {
    running = true;
    try {
      while (queue.length) {
        const intent = queue.shift();
        try {
          await act(intent);
        } catch (err) {
          queue.length = 0;
          console.error(err);
        }
      }
    } finally {
      running = false;
    }
  }
  function intentOf(e) {
    return { t: "key", key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, alt: e.altKey, time: e.timeStamp };
  }

  async function act(i) {
    if (i.t === "click") return clickCell(i);
    if (i.t === "drag") return dragTo(i);
    if (i.t === "paste") return pasteBlock(i);
    const form = openEditorForm();
    if (i.t === "column") return form ? undefined : columnKey(i);
    if (i.t === "leave") {
      if (form && form === i.form) await commit(form, null, { leaving: true });
      return;
    }
    if (form) return editorKey(form, i);
    return cellKey(i);
  }

  // -- Keys on a cell (no editor open) ---------------------------------------------------------
  const MOVES = {
    ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
    PageUp: [-PAGE_ROWS, 0], PageDown: [PAGE_ROWS, 0],
  };
  const printableKey = (i) => i.key.length === 1 && !i.ctrl && !i.alt;

  async function cellKey(i) {
    const td = activeOrNear();
    if (!td) return;
    if (td !== cellAt(active)) activate(td);
    if (MOVES[i.key] && !i.alt) {
      let [dRow, dCol] = MOVES[i.key];
      let next;
      if (i.ctrl) next = edgeCell(td, dRow ? (dRow < 0 ? "firstRow" : "lastRow") : (dCol < 0 ? "firstCol" : "lastCol"));
      else next = neighbour(td, dRow, dCol);
      if (i.shift) extendTo(next || td);
      else activate(next || td);
    } else if (i.key === "Home" || i.key === "End") {
      const first = i.key === "Home";
      const next = edgeCell(td, i.ctrl ? (first ? "firstRow" : "lastRow") : (first ? "firstCol" : "lastCol"));
      if (i.shift) extendTo(next); else activate(next);
    } else if (i.key === "Tab") {
      activate(neighbour(td, 0, i.shift ? -1 : 1) || td);
    } else if ((i.key === "Enter" || i.key === "F2") && !i.ctrl) {
      if (i.key === "Enter" && anchor && !samePos(anchor, active)) { activate(td); return; }
      if (readOnly()) { if (i.key === "Enter") openComment(td.closest("tr"), td.dataset.f); return; }
      await openEditor(posOf(td), "edit", null);
    } else if (i.key === "Escape") {
      activate(td);
    } else if (readOnly() && (i.key === "Delete" || i.key === "Backspace" || printableKey(i) || (i.ctrl && i.key.toLowerCase() === "d"))) {
      // nothing to change in a list one reads
    } else if (i.key === "Delete" || i.key === "Backspace") {
      await writeCells(rangeCells().flat().map((c) => [c, ""]), "clear");
    } else if (i.ctrl && i.key.toLowerCase() === "d") {
      await fillDown();
    } else if (i.ctrl && i.key.toLowerCase() === "a") {
      const rows = rowsOf();
      if (!rows.length) return;
      const first = cellsOf(rows[0])[0];
      const lastCells = cellsOf(rows[rows.length - 1]);
      activate(lastCells[lastCells.length - 1], { keepRange: true });
      anchor = posOf(first);
      drawRange();
    } else if (i.ctrl && ["z", "y"].includes(i.key.toLowerCase())) {
      const redo = i.key.toLowerCase() === "y" || i.shift;
      const button = document.querySelector(redo ? "#redo" : "#undo");
      if (button && !button.disabled) {
        await clickAndWait(button);
        const back = activeOrNear();
        if (back) activate(back, { keepRange: true });
      }
    } else if (printableKey(i)) {
      await openEditor(posOf(td), "enter", i);
    }
  }

  // Click an htmx button and wait until its answer is swapped in.
  function clickAndWait(button) {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, 15000);
      function finish() {
        clearTimeout(timer);
        document.removeEventListener("htmx:afterRequest", seen);
        setTimeout(resolve, 30); // the settle step follows the request's end
      }
      function seen(e) { if (e.detail.elt === button) finish(); }
      document.addEventListener("htmx:afterRequest", seen);
      htmx.trigger(button, "click");
    });
  }

  // -- Opening, typing into, saving and cancelling an editor -----------------------------------
  async function openEditor(pos, mode, firstKey) {
    let td = cellAt(pos);
    if (!td) return;
    activate(td);
    const answer = await send("GET", cellUrl(td) + "/edit");
    td = cellAt(pos);
    if (!td) return; // its row went away meanwhile
    if (answer.status !== 200) {
      showError(answer, "This cell can't be edited now; reload the page.");
      queue.length = 0;
      return;
    }
    swap(td, answer.html);
    td = cellAt(pos);
    const form = td && td.querySelector("form.editor");
    if (!form) return;
    form.dataset.mode = mode;
    activate(td, { focus: false });
    const input = editorInput(form);
    if (!input) return;
    input.focus();
    if (firstKey) {
      if (input.tagName === "SELECT") choosePrefix(form, input, firstKey);
      else if (input.type !== "checkbox") { input.value = ""; insertText(input, firstKey.key); }
    } else if (input.select && input.type !== "checkbox" && input.tagName !== "SELECT") {
      input.select();
    }
  }

  function insertText(input, text) {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.setRangeText(text, start, end, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function deleteText(input, forward) {
    let start = input.selectionStart, end = input.selectionEnd;
    if (start === end) {
      if (forward) end = Math.min(end + 1, input.value.length); else start = Math.max(start - 1, 0);
    }
    input.setRangeText("", start, end, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function moveCaret(input, key, shift) {
    const len = input.value.length;
    let at = input.selectionEnd;
    if (key === "ArrowLeft") at = Math.max(0, (input.selectionStart === input.selectionEnd || shift ? at : input.selectionStart) - (input.selectionStart === input.selectionEnd || shift ? 1 : 0));
    else if (key === "ArrowRight") at = Math.min(len, at + (input.selectionStart === input.selectionEnd || shift ? 1 : 0));
    else if (key === "Home" || key === "ArrowUp") at = 0;
    else if (key === "End" || key === "ArrowDown") at = len;
    if (shift) input.setSelectionRange(Math.min(input.selectionStart, at), Math.max(input.selectionStart, at));
    else input.setSelectionRange(at, at);
  }

  // Typing on a choice picks the first option whose label (or value) starts with what was typed.
  function choosePrefix(form, select, i) {
    const last = Number(form.dataset.prefixAt || 0);
    let prefix = (i.time - last > PREFIX_PAUSE ? "" : form.dataset.prefix || "") + i.key.toLowerCase();
    const options = Array.from(select.options).filter((o) => o.value !== "" || o.text);
    const find = (p) => options.find((o) => o.text.toLowerCase().startsWith(p) || o.value.toLowerCase().startsWith(p));
    let hit = find(prefix);
    if (!hit && prefix.length > 1 && prefix.split("").every((ch) => ch === prefix[0])) { // "mmm" cycles the Ms
      const all = options.filter((o) => o.text.toLowerCase().startsWith(prefix[0]));
      hit = all[(prefix.length - 1) % (all.length || 1)];
    }
    if (!hit) { prefix = i.key.toLowerCase(); hit = find(prefix); }
    form.dataset.prefix = prefix;
    form.dataset.prefixAt = String(i.time);
    if (hit) {
      select.value = hit.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // The keys an editor handles itself when nothing waits in the queue (the browser's own
  // text editing, caret and selection); the rest come to editorKey.
  function nativeInEditor(e, form) {
    const target = e.target;
    const tag = target.tagName;
    const key = e.key;
    const enterMode = form.dataset.mode === "enter";
    if (e.ctrlKey || e.metaKey) {
      // Ctrl+Z in an editor nothing was typed into undoes the grid's last change (below).
      const undoKey = ["z", "y"].includes(key.toLowerCase());
      return key !== "Enter" && !(undoKey && editorValue(form) === form.dataset.initial);
    }
    if (key === "Enter") return tag === "TEXTAREA" && e.shiftKey;
    if (key === "Escape") return false;
    if (key === "Tab") return !!target.closest(".tags-editor") && !tabLeavesTags(target, e.shiftKey);
    if (tag === "SELECT") {
      if (key.length === 1 && !e.altKey) return false; // typed prefixes are ours, in order
      if (key === "ArrowUp" || key === "ArrowDown") return !enterMode;
      return !(enterMode && (key === "ArrowLeft" || key === "ArrowRight"));
    }
    if (key.startsWith("Arrow")) return tag === "TEXTAREA" || !enterMode;
    return true;
  }
  function tabLeavesTags(target, back) {
    const boxes = Array.from(target.closest(".tags-editor").querySelectorAll("input"));
    const at = boxes.indexOf(target);
    return back ? at <= 0 : at === boxes.length - 1;
  }

  async function editorKey(form, i) {
    const input = editorInput(form);
    const tag = input ? input.tagName : "";
    const enterMode = form.dataset.mode === "enter";
    if (i.key === "Escape") return cancel(form);
    if (i.key === "Enter" && !(tag === "TEXTAREA" && i.shift) && !i.ctrl) {
      return commit(form, { dRow: i.shift ? -1 : 1, dCol: 0 });
    }
    if (i.key === "Tab") return commit(form, { dRow: 0, dCol: i.shift ? -1 : 1 });
    if (i.key === "F2") { form.dataset.mode = enterMode ? "edit" : "enter"; return; }
    if (i.ctrl && ["z", "y"].includes(i.key.toLowerCase()) && editorValue(form) === form.dataset.initial) {
      await cancel(form);
      return cellKey(i);
    }
    if (!input || input.type === "checkbox") return;
    if (i.key.startsWith("Arrow")) {
      const vertical = i.key === "ArrowUp" || i.key === "ArrowDown";
      if (enterMode && tag !== "TEXTAREA") {
        const [dRow, dCol] = MOVES[i.key];
        return commit(form, { dRow, dCol });
      }
      if (tag === "SELECT") {
        if (vertical) {
          const at = Math.min(Math.max(input.selectedIndex + (i.key === "ArrowDown" ? 1 : -1), 0), input.options.length - 1);
          input.selectedIndex = at;
        }
        return;
      }
      return moveCaret(input, i.key, i.shift);
    }
    if (tag === "SELECT") {
      if (printableKey(i)) choosePrefix(form, input, i);
      return;
    }
    if (i.key === "Enter") return insertText(input, "\n");
    if (i.key === "Backspace" || i.key === "Delete") return deleteText(input, i.key === "Delete");
    if (i.key === "Home" || i.key === "End") return moveCaret(input, i.key, i.shift);
    if (i.ctrl && i.key.toLowerCase() === "a") return input.select();
    if (i.ctrl && ["z", "y"].includes(i.key.toLowerCase())) {
      if (editorValue(form) !== form.dataset.initial) { input.value = form.dataset.initial; return; }
      await cancel(form);
      return cellKey(i);
    }
    if (i.ctrl) return;
    if (printableKey(i)) insertText(input, i.key);
  }

  function editorValue(form) {
    return new FormData(form).getAll("value").join(", ");
  }

  async function cancel(form, { move = null } = {}) {
    const td = form.closest("[data-f]");
    const pos = posOf(td);
    form.dataset.done = "1";
    const answer = await send("GET", form.dataset.cancel);
    const now = cellAt(pos);
    if (now && answer.status === 200) swap(now, answer.html);
    else if (now) { showError(answer); }
    landAfter(pos, move);
  }

  function landAfter(pos, move) {
    const td = cellAt(pos) || activeOrNear();
    if (!td) return;
    const focus = document.activeElement;
    const elsewhere = focus && focus !== document.body && !focus.closest("#grid") && focus.isConnected;
    const next = move ? neighbour(td, move.dRow, move.dCol) : null;
    activate(next || td, { focus: !elsewhere });
  }

  // Save the editor's value, then move by ``move`` ({dRow, dCol}) or stay. An unchanged value
  // cancels; leaving (focus or a click elsewhere) a refused value that was not corrected drops
  // it, while Enter on it keeps the editor open with its message. Returns whether the editor
  // closed.
  async function commit(form, move, { leaving = false } = {}) {
    if (form.dataset.done) return true;
    const td = form.closest("[data-f]");
    const pos = posOf(td);
    const refused = td.classList.contains("invalid");
    if (editorValue(form) === form.dataset.initial) {
      if (refused && !leaving) return false;
      await cancel(form, { move });
      return true;
    }
    form.dataset.done = "1";
    const tr = td.closest("tr");
    const body = new URLSearchParams();
    new FormData(form).getAll("value").forEach((v) => body.append("value", v));
    body.append("version", tr.dataset.version);
    td.classList.add("saving");
    const answer = await send("POST", form.dataset.save, body);
    const now = cellAt(pos);
    if (answer.status === 200) {
      if (now) swap(now, answer.html);
      fireTriggers(answer);
      landAfter(pos, move);
      return true;
    }
    queue.length = 0; // what was typed after a refused or conflicting save was meant for later cells
    if (answer.status === 422 && now) {
      swap(now, answer.html);
      const again = cellAt(pos);
      const form2 = again && again.querySelector("form.editor");
      if (form2) form2.dataset.mode = "edit";
      activate(again, { focus: false });
      const input = editorInput(form2);
      if (input) input.focus();
      return false;
    }
    if (answer.status === 409 && answer.headers.get("HX-Retarget")) {
      const row = document.querySelector(answer.headers.get("HX-Retarget"));
      if (row) swap(row, answer.html);
      landAfter(pos, null);
      return false;
    }
    showError(answer, "The value could not be saved; reload the page and try again.");
    const back = await send("GET", cellUrl(now || td));
    if (cellAt(pos) && back.status === 200) swap(cellAt(pos), back.html);
    landAfter(pos, null);
    return false;
  }

  // -- The mouse -------------------------------------------------------------------------------
  let drag = null; // {from: pos, moved: bool} while the button is down on a cell
  document.addEventListener("mousedown", (e) => {
    const td = e.target.closest && e.target.closest("#rows > tr[data-version] > [data-f]");
    if (!td || e.button !== 0 || e.target.closest("a, button, form")) return;
    // A press on a cell must not move the focus to the table first (that would scroll back to
    // the previously active cell); the queue activates the cell.
    e.preventDefault();
    if (!e.shiftKey) drag = { from: posOf(td), moved: false };
  });
  document.addEventListener("mouseover", (e) => {
    if (!drag || !(e.buttons & 1)) return;
    const td = e.target.closest && e.target.closest("#rows > tr[data-version] > [data-f]");
    if (!td || samePos(posOf(td), drag.from) && !drag.moved) return;
    drag.moved = true;
    enqueue({ t: "drag", from: drag.from, to: posOf(td) });
  });
  // A tier's reasons are fetched the first time its cell is focused or hovered (the page carries none).
  function loadReasons(e) {
    const td = e.target.closest && e.target.closest("#rows [data-f=tier_override]");
    if (!td || !td.id) return;
    let box = td.querySelector(".reasons");
    if (!box) { // made here, under the id the cell's aria-describedby names
      box = document.createElement("div");
      box.className = "reasons";
      box.setAttribute("role", "tooltip");
      box.id = `why-${td.id.slice(5)}`;
      td.append(box);
      td.setAttribute("aria-describedby", box.id);
    }
    if (box.dataset.asked) return;
    box.dataset.asked = "1";
    htmx.ajax("GET", table().dataset.reasonsUrl.replace("ID", box.id.slice(4)), { target: box, swap: "innerHTML" });
  }
  document.addEventListener("mouseover", loadReasons);
  document.addEventListener("focusin", loadReasons);
  document.addEventListener("mouseup", () => {
    if (drag && !drag.moved) drag = null;
    else if (drag) setTimeout(() => { drag = null; }, 0);
  });
  document.addEventListener("click", (e) => {
    const td = e.target.closest && e.target.closest("#rows > tr[data-version] > [data-f]");
    if (!td || e.target.closest("a, button, form")) return;
    if (drag && drag.moved) { drag = null; return; }
    drag = null;
    if (window.matchMedia("(max-width: 600px)").matches) { // a phone: the card opens the program's form
      const open = td.closest("tr").querySelector("th > a");
      if (open) window.location.assign(open.href);
      return;
    }
    enqueue({ t: "click", pos: posOf(td), shift: e.shiftKey });
  });

  async function clickCell(i) {
    const form = openEditorForm();
    if (form) {
      const td = form.closest("[data-f]");
      if (samePos(posOf(td), i.pos)) return;
      const closed = await commit(form, null, { leaving: true });
      if (!closed) return;
    }
    const td = cellAt(i.pos);
    if (!td) return;
    if (i.shift && active) { extendTo(td); return; }
    if (readOnly()) { activate(td); return; }
    await openEditor(i.pos, "edit", null);
  }
  async function dragTo(i) {
    const form = openEditorForm();
    if (form && !(await commit(form, null, { leaving: true }))) return;
    if (!cellAt(i.from) || !cellAt(i.to)) return;
    activate(cellAt(i.to), { keepRange: true });
    anchor = i.from;
    drawRange();
  }

  // -- Keys ------------------------------------------------------------------------------------
  const GRID_KEYS = new Set(["Enter", "Tab", "Escape", "F2", "Home", "End", "PageUp", "PageDown", "Delete", "Backspace",
    "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"]);
  function meantForGrid(e) {
    if (e.isComposing || e.key === "Process") return false;
    if (e.altKey && !e.ctrlKey) return false; // Alt+arrows size columns
    if (e.ctrlKey || e.metaKey) {
      const k = e.key.toLowerCase();
      return ["d", "a", "z", "y"].includes(k) || (k.startsWith("arrow")) || k === "home" || k === "end" || k === "enter";
    }
    return GRID_KEYS.has(e.key) || e.key.length === 1;
  }

  document.addEventListener("keydown", (e) => {
    if (!meantForGrid(e)) return;
    const target = e.target;
    const grid = table();
    if (!grid) return;
    const onPage = target === document.body || target === document.documentElement;
    const inGrid = grid.contains(target);
    // A key that lands on the page itself (the focused cell was just redrawn) goes to the grid.
    if (!inGrid && !(onPage && active && !e.ctrlKey && !e.metaKey)) return;
    if (target === grid && !busy()) {
      // Tabbing into the table lands on the last active cell (or the first one).
      const first = cellAt(active) || grid.querySelector("#rows [data-f]");
      if (first && ["Enter", "ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(e.key)) {
        e.preventDefault();
        activate(first);
      }
      return;
    }
    if (busy()) {
      e.preventDefault();
      queue.push(intentOf(e));
      return;
    }
    const form = target.closest && target.closest("form.editor");
    if (form) {
      if (nativeInEditor(e, form)) return;
      e.preventDefault();
      enqueue(intentOf(e));
      return;
    }
    if (e.key === "Tab" && !cellAt(active)) return;
    if (e.key === "Tab") { // Tab leaves the grid from its last column, as elsewhere on the page
      const td = cellAt(active);
      const cells = cellsOf(td.closest("tr"));
      if ((e.shiftKey && cells[0] === td) || (!e.shiftKey && cells[cells.length - 1] === td)) return;
    }
    e.preventDefault();
    enqueue(intentOf(e));
  });

  // Leaving an editor for something outside the grid saves it (or cancels, if nothing changed).
  document.addEventListener("focusout", (e) => {
    const form = e.target.closest && e.target.closest("#rows form.editor");
    if (!form || (e.relatedTarget && form.contains(e.relatedTarget))) return;
    setTimeout(() => {
      if (!form.isConnected || form.dataset.done) return;
      const focus = document.activeElement;
      if (focus && form.contains(focus)) return;
      if (focus && focus !== document.body && table() && table().contains(focus)) return;
      enqueue({ t: "leave", form });
    }, 0);
  });

  // -- How a date or a number will be read, shown while it is typed ----------------------------
  let readTimer = null;
  document.addEventListener("input", (e) => {
    const form = e.target.closest && e.target.closest("form.editor[data-read]");
    if (!form) return;
    clearTimeout(readTimer);
    const input = e.target;
    readTimer = setTimeout(async () => {
      const value = input.value;
      const out = form.querySelector(".cell-read");
      if (!out || !form.isConnected) return;
      if (!value.trim()) { out.textContent = ""; return; }
      const answer = await send("GET", `${form.dataset.read}?value=${encodeURIComponent(value)}`);
      if (!form.isConnected || input.value !== value) return;
      out.textContent = answer.status === 200 ? answer.html : "";
      out.classList.toggle("bad", answer.headers.get("X-Read-Ok") === "0");
    }, 120);
  });

  // -- A range of cells: write many at once (paste, clear, fill down) ---------------------------
  // ``pairs`` are [td, text]; one request, one change batch, one Ctrl+Z.
  async function writeCells(pairs, action, newRows = [], leftOut = 0) {
    if (!pairs.length && !newRows.length) return;
    const versions = {};
    const cells = pairs.map(([td, value]) => {
      const tr = td.closest("tr");
      versions[rowId(tr)] = Number(tr.dataset.version);
      return { id: Number(rowId(tr)), f: td.dataset.f, value };
    });
    const body = new URLSearchParams();
    body.append("cells", JSON.stringify(cells));
    body.append("versions", JSON.stringify(versions));
    body.append("new_rows", JSON.stringify(newRows));
    body.append("action", action);
    body.append("left_out", String(leftOut));
    const keep = { active, anchor };
    const answer = await send("POST", table().dataset.cellsUrl, body);
    if (answer.status === 200) {
      oobAnswer(answer);
      fireTriggers(answer);
    } else {
      showError(answer, "Those cells could not be changed; reload the page and try again.");
    }
    const td = cellAt(keep.active) || activeOrNear();
    if (td) {
      activate(td, { keepRange: true });
      anchor = keep.anchor && cellAt(keep.anchor) ? keep.anchor : null;
      drawRange();
    }
  }

  async function fillDown() {
    const block = rangeCells();
    if (block.length < 2) return;
    const first = block[0].map(copyText);
    const pairs = [];
    block.slice(1).forEach((row) => row.forEach((td, c) => pairs.push([td, first[c]])));
    await writeCells(pairs, "fill");
  }

  // What a cell holds, as text another spreadsheet reads back.
  function copyText(td) {
    if (td.dataset.f === "tier_override") {
      const badge = td.querySelector(".tier-badge");
      return td.querySelector(".by-hand") && badge ? badge.textContent.trim() : "";
    }
    const tags = td.querySelectorAll(".tag");
    if (tags.length) return Array.from(tags).map((t) => t.textContent.trim()).join(", ");
    const clone = td.cloneNode(true);
    clone.querySelectorAll(".cell-msg, .reasons, .by-hand, .demo-mark").forEach((el) => el.remove());
    const link = clone.querySelector("a[href]");
    if (link && /^(https?:|mailto:)/.test(link.getAttribute("href")) && td.dataset.f !== "name") {
      return link.getAttribute("href").replace(/^mailto:/, "");
    }
    return (clone.textContent || "").replace(/\s+/g, " ").trim();
  }

  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  function tsvField(s) {
    return /[\t\n\r"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }

  document.addEventListener("copy", (e) => {
    const target = document.activeElement;
    if (!isCell(target) || !e.clipboardData) return;
    const block = rangeCells().map((row) => row.map(copyText));
    if (!block.length) return;
    e.preventDefault();
    e.clipboardData.setData("text/plain", block.map((row) => row.map(tsvField).join("\t")).join("\r\n") + "\r\n");
    const html = "<table>" + block.map((row) => "<tr>" + row.map((v) => `<td>${escapeHtml(v)}</td>`).join("") + "</tr>").join("") + "</table>";
    e.clipboardData.setData("text/html", `<meta charset="utf-8">${html}`);
  });

  // A clipboard's text/plain as rows of cells: tab-separated, rows by line, "quoted" cells may
  // hold tabs, newlines and doubled quotes (as Excel, LibreOffice Calc and Google Sheets write).
  function parseTsv(text) {
    const rows = [];
    let row = [], cell = "", i = 0, quoted = false;
    text = text.replace(/\r\n?/g, "\n");
    while (i < text.length) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        if (ch === '"') { quoted = false; i += 1; continue; }
        cell += ch; i += 1; continue;
      }
      if (ch === '"' && cell === "") { quoted = true; i += 1; continue; }
      if (ch === "\t") { row.push(cell); cell = ""; i += 1; continue; }
      if (ch === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i += 1; continue; }
      cell += ch; i += 1;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows;
  }
  // A clipboard's text/html: the first table's rows (Excel, Calc and Google Sheets all put one).
  function parseHtmlTable(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const tableEl = doc.querySelector("table");
    if (!tableEl) return null;
    const rows = [];
    tableEl.querySelectorAll("tr").forEach((tr) => {
      const row = [];
      tr.querySelectorAll(":scope > td, :scope > th").forEach((c) => {
        c.querySelectorAll("br").forEach((br) => br.replaceWith("\n"));
        const text = (c.textContent || "").replace(/\u00a0/g, " ").replace(/[ \t]*\n[ \t]*/g, "\n").trim();
        row.push(text);
        const span = Math.min(Number(c.getAttribute("colspan")) || 1, 50);
        for (let k = 1; k < span; k++) row.push("");
      });
      rows.push(row);
    });
    return rows.length ? rows : null;
  }
  function clipboardBlock(text, html) {
    const fromHtml = html ? parseHtmlTable(html) : null;
    if (fromHtml) return fromHtml;
    return text ? parseTsv(text) : [];
  }

  document.addEventListener("paste", (e) => {
    const target = document.activeElement || e.target;
    const grid = table();
    if (!grid || !e.clipboardData) return;
    const inCell = isCell(target) || (target === document.body && !!active);
    const form = target.closest && target.closest("#rows form.editor");
    if (!inCell && !form) return;
    const text = e.clipboardData.getData("text/plain");
    const html = e.clipboardData.getData("text/html");
    const block = clipboardBlock(text, html);
    const single = block.length <= 1 && (block[0] || []).length <= 1;
    if (form && single && !busy()) { // one value into an open editor: the browser's own paste, minus a line end
      const input = editorInput(form);
      if (input && input.setRangeText && input.tagName !== "SELECT") {
        e.preventDefault();
        insertText(input, (block[0] || [""])[0] || text.replace(/\r?\n$/, ""));
      }
      return;
    }
    e.preventDefault();
    enqueue({ t: "paste", block, single });
  });

  async function pasteBlock(i) {
    if (readOnly()) return;
    const form = openEditorForm();
    if (form) {
      if (i.single) { // typed ahead into an editor: the value goes in as typed text
        const input = editorInput(form);
        if (input && input.setRangeText && input.tagName !== "SELECT") insertText(input, (i.block[0] || [""])[0] || "");
        return;
      }
      form.dataset.done = "1";
      await cancel(form);
    }
    const box = rangeBox();
    if (!box || !i.block.length) return;
    const rows = box.rows;
    const columns = cellsOf(rows[box.top]).map((td) => td.dataset.f);
    const pairs = [];
    const many = box.bottom > box.top || box.right > box.left;
    if (i.single && many) { // one value fills the selected range
      const value = (i.block[0] || [""])[0] || "";
      rangeCells().flat().forEach((td) => pairs.push([td, value]));
      return writeCells(pairs, "paste");
    }
    let past = 0;
    const extra = [];
    i.block.forEach((values, r) => {
      const tr = rows[box.top + r];
      const row = {};
      values.forEach((value, c) => {
        const key = columns[box.left + c];
        if (!key) { past += 1; return; }
        if (tr) pairs.push([tr.querySelector(`:scope > [data-f="${key}"]`), value]);
        else row[key] = value;
      });
      if (!tr && Object.values(row).some((v) => v !== "")) extra.push(row);
    });
    let newRows = [];
    if (extra.length) {
      const n = extra.length;
      if (window.confirm(`The pasted block runs ${n} row${n === 1 ? "" : "s"} past the last program shown. Add ${n === 1 ? "it" : "them"} as new program${n === 1 ? "" : "s"}?`)) {
        newRows = extra;
      }
    }
    await writeCells(pairs, "paste", newRows, past);
    const end = rows[Math.min(box.top + i.block.length - 1, rows.length - 1)];
    const width = Math.max(...i.block.map((r) => r.length));
    const lastKey = columns[Math.min(box.left + width - 1, columns.length - 1)];
    const corner = end && end.querySelector(`:scope > [data-f="${lastKey}"]`);
    if (corner && (i.block.length > 1 || width > 1)) {
      const start = cellAt(active);
      const startPos = posOf(rows[box.top].querySelector(`:scope > [data-f="${columns[box.left]}"]`));
      activate(cellAt(startPos) || start, { keepRange: true });
      anchor = posOf(corner);
      drawRange();
    }
  }

  // A mentor's comment, from the grid: the row's Comment link (on the program as a whole) or
  // Enter on a cell (on its column) opens the dialog; the answer redraws the row, with its mark.
  const commentDialog = () => document.getElementById("comment-dialog");
  function openComment(tr, key) {
    const dialog = commentDialog();
    const grid = table();
    if (!dialog || !tr || !grid) return;
    const form = dialog.querySelector("form");
    form.dataset.programId = rowId(tr);
    form.action = grid.dataset.commentUrl.replace("ID", rowId(tr));
    dialog.querySelector(".comment-program").textContent = tr.querySelector("th > a")?.textContent.trim() || "this program";
    dialog.querySelector(".comment-msg").innerHTML = "";
    const select = form.querySelector("select[name=field]");
    select.value = key && key !== "name" && select.querySelector(`option[value="${key}"]`) ? key : "";
    form.querySelector("textarea").value = "";
    dialog.showModal();
    form.querySelector("textarea").focus();
  }
  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("#rows a.comment-link");
    if (!link || !commentDialog()) return;
    e.preventDefault();
    const tr = link.closest("tr[data-version]");
    const td = tr.querySelector(":scope > [data-f]");
    if (td) activate(td, { focus: false });
    openComment(tr, "");
  });
  document.addEventListener("click", (e) => {
    const cancel = e.target.closest && e.target.closest("#comment-dialog .comment-cancel");
    if (cancel) commentDialog().close();
  });
  document.addEventListener("close", (e) => {
    if (e.target !== commentDialog()) return;
    const td = activeOrNear();
    if (td) activate(td);
  }, true);
  document.addEventListener("submit", async (e) => {
    const form = e.target;
    if (!form.closest || !form.closest("#comment-dialog")) return;
    e.preventDefault();
    if (form.dataset.sending) return;
    form.dataset.sending = "1";
    const body = new URLSearchParams(new FormData(form));
    body.delete("csrf_token"); // sent as the X-CSRFToken header
    const answer = await send("POST", form.action, body);
    delete form.dataset.sending;
    if (answer.status === 200) {
      oobAnswer(answer);
      commentDialog().close();
      return;
    }
    const box = form.querySelector(".comment-msg");
    box.innerHTML = /class="msg/.test(answer.html) ? answer.html : '<p class="msg msg-error"></p>';
    const msg = box.querySelector(".msg");
    if (msg && !msg.textContent.trim()) msg.textContent = "The comment could not be added; reload the page and try again.";
  });

  // The row's new version and class after a save (optimistic concurrency; tier stripe, status colour).
  document.addEventListener("tracker:saved", (e) => {
    const tr = document.getElementById(`p-${e.detail.id}`);
    if (tr) tr.dataset.version = e.detail.version;
    if (tr && e.detail.row_class) tr.className = e.detail.row_class;
    const undo = document.querySelector("#undo"); // an edit can be undone, and ends redo
    const redo = document.querySelector("#redo");
    if (undo) undo.disabled = false;
    if (redo) redo.disabled = true;
  });

  // A swap that took the focused cell away (undo and redo redraw rows out of band, a delete
  // removes one) gives the focus back to the same cell, or to the same column in the row that
  // took the place of a removed one.
  document.addEventListener("htmx:afterSettle", (e) => {
    if (busy() || isCell(e.target)) return;
    const focus = document.activeElement;
    if (!active || (focus && focus !== document.body)) return;
    const td = activeOrNear();
    if (td) activate(td, { keepRange: true });
  });

  // Row selection for bulk edits: a click ticks one row, Shift-click the rows in between.
  let lastTicked = null;
  function updateSelection() {
    const ticked = document.querySelectorAll("#rows td.sel input:checked").length;
    const count = document.querySelector("#bulk-count");
    if (count) count.textContent = ticked ? `${ticked} selected` : "No program selected";
  }
  document.addEventListener("click", (e) => {
    const box = e.target.closest && e.target.closest("td.sel input[type=checkbox]");
    if (!box) return;
    if (e.shiftKey && lastTicked && lastTicked !== box && lastTicked.isConnected) {
      const boxes = Array.from(document.querySelectorAll("#rows td.sel input[type=checkbox]"));
      const [a, b] = [boxes.indexOf(lastTicked), boxes.indexOf(box)].sort((x, y) => x - y);
      boxes.slice(a, b + 1).forEach((other) => { other.checked = box.checked; });
    }
    lastTicked = box;
    updateSelection();
  });
  document.addEventListener("change", (e) => {
    if (e.target.id === "select-page") {
      document.querySelectorAll("#rows td.sel input[type=checkbox]").forEach((b) => { b.checked = e.target.checked; });
      updateSelection();
    }
  });
  document.addEventListener("htmx:afterSettle", updateSelection);

  // A row's ✕ asks first, naming the program, then deletes it: the row gives way to what the
  // server answers (nothing, and the counts out of band).
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("#rows button.del");
    if (!button) return;
    const row = button.closest("tr[data-version]");
    const name = row.querySelector("th > a")?.textContent.trim() || "this program";
    if (!window.confirm(`Delete “${name}”? You can restore it from the Deleted page.`)) return;
    htmx.ajax("POST", table().dataset.deleteUrl.replace("ID", rowId(row)), {
      source: button, target: row, swap: "outerHTML", headers: { "X-CSRFToken": csrfToken() },
    });
  });

  // "Delete selected" asks first, saying how many (the ticked rows, or all N matching).
  document.addEventListener("htmx:confirm", (e) => {
    const elt = e.detail.elt;
    if (!elt.matches || !elt.matches("[data-confirm-selection]")) return;
    e.preventDefault();
    const all = document.querySelector("#bulk input[name=all]");
    const n = all && all.checked ? Number(all.dataset.total)
      : document.querySelectorAll("#rows td.sel input:checked").length;
    // With nothing ticked the server says what to do; otherwise the count is confirmed first.
    const programs = `${n} program${n === 1 ? "" : "s"}`;
    if (!n || window.confirm(`Delete ${programs}? ${n === 1 ? "It leaves" : "They leave"} the list and the dashboard; ` +
        `one Undo brings ${n === 1 ? "it" : "them"} back, and ${n === 1 ? "it stays" : "they stay"} on the Deleted page.`)) {
      e.detail.issueRequest(true);
    }
  });

  // A form with data-confirm (removing the demo programs) asks first; its "confirmed" field
  // tells the server it did (without JavaScript, the server shows a confirmation page instead).
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!form.matches || !form.matches("form[data-confirm]")) return;
    if (!window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    const confirmed = form.querySelector("input[name=confirmed]");
    if (confirmed) confirmed.value = "1";
  });

  // The Deleted page: "Select all" ticks every row's box of its form; the count follows.
  function countTicked(formId) {
    const count = document.querySelector(`[data-count-for="${formId}"]`);
    if (!count) return;
    const n = document.querySelectorAll(`input[name=ids][form="${formId}"]:checked`).length;
    count.textContent = n ? `${n} selected` : count.dataset.none;
  }
  document.addEventListener("change", (e) => {
    const box = e.target;
    if (box.dataset && box.dataset.selectAll) {
      document.querySelectorAll(`input[name=ids][form="${box.dataset.selectAll}"]`).forEach((b) => { b.checked = box.checked; });
      countTicked(box.dataset.selectAll);
    } else if (box.name === "ids" && box.getAttribute("form") && !box.closest("#rows")) {
      countTicked(box.getAttribute("form"));
    }
  });

  // Column widths: drag a header's right edge (or Alt+Right / Alt+Left); the server keeps them
  // in the grid's layout, and draws them in the grid's stylesheet on the next visit.
  const layoutUrl = () => (table() && table().dataset.layoutUrl) || "";
  function fitTable(table) {
    let total = 0;
    table.querySelectorAll("col").forEach((col) => { total += col.getBoundingClientRect().width || 0; });
    if (total) table.style.width = `${Math.ceil(total)}px`;
  }
  function addResizeHandles() {
    document.querySelectorAll("table.grid thead tr.heads th[data-f]").forEach((th) => {
      if (th.querySelector(".resize")) return;
      const handle = document.createElement("span");
      handle.className = "resize";
      handle.setAttribute("aria-hidden", "true");
      handle.draggable = false; // its header is draggable (to move the column); the edge only sizes it
      th.appendChild(handle);
    });
  }
  let resizing = null;
  document.addEventListener("pointerdown", (e) => {
    const handle = e.target.closest && e.target.closest("th[data-f] > .resize");
    if (!handle) return;
    e.preventDefault();
    const th = handle.parentElement;
    const col = th.closest("table").querySelector(`col.f-${th.dataset.f}`);
    resizing = { th, col, x: e.clientX, width: th.getBoundingClientRect().width };
    handle.setPointerCapture(e.pointerId);
  });
  document.addEventListener("pointermove", (e) => {
    if (!resizing) return;
    const width = Math.max(40, Math.round(resizing.width + e.clientX - resizing.x));
    resizing.col.style.width = `${width}px`;
    fitTable(resizing.th.closest("table"));
  });
  // One width post at a time, in the order they were made: quick Alt+Right presses each post
  // a width, and the last one must be the one kept.
  let widthPosts = Promise.resolve();
  function rememberWidth(key, col) {
    if (!layoutUrl()) return;
    const url = layoutUrl();
    const body = new URLSearchParams({ width: `${key}:${Math.round(col.getBoundingClientRect().width)}` });
    const post = () => fetch(url, { method: "POST", body, keepalive: true, credentials: "same-origin",
                                    headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" } });
    widthPosts = widthPosts.then(post, post).catch(() => {});
  }
  document.addEventListener("pointerup", () => {
    if (!resizing) return;
    rememberWidth(resizing.th.dataset.f, resizing.col);
    resizing = null;
  });
  // The header or cell a column key is for: the one it was pressed on, or, for a key that lands
  // on the page itself because the focused cell was just redrawn, the active cell.
  function columnAt(target) {
    const at = target.closest && target.closest("table.grid th[data-f], table.grid td[data-f]");
    if (at) return at;
    return target === document.body || target === document.documentElement ? activeOrNear() : null;
  }
  const WIDTH_STEP = 16;
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.shiftKey || e.ctrlKey || e.metaKey || (e.key !== "ArrowRight" && e.key !== "ArrowLeft")) return;
    const at = columnAt(e.target);
    if (!at || (e.target.closest && e.target.closest("form.editor"))) return;
    const table = at.closest("table");
    const col = table.querySelector(`col.f-${at.dataset.f}`);
    if (!col) return;
    e.preventDefault();
    const width = col.getBoundingClientRect().width + (e.key === "ArrowRight" ? WIDTH_STEP : -WIDTH_STEP);
    col.style.width = `${Math.max(40, Math.round(width))}px`;
    fitTable(table);
    rememberWidth(at.dataset.f, col);
  });
  document.addEventListener("DOMContentLoaded", addResizeHandles);
  document.addEventListener("htmx:afterSettle", (e) => { if (e.target.id === "grid-area") addResizeHandles(); });

  // Column order: drag a header onto another, or Alt+Shift+Left / Alt+Shift+Right on a header or
  // a cell. The server keeps the order in the grid's layout and sends the grid back redrawn; the
  // focus stays on the column that moved. The Program column stays first.
  let focusHeader = null; // the header to focus once the redrawn grid is in
  // Every request from the grid page says which columns the grid draws, so the rows the server
  // sends back line up with this page's header whatever another tab did to the layout.
  document.addEventListener("htmx:configRequest", (e) => {
    const keys = headKeys();
    if (keys.length) e.detail.headers["X-Grid-Columns"] = keys.join(",");
  });
  // Moves wait for the one in flight: keys pressed while the grid is redrawn move it further.
  // A move is over once the redrawn grid has settled and its cell has the focus back, not when
  // the request ends: htmx settles the new grid a moment after it swaps it in, and a key pressed
  // in between finds no cell focused. A request that swapped nothing (an error) ends the move there.
  let moving = false;
  let movingKey = null;
  let moveSettled = false;
  let endMove = null;
  const pendingMoves = [];
  function moveColumn(key, place, target, { header = false, then = null } = {}) {
    if (!layoutUrl() || !target || target === key || (target === "name" && place === "before")) return false;
    moving = true;
    movingKey = key;
    moveSettled = false;
    focusHeader = header ? key : null;
    const area = document.getElementById("grid-area");
    const done = () => { endMove = null; moving = false; if (then) then(); nextMove(); };
    htmx.ajax("POST", layoutUrl(), {
      values: { move: key, [place]: target, back: window.location.pathname + window.location.search },
      headers: { "X-CSRFToken": csrfToken() }, target: "#grid-area", select: "#grid-area", swap: "outerHTML",
    }).then(() => {
      if (moveSettled || !area || area.isConnected) done();
      else endMove = done;
    }, done);
    return true;
  }
  function stepColumn(key, left, header, then = null) {
    const keys = headKeys();
    const i = keys.indexOf(key);
    if (i < 0) return false;
    const options = { header, then };
    return left ? moveColumn(key, "before", keys[i - 1], options) : moveColumn(key, "after", keys[i + 1], options);
  }
  function nextMove() {
    while (!moving && pendingMoves.length) {
      const move = pendingMoves.shift();
      if (!stepColumn(move.key, move.left, move.header, move.then) && move.then) move.then();
    }
  }
  // A column key pressed while the grid's queue was busy (an editor opening or closing, a save)
  // waits its turn there, then moves the column of the cell active by then; the queue goes on
  // once the move is over.
  function columnKey(i) {
    const td = activeOrNear();
    if (!td || td.dataset.f === "name") return undefined;
    return new Promise((resolve) => {
      const then = () => { // the grid's own focus keeping waits while its queue is busy
        const focus = document.activeElement;
        const back = activeOrNear();
        if (back && (!focus || focus === document.body)) activate(back, { keepRange: true });
        resolve();
      };
      pendingMoves.push({ key: td.dataset.f, left: i.left, header: false, then });
      nextMove();
    });
  }
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey || (e.key !== "ArrowRight" && e.key !== "ArrowLeft")) return;
    const at = e.target.closest && e.target.closest("table.grid th[data-f], table.grid td[data-f]");
    let near = columnAt(e.target);
    if (near && near.tagName === "TD" && busy()) {
      e.preventDefault();
      queue.push({ t: "column", left: e.key === "ArrowLeft" });
      return;
    }
    if (!at && moving) near = null; // on the page while a column moves: that column, not the active cell's
    const key = near ? near.dataset.f : (moving ? movingKey : null);
    if (!key || (at && e.target.closest("form.editor")) || key === "name") return;
    e.preventDefault();
    const move = { key, left: e.key === "ArrowLeft", header: near ? near.tagName === "TH" : focusHeader === key };
    if (moving) pendingMoves.push(move);
    else stepColumn(move.key, move.left, move.header);
  });
  let dragged = null;
  const clearDrop = () => document.querySelectorAll("#grid thead th.drop-before, #grid thead th.drop-after, #grid thead th.dragging")
    .forEach((th) => th.classList.remove("drop-before", "drop-after", "dragging"));
  document.addEventListener("dragstart", (e) => {
    const th = e.target.closest && e.target.closest("#grid thead tr.heads th[data-f]");
    if (!th) return;
    if (resizing || th.dataset.f === "name") { e.preventDefault(); return; }
    dragged = th.dataset.f;
    th.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", th.querySelector("a.sort") ? th.querySelector("a.sort").textContent.trim() : dragged);
  });
  const dropPlace = (th, e) => {
    const box = th.getBoundingClientRect();
    return e.clientX < box.left + box.width / 2 ? "before" : "after";
  };
  document.addEventListener("dragover", (e) => {
    const th = dragged && e.target.closest && e.target.closest("#grid thead tr.heads th[data-f]");
    if (!th || th.dataset.f === dragged) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    const place = th.dataset.f === "name" ? "after" : dropPlace(th, e);
    document.querySelectorAll("#grid thead th.drop-before, #grid thead th.drop-after").forEach((other) => {
      if (other !== th) other.classList.remove("drop-before", "drop-after");
    });
    th.classList.toggle("drop-before", place === "before");
    th.classList.toggle("drop-after", place === "after");
  });
  document.addEventListener("drop", (e) => {
    const th = dragged && e.target.closest && e.target.closest("#grid thead tr.heads th[data-f]");
    if (!th) return;
    e.preventDefault();
    const key = dragged;
    const place = th.dataset.f === "name" ? "after" : dropPlace(th, e);
    dragged = null;
    clearDrop();
    moveColumn(key, place, th.dataset.f);
  });
  document.addEventListener("dragend", () => { dragged = null; clearDrop(); });
  document.addEventListener("htmx:afterSettle", (e) => {
    if (e.target.id !== "grid-area" || !focusHeader) return;
    const link = document.querySelector(`#grid thead tr.heads th[data-f="${focusHeader}"] a.sort`);
    focusHeader = null;
    if (link) link.focus();
  });
  document.addEventListener("htmx:afterSettle", (e) => { // after the focus is back (listeners above)
    if (e.target.id !== "grid-area" || !moving) return;
    moveSettled = true;
    if (endMove) endMove();
  });

  // Shift-click on a column header adds it as one more sort key.
  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("a.sort[data-add-sort]");
    if (link && e.shiftKey) {
      e.preventDefault();
      window.location.assign(link.dataset.addSort);
    }
  });

  // Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y) undo and redo the last edits, outside an editor.
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.altKey) return;
    if (e.target.closest && e.target.closest("form.editor, input, textarea, select")) return;
    const key = e.key.toLowerCase();
    const redo = (key === "z" && e.shiftKey) || key === "y";
    if (key !== "z" && key !== "y") return;
    const button = document.querySelector(redo ? "#redo" : "#undo");
    if (button) {
      e.preventDefault();
      htmx.trigger(button, "click");
    }
  });

  document.addEventListener("tracker:undo", (e) => {
    const undo = document.querySelector("#undo");
    const redo = document.querySelector("#redo");
    if (undo) undo.disabled = !e.detail.can_undo;
    if (redo) redo.disabled = !e.detail.can_redo;
  });

  // The "Add a program" box empties itself after a successful add.
  document.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.elt;
    if (form.matches && form.matches("form.add") && e.detail.successful) {
      form.reset();
    }
  });
})();
