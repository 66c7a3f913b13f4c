// The grid's behaviour that HTML and htmx can't express: moving between cells with the keyboard,
// editing a cell in place (open, save, cancel, move on), row selection for bulk edits, column
// widths, Shift-click sorting and Ctrl+Z / Ctrl+Shift+Z. Addresses come from the markup (the
// table's data-cell-url); no inline scripts: the page's Content-Security-Policy forbids them.
(function () {
  "use strict";

  const editUrl = (td) => cellUrl(td) + "/edit";
  function cellUrl(td) {
    const tr = td.closest("tr[data-id]");
    return td.closest("table").dataset.cellUrl.replace("ID", tr.dataset.id).replace("FIELD", td.dataset.f);
  }
  const isCell = (el) => el && el.matches && el.matches("tr[data-id] > [data-f]");
  let active = null; // the focused cell: {id, f}
  let activeRow = 0; // its row's place in the table, to land near it if the row goes away
  let dropArriving = false; // Escape pressed while an editor was on its way
  let moveAfter = null; // after a save or cancel: {dRow, dCol} from the cell that was edited
  let typed = null; // a key typed on a cell starts its editor with that text
  const PAGE_ROWS = 20;

  function cellFor(pos) {
    if (!pos) return null;
    return document.querySelector(`#p-${pos.id} > [data-f="${pos.f}"]`);
  }

  function activate(td, focus = true) {
    if (!td) return;
    document.querySelectorAll(".grid .active").forEach((el) => {
      el.classList.remove("active");
      el.removeAttribute("tabindex");
    });
    td.classList.add("active");
    td.tabIndex = 0;
    const tr = td.closest("tr");
    active = { id: tr.dataset.id, f: td.dataset.f };
    activeRow = Array.prototype.indexOf.call(tr.parentElement.children, tr);
    if (focus) {
      td.focus({ preventScroll: true });
      td.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  // The active cell, or if its row has gone, the same column in the row now in its place.
  function activeOrNear() {
    if (!active) return null;
    const td = cellFor(active);
    if (td) return td;
    const rows = document.querySelectorAll("#rows > tr[data-id]");
    const row = rows[Math.min(activeRow, rows.length - 1)];
    return row ? row.querySelector(`:scope > [data-f="${active.f}"]`) : null;
  }

  let pending = null; // the cell whose editor is on its way
  let pendingUrl = null; // and the address it comes from
  let arrived = null; // that editor, swapped in but not yet settled (focused)
  function startEdit(td, text = null) {
    if (!td || td.classList.contains("editing")) return;
    if (pending === td) { // keys typed while the editor loads are kept, in order
      if (text !== null) typed = (typed || "") + text;
      return;
    }
    pending = td;
    pendingUrl = editUrl(td);
    typed = text;
    activate(td);
    htmx.ajax("GET", pendingUrl, { target: td, swap: "outerHTML" });
  }

  function cancelEdit(form) {
    const td = form.closest("[data-f]");
    form.dataset.done = "1";
    htmx.ajax("GET", form.dataset.cancel, { target: td, swap: "outerHTML" });
  }

  function editorValue(form) {
    const values = new FormData(form).getAll("value");
    return values.join(", ");
  }

  // Save the editor's value. Leaving a cell (blur) with nothing changed cancels the edit,
  // which also drops a refused value; Enter on a refused value that was not corrected keeps
  // the editor open with its message.
  function save(form, { leaving = false } = {}) {
    if (form.dataset.done) return;
    const input = form.querySelector("input, select, textarea");
    if (input && input.setCustomValidity) input.setCustomValidity("");
    if (input && input.validity && input.validity.badInput) {
      if (leaving) return cancelEdit(form);
      input.setCustomValidity("This is not a complete date.");
      input.reportValidity();
      return;
    }
    if (editorValue(form) === form.dataset.initial) {
      if (leaving || !form.closest(".invalid")) cancelEdit(form);
      return;
    }
    form.dataset.done = "1";
    // A form swapped in a moment ago may not be bound by htmx yet (it binds at settle time);
    // unbound, requestSubmit() would submit it natively and reload the page.
    htmx.process(form);
    form.requestSubmit();
  }

  // The cell dRow rows down and dCol columns right (clamped to the grid), or null.
  function neighbour(td, dRow, dCol) {
    const tr = td.closest("tr");
    const cells = Array.from(tr.querySelectorAll(":scope > [data-f]"));
    const col = Math.min(Math.max(cells.indexOf(td) + dCol, 0), cells.length - 1);
    const rows = Array.from(tr.parentElement.children);
    const row = rows[Math.min(Math.max(rows.indexOf(tr) + dRow, 0), rows.length - 1)];
    const key = dCol ? cells[col].dataset.f : td.dataset.f;
    const next = row.querySelector(`:scope > [data-f="${key}"]`);
    return next === td ? null : next;
  }

  function edgeCell(td, where) {
    const tr = td.closest("tr");
    const rows = Array.from(tr.parentElement.children);
    const row = where.endsWith("Row") ? (where.startsWith("first") ? rows[0] : rows[rows.length - 1]) : tr;
    const cells = row.querySelectorAll(":scope > [data-f]");
    if (where === "firstCol") return cells[0];
    if (where === "lastCol") return cells[cells.length - 1];
    return row.querySelector(`:scope > [data-f="${td.dataset.f}"]`);
  }

  // A press on a cell must not move the focus to the table first (that would scroll
  // back to the previously active cell); the click handler below activates the cell.
  document.addEventListener("mousedown", (e) => {
    const td = e.target.closest("tr[data-id] > [data-f]");
    if (td && !e.target.closest("a, button, form")) e.preventDefault();
  });

  document.addEventListener("click", (e) => {
    const td = e.target.closest("tr[data-id] > [data-f]");
    if (!td || e.target.closest("a, button, form")) return;
    startEdit(td);
  });

  const printable = (e) => e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && e.key !== " ";

  document.addEventListener("keydown", (e) => {
    const form = e.target.closest && e.target.closest("form.editor");
    if (form) {
      if (e.key === "Escape") {
        e.preventDefault();
        moveAfter = null;
        cancelEdit(form);
      } else if (e.key === "Enter" && !(e.target.tagName === "TEXTAREA" && e.shiftKey)) {
        e.preventDefault();
        moveAfter = { dRow: 1, dCol: 0 };
        save(form);
      } else if (e.key === "Tab" && !e.target.closest(".tags-editor")) {
        e.preventDefault();
        moveAfter = { dRow: 0, dCol: e.shiftKey ? -1 : 1 };
        save(form);
      }
      return;
    }
    if (pending && !(e.target.closest && e.target.closest("input, textarea, select"))) {
      if (printable(e)) { // between the swap of an editor and its focus the key lands on the page: keep it too
        e.preventDefault();
        typed = (typed || "") + e.key;
        return;
      }
      if (e.key === "Escape") { // the editor on its way is closed as soon as it arrives
        e.preventDefault();
        dropArriving = true;
        typed = null;
        return;
      }
    }
    // A key that lands on the page itself (the focused cell was just redrawn, and the
    // focus comes back when the swap settles) goes to the active cell.
    const onPage = e.target === document.body || e.target === document.documentElement;
    const near = onPage && !e.ctrlKey && !e.metaKey ? activeOrNear() : null;
    const target = near || e.target;
    const grid = target.closest && target.closest("table.grid");
    if (!grid) return;
    if (target !== e.target) activate(target);
    if (target === grid) {
      // Tabbing into the table lands on the last active cell (or the first one).
      const first = cellFor(active) || grid.querySelector("tbody [data-f]");
      if (first && ["Enter", "ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(e.key)) {
        e.preventDefault();
        activate(first);
      }
      return;
    }
    if (!isCell(target)) return;
    const td = target;
    const moves = {
      ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
      PageUp: [-PAGE_ROWS, 0], PageDown: [PAGE_ROWS, 0],
    };
    if (moves[e.key] && !e.altKey) {
      e.preventDefault();
      activate(neighbour(td, ...moves[e.key]) || td);
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      const first = e.key === "Home";
      activate(edgeCell(td, e.ctrlKey ? (first ? "firstRow" : "lastRow") : (first ? "firstCol" : "lastCol")));
    } else if (e.key === "Enter" || e.key === "F2") {
      e.preventDefault();
      startEdit(td);
    } else if (printable(e)) {
      e.preventDefault(); // typing on a cell starts editing it with what was typed, as in a spreadsheet
      startEdit(td, e.key);
    }
  });

  // Leaving an editor saves it (or cancels, if nothing changed).
  document.addEventListener("focusout", (e) => {
    const form = e.target.closest && e.target.closest("form.editor");
    if (!form || (e.relatedTarget && form.contains(e.relatedTarget))) return;
    setTimeout(() => { if (form.isConnected) save(form, { leaving: true }); }, 0);
  });

  // An editor that could not be fetched (deleted elsewhere, say), or whose cell was redrawn
  // while it was on its way, must not block the cell.
  document.addEventListener("htmx:afterRequest", (e) => {
    if (!pending || e.detail.pathInfo.requestPath !== pendingUrl) return;
    if (!e.detail.successful || !arrived) { pending = null; arrived = null; typed = null; dropArriving = false; }
  });

  // A warning about an incomplete date goes as soon as the user types again.
  document.addEventListener("input", (e) => {
    if (e.target.closest && e.target.closest("form.editor") && e.target.setCustomValidity) {
      e.target.setCustomValidity("");
    }
  });

  // The row's version travels with every cell save (optimistic concurrency).
  document.addEventListener("htmx:configRequest", (e) => {
    const form = e.detail.elt;
    if (e.detail.verb !== "post" || !form.matches("form.editor")) return;
    const tr = form.closest("tr[data-version]");
    if (tr) e.detail.parameters.version = tr.dataset.version;
  });

  document.addEventListener("tracker:saved", (e) => {
    const tr = document.getElementById(`p-${e.detail.id}`);
    if (tr) tr.dataset.version = e.detail.version;
    if (tr && e.detail.row_class) tr.className = e.detail.row_class; // the row's tier stripe and status colour
    const undo = document.querySelector("#undo"); // an edit can be undone, and ends redo
    const redo = document.querySelector("#redo");
    if (undo) undo.disabled = false;
    if (redo) redo.disabled = true;
  });

  // After a swap: a new editor takes the focus; a cell that was saved or cancelled gets it
  // back if it is still the active cell and nothing else has the focus.
  document.addEventListener("htmx:afterSettle", (e) => {
    const el = e.target;
    if (!isCell(el)) return;
    const input = el.querySelector("form.editor input:not([type=hidden]), form.editor select, form.editor textarea");
    if (input) {
      moveAfter = null;
      pending = null;
      arrived = null;
      if (dropArriving) {
        dropArriving = false;
        typed = null;
        cancelEdit(input.form);
        return;
      }
      input.focus();
      if (typed !== null && (input.tagName === "TEXTAREA" || ["text", "url", "email"].includes(input.type))) {
        input.value = typed;
        input.setSelectionRange(input.value.length, input.value.length);
      } else if (input.select && input.type !== "checkbox") {
        input.select();
      }
      typed = null;
      return;
    }
    const focus = document.activeElement;
    if (cellFor(active) !== el || (focus && focus !== document.body)) return;
    if (moveAfter) {
      const next = neighbour(el, moveAfter.dRow, moveAfter.dCol);
      moveAfter = null;
      activate(next || el);
    } else {
      activate(el);
    }
  });

  // A swap that took the focused cell away (a refused save redraws its row, undo and redo
  // redraw rows out of band, a delete removes one) gives the focus back to the same cell,
  // or to the same column in the row that took the place of a removed one.
  document.addEventListener("htmx:afterSwap", (e) => {
    if (pending && isCell(e.target) && e.target.querySelector("form.editor")) arrived = e.target;
  });
  document.addEventListener("htmx:afterSettle", (e) => {
    if (isCell(e.target)) return;
    if (pending) {
      if (!arrived || arrived.isConnected) return; // the editor is still on its way
      // Its row was redrawn (an undo, say) before the editor settled: there is no editor any more.
      pending = null; arrived = null; typed = null; dropArriving = false;
    }
    const focus = document.activeElement;
    if (!active || (focus && focus !== document.body)) return;
    const td = activeOrNear();
    if (td) {
      moveAfter = null;
      activate(td);
    }
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

  // Column widths: drag a header's right edge; the widths are remembered in this browser.
  const WIDTHS_KEY = "tracker.columnWidths";
  function savedWidths() {
    try { return JSON.parse(localStorage.getItem(WIDTHS_KEY)) || {}; } catch (err) { return {}; }
  }
  function fitTable(table) {
    let total = 0;
    table.querySelectorAll("col").forEach((col) => { total += col.getBoundingClientRect().width || 0; });
    if (total) table.style.width = `${Math.ceil(total)}px`;
  }
  function applyWidths() {
    const table = document.querySelector("table.grid");
    if (!table) return;
    const widths = savedWidths();
    let changed = false;
    table.querySelectorAll("col[class^='f-']").forEach((col) => {
      const key = col.className.slice(2);
      if (widths[key]) { col.style.width = `${widths[key]}px`; changed = true; }
    });
    table.querySelectorAll("thead tr.heads th[data-f]").forEach((th) => {
      if (th.querySelector(".resize")) return;
      const handle = document.createElement("span");
      handle.className = "resize";
      handle.setAttribute("aria-hidden", "true");
      th.appendChild(handle);
    });
    if (changed) fitTable(table);
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
  function rememberWidth(key, col) {
    const widths = savedWidths();
    widths[key] = Math.round(col.getBoundingClientRect().width);
    localStorage.setItem(WIDTHS_KEY, JSON.stringify(widths));
  }
  document.addEventListener("pointerup", () => {
    if (!resizing) return;
    rememberWidth(resizing.th.dataset.f, resizing.col);
    resizing = null;
  });
  // Without a mouse: Alt+Right / Alt+Left on a cell or a header widens or narrows its column.
  const WIDTH_STEP = 16;
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey || (e.key !== "ArrowRight" && e.key !== "ArrowLeft")) return;
    const at = e.target.closest && e.target.closest("table.grid th[data-f], table.grid td[data-f]");
    if (!at || e.target.closest("form.editor")) return;
    const table = at.closest("table");
    const col = table.querySelector(`col.f-${at.dataset.f}`);
    if (!col) return;
    e.preventDefault();
    const width = col.getBoundingClientRect().width + (e.key === "ArrowRight" ? WIDTH_STEP : -WIDTH_STEP);
    col.style.width = `${Math.max(40, Math.round(width))}px`;
    fitTable(table);
    rememberWidth(at.dataset.f, col);
  });
  document.addEventListener("DOMContentLoaded", applyWidths);
  document.addEventListener("htmx:afterSettle", (e) => { if (e.target.id === "grid-area") applyWidths(); });

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
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
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
