// Package templates renders a notify.Message into what its recipient reads:
// an email (subject, plain text, HTML) or an SMS text.
//
// Every template reads these Data keys when present:
//
//	clinicName      the practice's name (fallback "TopSmile")
//	timeZone        the clinic's IANA zone; times are shown in it (fallback UTC, labelled)
//	firstName       the greeting's name (fallback a plain "Hello")
//	unsubscribeUrl  one-click opt-out URL (RFC 8058) of non-transactional mail;
//	                ignored on password-reset, verify-email and account-exists
//
// and, per template (the ones marked * are required; times are RFC 3339):
//
//	password-reset               resetUrl*, expiresInMinutes
//	verify-email                 verifyUrl*, expiresInHours
//	account-exists               signInUrl*, resetUrl*
//	waitlist-offer               start*, expiresAt*, acceptUrl*, declineUrl*
//	appointment-booked           start*, manageUrl
//	appointment-moved            start*, previousStart, manageUrl
//	appointment-cancelled        start*, bookUrl
//	appointment-confirm-request  start*, confirmUrl (email; the SMS asks for a "C" reply)
//	appointment-reminder         start*, manageUrl
//	recall-due                   bookUrl*
//	consent-unsigned             formsUrl*, start (the visit the forms are for)
//
// No template names a procedure, a provider, a form or any other health
// detail: a lock screen or a shared inbox shows them. Links must be http(s).
// An unknown template, a template without a form for the channel, or a
// missing required key is a permanent error (retrying renders the same).
package templates

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/notify"
)

// spec is one template: its email parts and its SMS, each optional.
type spec struct {
	required []string
	subject  string // text/template
	text     string // text/template, plain-text email body
	html     string // html/template, inside the layout
	sms      string // text/template
}

// defaultClinic names the sender when a publisher gives no clinic name.
const defaultClinic = "TopSmile"

// smsClinicMax bounds the clinic's name in a text, so a long name cannot
// push a message past two segments.
const smsClinicMax = 32

const stopLine = " Reply STOP to opt out."

