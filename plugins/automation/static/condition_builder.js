/* Condition row builder over a JSON textarea (no dependencies).
 *
 * Markup comes from the Jinja macro automation/condition_builder.html:
 *   <div data-condition-builder data-target="<textarea id>" data-vocabulary="<script id>"
 *        data-errors="<script id>" data-prefix="<error path prefix>">
 * The vocabulary (from the server, labels translated) is
 *   {blocks: [{key: "event"|null, label, fields: [{name, label, type, ops, options:
 *    [{value, label}], open, family}]}], operators: {op: label}, no_value: [...],
 *    list_ops: [...], labels: {...}}
 * A block with key null is the whole JSON ({match, conditions}); otherwise the JSON is an
 * object with one such view per block key. The textarea stays the source of truth: the rows
 * write it on every change, whatever the rows cannot show stays editable there, and the
 * server validates either way. Errors by path ("conditions.ticket.conditions[0].op") are
 * shown under the row they name.
 */
(function () {
  "use strict";
  var NUMERIC = ["number", "id", "user", "department"];

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c != null) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function choice(pairs, value, cls, multiple) {
    var s = el("select", {"class": "form-control input-sm " + cls});
    var chosen = [].concat(value == null ? [] : value).map(String);
    if (multiple) { s.multiple = true; s.size = Math.min(Math.max(pairs.length, 2), 6); }
    pairs.forEach(function (p) {
      var o = el("option", {value: p[0]}, [p[1]]);
      if (multiple ? chosen.indexOf(p[0]) >= 0 : String(value) === p[0]) o.selected = true;
      s.appendChild(o);
    });
    return s;
  }

  function Builder(root) {
    this.root = root;
    this.vocab = JSON.parse(document.getElementById(root.dataset.vocabulary).textContent);
    var errEl = document.getElementById(root.dataset.errors);
    this.errors = errEl ? JSON.parse(errEl.textContent) : {};
    this.prefix = root.dataset.prefix || "";
    this.box = document.getElementById(root.dataset.target);
    this.blocksEl = root.querySelector(".cb-blocks");
    this.note = root.querySelector(".cb-note");
    this.advanced = root.querySelector(".cb-advanced");
    this.L = this.vocab.labels || {};
    var self = this;
    this.box.addEventListener("input", function () { self.errors = {}; self.render(); });
    this.render();
  }

  Builder.prototype.fieldOf = function (block, name) {
    var found = null;
    block.fields.forEach(function (f) {
      /* a family ("param.") takes any name after its prefix, even none yet (a new row) */
      if (f.family ? name.indexOf(f.name) === 0 : f.name === name) found = found || f;
    });
    return found;
  };

  Builder.prototype.fits = function (block, c) {
    if (!c || typeof c !== "object" || typeof c.field !== "string") return false;
    var f = this.fieldOf(block, c.field);
    if (!f || f.ops.indexOf(c.op) < 0) return false;
    if (f.open || !f.options.length || c.value == null || c.op === "contains" || c.op === "within_last_hours") return true;
    var known = f.options.map(function (o) { return o.value; });
    return [].concat(c.value).every(function (v) { return known.indexOf(String(v)) >= 0; });
  };

  Builder.prototype.views = function (data) {
    /* [view per block] from the JSON, or null when the rows cannot show it faithfully */
    var blocks = this.vocab.blocks, self = this;
    if (!data || typeof data !== "object" || Array.isArray(data)) return null;
    if (blocks.length === 1 && blocks[0].key === null) data = {"": data};
    var keys = blocks.map(function (b) { return b.key === null ? "" : b.key; });
    if (Object.keys(data).some(function (k) { return keys.indexOf(k) < 0; })) return null;
    var out = [];
    for (var i = 0; i < blocks.length; i++) {
      var view = data[keys[i]] || {match: "all", conditions: []};
      if (typeof view !== "object" || Array.isArray(view)) return null;
      if (Object.keys(view).some(function (k) { return k !== "match" && k !== "conditions"; })) return null;
      if (view.match !== undefined && view.match !== "all" && view.match !== "any") return null;
      var conds = view.conditions || [];
      if (!Array.isArray(conds) || !conds.every(function (c) { return self.fits(blocks[i], c); })) return null;
      out.push({match: view.match || "all", conditions: conds});
    }
    return out;
  };

  Builder.prototype.render = function () {
    var data, text = this.box.value.trim();
    try { data = text ? JSON.parse(text) : {}; } catch (e) { return this.off(this.L.bad_json); }
    var views = this.views(data);
    if (!views) return this.off(this.L.unshowable);
    this.note.style.display = "none";
    this.blocksEl.style.display = "";
    this.blocksEl.innerHTML = "";
    var self = this;
    this.vocab.blocks.forEach(function (block, i) { self.blocksEl.appendChild(self.blockEl(block, views[i])); });
  };

  Builder.prototype.off = function (message) {
    this.blocksEl.style.display = "none";
    this.note.textContent = message || "";
    this.note.style.display = "";
    this.advanced.open = true;
  };

  Builder.prototype.path = function (block) {
    return [this.prefix, block.key].filter(function (x) { return x; }).join(".");
  };

  Builder.prototype.errorEl = function (path, exact) {
    var self = this, found = [];
    Object.keys(this.errors).forEach(function (k) {
      if (k === path || (!exact && k.indexOf(path + ".") === 0)) found.push(self.errors[k]);
    });
    if (!found.length) return null;
    return el("span", {"class": "help-block text-danger cb-error", "data-path": path}, [found.join(" ")]);
  };

  Builder.prototype.blockEl = function (block, view) {
    var self = this, base = this.path(block);
    var match = choice([["all", this.L.all], ["any", this.L.any]], view.match, "cb-match");
    var rows = el("div", {"class": "cb-rows"});
    var add = el("button", {type: "button", "class": "btn btn-default btn-xs cb-add"},
      [el("i", {"class": "fa fa-plus"}), " " + this.L.add]);
    var wrap = el("div", {"class": "well well-sm cb-block", "data-block": block.key || ""}, [
      el("div", {"class": "form-inline", style: "margin-bottom:6px"}, [
        el("strong", {}, [block.label]), " ", match]),
      this.errorEl(base + ".match", true), this.errorEl(base, true), rows, add]);
    view.conditions.forEach(function (c, i) { rows.appendChild(self.rowEl(block, c, base + ".conditions[" + i + "]")); });
    if (!view.conditions.length) rows.appendChild(el("p", {"class": "text-muted small cb-empty"}, [this.L.none]));
    match.onchange = function () { self.write(); };
    add.onclick = function () {
      var empty = rows.querySelector(".cb-empty");
      if (empty) rows.removeChild(empty);
      rows.appendChild(self.rowEl(block, {field: block.fields[0].name}, null));
      self.write();
    };
    return wrap;
  };

  Builder.prototype.rowEl = function (block, c, path) {
    var self = this, f = this.fieldOf(block, c.field) || block.fields[0];
    var op = f.ops.indexOf(c.op) >= 0 ? c.op : f.ops[0];
    var fieldSel = choice(block.fields.map(function (x) { return [x.name, x.label]; }), f.name, "cb-field");
    var row = el("div", {"class": "form-inline cb-row", style: "margin-bottom:4px"}, [fieldSel, " "]);
    var nameInput = null;
    if (f.family) {
      nameInput = el("input", {"class": "form-control input-sm cb-name", placeholder: this.L.name,
        value: c.field && c.field.indexOf(f.name) === 0 ? c.field.slice(f.name.length) : ""});
      row.appendChild(nameInput);
      row.appendChild(document.createTextNode(" "));
    }
    var ops = this.vocab.operators;
    var opSel = choice(f.ops.map(function (o) { return [o, ops[o] || o]; }), op, "cb-op");
    row.appendChild(opSel);
    row.appendChild(document.createTextNode(" "));
    var value = this.valueEl(f, op, c.value);
    if (value) row.appendChild(value);
    var remove = el("button", {type: "button", "class": "btn btn-link btn-xs cb-remove", title: this.L.remove}, ["✕"]);
    row.appendChild(remove);
    row.cbField = f;
    if (path) {
      var err = this.errorEl(path);
      if (err) { row.appendChild(err); row.className += " has-error"; }
    }
    fieldSel.onchange = function () {
      row.parentNode.replaceChild(self.rowEl(block, {field: fieldSel.value}, null), row);
      self.write();
    };
    opSel.onchange = function () {
      var lists = self.vocab.list_ops, same = (lists.indexOf(op) >= 0) === (lists.indexOf(opSel.value) >= 0);
      var item = {field: self.rowField(row), op: opSel.value, value: same ? self.rowValue(row) : null};
      row.parentNode.replaceChild(self.rowEl(block, item, null), row);
      self.write();
    };
    remove.onclick = function () { row.parentNode.removeChild(row); self.write(); };
    row.addEventListener("input", function (e) { if (e.target !== fieldSel) self.write(); });
    row.addEventListener("change", function (e) { if (e.target !== fieldSel && e.target !== opSel) self.write(); });
    return row;
  };

  Builder.prototype.valueEl = function (f, op, value) {
    if (this.vocab.no_value.indexOf(op) >= 0) return null;
    var many = this.vocab.list_ops.indexOf(op) >= 0, input;
    var pairs = f.options.map(function (o) { return [o.value, o.label]; });
    if (f.type === "bool") {
      input = choice([["true", this.L.yes], ["false", this.L.no]], String(value === false ? false : true), "");
    } else if (pairs.length && !f.open && op !== "contains" && op !== "within_last_hours") {
      input = choice(pairs, value, "", many);
    } else {
      var shown = Array.isArray(value) ? value.join(", ") : (value == null ? "" : String(value));
      input = el("input", {"class": "form-control input-sm", value: shown,
        type: op === "within_last_hours" ? "number" : "text"});
      if (many) input.setAttribute("title", this.L.list_hint);
      if (pairs.length && f.open) {
        var id = "cb-list-" + Math.random().toString(36).slice(2);
        var list = el("datalist", {id: id}, pairs.map(function (p) { return el("option", {value: p[0]}, [p[1]]); }));
        input.setAttribute("list", id);
        var span = el("span", {"class": "cb-value-wrap"}, [input, list]);
        input.className += " cb-value";
        return span;
      }
    }
    input.className += " cb-value";
    return input;
  };

  Builder.prototype.rowField = function (row) {
    var name = row.querySelector(".cb-field").value, n = row.querySelector(".cb-name");
    return n ? name + n.value.trim() : name;
  };

  Builder.prototype.typed = function (f, op, raw) {
    raw = String(raw).trim();
    var numeric = NUMERIC.indexOf(f.type) >= 0 || op === "within_last_hours";
    return numeric && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  };

  Builder.prototype.rowValue = function (row) {
    var f = row.cbField, op = row.querySelector(".cb-op").value, v = row.querySelector(".cb-value");
    var self = this, many = this.vocab.list_ops.indexOf(op) >= 0;
    if (!v) return undefined;
    if (f.type === "bool") return v.value === "true";
    if (v.multiple) {
      return Array.prototype.filter.call(v.options, function (o) { return o.selected; })
        .map(function (o) { return self.typed(f, op, o.value); });
    }
    if (many) {
      return v.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean)
        .map(function (x) { return self.typed(f, op, x); });
    }
    return this.typed(f, op, v.value);
  };

  Builder.prototype.write = function () {
    /* rows → JSON in the textarea (the form posts the textarea) */
    var self = this, out = {};
    Array.prototype.forEach.call(this.blocksEl.querySelectorAll(".cb-block"), function (b, i) {
      var block = self.vocab.blocks[i], conditions = [];
      Array.prototype.forEach.call(b.querySelectorAll(".cb-row"), function (row) {
        var item = {field: self.rowField(row), op: row.querySelector(".cb-op").value};
        var value = self.rowValue(row);
        if (value !== undefined) item.value = value;
        conditions.push(item);
      });
      var view = {match: b.querySelector(".cb-match").value, conditions: conditions};
      if (block.key === null) out = view; else out[block.key] = view;
    });
    this.box.value = JSON.stringify(out, null, 2);
    Array.prototype.forEach.call(this.root.querySelectorAll(".cb-error"), function (e) { e.parentNode.removeChild(e); });
    this.errors = {};
  };

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-condition-builder]"), function (root) {
      if (!root.cbBuilder) root.cbBuilder = new Builder(root);
    });
  }
  window.ConditionBuilder = {mount: function (root) { root.cbBuilder = root.cbBuilder || new Builder(root); return root.cbBuilder; }, mountAll: mountAll};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll); else mountAll();
})();
