package twilio_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/twilio"
)

const (
	sid   = "AC0123456789abcdef0123456789abcdef"
	token = "f00dbabe0123456789abcdef01234567"
	from  = "+15005550006"
)

// fakeTwilio receives twilio-go's real REST call and checks its auth.
type fakeTwilio struct {
	mu     sync.Mutex
	forms  []url.Values
	paths  []string
	answer func(w http.ResponseWriter, form url.Values)
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || u != sid || p != token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":20003,"message":"Authenticate","status":401}`))
		return
	}
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	f.paths = append(f.paths, r.URL.Path)
	f.mu.Unlock()
	if f.answer != nil {
		f.answer(w, r.PostForm)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`))
}

func newSender(tb testing.TB, base, authToken string) *twilio.Sender {
	tb.Helper()
	s, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: authToken, From: from, APIBase: base, PublicURL: "https://app.topsmile.example/"})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func text() (notify.Message, notify.Content) {
	return notify.Message{ID: "n1", ClinicID: "c1", Channel: notify.SMS, To: "+15551234567", Template: "appointment-reminder"},
		notify.Content{Text: "Smile Co: reminder of your appointment Tue Mar 3, 2:30 PM. Reply STOP to opt out."}
}

func TestSendsThroughTheMessagesAPI(t *testing.T) {
	fake := &fakeTwilio{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	m, c := text()
	got, err := newSender(t, srv.URL, token).SendReceipt(t.Context(), m, c)
	if err != nil {
		t.Fatal(err)
	}
	if got != "SM0123456789abcdef0123456789abcdef" {
		t.Errorf("sid %q, want Twilio's", got)
	}
	if len(fake.forms) != 1 {
		t.Fatalf("%d calls", len(fake.forms))
	}
	if want := "/2010-04-01/Accounts/" + sid + "/Messages.json"; fake.paths[0] != want {
		t.Fatalf("path %s, want %s", fake.paths[0], want)
	}
	f := fake.forms[0]
	want := map[string]string{"To": m.To, "From": from, "Body": c.Text, "StatusCallback": "https://app.topsmile.example/api/webhooks/twilio/status"}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, f.Get(k), v)
		}
	}
}

func TestWrongTokenIsRefusedAndTransient(t *testing.T) {
	srv := httptest.NewServer(&fakeTwilio{})
	defer srv.Close()
	m, c := text()
	err := newSender(t, srv.URL, "0000000000000000000000000000dead").SendContent(t.Context(), m, c)
	if _, permanent := notify.PermanentClass(err); err == nil || permanent {
		t.Fatalf("err %v, want a transient failure", err)
	}
}

func TestErrorClasses(t *testing.T) {
	answer := func(status int, body string) func(http.ResponseWriter, url.Values) {
		return func(w http.ResponseWriter, _ url.Values) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	cases := []struct {
		name   string
		answer func(http.ResponseWriter, url.Values)
		class  string // "" transient
	}{
		{"21211 invalid number", answer(400, `{"code":21211,"message":"Invalid 'To' Phone Number","status":400}`), notify.ClassBadRecipient},
		{"21610 unsubscribed", answer(400, `{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}`), notify.ClassProviderOptOut},
		{"21614 not a mobile", answer(400, `{"code":21614,"message":"'To' number is not a valid mobile number","status":400}`), notify.ClassBadRecipient},
		{"429 too many", answer(429, `{"code":20429,"message":"Too Many Requests","status":429}`), ""},
		{"500", answer(500, `{"code":20500,"message":"Internal Server Error","status":500}`), ""},
		{"503 not json", answer(503, `<html>down</html>`), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeTwilio{answer: tc.answer})
			defer srv.Close()
			m, c := text()
			err := newSender(t, srv.URL, token).SendContent(t.Context(), m, c)
			if err == nil {
				t.Fatal("no error")
			}
			class, permanent := notify.PermanentClass(err)
			if tc.class == "" && permanent || tc.class != "" && class != tc.class {
				t.Fatalf("err %v class %q, want %q", err, class, tc.class)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		srv := httptest.NewServer(&fakeTwilio{})
		base := srv.URL
		srv.Close()
		m, c := text()
		err := newSender(t, base, token).SendContent(t.Context(), m, c)
		if _, permanent := notify.PermanentClass(err); err == nil || permanent {
			t.Fatalf("err %v, want transient", err)
		}
	})
}

func TestConfig(t *testing.T) {
	if (twilio.Config{AuthToken: token}).Configured() {
		t.Fatal("a token alone sends texts")
	}
	if _, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token}); err == nil {
		t.Fatal("no FROM accepted")
	}
	if _, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: from, APIBase: "ftp://x"}); err == nil {
		t.Fatal("ftp base accepted")
	}
}

// sign is Twilio's algorithm, written out: HMAC-SHA1 over the URL and the
// sorted params' names and values, base64.
func sign(authToken, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		b.WriteString(k + form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestSignatureValidation(t *testing.T) {
	const public = "https://app.topsmile.example"
	const path = "/api/webhooks/twilio/inbound"
	form := url.Values{"From": {"+15551234567"}, "To": {from}, "Body": {"C"}, "MessageSid": {"SM1"}, "AccountSid": {sid}}
	good := sign(token, public+path, form)
	changed := url.Values{"From": {"+15551234567"}, "To": {from}, "Body": {"STOP"}, "MessageSid": {"SM1"}, "AccountSid": {sid}}
	cases := []struct {
		name      string
		form      url.Values
		signature string
		want      bool
	}{
		{"good", form, good, true},
		{"changed param", changed, good, false},
		{"added param", func() url.Values {
			f := url.Values{"Extra": {"1"}}
			for k, v := range form {
				f[k] = v
			}
			return f
		}(), good, false},
		{"signed for http", form, sign(token, "http://app.topsmile.example"+path, form), false},
		{"signed for another host", form, sign(token, "https://attacker.example"+path, form), false},
		{"signed for another path", form, sign(token, public+"/api/webhooks/twilio/status", form), false},
		{"other token", form, sign("another-token-0123456789abcdef00", public+path, form), false},
		{"no signature", form, "", false},
	}
	v := twilio.NewValidator(public+"/", token)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := v.Valid(path, tc.form, tc.signature); got != tc.want {
				t.Fatalf("Valid = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("request behind a proxy", func(t *testing.T) {
		// API Gateway hands over another host; PUBLIC_URL is what counts.
		r := httptest.NewRequest(http.MethodPost, "https://abc123.execute-api.us-east-1.amazonaws.com"+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Twilio-Signature", good)
		if !v.ValidRequest(r) {
			t.Fatal("valid request refused")
		}
	})
}

func TestClassify(t *testing.T) {
	cases := []struct {
		body     string
		optedOut bool
		want     twilio.Reply
	}{
		{"C", false, twilio.Confirm},
		{" c ", false, twilio.Confirm},
		{"yes", false, twilio.Confirm},
		{"Confirm.", false, twilio.Confirm},
		{"CONFIRM!", false, twilio.Confirm},
		{"YES", true, twilio.Start},
		{"C", true, twilio.Confirm},
		{"STOP", false, twilio.Stop},
		{"stop", true, twilio.Stop},
		{"StopAll", false, twilio.Stop},
		{"unsubscribe", false, twilio.Stop},
		{"Cancel", false, twilio.Stop},
		{"end", false, twilio.Stop},
		{"QUIT", false, twilio.Stop},
		{"START", true, twilio.Start},
		{"unstop", true, twilio.Start},
		{"start", false, twilio.Start},
		{"Can I come at 3 instead?", false, twilio.Other},
		{"stop please", false, twilio.Other},
		{"yes see you then", false, twilio.Other},
		{"", false, twilio.Other},
	}
	for _, tc := range cases {
		if got := twilio.Classify(tc.body, tc.optedOut); got != tc.want {
			t.Errorf("Classify(%q, optedOut=%v) = %s, want %s", tc.body, tc.optedOut, got, tc.want)
		}
	}
}
