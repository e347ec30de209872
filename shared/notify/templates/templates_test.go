package templates_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/templates"
)

// longData is realistic worst-case data: a long clinic name, long signed
// links of the lengths the publishers build, and a health detail a careless
// publisher might pass along (it must never show).
func longData() map[string]string {
	link := "https://portal.riversidefamilydental.example.com/portal/appointments/01JQ7ZK3V6W8X9Y0A1B2C3D4E5"
	return map[string]string{
		"clinicName":       "Riverside Family & Cosmetic Dentistry of Greater Springfield",
		"timeZone":         "America/New_York",
		"firstName":        "Maximiliana-Josephine",
		"start":            "2026-11-30T19:45:00Z",
		"previousStart":    "2026-11-24T14:15:00Z",
		"expiresAt":        "2026-11-30T13:30:00Z",
		"manageUrl":        link,
		"bookUrl":          "https://portal.riversidefamilydental.example.com/portal/book?recall=01JQ7ZK3V6W8X9Y0A1B2C3D4E5",
		"confirmUrl":       link + "/confirm?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMUpRN1pLM1Y2VzgifQ.c2lnbmF0dXJl",
		"acceptUrl":        "https://portal.riversidefamilydental.example.com/portal/offers/01JQ7ZK3V6W8X9Y0A1B2C3D4E5?answer=accept",
		"declineUrl":       "https://portal.riversidefamilydental.example.com/portal/offers/01JQ7ZK3V6W8X9Y0A1B2C3D4E5?answer=decline",
		"formsUrl":         "https://portal.riversidefamilydental.example.com/portal/forms",
		"resetUrl":         "https://app.topsmile.example.com/reset-password?token=Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg",
		"verifyUrl":        "https://app.topsmile.example.com/verify-email?token=Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg",
		"signInUrl":        "https://app.topsmile.example.com/sign-in",
		"unsubscribeUrl":   "https://app.topsmile.example.com/api/unsubscribe?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMUpRN1pLM1Y2VzgifQ.c2ln",
		"expiresInMinutes": "30",
		"expiresInHours":   "24",
		"procedure":        "Root canal therapy",
		"reason":           "severe toothache",
	}
}

var published = []string{"password-reset", "verify-email", "account-exists", "staff-invite", "waitlist-offer"}
var upcoming = []string{"appointment-booked", "appointment-moved", "appointment-cancelled", "appointment-confirm-request",
	"appointment-reminder", "recall-due", "consent-unsigned"}

func TestEveryTemplateExists(t *testing.T) {
	names := templates.Names()
	for _, n := range append(slices.Clone(published), upcoming...) {
		if !slices.Contains(names, n) {
			t.Errorf("template %s missing", n)
		}
	}
	for _, n := range upcoming {
		if !templates.HasSMS(n) {
			t.Errorf("%s has no SMS form", n)
		}
	}
}

func TestEmailsRender(t *testing.T) {
	for _, name := range templates.Names() {
		t.Run(name, func(t *testing.T) {
			c, err := templates.Render(notify.Message{Channel: notify.Email, Template: name, Data: longData()})
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject == "" || c.Text == "" || !strings.Contains(c.HTML, "<!DOCTYPE html>") {
				t.Fatalf("incomplete email %+v", c)
			}
			all := c.Subject + c.Text + c.HTML
			for _, leak := range []string{"Root canal", "toothache"} {
				if strings.Contains(all, leak) {
					t.Errorf("health detail %q in the email", leak)
				}
			}
			if !strings.Contains(c.Text, "Riverside Family & Cosmetic Dentistry") || !strings.Contains(c.HTML, "Riverside Family &amp; Cosmetic Dentistry") {
				t.Errorf("clinic name missing or unescaped:\n%s\n%s", c.Text, c.HTML)
			}
			if strings.Contains(c.Text, "<no value>") || strings.Contains(c.HTML, "<no value>") {
				t.Errorf("missing value rendered:\n%s", c.Text)
			}
			tx := notify.Transactional(name)
			if tx && (c.Unsubscribe != "" || strings.Contains(c.HTML, "Unsubscribe")) {
				t.Errorf("transactional %s carries an unsubscribe link", name)
			}
			if !tx && c.Unsubscribe == "" {
				t.Errorf("%s dropped its unsubscribe link", name)
			}
		})
	}
}

