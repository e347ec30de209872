// Command realtime is the live schedule's Lambda: API Gateway's WebSocket
// routes and the live queue's fan-out.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/topsmile/topsmile/functions/realtime/app"
	"github.com/topsmile/topsmile/shared/config"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(_ context.Context) error {
	var cfg app.Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	a, err := app.New(cfg, app.Options{})
	if err != nil {
		return err
	}
	a.Serve()
	return nil
}
