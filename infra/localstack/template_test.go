package localstack_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"
	"gopkg.in/yaml.v3"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func repoRoot(tb testing.TB) string {
	tb.Helper()
	wd, _ := os.Getwd()
	p, err := localstack.FindTemplate(wd)
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Dir(p)
}

func loadTemplate(tb testing.TB) *localstack.Template {
	tb.Helper()
	tpl, err := localstack.LoadTemplate(filepath.Join(repoRoot(tb), "template.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	return tpl
}

func newDeps(tb testing.TB) localstack.Deps {
	tb.Helper()
	env := storetest.NewFunctionEnv(tb)
	return localstack.Deps{
		Env:       env.Lookup,
		Log:       httpapi.NewLogger(io.Discard, nil),
		Mongo:     env.Mongo(tb),
		Redis:     storetest.NewRedis(tb),
		Outbox:    notify.NewOutbox(10),
		Clock:     clock.Real{},
		Publisher: validatingPublisher{},
		AppURL:    env["APP_URL"],
	}
}

// validatingPublisher accepts well-formed messages and drops them.
type validatingPublisher struct{}

func (validatingPublisher) Publish(_ context.Context, m notify.Message) error { return m.Validate() }

// samplePath fills a template path's parameters with plausible values.
func samplePath(p string) string {
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(p, "0123456789abcdef01234567")
}

// Every route in template.yaml is served by its function's handler (the
// function's own mux has a pattern for it), and every pattern a function
// serves is in the template, for that function.
func TestTemplateRoutesMatchHandlers(t *testing.T) {
	tpl := loadTemplate(t)
	stack, err := localstack.Build(tpl, newDeps(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Routes) == 0 {
		t.Fatal("template has no routes")
	}
	inTemplate := map[string][]string{}
	for _, r := range tpl.Routes {
		inTemplate[r.Function] = append(inTemplate[r.Function], r.Pattern())
		rt := stack.Routers[r.Function]
		if rt == nil {
			t.Errorf("%s: function %s has no HTTP handler", r.Pattern(), r.Function)
			continue
		}
		if !slices.Contains(rt.Routes(), r.Pattern()) {
			t.Errorf("%s is in template.yaml for %s, but its handler serves %v", r.Pattern(), r.Function, rt.Routes())
		}
		// And through the assembled stack the request reaches a handler (no
		// 404/405 from routing).
		req := httptest.NewRequest(r.Method, "http://127.0.0.1:3000"+samplePath(r.Path), nil)
		rec := httptest.NewRecorder()
		stack.Handler.ServeHTTP(rec, req)
		if rec.Code == http.StatusMethodNotAllowed || (rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "no route")) {
			t.Errorf("%s %s: routing answered %d", r.Method, req.URL.Path, rec.Code)
		}
	}
	for id, rt := range stack.Routers {
		for _, p := range rt.Routes() {
			if !slices.Contains(inTemplate[id], p) {
				t.Errorf("%s serves %q, which template.yaml does not route to it", id, p)
			}
		}
	}
}

// Every template function is built by the Makefile from an existing
// functions/<folder> main package, with the SAM makefile build method.
func TestTemplateFunctionsHaveBuildTargets(t *testing.T) {
	root := repoRoot(t)
	tpl := loadTemplate(t)
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	target := regexp.MustCompile(`(?m)^build-(\w+):\n\t\$\(call lambda_build,([\w-]+)\)`)
	folders := map[string]string{}
	for _, m := range target.FindAllStringSubmatch(string(makefile), -1) {
		folders[m[1]] = m[2]
	}
	for id, res := range tpl.Functions {
		fn := res.(*serverless.Function)
		if fn.CodeUri == nil || fn.CodeUri.String == nil || *fn.CodeUri.String != "." {
			t.Errorf("%s: CodeUri must be . (one root module built by the Makefile)", id)
		}
		if fn.AWSCloudFormationMetadata["BuildMethod"] != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod must be makefile", id)
		}
		folder, ok := folders[id]
		if !ok {
			t.Errorf("%s: Makefile has no build-%s target", id, id)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "functions", folder, "main.go")); err != nil {
			t.Errorf("%s: functions/%s/main.go: %v", id, folder, err)
		}
		if _, ok := localstack.Functions[id]; !ok {
			t.Errorf("%s: no local wiring in infra/localstack/functions.go", id)
		}
	}
	for id := range folders {
		if _, ok := tpl.Functions[id]; !ok {
			t.Errorf("Makefile builds %s, which template.yaml does not define", id)
		}
	}
}

