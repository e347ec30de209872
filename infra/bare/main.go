// Command bare is the yardstick for `make bench`: the smallest Go Lambda that
// answers an API Gateway HTTP API (payload 2.0) event, built with the same
// flags as the real functions. Their cold start and size are reported as a
// ratio to this one. It is never deployed.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
		Body:       "hello",
	}, nil
}

func main() {
	lambda.Start(handle)
}
