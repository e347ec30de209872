// Package hub is the local stack's live connections: WebSockets upgraded
// in process (github.com/coder/websocket), posted to by the fan-out. Only
// the local stack links it.
package hub

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/live"
)

// IdleTimeout is API Gateway's: a connection with no message from the
// client for ten minutes is closed (the SPA pings every few minutes and
// opens a new one when closed). The local hub does the same.
const IdleTimeout = 10 * time.Minute

// Hub is the local stack's live.Poster: the WebSocket connections this
// process accepted, by id.
type Hub struct {
	Log  *slog.Logger
	Idle time.Duration // default IdleTimeout

	mu    sync.Mutex
	conns map[string]*websocket.Conn
}

var (
	_ live.Poster   = (*Hub)(nil)
	_ live.Acceptor = (*Hub)(nil)
)

// NewHub is an empty hub.
func NewHub(log *slog.Logger) *Hub { return &Hub{Log: log, conns: map[string]*websocket.Conn{}} }

func (h *Hub) get(id string) *websocket.Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[id]
}

// Post writes data to connection id.
func (h *Hub) Post(ctx context.Context, id string, data []byte) error {
	ws := h.get(id)
	if ws == nil {
		return live.ErrGone
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, data); err != nil {
		return live.ErrGone
	}
	return nil
}

// Close ends connection id (its sign-in ended).
func (h *Hub) Close(_ context.Context, id string) error {
	if ws := h.get(id); ws != nil {
		return ws.Close(websocket.StatusPolicyViolation, "signed out")
	}
	return nil
}

// Serve registers the connection (a refused one is answered before the
// upgrade), upgrades, and holds the socket until it closes or idles out.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, reg *live.Registry, now time.Time, conn live.Conn) error {
	conn.ID = ids.New()
	if err := reg.Add(r.Context(), conn, now); err != nil {
		return err
	}
	defer func() {
		if err := reg.Remove(context.WithoutCancel(r.Context()), conn.ID); err != nil {
			h.Log.Warn("live connection not forgotten", "connectionId", conn.ID, "err", err.Error())
		}
	}()
	// A socket outlives the server's request deadlines.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	// The Connector checked the Origin against the SPA's; the library's
	// own check (same host) would refuse a stack reached by another name.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil // Accept has answered
	}
	ws.SetReadLimit(4 << 10)
	h.mu.Lock()
	h.conns[conn.ID] = ws
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.conns, conn.ID)
		h.mu.Unlock()
	}()
	idle := h.Idle
	if idle <= 0 {
		idle = IdleTimeout
	}
	ctx := context.WithoutCancel(r.Context())
	for {
		rctx, cancel := context.WithTimeout(ctx, idle)
		_, _, err := ws.Read(rctx) // pings from the SPA; their content is ignored
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				_ = ws.Close(websocket.StatusGoingAway, "idle")
			} else {
				_ = ws.CloseNow()
			}
			return nil
		}
	}
}
