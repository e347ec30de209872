// Package embedded starts the local stand-ins for the managed services:
// FerretDB (a real MongoDB-wire-protocol server on SQLite) and an in-process
// Redis. Only the local stack and the test environment import it; it never
// reaches a Lambda binary.
package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/alicebob/miniredis/v2"
)

// Mongo is a running embedded FerretDB.
type Mongo struct {
	URI    string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartMongo serves the MongoDB wire protocol on a free loopback port, with
// its SQLite files under dir (created if missing). Data in dir survives a
// restart.
func StartMongo(ctx context.Context, dir string) (*Mongo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	m := &Mongo{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		f.Run(runCtx)
	}()
	m.URI = f.MongoDBURI()
	return m, nil
}

// Stop shuts the server down and waits for it (bounded).
func (m *Mongo) Stop() {
	m.cancel()
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
	}
}

// StartRedis starts an in-process Redis (miniredis) on a free loopback port.
// Used only where no redis-server runs.
func StartRedis() (url string, stop func(), err error) {
	mr, err := miniredis.Run()
	if err != nil {
		return "", nil, fmt.Errorf("embedded redis: %w", err)
	}
	return "redis://" + mr.Addr(), mr.Close, nil
}
