// The API docs page: reads /openapi.json and lists its operations by tag, each with its
// parameters, body and answers. Plain DOM code, no framework, nothing from elsewhere.

const methods = ["get", "post", "patch", "delete", "put"];

/** Loads the document and renders it, or says why it could not. */
async function showDocs() {
  const main = document.querySelector("[data-testid=operations]");
  try {
    const answer = await fetch("/openapi.json", { headers: { accept: "application/json" } });
    if (!answer.ok) throw new Error(`GET /openapi.json answered ${answer.status}`);
    renderDocument(await answer.json(), main);
  } catch (err) {
    const alert = document.querySelector("[data-testid=error]");
    alert.textContent = `The API document could not be loaded: ${err.message}`;
    alert.hidden = false;
    main.textContent = "";
  } finally {
    main.setAttribute("aria-busy", "false");
  }
}

/** Fills the page: title, table of contents, then one section per tag. */
function renderDocument(api, main) {
  document.querySelector("[data-testid=title]").textContent = api.info.title;
  document.querySelector("[data-testid=version]").textContent = `version ${api.info.version}`;
  const groups = operationsByTag(api);
  main.replaceChildren(...api.tags.map((tag) => tagSection(api, tag, groups.get(tag.name) ?? [])));
  const list = element("ul");
  for (const tag of api.tags) {
    const link = element("a", tag.name);
    link.href = `#tag-${tag.name}`;
    list.append(element("li", link));
  }
  document.querySelector("[data-testid=toc]").replaceChildren(list);
}

/** Every operation, as `{ method, path, operation }`, grouped by its first tag. */
function operationsByTag(api) {
  const groups = new Map();
  for (const [path, item] of Object.entries(api.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? "other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push({ method, path, operation });
    }
  }
  return groups;
}

function tagSection(api, tag, entries) {
  const section = element("section");
  section.className = "tag";
  section.id = `tag-${tag.name}`;
  section.append(element("h2", tag.name), element("p", tag.description ?? ""));
  for (const entry of entries) section.append(operationDetails(api, entry));
  return section;
}

function operationDetails(api, { method, path, operation }) {
  const details = element("details");
  details.className = "operation";
  details.dataset.operationId = operation.operationId;
  const verb = element("span", method);
  verb.className = `method ${method}`;
  const where = element("code", path);
  where.className = "path";
  details.append(element("summary", verb, where, element("span", operation.summary ?? "")));

  const body = element("div");
  body.append(element("p", "Operation ", element("code", operation.operationId)));
  if (Array.isArray(operation.security) && operation.security.length === 0) {
    body.append(element("p", "No credentials needed."));
  }
  if (operation.parameters?.length) body.append(parameterTable(operation.parameters));
  const requestSchema = operation.requestBody?.content?.["application/json"]?.schema;
  if (requestSchema) body.append(element("h4", "Body"), schemaBlock(requestSchema));
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const resolved = resolveRef(api, response);
    const schema = resolveRef(api, resolved.content?.["application/json"]?.schema);
    body.append(element("h4", `${status}: ${resolved.description ?? ""}`));
    if (schema) body.append(schemaBlock(schema));
  }
  details.append(body);
  return details;
}

function parameterTable(parameters) {
  const table = element("table");
  table.append(element("tr", element("th", "name"), element("th", "in"), element("th", "schema")));
  for (const parameter of parameters) {
    const name = parameter.required ? `${parameter.name} (required)` : parameter.name;
    const schema = element("code", JSON.stringify(parameter.schema ?? {}));
    table.append(
      element("tr", element("td", name), element("td", parameter.in), element("td", schema)),
    );
  }
  return table;
}

function schemaBlock(schema) {
  return element("pre", JSON.stringify(schema, null, 2));
}

/** Follows a local `$ref` such as `#/components/schemas/Error`. */
function resolveRef(api, value) {
  if (!value || typeof value.$ref !== "string" || !value.$ref.startsWith("#/")) return value;
  return value.$ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node?.[key], api);
}

/** Makes an element with children (strings become text, never HTML). */
function element(name, ...children) {
  const node = document.createElement(name);
  node.append(...children);
  return node;
}

showDocs();
