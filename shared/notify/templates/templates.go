// Package templates renders a notify.Message into what its recipient reads:
// an email (subject, plain text, HTML) or an SMS text.
//
// Every template reads these Data keys when present:
//
//	clinicName      the practice's name (fallback "TopSmile")
//	timeZone        the clinic's IANA zone; times are shown in it (fallback UTC, labelled)
//	firstName       the greeting's name (fallback a plain "Hello")
//	unsubscribeUrl  one-click opt-out URL (RFC 8058) of non-transactional mail;
//	                ignored on password-reset, verify-email, account-exists and staff-invite
//
// and, per template (the ones marked * are required; times are RFC 3339):
//
//	password-reset               resetUrl*, expiresInMinutes
//	verify-email                 verifyUrl*, expiresInHours
//	account-exists               signInUrl*, resetUrl*
//	staff-invite                 resetUrl* (the set-password link), expiresInHours
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
//
// The templates are plain Go functions building strings, not text/template
// or html/template: those look methods up by name (reflect's MethodByName),
// which makes the linker keep every exported method of every type the binary
// reaches (the Mongo driver, go-redis, go-mail...): the notifications Lambda
// doubled. In HTML every value is escaped (html.EscapeString) and every link,
// checked http(s), is percent-encoded for its attribute as html/template did.
package templates

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/notify"
)

// spec is one template: its email parts and its SMS, each optional. Each
// part builds its string from a view; html gets the view escapeHTML made.
type spec struct {
	required []string
	subject  func(v view) string // plain text, made one line
	text     func(v view) string // plain-text email body
	html     func(v view) string // HTML body inside the layout; every value of v is escaped
	sms      func(v view) string
}

// defaultClinic names the sender when a publisher gives no clinic name.
const defaultClinic = "TopSmile"

// smsClinicMax bounds the clinic's name in a text, so a long name cannot
// push a message past two segments.
const smsClinicMax = 32

const stopLine = " Reply STOP to opt out."

// with is text/template's {{with}}: before+s+after when s is not empty.
func with(before, s, after string) string {
	if s == "" {
		return ""
	}
	return before + s + after
}