var specs = map[string]spec{
	"password-reset": {
		required: []string{"resetUrl"},
		subject:  `Reset your {{.Clinic}} password`,
		text: `{{.Greeting}}

Someone (hopefully you) asked to reset the password of your {{.Clinic}} account.
Choose a new password here{{with .D.expiresInMinutes}} within {{.}} minutes{{end}}:

{{.D.resetUrl}}

If you did not ask for this, ignore this email: your password stays as it is.`,
		html: `<p>{{.Greeting}}</p>
<p>Someone (hopefully you) asked to reset the password of your {{.Clinic}} account.</p>
<p><a href="{{.D.resetUrl}}">Choose a new password</a>{{with .D.expiresInMinutes}} within {{.}} minutes{{end}}.</p>
<p>If you did not ask for this, ignore this email: your password stays as it is.</p>`,
	},
	"verify-email": {
		required: []string{"verifyUrl"},
		subject:  `Confirm your email for {{.Clinic}}`,
		text: `{{.Greeting}}

Welcome to {{.Clinic}}. Confirm your email address to finish setting up your account{{with .D.expiresInHours}} (the link works for {{.}} hours){{end}}:

{{.D.verifyUrl}}

If you did not sign up, ignore this email.`,
		html: `<p>{{.Greeting}}</p>
<p>Welcome to {{.Clinic}}. <a href="{{.D.verifyUrl}}">Confirm your email address</a> to finish setting up your account{{with .D.expiresInHours}} (the link works for {{.}} hours){{end}}.</p>
<p>If you did not sign up, ignore this email.</p>`,
	},
	"account-exists": {
		required: []string{"signInUrl", "resetUrl"},
		subject:  `You already have a {{.Clinic}} account`,
		text: `{{.Greeting}}

Someone tried to sign up with this email address, which already has an account.
Sign in: {{.D.signInUrl}}
Forgot your password? Reset it: {{.D.resetUrl}}

If this was not you, ignore this email.`,
		html: `<p>{{.Greeting}}</p>
<p>Someone tried to sign up with this email address, which already has an account.</p>
<p><a href="{{.D.signInUrl}}">Sign in</a> or, if you forgot your password, <a href="{{.D.resetUrl}}">reset it</a>.</p>
<p>If this was not you, ignore this email.</p>`,
	},
	"waitlist-offer": {
		required: []string{"start", "expiresAt", "acceptUrl", "declineUrl"},
		subject:  `An earlier appointment is open at {{.Clinic}}`,
		text: `{{.Greeting}}

An appointment opened up at {{.Clinic}} on {{.When}}. It is held for you until {{.Until}}.
Take it: {{.D.acceptUrl}}
No, thanks: {{.D.declineUrl}}`,
		html: `<p>{{.Greeting}}</p>
<p>An appointment opened up at {{.Clinic}} on <strong>{{.When}}</strong>. It is held for you until {{.Until}}.</p>
<p><a href="{{.D.acceptUrl}}">Take it</a> · <a href="{{.D.declineUrl}}">No, thanks</a></p>`,
		sms: `{{.SMSClinic}}: an appointment opened up {{.WhenShort}}, held for you until {{.UntilShort}}. Take it: {{.D.acceptUrl}}`,
	},
	"appointment-booked": {
		required: []string{"start"},
		subject:  `Your appointment at {{.Clinic}} on {{.WhenShort}}`,
		text: `{{.Greeting}}

Your appointment at {{.Clinic}} is booked for {{.When}}.{{with .D.manageUrl}}
See or change it: {{.}}{{end}}`,
		html: `<p>{{.Greeting}}</p>
<p>Your appointment at {{.Clinic}} is booked for <strong>{{.When}}</strong>.</p>{{with .D.manageUrl}}
<p><a href="{{.}}">See or change it</a></p>{{end}}`,
		sms: `{{.SMSClinic}}: your appointment is booked for {{.WhenShort}}.{{with .D.manageUrl}} Details: {{.}}{{end}}`,
	},
	"appointment-moved": {
		required: []string{"start"},
		subject:  `Your appointment at {{.Clinic}} moved to {{.WhenShort}}`,
		text: `{{.Greeting}}

Your appointment at {{.Clinic}}{{with .Was}} on {{.}}{{end}} has moved to {{.When}}.{{with .D.manageUrl}}
See or change it: {{.}}{{end}}`,
		html: `<p>{{.Greeting}}</p>
<p>Your appointment at {{.Clinic}}{{with .Was}} on {{.}}{{end}} has moved to <strong>{{.When}}</strong>.</p>{{with .D.manageUrl}}
<p><a href="{{.}}">See or change it</a></p>{{end}}`,
		sms: `{{.SMSClinic}}: your appointment{{with .WasShort}} of {{.}}{{end}} moved to {{.WhenShort}}.{{with .D.manageUrl}} Details: {{.}}{{end}}`,
	},
	"appointment-cancelled": {
		required: []string{"start"},
		subject:  `Your appointment at {{.Clinic}} on {{.WhenShort}} is cancelled`,
		text: `{{.Greeting}}

Your appointment at {{.Clinic}} on {{.When}} is cancelled.{{with .D.bookUrl}}
Book another time: {{.}}{{end}}`,
		html: `<p>{{.Greeting}}</p>
<p>Your appointment at {{.Clinic}} on <strong>{{.When}}</strong> is cancelled.</p>{{with .D.bookUrl}}
<p><a href="{{.}}">Book another time</a></p>{{end}}`,
		sms: `{{.SMSClinic}}: your appointment of {{.WhenShort}} is cancelled.{{with .D.bookUrl}} Book again: {{.}}{{end}}`,
	},
	"appointment-confirm-request": {
		required: []string{"start"},
		subject:  `Please confirm your appointment at {{.Clinic}} on {{.WhenShort}}`,
		text: `{{.Greeting}}

You have an appointment at {{.Clinic}} on {{.When}}.{{with .D.confirmUrl}}
Confirm it: {{.}}{{end}}{{with .D.manageUrl}}
Need another time? {{.}}{{end}}`,
		html: `<p>{{.Greeting}}</p>
<p>You have an appointment at {{.Clinic}} on <strong>{{.When}}</strong>.</p>{{with .D.confirmUrl}}
<p><a href="{{.}}">Confirm it</a></p>{{end}}{{with .D.manageUrl}}
<p>Need another time? <a href="{{.}}">Change it</a></p>{{end}}`,
		sms: `{{.SMSClinic}}: you have an appointment {{.WhenShort}}. Reply C to confirm.`,
	},
	"appointment-reminder": {
		required: []string{"start"},
		subject:  `Reminder: your appointment at {{.Clinic}} on {{.WhenShort}}`,
		text: `{{.Greeting}}

A reminder of your appointment at {{.Clinic}} on {{.When}}.{{with .D.manageUrl}}
See or change it: {{.}}{{end}}`,
		html: `<p>{{.Greeting}}</p>
<p>A reminder of your appointment at {{.Clinic}} on <strong>{{.When}}</strong>.</p>{{with .D.manageUrl}}
<p><a href="{{.}}">See or change it</a></p>{{end}}`,
		sms: `{{.SMSClinic}}: reminder of your appointment {{.WhenShort}}.{{with .D.manageUrl}} Details: {{.}}{{end}}`,
	},
	"recall-due": {
		required: []string{"bookUrl"},
		subject:  `Time for your next visit at {{.Clinic}}`,
		text: `{{.Greeting}}

It is time to book your next routine visit at {{.Clinic}}.
Book online: {{.D.bookUrl}}`,
		html: `<p>{{.Greeting}}</p>
<p>It is time to book your next routine visit at {{.Clinic}}.</p>
<p><a href="{{.D.bookUrl}}">Book online</a></p>`,
		sms: `{{.SMSClinic}}: it is time to book your next visit. Book online: {{.D.bookUrl}}`,
	},
	"consent-unsigned": {
		required: []string{"formsUrl"},
		subject:  `Forms to sign before your visit to {{.Clinic}}`,
		text: `{{.Greeting}}

{{.Clinic}} has forms for you to read and sign{{with .When}} before your visit on {{.}}{{end}}.
Open them: {{.D.formsUrl}}`,
		html: `<p>{{.Greeting}}</p>
<p>{{.Clinic}} has forms for you to read and sign{{with .When}} before your visit on <strong>{{.}}</strong>{{end}}.</p>
<p><a href="{{.D.formsUrl}}">Open them</a></p>`,
		sms: `{{.SMSClinic}}: you have forms to sign{{with .WhenShort}} before your visit {{.}}{{end}}. Open them: {{.D.formsUrl}}`,
	},
}

