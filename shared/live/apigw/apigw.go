// Package apigw is the deployed live.Poster: API Gateway's WebSocket
// Management API (POST and DELETE @connections/{id}), signed with SigV4 by
// the SDK's signer. The SDK's apigatewaymanagementapi module is not served
// by the module proxy these machines reach, and the API is two calls, so it
// is spoken here directly; a 410 is the API's GoneException.
package apigw

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/topsmile/topsmile/shared/live"
)

// Config is where the Management API is and as whom to call it. On Lambda
// the runtime sets the region and the role's credentials.
type Config struct {
	// Endpoint is https://{api-id}.execute-api.{region}.amazonaws.com/{stage}.
	Endpoint        string `env:"LIVE_ENDPOINT"`
	Region          string `env:"AWS_REGION"`
	AccessKeyID     string `env:"AWS_ACCESS_KEY_ID,secret"`
	SecretAccessKey string `env:"AWS_SECRET_ACCESS_KEY,secret"`
	SessionToken    string `env:"AWS_SESSION_TOKEN,secret"`
}

// Poster posts to connections through the Management API.
type Poster struct {
	base   string
	region string
	creds  aws.CredentialsProvider
	signer *v4.Signer
	client *http.Client
	now    func() time.Time
}

var _ live.Poster = (*Poster)(nil)

// New builds the poster (no I/O).
func New(cfg Config) (*Poster, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("apigw: LIVE_ENDPOINT %q is not a URL", cfg.Endpoint)
	}
	region := cfg.Region
	if region == "" {
		// {api-id}.execute-api.{region}.amazonaws.com
		if parts := strings.Split(u.Hostname(), "."); len(parts) >= 4 && parts[1] == "execute-api" {
			region = parts[2]
		}
	}
	return &Poster{
		base: strings.TrimRight(cfg.Endpoint, "/"), region: region,
		creds:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)),
		signer: v4.NewSigner(), client: &http.Client{Timeout: 3 * time.Second}, now: time.Now,
	}, nil
}

// Post sends data to connection id.
func (p *Poster) Post(ctx context.Context, id string, data []byte) error {
	return p.call(ctx, http.MethodPost, id, data)
}

// Close ends connection id.
func (p *Poster) Close(ctx context.Context, id string) error {
	return p.call(ctx, http.MethodDelete, id, nil)
}

func (p *Poster) call(ctx context.Context, method, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, method, p.base+"/@connections/"+url.PathEscape(id), bytes.NewReader(body))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	creds, err := p.creds.Retrieve(ctx)
	if err != nil {
		return err
	}
	if err := p.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", p.region, p.now()); err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode == http.StatusGone:
		return live.ErrGone
	case resp.StatusCode >= 300:
		return fmt.Errorf("apigw: %s @connections: status %d", method, resp.StatusCode)
	}
	return nil
}
