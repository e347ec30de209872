// Package blob is the object store behind clinical documents: an S3 bucket
// (or an S3-protocol server locally and in tests) reached with the S3 SDK.
// Browsers upload and download through presigned URLs; the function itself
// only signs, inspects an object's size and first bytes, and deletes a
// forged upload. It is its own package so that only the function that
// serves documents links the S3 client.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/errs"
)

// Config is the bucket and as whom it is reached. On Lambda the runtime
// sets the region and the execution role's credentials in these variables.
type Config struct {
	Bucket string `env:"S3_BUCKET,required"`
	// Endpoint, when set, is an S3-protocol server addressed path-style
	// (<endpoint>/<bucket>/<key>): the local stack's embedded one, or the
	// tests'.
	Endpoint        string `env:"S3_ENDPOINT"`
	Region          string `env:"AWS_REGION"`
	AccessKeyID     string `env:"AWS_ACCESS_KEY_ID,secret"`
	SecretAccessKey string `env:"AWS_SECRET_ACCESS_KEY,secret"`
	SessionToken    string `env:"AWS_SESSION_TOKEN,secret"`
	// Timeout bounds each call to the store (a store that does not answer
	// is a 503, never a hang).
	Timeout time.Duration `env:"S3_TIMEOUT" default:"5s"`
}

// Store is the S3 implementation of core.Objects.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	timeout time.Duration
}

var _ core.Objects = (*Store)(nil)

// New reaches cfg.Bucket with cfg's region and credentials. Like sqsqueue it
// builds the client from the configuration alone, without the SDK's config
// loader (which would link the SSO, STS and instance-metadata clients for
// credentials a Lambda always has in its environment). No I/O.
func New(cfg Config) *Store {
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	opts := s3.Options{
		Region: region,
		// Checksums only where S3 requires them: a presigned PUT that asks
		// for a CRC32 header is one a browser's plain PUT cannot satisfy.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Timeout: timeout},
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(strings.TrimRight(cfg.Endpoint, "/"))
		opts.UsePathStyle = true
	}
	if cfg.AccessKeyID != "" {
		opts.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken))
	}
	c := s3.New(opts)
	return &Store{client: c, presign: s3.NewPresignClient(c), bucket: cfg.Bucket, timeout: timeout}
}

// PresignPut signs one PUT of exactly size bytes of contentType: S3 refuses
// the upload if the browser sends another type or length. It is signed
// with If-None-Match: * as well, so the URL only creates the object: once a
// document is checked and stored, a second PUT with the same URL cannot
// swap its bytes for others.
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (string, map[string]string, error) {
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(size),
		IfNoneMatch: aws.String("*"),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, errs.Wrap(errs.Internal, err, "internal error")
	}
	headers := map[string]string{}
	for name, vals := range req.SignedHeader {
		// The browser sets Host and Content-Length itself (and may not set
		// them from script); the length was signed all the same.
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length":
			continue
		}
		if len(vals) > 0 {
			headers[http.CanonicalHeaderKey(name)] = vals[0]
		}
	}
	headers["Content-Type"] = contentType
	return req.URL, headers, nil
}

// PresignGet signs a download of key answered with contentType and a
// Content-Disposition naming fileName.
func (s *Store) PresignGet(ctx context.Context, key, fileName, contentType string, inline bool, ttl time.Duration) (string, error) {
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		ResponseContentType:        aws.String(contentType),
		ResponseContentDisposition: aws.String(ContentDisposition(fileName, inline)),
		// A document never changes under its key; a private cache may keep
		// it for the URL's life, no shared cache at all.
		ResponseCacheControl: aws.String("private, max-age=300"),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "internal error")
	}
	return req.URL, nil
}

// Head is the stored object's size.
func (s *Store) Head(ctx context.Context, key string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return 0, mapErr(err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// ReadFirst is the object's first n bytes (fewer if it is shorter).
func (s *Store) ReadFirst(ctx context.Context, key string, n int64) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), Range: aws.String(fmt.Sprintf("bytes=0-%d", n-1)),
	})
	if err != nil {
		if status(err) == http.StatusRequestedRangeNotSatisfiable {
			// An empty object has no first byte to range over.
			return nil, nil
		}
		return nil, mapErr(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, n))
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "document store unavailable")
	}
	return b, nil
}

// Delete removes key; a missing key is not an error (S3 answers 204 for it).
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && status(err) != http.StatusNotFound {
		return mapErr(err)
	}
	return nil
}

// status is the HTTP status of a failed S3 call (0 if it got no answer).
func status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// mapErr puts an S3 failure into the error model: a missing object is
// NotFound, a refusal (credentials, policy) is Internal (the deployment is
// wrong, not the caller), anything else is Unavailable.
func mapErr(err error) error {
	switch st := status(err); {
	case st == http.StatusNotFound:
		return errs.Wrap(errs.NotFound, err, "object not found")
	case st == http.StatusForbidden || st == http.StatusBadRequest:
		return errs.Wrap(errs.Internal, err, "internal error")
	default:
		return errs.Wrap(errs.Unavailable, err, "document store unavailable")
	}
}