// rawTemplate is the YAML tree, for the properties goformation does not model
// (it drops an SQS event that has FunctionResponseTypes).
func rawTemplate(tb testing.TB) map[string]any {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(tb), "template.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(b, &node); err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := node.Decode(&out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func TestTemplateQueueRules(t *testing.T) {
	tpl := loadTemplate(t)
	raw := rawTemplate(t)
	globalTimeout, _ := dig(raw, "Globals", "Function", "Timeout").(int)
	queues := tpl.Raw.GetAllSQSQueueResources()
	if len(tpl.QueueConsumers) == 0 {
		t.Fatal("no queue consumers in the template")
	}
	for _, id := range tpl.QueueConsumers {
		fn := tpl.Functions[id].(*serverless.Function)
		timeout := globalTimeout
		if fn.Timeout != nil {
			timeout = *fn.Timeout
		}
		events, _ := dig(raw, "Resources", id, "Properties", "Events").(map[string]any)
		for name, ev := range events {
			if dig(ev, "Type") != "SQS" {
				continue
			}
			props := dig(ev, "Properties")
			if rt, _ := dig(props, "FunctionResponseTypes").([]any); !slices.Contains(rt, any("ReportBatchItemFailures")) {
				t.Errorf("%s.%s: FunctionResponseTypes must include ReportBatchItemFailures (a failing message fails alone)", id, name)
			}
			// The event's Queue is !GetAtt <Queue>.Arn.
			ref, _ := dig(props, "Queue").(string)
			queueID := strings.TrimSuffix(ref, ".Arn")
			q, ok := queues[queueID]
			if !ok {
				t.Errorf("%s.%s: Queue %q is not an SQS queue of the template", id, name, ref)
				continue
			}
			checkQueue(t, queueID, q, timeout, raw, queues)
		}
	}
}

func checkQueue(t *testing.T, id string, q *sqs.Queue, consumerTimeout int, raw map[string]any, queues map[string]*sqs.Queue) {
	t.Helper()
	if q.VisibilityTimeout == nil || *q.VisibilityTimeout < 6*consumerTimeout {
		t.Errorf("%s: VisibilityTimeout must be >= 6 x the consumer's %ds timeout", id, consumerTimeout)
	}
	redrive, _ := dig(raw, "Resources", id, "Properties", "RedrivePolicy").(map[string]any)
	if n, _ := redrive["maxReceiveCount"].(int); n < 5 {
		t.Errorf("%s: RedrivePolicy.maxReceiveCount = %v, want >= 5", id, redrive["maxReceiveCount"])
	}
	dlqRef, _ := redrive["deadLetterTargetArn"].(string)
	dlq := strings.TrimSuffix(dlqRef, ".Arn")
	if _, ok := queues[dlq]; !ok || dlq == id {
		t.Errorf("%s: deadLetterTargetArn %q is not another queue of the template", id, dlqRef)
	}
}

func TestTemplateGlobals(t *testing.T) {
	raw := rawTemplate(t)
	want := map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap"}
	for k, v := range want {
		if got := dig(raw, "Globals", "Function", k); got != v {
			t.Errorf("Globals.Function.%s = %v, want %v", k, got, v)
		}
	}
	if arch, _ := dig(raw, "Globals", "Function", "Architectures").([]any); len(arch) != 1 || arch[0] != "arm64" {
		t.Errorf("Architectures = %v, want [arm64]", arch)
	}
	if dig(raw, "Transform") != "AWS::Serverless-2016-10-31" {
		t.Error("Transform is not AWS::Serverless-2016-10-31")
	}
	// Secrets come from dynamic references, never plain parameters.
	params, _ := dig(raw, "Parameters").(map[string]any)
	secretName := regexp.MustCompile(`(?i)password|secret|token|apikey|mongo|redis|uri$`)
	for name, p := range params {
		if secretName.MatchString(name) || dig(p, "NoEcho") != nil {
			t.Errorf("parameter %s looks like a secret: use a Secrets Manager/SSM dynamic reference", name)
		}
	}
}

func TestBuildRefusesUnwiredFunction(t *testing.T) {
	tpl := loadTemplate(t)
	tpl.Functions["GhostFunction"] = &serverless.Function{}
	if _, err := localstack.Build(tpl, newDeps(t), t.TempDir()); err == nil {
		t.Fatal("a template function without local wiring was accepted")
	}
}
