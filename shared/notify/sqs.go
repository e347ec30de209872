package notify

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/shared/errs"
)

// SQSAPI is the part of the SQS client the publisher uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// SQSPublisher publishes to an SQS queue.
type SQSPublisher struct {
	Client   SQSAPI
	QueueURL string
}

var _ Publisher = (*SQSPublisher)(nil)

// Publish sends m as the message body. A queue that cannot be reached is
// Unavailable, so the caller answers 503 and nothing is half-done.
func (p *SQSPublisher) Publish(ctx context.Context, m Message) error {
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
