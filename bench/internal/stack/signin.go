package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/topsmile/topsmile/shared/authz"
)

// SignIn signs a user in as the SPA does (POST /api/auth/login from viewer
// address n) and returns the headers its later requests carry: the edge
// headers, the session's cookies and the CSRF token echoed from its cookie.
func (s *Stack) SignIn(ctx context.Context, c *http.Client, n int, email, password string) (http.Header, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/api/auth/login", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	h := s.Viewer(n)
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, &SignInError{Email: email, Status: resp.StatusCode, Body: msg}
	}
	var cookies []string
	for _, ck := range resp.Cookies() {
		cookies = append(cookies, ck.Name+"="+ck.Value)
		if strings.TrimPrefix(ck.Name, "__Host-") == strings.TrimPrefix(authz.CSRFCookie, "__Host-") {
			h.Set(authz.CSRFHeader, ck.Value)
		}
	}
	if h.Get(authz.CSRFHeader) == "" {
		return nil, fmt.Errorf("sign in %s: no CSRF cookie in %v", email, resp.Header.Values("Set-Cookie"))
	}
	h.Set("Cookie", strings.Join(cookies, "; "))
	return h, nil
}

// SignInError is a sign-in the API refused.
type SignInError struct {
	Email  string
	Status int
	Body   []byte
}

func (e *SignInError) Error() string {
	return fmt.Sprintf("sign in %s: %d %s", e.Email, e.Status, e.Body)
}
