package httpapi

import (
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// StartLambda serves h to API Gateway HTTP API (payload v2) events through the
// aws-lambda-go-api-proxy adapter. onShutdown runs when Lambda sends SIGTERM
// (clients close their connections cleanly). It does not return.
func StartLambda(h http.Handler, onShutdown ...func()) {
	adapter := httpadapter.NewV2(h)
	lambda.StartWithOptions(adapter.ProxyWithContext, lambda.WithEnableSIGTERM(func() {
		for _, f := range onShutdown {
			f()
		}
	}))
}
