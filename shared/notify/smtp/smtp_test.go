package smtp_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/smtp"
)

const (
	user = "mailer"
	pass = "s3cret-pass"
)

// received is one message the capturing server accepted.
type received struct {
	from  string
	rcpts []string
	data  []byte
	tls   bool
	authd string
}

// server is a go-smtp server on loopback that requires TLS and AUTH PLAIN
// and keeps what it receives. RCPT answers: bounce@… 550, busy@… 451.
type server struct {
	addr               string
	certs              *x509.CertPool
	mu                 sync.Mutex
	mails              []received
	implicitTLS, noTLS bool
}

func (s *server) got() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mails...)
}

type session struct {
	srv  *server
	conn *gosmtp.Conn
	cur  received
}

func (ss *session) AuthMechanisms() []string { return []string{gosasl.Plain} }
func (ss *session) Auth(string) (gosasl.Server, error) {
	return gosasl.NewPlainServer(func(_, u, p string) error {
		if u != user || p != pass {
			return gosmtp.ErrAuthFailed
		}
		ss.cur.authd = u
		return nil
	}), nil
}
func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.cur.authd == "" {
		return gosmtp.ErrAuthRequired
	}
	_, ss.cur.tls = ss.conn.TLSConnectionState()
	ss.cur.from = from
	return nil
}
func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "bounce@"):
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case strings.HasPrefix(to, "busy@"):
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	ss.cur.rcpts = append(ss.cur.rcpts, to)
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.data = b
	ss.srv.mu.Lock()
	ss.srv.mails = append(ss.srv.mails, ss.cur)
	ss.srv.mu.Unlock()
	return nil
}
func (ss *session) Reset()        { authd := ss.cur.authd; ss.cur = received{authd: authd} }
func (ss *session) Logout() error { return nil }