var specs = map[string]spec{
	"password-reset": {
		required: []string{"resetUrl"},
		subject:  func(v view) string { return "Reset your " + v.Clinic + " password" },
		text: func(v view) string {
			return v.Greeting + `

Someone (hopefully you) asked to reset the password of your ` + v.Clinic + ` account.
Choose a new password here` + with(" within ", v.D["expiresInMinutes"], " minutes") + `:

` + v.D["resetUrl"] + `

If you did not ask for this, ignore this email: your password stays as it is.`
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>Someone (hopefully you) asked to reset the password of your ` + v.Clinic + ` account.</p>
<p><a href="` + v.D["resetUrl"] + `">Choose a new password</a>` + with(" within ", v.D["expiresInMinutes"], " minutes") + `.</p>
<p>If you did not ask for this, ignore this email: your password stays as it is.</p>`
		},
	},
	"verify-email": {
		required: []string{"verifyUrl"},
		subject:  func(v view) string { return "Confirm your email for " + v.Clinic },
		text: func(v view) string {
			return v.Greeting + `

Welcome to ` + v.Clinic + `. Confirm your email address to finish setting up your account` + with(" (the link works for ", v.D["expiresInHours"], " hours)") + `:

` + v.D["verifyUrl"] + `

If you did not sign up, ignore this email.`
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>Welcome to ` + v.Clinic + `. <a href="` + v.D["verifyUrl"] + `">Confirm your email address</a> to finish setting up your account` + with(" (the link works for ", v.D["expiresInHours"], " hours)") + `.</p>
<p>If you did not sign up, ignore this email.</p>`
		},
	},
	"account-exists": {
		required: []string{"signInUrl", "resetUrl"},
		subject:  func(v view) string { return "You already have a " + v.Clinic + " account" },
		text: func(v view) string {
			return v.Greeting + `

Someone tried to sign up with this email address, which already has an account.
Sign in: ` + v.D["signInUrl"] + `
Forgot your password? Reset it: ` + v.D["resetUrl"] + `

If this was not you, ignore this email.`
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>Someone tried to sign up with this email address, which already has an account.</p>
<p><a href="` + v.D["signInUrl"] + `">Sign in</a> or, if you forgot your password, <a href="` + v.D["resetUrl"] + `">reset it</a>.</p>
<p>If this was not you, ignore this email.</p>`
		},
	},
	"staff-invite": {
		required: []string{"resetUrl"},
		subject:  func(v view) string { return "You are invited to " + v.Clinic + " on TopSmile" },
		text: func(v view) string {
			return v.Greeting + `

An administrator of ` + v.Clinic + ` made you an account. Choose your password to sign in` + with(" (the link works for ", v.D["expiresInHours"], " hours)") + `:

` + v.D["resetUrl"] + `

If you did not expect this, ignore this email.`
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>An administrator of ` + v.Clinic + ` made you an account. <a href="` + v.D["resetUrl"] + `">Choose your password</a> to sign in` + with(" (the link works for ", v.D["expiresInHours"], " hours)") + `.</p>
<p>If you did not expect this, ignore this email.</p>`
		},
	},
	"waitlist-offer": {
		required: []string{"start", "expiresAt", "acceptUrl", "declineUrl"},
		subject:  func(v view) string { return "An earlier appointment is open at " + v.Clinic },
		text: func(v view) string {
			return v.Greeting + `

An appointment opened up at ` + v.Clinic + ` on ` + v.When + `. It is held for you until ` + v.Until + `.
Take it: ` + v.D["acceptUrl"] + `
No, thanks: ` + v.D["declineUrl"]
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>An appointment opened up at ` + v.Clinic + ` on <strong>` + v.When + `</strong>. It is held for you until ` + v.Until + `.</p>
<p><a href="` + v.D["acceptUrl"] + `">Take it</a> · <a href="` + v.D["declineUrl"] + `">No, thanks</a></p>`
		},
		sms: func(v view) string {
			return v.SMSClinic + ": an appointment opened up " + v.WhenShort + ", held for you until " + v.UntilShort + ". Take it: " + v.D["acceptUrl"]
		},
	},
	"appointment-booked": {
		required: []string{"start"},
		subject:  func(v view) string { return "Your appointment at " + v.Clinic + " on " + v.WhenShort },
		text: func(v view) string {
			return v.Greeting + `

Your appointment at ` + v.Clinic + ` is booked for ` + v.When + `.` + with("\nSee or change it: ", v.D["manageUrl"], "")
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>Your appointment at ` + v.Clinic + ` is booked for <strong>` + v.When + `</strong>.</p>` + with("\n<p><a href=\"", v.D["manageUrl"], "\">See or change it</a></p>")
		},
		sms: func(v view) string {
			return v.SMSClinic + ": your appointment is booked for " + v.WhenShort + "." + with(" Details: ", v.D["manageUrl"], "")
		},
	},
	"appointment-moved": {
		required: []string{"start"},
		subject:  func(v view) string { return "Your appointment at " + v.Clinic + " moved to " + v.WhenShort },
		text: func(v view) string {
			return v.Greeting + `

Your appointment at ` + v.Clinic + with(" on ", v.Was, "") + ` has moved to ` + v.When + `.` + with("\nSee or change it: ", v.D["manageUrl"], "")
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>Your appointment at ` + v.Clinic + with(" on ", v.Was, "") + ` has moved to <strong>` + v.When + `</strong>.</p>` + with("\n<p><a href=\"", v.D["manageUrl"], "\">See or change it</a></p>")
		},
		sms: func(v view) string {
			return v.SMSClinic + ": your appointment" + with(" of ", v.WasShort, "") + " moved to " + v.WhenShort + "." + with(" Details: ", v.D["manageUrl"], "")
		},
	},
	"appointment-cancelled": {
		required: []string{"start"},
		subject:  func(v view) string { return "Your appointment at " + v.Clinic + " on " + v.WhenShort + " is cancelled" },
		text: func(v view) string {
			return v.Greeting + `

Your appointment at ` + v.Clinic + ` on ` + v.When + ` is cancelled.` + with("\nBook another time: ", v.D["bookUrl"], "")
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>Your appointment at ` + v.Clinic + ` on <strong>` + v.When + `</strong> is cancelled.</p>` + with("\n<p><a href=\"", v.D["bookUrl"], "\">Book another time</a></p>")
		},
		sms: func(v view) string {
			return v.SMSClinic + ": your appointment of " + v.WhenShort + " is cancelled." + with(" Book again: ", v.D["bookUrl"], "")
		},
	},
	"appointment-confirm-request": {
		required: []string{"start"},
		subject:  func(v view) string { return "Please confirm your appointment at " + v.Clinic + " on " + v.WhenShort },
		text: func(v view) string {
			return v.Greeting + `

You have an appointment at ` + v.Clinic + ` on ` + v.When + `.` + with("\nConfirm it: ", v.D["confirmUrl"], "") + with("\nNeed another time? ", v.D["manageUrl"], "")
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>You have an appointment at ` + v.Clinic + ` on <strong>` + v.When + `</strong>.</p>` +
				with("\n<p><a href=\"", v.D["confirmUrl"], "\">Confirm it</a></p>") +
				with("\n<p>Need another time? <a href=\"", v.D["manageUrl"], "\">Change it</a></p>")
		},
		sms: func(v view) string {
			return v.SMSClinic + ": you have an appointment " + v.WhenShort + ". Reply C to confirm."
		},
	},
	"appointment-reminder": {
		required: []string{"start"},
		subject:  func(v view) string { return "Reminder: your appointment at " + v.Clinic + " on " + v.WhenShort },
		text: func(v view) string {
			return v.Greeting + `

A reminder of your appointment at ` + v.Clinic + ` on ` + v.When + `.` + with("\nSee or change it: ", v.D["manageUrl"], "")
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>A reminder of your appointment at ` + v.Clinic + ` on <strong>` + v.When + `</strong>.</p>` + with("\n<p><a href=\"", v.D["manageUrl"], "\">See or change it</a></p>")
		},
		sms: func(v view) string {
			return v.SMSClinic + ": reminder of your appointment " + v.WhenShort + "." + with(" Details: ", v.D["manageUrl"], "")
		},
	},
	"recall-due": {
		required: []string{"bookUrl"},
		subject:  func(v view) string { return "Time for your next visit at " + v.Clinic },
		text: func(v view) string {
			return v.Greeting + `

It is time to book your next routine visit at ` + v.Clinic + `.
Book online: ` + v.D["bookUrl"]
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>It is time to book your next routine visit at ` + v.Clinic + `.</p>
<p><a href="` + v.D["bookUrl"] + `">Book online</a></p>`
		},
		sms: func(v view) string {
			return v.SMSClinic + ": it is time to book your next visit. Book online: " + v.D["bookUrl"]
		},
	},
	"consent-unsigned": {
		required: []string{"formsUrl"},
		subject:  func(v view) string { return "Forms to sign before your visit to " + v.Clinic },
		text: func(v view) string {
			return v.Greeting + `

` + v.Clinic + ` has forms for you to read and sign` + with(" before your visit on ", v.When, "") + `.
Open them: ` + v.D["formsUrl"]
		},
		html: func(v view) string {
			return `<p>` + v.Greeting + `</p>
<p>` + v.Clinic + ` has forms for you to read and sign` + with(" before your visit on <strong>", v.When, "</strong>") + `.</p>
<p><a href="` + v.D["formsUrl"] + `">Open them</a></p>`
		},
		sms: func(v view) string {
			return v.SMSClinic + ": you have forms to sign" + with(" before your visit ", v.WhenShort, "") + ". Open them: " + v.D["formsUrl"]
		},
	},
}

// page wraps an HTML body in the email's layout. subject, clinic and
// unsubscribe are escaped here; body is HTML already.
func page(subject, body, clinic, unsubscribe string) string {
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>` + html.EscapeString(subject) + `</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933;max-width:36em;margin:0 auto;padding:1em">
` + body + `
<p style="color:#52606d;font-size:14px">` + html.EscapeString(clinic) + with(` · <a href="`, attrURL(unsubscribe), `">Unsubscribe</a>`) + `</p>
</body></html>`
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
func HasSMS(template string) bool { return specs[template].sms != nil }

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

// escapeHTML is v for an HTML body: every value escaped for text, and every
// link (a key ending in "Url") for a quoted href.
func (v view) escapeHTML() view {
	d := make(map[string]string, len(v.D))
	for k, val := range v.D {
		if strings.HasSuffix(k, "Url") {
			d[k] = attrURL(val)
		} else {
			d[k] = html.EscapeString(val)
		}
	}
	e := html.EscapeString
	return view{
		Clinic: e(v.Clinic), SMSClinic: e(v.SMSClinic), Greeting: e(v.Greeting), D: d,
		When: e(v.When), WhenShort: e(v.WhenShort), Was: e(v.Was), WasShort: e(v.WasShort),
		Until: e(v.Until), UntilShort: e(v.UntilShort),
	}
}

// Render renders m for its channel.
func Render(m notify.Message) (notify.Content, error) {
	t, ok := specs[m.Template]
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
		text := t.sms(v)
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

func renderEmail(m notify.Message, t spec, v view) (notify.Content, error) {
	// A header is one line: the data (a clinic name) cannot make it two.
	subject := strings.Join(strings.Fields(t.subject(v)), " ")
	c := notify.Content{Subject: subject, Text: t.text(v)}
	if u := m.Data["unsubscribeUrl"]; u != "" && !notify.Transactional(m.Template) {
		if err := checkLink(u); err != nil {
			return notify.Content{}, notify.Permanent(notify.ClassBadData, fmt.Errorf("unsubscribeUrl: %w", err))
		}
		c.Unsubscribe = u
		c.Text += "\n\nTo stop these emails: " + u
	}
	c.Text += "\n\n-- \n" + v.Clinic + "\n"
	c.HTML = page(subject, t.html(v.escapeHTML()), v.Clinic, c.Unsubscribe)
	return c, nil
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

// attrURL writes a link for a quoted href as html/template did: a link that
// is not http(s) becomes "#ZgotmplZ" (checkLink refused it already), every
// byte outside RFC 3986's unreserved and reserved characters is
// percent-encoded (a valid escape is kept), and the rest is escaped for the
// attribute.
func attrURL(raw string) string {
	if raw == "" {
		return ""
	}
	if checkLink(raw) != nil {
		return "#ZgotmplZ"
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0,
			c == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return html.EscapeString(b.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
