package blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/topsmile/topsmile/shared/blob"
	"github.com/topsmile/topsmile/shared/errs"
)

func newTestStore(t *testing.T) *blob.Store {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("docs"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return blob.New(blob.Config{Bucket: "docs", Endpoint: srv.URL, Region: "eu-west-1", AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"})
}

func TestPresignedRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	key := "clinics/c/patients/p/documents/d"
	data := []byte("%PDF-1.7 hello")
	u, headers, err := s.PresignPut(ctx, key, "application/pdf", int64(len(data)), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	if q.Get("X-Amz-Expires") != "600" || !strings.Contains(q.Get("X-Amz-Credential"), "AKIDTEST/") || !strings.Contains(q.Get("X-Amz-Credential"), "/eu-west-1/s3/") {
		t.Errorf("presigned PUT %s", u)
	}
	for _, h := range []string{"content-type", "content-length", "if-none-match"} {
		if !strings.Contains(q.Get("X-Amz-SignedHeaders"), h) {
			t.Errorf("SignedHeaders %q: want %s signed", q.Get("X-Amz-SignedHeaders"), h)
		}
	}
	if headers["Content-Type"] != "application/pdf" || headers["If-None-Match"] != "*" {
		t.Errorf("headers %v", headers)
	}
	if _, ok := headers["Host"]; ok {
		t.Errorf("headers %v: a browser cannot set Host", headers)
	}
	if _, err := s.Head(ctx, key); !errs.Is(err, errs.NotFound) {
		t.Errorf("head before upload: %v, want NotFound", err)
	}
	send := func() int {
		req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(data))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := send(); st != 200 {
		t.Fatalf("PUT: %d", st)
	}
	// The URL cannot replace the object once it is there (checked and
	// stored documents stay what was checked).
	if st := send(); st != http.StatusPreconditionFailed {
		t.Errorf("second PUT: %d, want 412", st)
	}
	if n, err := s.Head(ctx, key); err != nil || n != int64(len(data)) {
		t.Errorf("head: %d %v", n, err)
	}
	for _, n := range []int64{5, 132} {
		head, err := s.ReadFirst(ctx, key, n)
		want := data[:min(int(n), len(data))]
		if err != nil || !bytes.Equal(head, want) {
			t.Errorf("ReadFirst(%d) = %q %v, want %q", n, head, err, want)
		}
	}
	g, err := s.PresignGet(ctx, key, "Referral.pdf", "application/pdf", false, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(g)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(body, data) || res.Header.Get("Content-Disposition") != `attachment; filename="Referral.pdf"` {
		t.Errorf("GET: %q %q", body, res.Header.Get("Content-Disposition"))
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	if _, err := s.Head(ctx, key); !errs.Is(err, errs.NotFound) {
		t.Errorf("head after delete: %v", err)
	}
}

// A store that does not answer is Unavailable within the timeout, never a
// hang.
func TestUnreachableStoreIsUnavailable(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	s := blob.New(blob.Config{Bucket: "docs", Endpoint: hang.URL, AccessKeyID: "a", SecretAccessKey: "b", Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := s.Head(context.Background(), "k")
	if !errs.Is(err, errs.Unavailable) || time.Since(start) > 5*time.Second {
		t.Errorf("head: %v after %v", err, time.Since(start))
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	s = blob.New(blob.Config{Bucket: "docs", Endpoint: closed.URL, AccessKeyID: "a", SecretAccessKey: "b"})
	if _, err := s.ReadFirst(context.Background(), "k", 10); !errs.Is(err, errs.Unavailable) {
		t.Errorf("read: %v", err)
	}
	if err := s.Delete(context.Background(), "k"); !errs.Is(err, errs.Unavailable) {
		t.Errorf("delete: %v", err)
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inline bool
		want   string
	}{
		{"x-ray 3.jpg", false, `attachment; filename="x-ray 3.jpg"`},
		{"x-ray 3.jpg", true, `inline; filename="x-ray 3.jpg"`},
		{"Überweisung.pdf", false, `attachment; filename="_berweisung.pdf"; filename*=UTF-8''%C3%9Cberweisung.pdf`},
		{"say \"hi\"\r\nSet-Cookie: a=b.pdf", false, `attachment; filename="say _hi_Set-Cookie: a=b.pdf"`},
		{"", true, `inline; filename="document"`},
	} {
		if got := blob.ContentDisposition(tc.name, tc.inline); got != tc.want {
			t.Errorf("ContentDisposition(%q, %v) = %q, want %q", tc.name, tc.inline, got, tc.want)
		}
	}
}