func newServer(tb testing.TB, mutate func(*server)) *server {
	tb.Helper()
	cert, pool := testCert(tb)
	s := &server{certs: pool}
	if mutate != nil {
		mutate(s)
	}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	srv.ErrorLog = gosmtpDiscard{}
	if !s.noTLS {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if s.implicitTLS {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	s.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return s
}

type gosmtpDiscard struct{}

func (gosmtpDiscard) Printf(string, ...any) {}
func (gosmtpDiscard) Println(...any)        {}

// testCert is a self-signed certificate for 127.0.0.1 and the pool that
// trusts it.
func testCert(tb testing.TB) (tls.Certificate, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func newSender(tb testing.TB, s *server, scheme, password string) *smtp.Sender {
	tb.Helper()
	snd, err := smtp.New(smtp.Config{
		URL:  fmt.Sprintf("%s://%s:%s@%s", scheme, user, password, s.addr),
		From: "TopSmile <no-reply@topsmile.example>", Timeout: 2 * time.Second,
		TLS: &tls.Config{RootCAs: s.certs, MinVersion: tls.VersionTLS12},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return snd
}

func reminder(to string) (notify.Message, notify.Content) {
	return notify.Message{ID: "n1", ClinicID: "c1", Channel: notify.Email, To: to, Template: "appointment-reminder"},
		notify.Content{Subject: "Reminder: your appointment", Text: "See you Tuesday at 2:30 PM.", HTML: "<p>See you <b>Tuesday</b> at 2:30 PM.</p>",
			Unsubscribe: "https://app.topsmile.example/api/unsubscribe?t=abc"}
}

func TestSendsMultipartOverSTARTTLSWithAuth(t *testing.T) {
	s := newServer(t, nil)
	m, c := reminder("ana@example.com")
	if err := newSender(t, s, "smtp", pass).SendContent(t.Context(), m, c); err != nil {
		t.Fatal(err)
	}
	mails := s.got()
	if len(mails) != 1 {
		t.Fatalf("%d mails received", len(mails))
	}
	got := mails[0]
	if !got.tls || got.authd != user || got.from != "no-reply@topsmile.example" || len(got.rcpts) != 1 || got.rcpts[0] != "ana@example.com" {
		t.Fatalf("envelope %+v", got)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if h.Get("Subject") != c.Subject || h.Get("To") != "<ana@example.com>" || !strings.Contains(h.Get("From"), "no-reply@topsmile.example") {
		t.Fatalf("headers %v", h)
	}
	if h.Get("List-Unsubscribe") != "<https://app.topsmile.example/api/unsubscribe?t=abc>" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("unsubscribe headers %q %q", h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post"))
	}
	if h.Get("Message-Id") == "" || h.Get("Date") == "" {
		t.Fatalf("no Message-ID/Date: %v", h)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q %v", h.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	if !strings.Contains(parts["text/plain"], c.Text) || !strings.Contains(parts["text/html"], c.HTML) {
		t.Fatalf("parts %q", parts)
	}
}

func TestImplicitTLS(t *testing.T) {
	s := newServer(t, func(s *server) { s.implicitTLS = true })
	m, c := reminder("ana@example.com")
	if err := newSender(t, s, "smtps", pass).SendContent(t.Context(), m, c); err != nil {
		t.Fatal(err)
	}
	if got := s.got(); len(got) != 1 || !got[0].tls {
		t.Fatalf("received %+v", got)
	}
}

func TestTransactionalMailHasNoUnsubscribeHeaders(t *testing.T) {
	s := newServer(t, nil)
	m, c := reminder("ana@example.com")
	m.Template = "password-reset"
	if err := newSender(t, s, "smtp", pass).SendContent(t.Context(), m, c); err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(s.got()[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("List-Unsubscribe") != "" || msg.Header.Get("List-Unsubscribe-Post") != "" {
		t.Fatalf("password reset carries unsubscribe headers: %v", msg.Header)
	}
}

func TestHeadersAreSafeFromCRLFInjection(t *testing.T) {
	s := newServer(t, nil)
	snd := newSender(t, s, "smtp", pass)
	t.Run("recipient", func(t *testing.T) {
		for _, to := range []string{"ana@example.com\r\nBcc: x@evil.example", "ana@example.com\nBcc: x@evil.example", "ana@example.com, x@evil.example"} {
			m, c := reminder(to)
			err := snd.SendContent(t.Context(), m, c)
			if class, ok := notify.PermanentClass(err); !ok || class != notify.ClassBadRecipient {
				t.Fatalf("to %q: err %v, want permanent bad-recipient", to, err)
			}
		}
		if n := len(s.got()); n != 0 {
			t.Fatalf("%d mails went out", n)
		}
	})
	t.Run("subject", func(t *testing.T) {
		m, c := reminder("ana@example.com")
		c.Subject = "Hello\r\nBcc: x@evil.example"
		if err := snd.SendContent(t.Context(), m, c); err != nil {
			t.Fatal(err)
		}
		got := s.got()
		last := got[len(got)-1]
		if len(last.rcpts) != 1 || last.rcpts[0] != "ana@example.com" {
			t.Fatalf("recipients %v", last.rcpts)
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(last.data))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := msg.Header["Bcc"]; ok {
			t.Fatalf("subject added a Bcc header:\n%s", last.data)
		}
		if subj := msg.Header.Get("Subject"); strings.ContainsAny(subj, "\r\n") || !strings.HasPrefix(subj, "Hello") {
			t.Fatalf("subject %q", subj)
		}
	})
}

func TestErrorClasses(t *testing.T) {
	s := newServer(t, nil)
	m, c := reminder("ana@example.com")
	send := func(snd *smtp.Sender, to string) error {
		mm := m
		mm.To = to
		return snd.SendContent(t.Context(), mm, c)
	}
	refused, _ := net.Listen("tcp", "127.0.0.1:0")
	refusedAddr := refused.Addr().String()
	_ = refused.Close()
	silent, _ := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	plain := newServer(t, func(s *server) { s.noTLS = true })
	cases := []struct {
		name      string
		err       func() error
		permanent string // "" transient
	}{
		{"550 unknown user", func() error { return send(newSender(t, s, "smtp", pass), "bounce@example.com") }, notify.ClassBadRecipient},
		{"451 try later", func() error { return send(newSender(t, s, "smtp", pass), "busy@example.com") }, ""},
		{"wrong password", func() error { return send(newSender(t, s, "smtp", "nope"), "ana@example.com") }, ""},
		{"connection refused", func() error {
			return send(newSender(t, &server{addr: refusedAddr, certs: s.certs}, "smtp", pass), "ana@example.com")
		}, ""},
		{"timeout", func() error {
			return send(newSender(t, &server{addr: silent.Addr().String(), certs: s.certs}, "smtp", pass), "ana@example.com")
		}, ""},
		{"no STARTTLS offered", func() error { return send(newSender(t, plain, "smtp", pass), "ana@example.com") }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil {
				t.Fatal("sent")
			}
			class, permanent := notify.PermanentClass(err)
			if tc.permanent == "" && permanent {
				t.Fatalf("err %v is permanent (%s), want transient", err, class)
			}
			if tc.permanent != "" && class != tc.permanent {
				t.Fatalf("err %v class %q, want %s", err, class, tc.permanent)
			}
		})
	}
	if n := len(plain.got()); n != 0 {
		t.Fatal("mail went out without TLS")
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, url, from string }{
		{"no scheme", "mail.example.com:587", "a@b.example"},
		{"http", "http://mail.example.com", "a@b.example"},
		{"no from", "smtp://u:p@mail.example.com:587", ""},
		{"bad from", "smtp://u:p@mail.example.com:587", "not an address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := smtp.New(smtp.Config{URL: tc.url, From: tc.from}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
