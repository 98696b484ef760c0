// valuegrad's exploration widget (anywidget front-end): sliders, a drawing, a node's explanation.
// Everything it shows comes from the Python session through the model's traits; it fetches
// nothing.  User text is only ever set as textContent, never parsed as HTML.

const LEGIBLE = 0.7; // the drawing never shrinks below this share of its natural size

function make(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function table(header, rows) {
  const t = make("table", "vg-table");
  const head = t.createTHead().insertRow();
  for (const h of header) head.appendChild(make("th", "", h));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.appendChild(make("td", "", cell));
  }
  return t;
}

function render({ model, el }) {
  const root = make("div", "vg-explore");
  const top = make("div", "vg-top");
  const summary = make("span", "vg-summary");
  const error = make("span", "vg-error");
  top.append(summary);
  let lrInput = null;
  if (model.get("can_step")) {
    const stepBox = make("span", "vg-stepbox");
    const lrLabel = make("label", "", "learning rate ");
    lrInput = make("input", "vg-lr");
    lrInput.type = "number";
    lrInput.step = "any";
    lrInput.min = "0";
    lrInput.value = String(model.get("lr"));
    lrLabel.appendChild(lrInput);
    const button = make("button", "vg-step", "step");
    button.title = "one gradient-descent update: every weight -= learning rate × its gradient";
    button.addEventListener("click", () => {
      const rate = Number(lrInput.value);
      if (lrInput.value.trim() === "" || !Number.isFinite(rate) || !(rate > 0)) {
        error.textContent = "the learning rate must be a positive number";
        return;
      }
      model.set("lr", rate);
      model.save_changes();
      model.send({ kind: "step" });
    });
    stepBox.append(lrLabel, button);
    top.append(stepBox);
  }
  top.append(error);

  // One row per knob: its name, a range slider and a box for typing an exact number.
  const knobs = make("div", "vg-knobs");
  const controls = {};
  function send(key, value) {
    const values = Object.assign({}, model.get("values"));
    values[key] = value;
    model.set("values", values);
    model.save_changes();
  }
  for (const k of model.get("knobs")) {
    const row = make("div", "vg-knob vg-" + k.kind);
    const label = make("label", "vg-name", k.name);
    label.title = k.name + " (" + k.kind + ")";
    const range = make("input", "vg-range");
    range.type = "range";
    range.min = String(k.low);
    range.max = String(k.high);
    range.step = String(k.step);
    range.value = String(k.value);
    range.dataset.key = k.key;
    range.setAttribute("aria-label", k.name);
    const box = make("input", "vg-value");
    box.type = "number";
    box.step = "any";
    box.value = String(k.value);
    box.dataset.key = k.key;
    box.setAttribute("aria-label", k.name + " value");
    range.addEventListener("input", () => {
      const v = range.valueAsNumber;
      box.value = String(v);
      send(k.key, v);
    });
    box.addEventListener("change", () => {
      const v = Number(box.value);
      if (!Number.isFinite(v) || box.value.trim() === "") return;
      range.value = String(v);
      send(k.key, v);
    });
    controls[k.key] = [range, box];
    row.append(label, range, box);
    knobs.append(row);
  }

  const drawing = make("div", "vg-drawing");
  const doc = new DOMParser().parseFromString(model.get("svg"), "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  const natural = parseFloat(svg.getAttribute("data-natural-width") || "0") * 4 / 3;
  if (natural > 0) svg.style.minWidth = Math.round(natural * LEGIBLE) + "px";
  drawing.appendChild(svg);
  const hint = make("div", "vg-hint", "click a box for its rows of the backward pass and its chain-rule paths");
  const detail = make("div", "vg-detail");
  const stepLog = make("div", "vg-steplog");
  root.append(top, knobs, drawing, hint, detail, stepLog);
  el.appendChild(root);

  // Each updatable text keeps the width its box was drawn for; a longer number is squeezed.
  const texts = Array.from(svg.querySelectorAll("[data-vg-text]"));
  for (const t of texts) t.dataset.vgSized = t.textContent;
  let measured = false;
  function measure() {
    if (measured || !svg.isConnected) return measured;
    const rooms = [];
    for (const t of texts) {
      const shown = t.textContent;
      t.textContent = t.dataset.vgSized;
      rooms.push(t.getComputedTextLength());
      t.textContent = shown;
    }
    if (texts.length && !(rooms[0] > 0)) return false; // not laid out yet
    texts.forEach((t, i) => {
      t.dataset.vgRoom = String(rooms[i]);
      // Graphviz starts a table label's lines where the drawn text was centred: keep the
      // centre instead, so a shorter or longer number stays in the middle of its line.
      const anchor = t.getAttribute("text-anchor") || "start";
      if (anchor !== "middle") {
        const x = parseFloat(t.getAttribute("x") || "0");
        t.setAttribute("x", String(anchor === "end" ? x - rooms[i] / 2 : x + rooms[i] / 2));
        t.setAttribute("text-anchor", "middle");
      }
    });
    measured = true;
    return true;
  }
  function squeeze(t) {
    t.removeAttribute("textLength");
    t.removeAttribute("lengthAdjust");
    const room = Number(t.dataset.vgRoom || 0);
    if (room > 0 && t.getComputedTextLength() > room) {
      t.setAttribute("textLength", String(room));
      t.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  }
  function showTexts() {
    const now = model.get("texts");
    const ready = measure();
    for (const t of texts) {
      const text = now[t.dataset.vgText];
      if (text !== undefined) t.textContent = text;
      if (ready) squeeze(t);
    }
    if (!ready) requestAnimationFrame(showTexts);
  }
  function showValues() {
    const values = model.get("values");
    for (const key of Object.keys(controls)) {
      const [range, box] = controls[key];
      if (!(key in values)) continue;
      if (range.valueAsNumber !== values[key]) range.value = String(values[key]);
      if (document.activeElement !== box) box.value = String(values[key]);
    }
  }
  function showSummary() { summary.textContent = model.get("summary"); }
  function showError() { error.textContent = model.get("error"); }
  function showDetail() {
    const d = model.get("detail");
    detail.replaceChildren();
    for (const g of svg.querySelectorAll(".vg-selected")) g.classList.remove("vg-selected");
    const key = model.get("selected");
    if (key) {
      for (const g of svg.querySelectorAll("[data-vg-node]")) {
        if (g.dataset.vgNode === key) g.classList.add("vg-selected");
      }
    }
    if (!d || !d.title) return;
    detail.appendChild(make("div", "vg-title", d.title));
    if (d.rows && d.rows.length) {
      const wrap = make("div", "vg-scroll");
      wrap.appendChild(table(d.header, d.rows));
      detail.appendChild(wrap);
    } else if (d.note) {
      detail.appendChild(make("div", "", d.note));
    }
    if (d.paths && d.paths.length) detail.appendChild(make("pre", "vg-paths", d.paths.join("\n")));
  }
  function showStepLog() {
    const log = model.get("step_log");
    stepLog.replaceChildren();
    if (!log || !log.title) return;
    stepLog.appendChild(make("div", "vg-title", log.title));
    const wrap = make("div", "vg-scroll");
    wrap.appendChild(table(log.header, log.rows));
    stepLog.appendChild(wrap);
  }
  svg.addEventListener("click", (event) => {
    const g = event.target.closest("[data-vg-node]");
    if (!g) return;
    model.set("selected", g.dataset.vgNode);
    model.save_changes();
  });

  const handlers = {
    "change:texts": showTexts, "change:values": showValues, "change:summary": showSummary,
    "change:error": showError, "change:detail": showDetail, "change:selected": showDetail,
    "change:step_log": showStepLog,
  };
  for (const [name, fn] of Object.entries(handlers)) model.on(name, fn);
  showTexts(); showSummary(); showError(); showDetail(); showStepLog();
  return () => { for (const [name, fn] of Object.entries(handlers)) model.off(name, fn); };
}

export default { render };
