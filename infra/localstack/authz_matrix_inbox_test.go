package localstack_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/inbound"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// signedByTwilio reports whether pattern is one of Twilio's webhooks: public
// (no session), and 403 to anything Twilio did not sign (pinned with
// signed requests in shared/notify/inbound and devtwilio_test.go).
func signedByTwilio(pattern string) bool {
	return pattern == inbound.StatusRoute || pattern == inbound.InboundRoute
}

func newInbox(t *testing.T, d localstack.Deps) *inbound.Store {
	t.Helper()
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	return inbound.NewStore(d.Mongo, keys, d.Clock)
}

var inboxSids atomic.Int64

// inboxTarget fills an inbox route's {id} with a reply in clinic's inbox.
func (m *matrix) inboxTarget(path, clinic string) string {
	m.t.Helper()
	sid := fmt.Sprintf("SM%032x", inboxSids.Add(1))
	if err := m.inbox.Insert(context.Background(), clinic, sid, "+12125550100", "", "see you soon"); err != nil {
		m.t.Fatal(err)
	}
	return strings.Replace(path, "{id}", sid, 1)
}

func newOutbox(t *testing.T, d localstack.Deps) *outbox.Store {
	t.Helper()
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	return outbox.New(d.Mongo, keys, d.Clock)
}

var notificationIDs atomic.Int64

// notificationTarget fills a message route's {id} with a failed message of
// clinic's outbox (the one state a retry takes).
func (m *matrix) notificationTarget(path, clinic string) string {
	m.t.Helper()
	st := m.outbox
	msg := notify.Message{ID: fmt.Sprintf("matrix-%d", notificationIDs.Add(1)), ClinicID: clinic, Channel: notify.Email,
		To: "someone@example.com", Template: "appointment-reminder", Data: map[string]string{"start": "2030-01-01T10:00:00Z"}}
	if _, _, err := st.Insert(context.Background(), msg, time.Time{}); err != nil {
		m.t.Fatal(err)
	}
	if err := st.Settle(context.Background(), clinic, msg.ID, outbox.Failed, notify.ClassHardBounce, ""); err != nil {
		m.t.Fatal(err)
	}
	return strings.Replace(path, "{id}", msg.ID, 1)
}
