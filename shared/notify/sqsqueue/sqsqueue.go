// Package sqsqueue publishes notifications to an SQS queue. It is its own
// package so that only the functions that publish link the SQS client.
package sqsqueue

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify"
)

// API is the part of the SQS client the publisher uses.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Publisher publishes to an SQS queue.
type Publisher struct {
	Client   API
	QueueURL string
}

var _ notify.Publisher = (*Publisher)(nil)

// Publish sends m as the message body. A queue that cannot be reached is
// Unavailable, so the caller answers 503 and nothing is half-done.
func (p *Publisher) Publish(ctx context.Context, m notify.Message) error {
	if err := m.Validate(); err != nil {
		return errs.Wrap(errs.Internal, err, "invalid notification")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "internal error")
	}
	_, err = p.Client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(p.QueueURL),
		MessageBody: aws.String(string(body)),
	})
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "notification queue unavailable")
	}
	return nil
}

// SendBody puts body on the queue as is (the live events' queue).
func (p *Publisher) SendBody(ctx context.Context, body string) error {
	_, err := p.Client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(p.QueueURL), MessageBody: aws.String(body)})
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "queue unavailable")
	}
	return nil
}

// Config is where a function publishes and as whom. On Lambda the runtime
// sets the region and the execution role's credentials in these variables,
// valid for the life of the execution environment.
type Config struct {
	QueueURL        string `env:"NOTIFICATIONS_QUEUE_URL,required"`
	Region          string `env:"AWS_REGION"`
	AccessKeyID     string `env:"AWS_ACCESS_KEY_ID,secret"`
	SecretAccessKey string `env:"AWS_SECRET_ACCESS_KEY,secret"`
	SessionToken    string `env:"AWS_SESSION_TOKEN,secret"`
	// Endpoint replaces SQS's (the SDK's own variable for it).
	Endpoint string `env:"AWS_ENDPOINT_URL_SQS"`
}

// New publishes to cfg.QueueURL with cfg's region and credentials (the
// region defaults to the one in the queue's URL). It builds the client from
// the configuration alone, without the SDK's config loader, which would
// link the SSO, STS and instance-metadata clients into every publishing
// function for credentials a Lambda always has in its environment; the
// local stack, where a developer may rely on a profile, builds its client
// with the full loader. No network I/O.
func New(cfg Config) *Publisher {
	region := cfg.Region
	if region == "" {
		region = regionOf(cfg.QueueURL)
	}
	opts := sqs.Options{Region: region}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.AccessKeyID != "" {
		opts.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken))
	}
	return &Publisher{Client: sqs.New(opts), QueueURL: cfg.QueueURL}
}

// regionOf reads the region from a queue URL such as
// https://sqs.eu-west-1.amazonaws.com/123456789012/name.
func regionOf(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	parts := strings.Split(u.Hostname(), ".")
	if len(parts) >= 3 && parts[0] == "sqs" {
		return parts[1]
	}
	return ""
}

// Queue is the queue a producing function publishes to: local (the local
// stack's in-process queue, a test's) when given, else SQS at cfg.
func Queue(cfg Config, local notify.Publisher) notify.Publisher {
	if local != nil {
		return local
	}
	return New(cfg)
}
