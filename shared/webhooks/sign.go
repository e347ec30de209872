package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"
)

// Headers of a delivery.
const (
	SignatureHeader = "X-TopSmile-Signature"
	EventIDHeader   = "X-TopSmile-Event-Id"
	UserAgent       = "TopSmile-Webhooks/1"
)

// Sign is the X-TopSmile-Signature of body sent at t under secret:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>". A
// receiver recomputes v1 from the t it was sent and the raw body,
// compares in constant time, and refuses a t too far from its clock.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// NewSecret is a fresh signing secret: "whsec_" and 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}
