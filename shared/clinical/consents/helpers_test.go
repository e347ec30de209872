package consents_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/clinical/consents"
	"github.com/topsmile/topsmile/shared/patients"
)

type template = consents.Template

// mustTemplate is a new template written by the clinic's admin.
func mustTemplate(t testing.TB, e *clinicaltest.Env, title, kind, body string) template {
	t.Helper()
	var out template
	e.Staff(t, "admin").MustJSON(t, "POST", "/api/consent-templates", map[string]any{"title": title, "kind": kind, "body": body}, 201, &out)
	return out
}

// mustSend sends template id to patient p as role, and answers the consent.
func mustSend(t testing.TB, e *clinicaltest.Env, role string, p patients.Patient, templateID string) consents.Consent {
	t.Helper()
	var out consents.Consent
	e.Staff(t, role).MustJSON(t, "POST", "/api/patients/"+p.ID+"/consents", map[string]any{"templateId": templateID}, 201, &out)
	return out
}

func sign(t testing.TB, cl *apitest.Client, id, name string) apitest.Response {
	t.Helper()
	return cl.Do(t, "POST", "/api/consents/"+id+"/sign", map[string]any{"signature": name})
}

var streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// pdfText is the page content of a PDF: every stream, inflated when it is
// compressed, joined.
func pdfText(t testing.TB, doc []byte) string {
	t.Helper()
	var out bytes.Buffer
	for _, m := range streamRe.FindAllSubmatch(doc, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("inflate a pdf stream: %v", err)
		}
		out.Write(raw)
	}
	return out.String()
}
