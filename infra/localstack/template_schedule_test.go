package localstack_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/serverless"
)

// The reminders function runs on EventBridge Scheduler: the rules every 15
// minutes, the outbox sweep every minute, each with the input its handler
// knows, no retries (the next run does the same work), a timeout above the
// job's own 50 s bound, and the right to send to the notifications queue.
func TestTemplateSchedules(t *testing.T) {
	tpl := loadTemplate(t)
	raw := rawTemplate(t)
	const id = "RemindersFunction"
	res, ok := tpl.Functions[id]
	if !ok {
		t.Fatalf("template.yaml has no %s", id)
	}
	fn := res.(*serverless.Function)
	if fn.Timeout == nil || *fn.Timeout < 55 || *fn.Timeout > 900 {
		t.Errorf("%s: Timeout %v, want above the job's 50 s bound", id, fn.Timeout)
	}
	events, _ := dig(raw, "Resources", id, "Properties", "Events").(map[string]any)
	got := map[string]string{} // expression -> job
	for name, ev := range events {
		if dig(ev, "Type") != "ScheduleV2" {
			t.Errorf("%s.%s: type %v, want ScheduleV2 (the function serves no route and reads no queue)", id, name, dig(ev, "Type"))
			continue
		}
		expr, _ := dig(ev, "Properties", "ScheduleExpression").(string)
		input, _ := dig(ev, "Properties", "Input").(string)
		var job struct {
			Job string `json:"job"`
		}
		if err := json.Unmarshal([]byte(input), &job); err != nil {
			t.Errorf("%s.%s: Input %q is not JSON: %v", id, name, input, err)
		}
		if n, ok := dig(ev, "Properties", "RetryPolicy", "MaximumRetryAttempts").(int); !ok || n != 0 {
			t.Errorf("%s.%s: RetryPolicy.MaximumRetryAttempts = %v, want 0", id, name, dig(ev, "Properties", "RetryPolicy", "MaximumRetryAttempts"))
		}
		got[expr] = job.Job
	}
	want := map[string]string{"rate(15 minutes)": "reminders", "rate(1 minute)": "sweep"}
	if len(got) != len(want) {
		t.Errorf("%s schedules %v, want %v", id, got, want)
	}
	for expr, job := range want {
		if got[expr] != job {
			t.Errorf("%s: %s runs %q, want %q (schedules %v)", id, expr, got[expr], job, got)
		}
	}
	policies, _ := dig(raw, "Resources", id, "Properties", "Policies").([]any)
	sends := slices.ContainsFunc(policies, func(p any) bool {
		return dig(p, "SQSSendMessagePolicy", "QueueName") == "NotificationsQueue.QueueName"
	})
	if !sends {
		t.Errorf("%s: no SQSSendMessagePolicy on NotificationsQueue (policies %v)", id, policies)
	}
	vars, _ := dig(raw, "Resources", id, "Properties", "Environment", "Variables").(map[string]any)
	for _, v := range []string{"MONGODB_URI", "REDIS_URL", "NOTIFICATIONS_QUEUE_URL", "PHI_KEYS", "PHI_ACTIVE_KID", "AUDIT_KEYS", "AUDIT_ACTIVE_KID", "APP_URL"} {
		if _, ok := vars[v]; !ok {
			t.Errorf("%s: no %s in its environment", id, v)
		}
	}
}
