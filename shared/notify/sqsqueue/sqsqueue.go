// Package sqsqueue publishes notifications to an SQS queue. It is its own
// package so that only the functions that publish link the SQS client.
package sqsqueue

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
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

// New publishes to queueURL with the credentials and region of
// the environment (the function's role on Lambda). It reads the environment
// only: no network I/O.
func New(ctx context.Context, queueURL string) (*Publisher, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &Publisher{Client: sqs.NewFromConfig(cfg), QueueURL: queueURL}, nil
}
