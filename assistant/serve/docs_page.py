"""The API's page to read and try it (/v1/docs), whole in one response: no script, style,
font or icon from anywhere else.

FastAPI's own page loads Swagger UI from a CDN and its favicon from fastapi.tiangolo.com:
a page of ours reaching the internet breaks "nothing leaves the machine", and on an
air-gapped machine it is blank. This one reads /v1/openapi.json from the server it came
from and lists each route with a form that sends the request there; its
Content-Security-Policy lets the browser fetch nothing from anywhere else either.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

# Nothing but this page's own inline code, and requests to the server it came from.
POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>local-doc-assistant API</title>
<link rel="icon" href="data:,">
<style>
body { font: 15px/1.45 system-ui, sans-serif; color: #222; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin: 0; }
details { border: 1px solid #ccc; border-radius: 6px; margin: .6rem 0; padding: .5rem .8rem; }
summary { cursor: pointer; } .method { display: inline-block; min-width: 4.5rem; font-weight: 700; }
textarea { width: 100%; min-height: 7rem; font: 13px monospace; }
pre { background: #f4f4f4; padding: .6rem; overflow: auto; white-space: pre-wrap; }
label { display: block; margin: .3rem 0; } input[type=text] { width: 28rem; max-width: 100%; }
.note { color: #555; }
</style>
</head>
<body>
<h1>local-doc-assistant API</h1>
<p class="note">The routes of this server, from <a href="/v1/openapi.json">/v1/openapi.json</a>.
Each form sends its request to this server only.</p>
<label>Token (only if the server has one): <input type="text" id="token" autocomplete="off"></label>
<div id="routes">loading /v1/openapi.json ...</div>
<script>
"use strict";
let schema = null;

function resolve(node) {
  while (node && node.$ref) {
    node = node.$ref.split("/").slice(1).reduce((at, key) => at[key], schema);
  }
  return node || {};
}

function example(node) {
  node = resolve(node);
  if (node.default !== undefined) return node.default;
  if (node.anyOf) return example(node.anyOf.find(n => n.type !== "null") || {});
  if (node.enum) return node.enum[0];
  switch (node.type) {
    case "object": {
      const out = {};
      for (const name of node.required || []) out[name] = example(node.properties[name]);
      return out;
    }
    case "array": return node.items ? [example(node.items)] : [];
    case "integer": case "number": return 1;
    case "boolean": return false;
    case "string": return "";
    default: return null;
  }
}

function element(tag, attrs, ...children) {
  const el = document.createElement(tag);
  Object.assign(el, attrs || {});
  for (const child of children) el.append(child);
  return el;
}

function operation(path, method, op) {
  const box = element("details");
  box.append(element("summary", {},
    element("span", {className: "method", textContent: method.toUpperCase()}),
    element("code", {textContent: path}), " ", op.summary || ""));
  if (op.description) box.append(element("p", {className: "note", textContent: op.description}));
  const params = (op.parameters || []).map(p => {
    const input = element("input", {type: "text", name: p.name});
    box.append(element("label", {}, p.name + (p.required ? " (required) " : " "), input));
    return input;
  });
  const content = op.requestBody && op.requestBody.content["application/json"];
  let body = null;
  if (content) {
    body = element("textarea", {value: JSON.stringify(example(content.schema), null, 2)});
    box.append(body);
  }
  const out = element("pre");
  const send = element("button", {textContent: "Send", type: "button"});
  send.addEventListener("click", async () => {
    const query = new URLSearchParams();
    for (const input of params) if (input.value) query.append(input.name, input.value);
    const headers = {};
    const token = document.getElementById("token").value.trim();
    if (token) headers.authorization = "Bearer " + token;
    if (body) headers["content-type"] = "application/json";
    out.textContent = "...";
    try {
      const url = path + (query.toString() ? "?" + query : "");
      const sent = {method: method.toUpperCase(), headers, body: body ? body.value : undefined};
      const answer = await fetch(url, sent);
      out.textContent = answer.status + " " + answer.statusText + "\\n\\n" + await answer.text();
    } catch (error) {
      out.textContent = String(error);
    }
  });
  box.append(send, out);
  return box;
}

fetch("/v1/openapi.json").then(r => r.json()).then(loaded => {
  schema = loaded;
  const list = document.getElementById("routes");
  list.textContent = "";
  const summary = schema.info && schema.info.summary;
  if (summary) list.append(element("p", {textContent: summary}));
  for (const [path, ops] of Object.entries(schema.paths)) {
    for (const [method, op] of Object.entries(ops)) list.append(operation(path, method, op));
  }
}).catch(error => {
  document.getElementById("routes").textContent = "could not read /v1/openapi.json: " + error;
});
</script>
</body>
</html>
"""


def docs_page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"content-security-policy": POLICY})