const layout = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933;max-width:36em;margin:0 auto;padding:1em">
{{.Body}}
<p style="color:#52606d;font-size:14px">{{.Clinic}}{{with .Unsubscribe}} · <a href="{{.}}">Unsubscribe</a>{{end}}</p>
</body></html>`

// compiled is a spec parsed once.
type compiled struct {
	required []string
	subject  *texttemplate.Template
	text     *texttemplate.Template
	html     *htmltemplate.Template
	sms      *texttemplate.Template
}

var (
	parsed     = mustParse()
	htmlLayout = htmltemplate.Must(htmltemplate.New("layout").Option("missingkey=error").Parse(layout))
)

func mustParse() map[string]compiled {
	out := make(map[string]compiled, len(specs))
	txt := func(name, src string) *texttemplate.Template {
		if src == "" {
			return nil
		}
		return texttemplate.Must(texttemplate.New(name).Option("missingkey=zero").Parse(src))
	}
	for name, s := range specs {
		c := compiled{required: s.required, subject: txt(name+".subject", s.subject), text: txt(name+".text", s.text), sms: txt(name+".sms", s.sms)}
		if s.html != "" {
			c.html = htmltemplate.Must(htmltemplate.New(name + ".html").Option("missingkey=zero").Parse(s.html))
		}
		out[name] = c
	}
	return out
}

// Names lists every template this package renders.
func Names() []string {
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	return names
}

// HasSMS reports whether the template has an SMS form.
func HasSMS(template string) bool { return parsed[template].sms != nil }

// Renderer renders with this package's templates (notify.Renderer).
type Renderer struct{}

var _ notify.Renderer = Renderer{}

// Render renders m for its channel.
func (Renderer) Render(m notify.Message) (notify.Content, error) { return Render(m) }

// Deliver renders m and hands it to s: the plain Send of a ContentSender.
func Deliver(ctx context.Context, s notify.ContentSender, m notify.Message) error {
	c, err := Render(m)
	if err != nil {
		return err
	}
	return s.SendContent(ctx, m, c)
}

// view is what every template sees.
type view struct {
	Clinic, SMSClinic, Greeting string
	D                           map[string]string
	// When, Was, Until are Data's start, previousStart and expiresAt in the
	// clinic's zone, long (emails) and short (subjects, texts).
	When, WhenShort, Was, WasShort, Until, UntilShort string
}

// Render renders m for its channel.
func Render(m notify.Message) (notify.Content, error) {
	t, ok := parsed[m.Template]
	if !ok {
		return notify.Content{}, notify.Permanent(notify.ClassUnknownTemplate, fmt.Errorf("unknown template %q", m.Template))
	}
	v, err := newView(m, t.required)
	if err != nil {
		return notify.Content{}, notify.Permanent(notify.ClassBadData, fmt.Errorf("template %s: %w", m.Template, err))
	}
	switch m.Channel {
	case notify.SMS:
		if t.sms == nil {
			return notify.Content{}, notify.Permanent(notify.ClassUnknownTemplate, fmt.Errorf("template %s has no SMS form", m.Template))
		}
		text, err := execText(t.sms, v)
		if err != nil {
			return notify.Content{}, err
		}
		if !notify.Transactional(m.Template) {
			text += stopLine
		}
		return notify.Content{Text: text}, nil
	case notify.Email:
		if t.subject == nil {
			return notify.Content{}, notify.Permanent(notify.ClassUnknownTemplate, fmt.Errorf("template %s has no email form", m.Template))
		}
		return renderEmail(m, t, v)
	}
	return notify.Content{}, notify.Permanent(notify.ClassUnknownTemplate, fmt.Errorf("no channel %q", m.Channel))
}

func renderEmail(m notify.Message, t compiled, v view) (notify.Content, error) {
	subject, err := execText(t.subject, v)
	if err != nil {
		return notify.Content{}, err
	}
	// A header is one line: the data (a clinic name) cannot make it two.
	subject = strings.Join(strings.Fields(subject), " ")
	text, err := execText(t.text, v)
	if err != nil {
		return notify.Content{}, err
	}
	var body bytes.Buffer
	if err := t.html.Execute(&body, v); err != nil {
		return notify.Content{}, err
	}
	c := notify.Content{Subject: subject, Text: text}
	if u := m.Data["unsubscribeUrl"]; u != "" && !notify.Transactional(m.Template) {
		if err := checkLink(u); err != nil {
			return notify.Content{}, notify.Permanent(notify.ClassBadData, fmt.Errorf("unsubscribeUrl: %w", err))
		}
		c.Unsubscribe = u
		c.Text += "\n\nTo stop these emails: " + u
	}
	c.Text += "\n\n-- \n" + v.Clinic + "\n"
	var page bytes.Buffer
	err = htmlLayout.Execute(&page, map[string]any{
		"Subject": subject, "Body": htmltemplate.HTML(body.String()), "Clinic": v.Clinic, "Unsubscribe": c.Unsubscribe,
	})
	if err != nil {
		return notify.Content{}, err
	}
	c.HTML = page.String()
	return c, nil
}

func execText(t *texttemplate.Template, v view) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

func newView(m notify.Message, required []string) (view, error) {
	d := m.Data
	if d == nil {
		d = map[string]string{}
	}
	for _, k := range required {
		if strings.TrimSpace(d[k]) == "" {
			return view{}, fmt.Errorf("%s is required", k)
		}
	}
	for k, val := range d {
		if strings.HasSuffix(k, "Url") && val != "" {
			if err := checkLink(val); err != nil {
				return view{}, fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	clinic := strings.Join(strings.Fields(d["clinicName"]), " ")
	if clinic == "" {
		clinic = defaultClinic
	}
	v := view{Clinic: clinic, SMSClinic: truncate(clinic, smsClinicMax), Greeting: "Hello,", D: d}
	if name := strings.Join(strings.Fields(d["firstName"]), " "); name != "" {
		v.Greeting = "Hi " + truncate(name, 40) + ","
	}
	loc, labelled := time.UTC, true
	if tz := d["timeZone"]; tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return view{}, fmt.Errorf("timeZone %q: %w", tz, err)
		}
		loc, labelled = l, false
	}
	var err error
	if v.When, v.WhenShort, err = times(d["start"], loc, labelled); err != nil {
		return view{}, fmt.Errorf("start: %w", err)
	}
	if v.Was, v.WasShort, err = times(d["previousStart"], loc, labelled); err != nil {
		return view{}, fmt.Errorf("previousStart: %w", err)
	}
	if v.Until, v.UntilShort, err = times(d["expiresAt"], loc, labelled); err != nil {
		return view{}, fmt.Errorf("expiresAt: %w", err)
	}
	return v, nil
}

// times formats an RFC 3339 instant in loc: "Tuesday, March 3, 2026 at 2:30
// PM" and "Tue Mar 3, 2:30 PM". Without the clinic's zone the zone is named,
// so a UTC time is never mistaken for a local one.
func times(raw string, loc *time.Location, labelled bool) (long, short string, err error) {
	if raw == "" {
		return "", "", nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return "", "", errors.New("is not an RFC 3339 time")
	}
	t = t.In(loc)
	long, short = t.Format("Monday, January 2, 2006 at 3:04 PM"), t.Format("Mon Jan 2, 3:04 PM")
	if labelled {
		long, short = long+" UTC", short+" UTC"
	}
	return long, short, nil
}

func checkLink(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("is not an http(s) link")
	}
	if strings.ContainsAny(raw, " \r\n\t") {
		return errors.New("has spaces")
	}
	return nil
}

// truncate cuts s to at most max runes, at a word boundary when there is one.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := string([]rune(s)[:max])
	if i := strings.LastIndex(r, " "); i > max/2 {
		r = r[:i]
	}
	return strings.TrimRight(r, " &,-")
}