func TestTimesInTheClinicsZone(t *testing.T) {
	cases := []struct {
		name, start, tz, want, wantShort string
	}{
		// 19:45 UTC on 30 Nov is 2:45 PM in New York (EST, UTC-5).
		{"winter", "2026-11-30T19:45:00Z", "America/New_York", "Monday, November 30, 2026 at 2:45 PM", "Mon Nov 30, 2:45 PM"},
		// The Sunday clocks spring forward: 15:00 UTC is 11:00 AM EDT (UTC-4).
		{"after spring forward", "2026-03-08T15:00:00Z", "America/New_York", "Sunday, March 8, 2026 at 11:00 AM", "Sun Mar 8, 11:00 AM"},
		// The same instant the day before the change would read 10:00 AM.
		{"before spring forward", "2026-03-07T15:00:00Z", "America/New_York", "Saturday, March 7, 2026 at 10:00 AM", "Sat Mar 7, 10:00 AM"},
		{"other zone", "2026-07-01T01:30:00Z", "America/Los_Angeles", "Tuesday, June 30, 2026 at 6:30 PM", "Tue Jun 30, 6:30 PM"},
		{"no zone: labelled UTC", "2026-07-01T01:30:00Z", "", "Wednesday, July 1, 2026 at 1:30 AM UTC", "Wed Jul 1, 1:30 AM UTC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := map[string]string{"start": tc.start, "clinicName": "Smile Co"}
			if tc.tz != "" {
				d["timeZone"] = tc.tz
			}
			c, err := templates.Render(notify.Message{Channel: notify.Email, Template: "appointment-reminder", Data: d})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(c.Text, tc.want) || !strings.Contains(c.Subject, tc.wantShort) {
				t.Fatalf("want %q / %q in\n%s\n%s", tc.want, tc.wantShort, c.Subject, c.Text)
			}
			s, err := templates.Render(notify.Message{Channel: notify.SMS, Template: "appointment-reminder", Data: d})
			if err != nil || !strings.Contains(s.Text, tc.wantShort) {
				t.Fatalf("sms %q err %v", s.Text, err)
			}
		})
	}
}

func TestSMSAtMostTwoSegments(t *testing.T) {
	for _, name := range templates.Names() {
		if !templates.HasSMS(name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			c, err := templates.Render(notify.Message{Channel: notify.SMS, Template: name, Data: longData()})
			if err != nil {
				t.Fatal(err)
			}
			parts, enc := templates.Segments(c.Text)
			t.Logf("%d chars, %d %s segments: %s", len([]rune(c.Text)), parts, enc, c.Text)
			if enc != templates.GSM7 || parts > 2 {
				t.Errorf("%d %s segments (%d chars): %s", parts, enc, len([]rune(c.Text)), c.Text)
			}
			if !strings.HasSuffix(c.Text, "Reply STOP to opt out.") {
				t.Errorf("no opt-out line: %s", c.Text)
			}
			for _, leak := range []string{"Root canal", "toothache"} {
				if strings.Contains(c.Text, leak) {
					t.Errorf("health detail in the SMS: %s", c.Text)
				}
			}
		})
	}
}

