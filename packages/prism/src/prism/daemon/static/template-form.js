// prism's template form: builds a draft from the form, shows its YAML and validation as you
// type (POST /api/v1/templates/preview), and saves it (POST /api/v1/templates).
"use strict";

const $ = (id) => document.getElementById(id);
const lines = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
let timer = null;
let sequence = 0;

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json();
  return { ok: response.ok, data };
}

function field(row, label, name, kind) {
  const wrapper = document.createElement("div");
  const id = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const labelNode = document.createElement("label");
  labelNode.htmlFor = id;
  labelNode.textContent = label;
  let input;
  if (kind === "type") {
    input = document.createElement("select");
    for (const value of ["string", "int", "bool", "choice", "float"]) {
      const option = document.createElement("option");
      option.value = option.textContent = value;
      input.append(option);
    }
  } else {
    input = document.createElement("input");
    if (kind === "number") input.type = "number";
  }
  input.id = id;
  input.dataset.name = name;
  input.addEventListener("input", schedule);
  wrapper.append(labelNode, input);
  row.append(wrapper);
}

function addRow(container, fields) {
  const row = document.createElement("div");
  row.className = "row";
  for (const [label, name, kind] of fields) field(row, label, name, kind);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "Remove";
  remove.addEventListener("click", () => { row.remove(); schedule(); });
  row.append(remove);
  $(container).append(row);
  schedule();
}

function rows(container) {
  return [...$(container).querySelectorAll(".row")].map((row) => {
    const values = {};
    for (const input of row.querySelectorAll("[data-name]")) values[input.dataset.name] = input.value.trim();
    return values;
  });
}

function draft() {
  const ports = lines($("ports").value).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return {
    slug: $("slug").value.trim(),
    name: $("name").value.trim(),
    description: $("description").value.trim(),
    start_from: $("start_from").value,
    connection_type: $("connection_type").value || null,
    packages: lines($("packages").value),
    pip_packages: lines($("pip_packages").value),
    ports,
    users: rows("users").filter((u) => u.name).map((u) => ({ name: u.name, groups: lines(u.groups || "") })),
    services: rows("services").filter((s) => s.name).map((s) => ({
      name: s.name,
      port: s.port ? Number(s.port) : null,
      command: s.command || null,
    })),
    parameters: rows("parameters").filter((p) => p.name).map((p) => ({
      name: p.name,
      type: p.type || "string",
      default: p.default || null,
      choices: lines(p.choices || ""),
    })),
    post_install: $("post_install").value.trim() || null,
  };
}

function showReport(report) {
  const list = $("validation");
  list.replaceChildren();
  const add = (text, kind) => {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = text;
    list.append(item);
  };
  if (report.ok) add("Valid", "ok");
  for (const e of report.errors) add(`${e.field}: ${e.problem} (fix: ${e.fix})`, "error");
  for (const w of report.warnings) add(w, "warning");
}

function showProblem(problem) {
  $("validation").replaceChildren();
  const item = document.createElement("li");
  item.className = "error";
  item.textContent = problem.detail || "The draft could not be checked.";
  $("validation").append(item);
}

async function refresh() {
  const body = draft();
  if (!body.slug) {
    $("yaml").textContent = "";
    showProblem({ detail: "Give the template a slug to see it." });
    return;
  }
  const mine = ++sequence;
  const { ok, data } = await api("/api/v1/templates/preview", body);
  if (mine !== sequence) return; // an older answer arriving after a newer one
  if (!ok) { showProblem(data); return; }
  $("yaml").textContent = data.yaml;
  showReport(data.report);
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 250);
}

async function save(event) {
  event.preventDefault();
  const { ok, data } = await api("/api/v1/templates", { ...draft(), force: $("force").checked });
  const saved = $("saved");
  saved.className = ok ? "ok" : "error";
  saved.textContent = ok
    ? `Saved ${data.template.slug} to ${data.template.path}`
    : `Not saved: ${data.detail}`;
  if (ok) refresh();
}

async function start() {
  const { data } = await api("/api/v1/templates/form");
  const from = $("start_from");
  const group = (label, items) => {
    const node = document.createElement("optgroup");
    node.label = label;
    for (const [value, text] of items) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      node.append(option);
    }
    from.append(node);
  };
  group("Base systems", data.bases.map((b) => [b, b]));
  group("Templates", data.templates.map((t) => [t.slug, `${t.name} (${t.slug})`]));
  from.value = data.bases.includes("ubuntu-24.04") ? "ubuntu-24.04" : data.bases[0];
  for (const type of data.connection_types) {
    const option = document.createElement("option");
    option.value = option.textContent = type;
    $("connection_type").append(option);
  }
  $("form").addEventListener("input", schedule);
  $("form").addEventListener("change", schedule);
  $("form").addEventListener("submit", save);
  $("add-user").addEventListener("click", () => addRow("users", [["User name", "name"], ["Groups", "groups"]]));
  $("add-service").addEventListener("click", () => addRow("services", [["Service name", "name"], ["Service port", "port", "number"], ["Service command", "command"]]));
  $("add-parameter").addEventListener("click", () => addRow("parameters", [["Parameter name", "name"], ["Parameter type", "type", "type"], ["Parameter default", "default"], ["Parameter choices", "choices"]]));
  refresh();
}

start();
