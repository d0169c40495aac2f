// Validates Kubernetes objects against the API's OpenAPI schemas (kubernetes-models, generated from
// them). kubernetes-models ships ES modules for `import` only, which Jest's CommonJS runtime cannot
// load, so the tests run this file with plain node: JSON array of objects on stdin, one result per
// object on stdout ({ id, errors }).
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const o of JSON.parse(input)) {
  const id = `${o.kind}/${o.metadata?.name}`;
  let Model;
  try {
    const mod = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`);
    Model = mod[o.kind];
  } catch {
    results.push({ id, errors: [`no schema for apiVersion ${o.apiVersion} kind ${o.kind}`] });
    continue;
  }
  try {
    new Model(o).validate();
    results.push({ id, errors: [] });
  } catch (e) {
    results.push({ id, errors: (e.errors ?? [{ message: e.message }]).map((x) => `${x.instancePath ?? ''} ${x.message}`.trim()) });
  }
}
process.stdout.write(JSON.stringify(results));