func TestSegments(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		parts int
		enc   string
	}{
		{"empty", "", 0, templates.GSM7},
		{"160 GSM", strings.Repeat("a", 160), 1, templates.GSM7},
		{"161 GSM", strings.Repeat("a", 161), 2, templates.GSM7},
		{"306 GSM", strings.Repeat("a", 306), 2, templates.GSM7},
		{"307 GSM", strings.Repeat("a", 307), 3, templates.GSM7},
		{"extension counts twice", strings.Repeat("€", 80), 1, templates.GSM7},
		{"extension over", strings.Repeat("€", 81), 2, templates.GSM7},
		{"GSM accents", "Café Dentaire à Genève", 1, templates.GSM7},
		{"70 UCS-2", "ç" + strings.Repeat("a", 69), 1, templates.UCS2},
		{"71 UCS-2", "ç" + strings.Repeat("a", 70), 2, templates.UCS2},
		{"emoji is two units", "😀" + strings.Repeat("a", 68), 1, templates.UCS2},
		{"134 UCS-2", "ł" + strings.Repeat("a", 133), 2, templates.UCS2},
		{"135 UCS-2", "ł" + strings.Repeat("a", 134), 3, templates.UCS2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if p, e := templates.Segments(tc.text); p != tc.parts || e != tc.enc {
				t.Fatalf("Segments = %d %s, want %d %s", p, e, tc.parts, tc.enc)
			}
		})
	}
}

func TestHTMLIsEscaped(t *testing.T) {
	d := longData()
	d["clinicName"] = `<script>alert(1)</script> "Dental"`
	d["firstName"] = `<img src=x onerror=alert(1)>`
	d["manageUrl"] = `https://example.com/a?x="><script>alert(2)</script>`
	c, err := templates.Render(notify.Message{Channel: notify.Email, Template: "appointment-booked", Data: d})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", `"><script`} {
		if strings.Contains(c.HTML, bad) {
			t.Fatalf("unescaped %q in\n%s", bad, c.HTML)
		}
	}
	if !strings.Contains(c.HTML, "&lt;script&gt;") {
		t.Fatalf("clinic name not shown escaped:\n%s", c.HTML)
	}
}

func TestSubjectStaysOneLine(t *testing.T) {
	d := longData()
	d["clinicName"] = "Smile\r\nBcc: victim@example.com"
	c, err := templates.Render(notify.Message{Channel: notify.Email, Template: "appointment-booked", Data: d})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(c.Subject, "\r\n") {
		t.Fatalf("subject %q has a line break", c.Subject)
	}
}

func TestPermanentErrors(t *testing.T) {
	d := longData()
	cases := []struct {
		name  string
		m     notify.Message
		class string
	}{
		{"unknown template", notify.Message{Channel: notify.Email, Template: "birthday-card", Data: d}, notify.ClassUnknownTemplate},
		{"no SMS form", notify.Message{Channel: notify.SMS, Template: "password-reset", Data: d}, notify.ClassUnknownTemplate},
		{"missing link", notify.Message{Channel: notify.Email, Template: "password-reset", Data: map[string]string{"firstName": "Ana"}}, notify.ClassBadData},
		{"missing start", notify.Message{Channel: notify.SMS, Template: "appointment-reminder", Data: map[string]string{"clinicName": "X"}}, notify.ClassBadData},
		{"bad time", notify.Message{Channel: notify.SMS, Template: "appointment-reminder", Data: map[string]string{"start": "tomorrow"}}, notify.ClassBadData},
		{"bad zone", notify.Message{Channel: notify.SMS, Template: "appointment-reminder", Data: map[string]string{"start": "2026-01-01T10:00:00Z", "timeZone": "Mars/Olympus"}}, notify.ClassBadData},
		{"javascript link", notify.Message{Channel: notify.Email, Template: "recall-due", Data: map[string]string{"bookUrl": "javascript:alert(1)"}}, notify.ClassBadData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := templates.Render(tc.m)
			if class, ok := notify.PermanentClass(err); !ok || class != tc.class {
				t.Fatalf("err %v, want permanent %s", err, tc.class)
			}
		})
	}
}

func TestTransactionalIgnoresUnsubscribe(t *testing.T) {
	c, err := templates.Render(notify.Message{Channel: notify.Email, Template: "password-reset", Data: longData()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Unsubscribe != "" || strings.Contains(c.Text, "unsubscribe") {
		t.Fatalf("password reset offers an unsubscribe: %+v", c)
	}
	if !strings.Contains(c.Text, longData()["resetUrl"]) || !strings.Contains(c.HTML, `href="https://app.topsmile.example.com/reset-password?token=`) {
		t.Fatalf("reset link missing:\n%s\n%s", c.Text, c.HTML)
	}
}
