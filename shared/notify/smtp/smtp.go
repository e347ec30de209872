// Package smtp is the email notify.Sender: go-mail over SMTP with STARTTLS
// required (smtp://) or implicit TLS (smtps://), authenticated, multipart
// plain text + HTML, with RFC 8058 one-click unsubscribe headers on the mail
// a person may refuse.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/templates"
)

// Config is the SMTP part of a function's config. Both unset: no email
// sender.
type Config struct {
	URL     string        `env:"SMTP_URL,secret"` // smtp://user:pass@host:port or smtps://…
	From    string        `env:"MAIL_FROM"`       // "TopSmile <no-reply@topsmile.example>"
	Timeout time.Duration `env:"SMTP_TIMEOUT" default:"10s"`
	// TLS, when set, replaces the default TLS settings (tests trust their
	// own certificate with it). No env tag.
	TLS *tls.Config
}

// Configured reports whether the settings name a server.
func (c Config) Configured() bool { return c.URL != "" }

// Sender sends email through one SMTP server, a connection per message (a
// Lambda instance sends a batch at most, and a kept connection would time
// out between invocations).
type Sender struct {
	opts []mail.Option
	host string
	from string
}

var _ notify.ContentSender = (*Sender)(nil)

// New checks the settings; it does no I/O.
func New(cfg Config) (*Sender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, errors.New("smtp: SMTP_URL must be smtp://user:pass@host:port or smtps://user:pass@host:port")
	}
	if cfg.From == "" {
		return nil, errors.New("smtp: MAIL_FROM is required with SMTP_URL")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: MAIL_FROM is not an address: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	host := u.Hostname()
	tlsCfg := cfg.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsCfg = tlsCfg.Clone()
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}
	opts := []mail.Option{mail.WithTimeout(timeout), mail.WithTLSConfig(tlsCfg)}
	switch u.Scheme {
	case "smtp":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(port(u, 587)))
	case "smtps":
		opts = append(opts, mail.WithSSL(), mail.WithPort(port(u, 465)))
	default:
		return nil, errors.New("smtp: SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	return &Sender{opts: opts, host: host, from: cfg.From}, nil
}

func port(u *url.URL, def int) int {
	if p, err := strconv.Atoi(u.Port()); err == nil && p > 0 {
		return p
	}
	return def
}

// Send renders m and sends it.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	return templates.Deliver(ctx, s, m)
}

// SendContent sends the rendered email c to m.To. A refused recipient or a
// 5xx answer to the message is permanent; a 4xx, a refused or timed-out
// connection, or a failed login is transient (retried, then the DLQ).
func (s *Sender) SendContent(ctx context.Context, m notify.Message, c notify.Content) error {
	msg, err := s.build(m, c)
	if err != nil {
		return err
	}
	client, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return classify(client.DialAndSendWithContext(ctx, msg))
}

func (s *Sender) build(m notify.Message, c notify.Content) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, err
	}
	// go-mail parses the address (net/mail): a CR or LF, a second address,
	// or anything else that is not one mailbox is refused here, so the
	// recipient cannot add a header or a recipient.
	to := m.To
	if strings.ContainsAny(to, "\r\n,;") {
		return nil, notify.Permanent(notify.ClassBadRecipient, errors.New("recipient is not one address"))
	}
	if err := msg.To(to); err != nil {
		return nil, notify.Permanent(notify.ClassBadRecipient, errors.New("recipient is not an address"))
	}
	msg.Subject(oneLine(c.Subject))
	msg.SetMessageID()
	msg.SetDate()
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, c.Text)
	if c.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, c.HTML)
	}
	// RFC 8058 one-click needs an https link; a plain-http one (a local
	// stack) stays in the body only.
	if c.Unsubscribe != "" && !notify.Transactional(m.Template) && strings.HasPrefix(c.Unsubscribe, "https://") {
		if err := msg.SetListUnsubscribeOneClick(oneLine(c.Unsubscribe)); err != nil {
			return nil, notify.Permanent(notify.ClassBadData, fmt.Errorf("unsubscribe link: %w", err))
		}
	}
	return msg, nil
}

// oneLine folds every line break and tab into a space: a header value can
// never start a header of its own.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' }), " ")
}

// classify sorts an SMTP failure into permanent and transient.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case code >= 500 && (se.Reason == mail.ErrSMTPRcptTo || se.Reason == mail.ErrGetRcpts):
			return notify.Permanent(notify.ClassBadRecipient, err)
		case code >= 500 && (se.Reason == mail.ErrSMTPData || se.Reason == mail.ErrSMTPDataClose || se.Reason == mail.ErrSMTPMailFrom):
			return notify.Permanent(notify.ClassHardBounce, err)
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("smtp unreachable: %w", err)
	}
	return err
}
