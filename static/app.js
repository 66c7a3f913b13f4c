// Grid behaviour: activate, edit, save and cancel cells. Everything else is htmx and HTML.
// No inline scripts: the page's Content-Security-Policy forbids them.
(function () {
  "use strict";

  const editUrl = (td) => cellUrl(td) + "/edit";
  function cellUrl(td) {
    const tr = td.closest("tr[data-id]");
    return `/programs/${tr.dataset.id}/cells/${td.dataset.f}`;
  }
  const isCell = (el) => el && el.matches && el.matches("tr[data-id] > [data-f]");
  let active = null; // the focused cell: {id, f}

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
    active = { id: td.closest("tr").dataset.id, f: td.dataset.f };
    if (focus) {
      td.focus({ preventScroll: true });
      td.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  function startEdit(td) {
    if (!td || td.classList.contains("editing")) return;
    activate(td);
    htmx.ajax("GET", editUrl(td), { target: td, swap: "outerHTML" });
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

  // Neighbouring cell for arrow keys.
  function neighbour(td, dRow, dCol) {
    const tr = td.closest("tr");
    if (dCol) {
      let next = dCol > 0 ? td.nextElementSibling : td.previousElementSibling;
      return next && next.dataset.f ? next : null;
    }
    const row = dRow > 0 ? tr.nextElementSibling : tr.previousElementSibling;
    return row ? row.querySelector(`[data-f="${td.dataset.f}"]`) : null;
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

  document.addEventListener("keydown", (e) => {
    const form = e.target.closest && e.target.closest("form.editor");
    if (form) {
      if (e.key === "Escape") {
        e.preventDefault();
        cancelEdit(form);
      } else if (e.key === "Enter" && !(e.target.tagName === "TEXTAREA" && e.shiftKey)) {
        e.preventDefault();
        save(form);
      }
      return;
    }
    const grid = e.target.closest && e.target.closest("table.grid");
    if (!grid) return;
    if (e.target === grid) {
      // Tabbing into the table lands on the last active cell (or the first one).
      const first = cellFor(active) || grid.querySelector("tbody [data-f]");
      if (first && ["Enter", "ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(e.key)) {
        e.preventDefault();
        activate(first);
      }
      return;
    }
    if (!isCell(e.target)) return;
    const td = e.target;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) {
      e.preventDefault();
      activate(neighbour(td, ...moves[e.key]) || td);
    } else if (e.key === "Enter" || e.key === "F2") {
      e.preventDefault();
      startEdit(td);
    }
  });

  // Leaving an editor saves it (or cancels, if nothing changed).
  document.addEventListener("focusout", (e) => {
    const form = e.target.closest && e.target.closest("form.editor");
    if (!form || (e.relatedTarget && form.contains(e.relatedTarget))) return;
    setTimeout(() => { if (form.isConnected) save(form, { leaving: true }); }, 0);
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
  });

  // After a swap: a new editor takes the focus; a cell that was saved or cancelled gets it
  // back if it is still the active cell and nothing else has the focus.
  document.addEventListener("htmx:afterSettle", (e) => {
    const el = e.target;
    if (!isCell(el)) return;
    const input = el.querySelector("form.editor input:not([type=hidden]), form.editor select, form.editor textarea");
    if (input) {
      input.focus();
      if (input.select && input.type !== "checkbox") input.select();
      return;
    }
    const focus = document.activeElement;
    if (cellFor(active) === el && (!focus || focus === document.body)) activate(el);
  });

  // The "Add a program" box empties itself after a successful add.
  document.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.elt;
    if (form.matches && form.matches("form.add") && e.detail.successful) {
      form.reset();
      const count = document.querySelector("h1 .count");
      if (count) count.textContent = document.querySelectorAll("#rows > tr").length;
    }
  });
})();
