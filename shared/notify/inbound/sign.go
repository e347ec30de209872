package inbound

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
)

// Sign is the X-Twilio-Signature Twilio sends for a POST of form to
// fullURL under authToken: HMAC-SHA1 over the URL followed by each
// parameter's name and value in name order, base64-encoded (the scheme
// twilio-go's RequestValidator checks). The local stack's dev helper plays
// Twilio with it; tests sign with it.
func Sign(authToken, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, k := range keys {
		for _, v := range form[k] {
			mac.Write([]byte(k + v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
