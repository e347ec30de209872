package localstack_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/topsmile/topsmile/"

// groups are the resource groups; a function links only those it serves.
var groups = []string{"shared/identity", "shared/patients", "shared/scheduling", "shared/clinical", "shared/billing"}

// linkRules says, per function folder, which groups it may link and what
// else it must not: each binary carries only what its routes need.
var linkRules = map[string]struct {
	groups []string
	never  []string
}{
	"health":        {never: []string{module + "shared/authz", module + "shared/audit", module + "shared/notify"}},
	"notifications": {never: []string{module + "shared/authz", module + "shared/audit", module + "shared/webhooks"}}, // the reminders send webhooks
	"auth":          {groups: []string{"shared/identity", "shared/patients"}},
	// admin: users, clinic, audit; the messages' retry (the queue) and the
	// inbox (patients' names); the reports read appointments and working
	// hours (scheduling), completed procedures' charges (clinical's plans)
	// and ledgers' aging (billing's core and receivables). The FHIR export
	// reads the whole record through each package's own read: the chart,
	// prescriptions (notes), documents' metadata (without the object store),
	// consent forms (consents/forms, not consents with its PDF writer) and
	// insurance policies — so those are linked, and still nothing that
	// takes cards, posts to the ledger, prints PDFs, presigns S3 or talks
	// to Stripe.
	"admin": {groups: []string{"shared/identity", "shared/patients", "shared/scheduling", "shared/clinical", "shared/billing"},
		never: []string{module + "shared/billing/cards", module + "shared/billing/ledger",
			"github.com/stripe/stripe-go", "github.com/go-pdf/fpdf", "github.com/aws/aws-sdk-go-v2/service/s3"}},
	// Twilio's replies confirm visits (scheduling) of patients found by
	// number, at the clinic owning the number (identity).
	"twiliowebhook": {groups: []string{"shared/identity", "shared/patients", "shared/scheduling"},
		never: []string{module + "shared/billing", module + "shared/clinical"}},
	// reminders also sends the webhooks' deliveries (shared/webhooks), never
	// their admin routes.
	"reminders": {groups: []string{"shared/identity", "shared/patients", "shared/scheduling"},
		never: []string{module + "shared/billing", module + "shared/clinical", "github.com/go-pdf/fpdf", module + "shared/webhooks/webhookroutes"}},
	// realtime: the guard and the fan-out, no group, no SQS client (it is
	// handed the queue's batches).
	"realtime":   {never: []string{"github.com/aws/aws-sdk-go-v2/service/sqs", "github.com/coder/websocket"}},
	"patients":   {groups: []string{"shared/patients", "shared/scheduling", "shared/identity"}, never: []string{"github.com/aws/aws-sdk-go-v2/service/sqs"}},
	"scheduling": {groups: []string{"shared/scheduling", "shared/identity", "shared/patients"}},
	"clinical":   {groups: []string{"shared/clinical", "shared/patients", "shared/identity"}, never: []string{"github.com/aws/aws-sdk-go-v2/service/sqs", module + "shared/billing"}},
	// billing reads treatment plans, the fee schedule and completed items'
	// charges from clinical's plans (nothing else of clinical: no chart,
	// notes or documents).
	"billing": {groups: []string{"shared/billing", "shared/clinical", "shared/patients", "shared/identity"},
		never: []string{"github.com/aws/aws-sdk-go-v2/service/sqs", "github.com/aws/aws-sdk-go-v2/service/s3",
			module + "shared/clinical/chart", module + "shared/clinical/notes", module + "shared/clinical/documents", module + "shared/clinical/consents"}},
	// The webhook posts to the ledger: no insurance, no clinical.
	"stripewebhook": {groups: []string{"shared/billing", "shared/patients", "shared/identity"},
		never: []string{"github.com/aws/aws-sdk-go-v2/service/sqs", module + "shared/billing/insurance", module + "shared/billing/estimate"}},
}

// Never in any Lambda: the local stack's stand-ins and test tooling.
var neverInLambda = []string{
	"github.com/johannesboyne/gofakes3",
	module + "infra/", "github.com/FerretDB/", "github.com/alicebob/miniredis", "github.com/awslabs/goformation",
	"testing", module + "shared/store/storetest", module + "shared/clinical/clinicaltest",
	module + "shared/billing/billingtest", module + "shared/billing/cards/cardstest", "github.com/stripe/stripe-mock",
}

// Each function's binary (as SAM builds it) links only the groups it serves
// and none of the local stack's or the tests' packages; and every function
// folder has a rule, so a new function must say what it links.
func TestFunctionsLinkOnlyWhatTheyServe(t *testing.T) {
	root := repoRoot(t)
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); err != nil {
			continue // not a function (functions/wire: the adapters)
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rule, ok := linkRules[name]
			if !ok {
				t.Fatalf("functions/%s has no entry in linkRules: say which groups it may link", name)
			}
			cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "-f", "{{.ImportPath}}", "./functions/"+name)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			has := func(prefix string) []string {
				var hits []string
				for _, d := range deps {
					if d == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(d, prefix) && (strings.HasSuffix(prefix, "/") || strings.HasPrefix(d, prefix+"/")) {
						hits = append(hits, d)
					}
				}
				return hits
			}
			for _, g := range groups {
				linked := len(has(module+g)) > 0
				if linked && !slices.Contains(rule.groups, g) {
					t.Errorf("%s links %s, which it does not serve", name, g)
				}
				if !linked && slices.Contains(rule.groups, g) {
					t.Errorf("%s does not link %s: the rule is stale", name, g)
				}
			}
			for _, p := range append(slices.Clone(neverInLambda), rule.never...) {
				if hits := has(p); len(hits) > 0 {
					t.Errorf("%s links %v", name, hits)
				}
			}
		})
	}
}
