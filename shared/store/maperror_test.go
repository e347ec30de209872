package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

func TestMapErrorKeepsCancellationApartFromTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		wantMsg string
	}{
		{"cancelled", fmt.Errorf("connection read: %w", context.Canceled), "request cancelled"},
		{"deadline", fmt.Errorf("connection read: %w", context.DeadlineExceeded), "database unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *errs.Error
			if !errors.As(store.MapError(tc.err), &e) || e.Kind != errs.Unavailable || e.Message != tc.wantMsg {
				t.Fatalf("MapError = %v, want Unavailable %q", e, tc.wantMsg)
			}
		})
	}
}
