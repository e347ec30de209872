package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Bare serves the reference handlers: plain net/http, one Mongo call each,
// no middleware, no guard, no audit, with a client configured like a
// function's (the same pool size and timeout).
type Bare struct {
	URL    string
	db     *mongo.Database
	srv    *http.Server
	clinic string
}

// StartBare serves the bare handlers for clinicID's data on loopback.
func StartBare(cfg store.MongoConfig, clinicID string) (*Bare, error) {
	m := store.NewMongo(cfg)
	db, err := m.Database()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &Bare{URL: "http://" + l.Addr().String(), db: db, clinic: clinicID}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /patients/{id}", b.one("patients", func(r *http.Request) bson.D {
		return bson.D{{Key: "_id", Value: r.PathValue("id")}}
	}))
	mux.HandleFunc("GET /patients/{id}/chart", b.many("chart_entries", func(r *http.Request) bson.D {
		return bson.D{{Key: "patientId", Value: r.PathValue("id")}}
	}, 0))
	// The day's (or week's) appointments, as the list and availability read them.
	mux.HandleFunc("GET /appointments", b.many("appointments", func(r *http.Request) bson.D {
		from, _ := time.Parse(time.RFC3339, r.URL.Query().Get("from"))
		to, _ := time.Parse(time.RFC3339, r.URL.Query().Get("to"))
		return bson.D{{Key: "start", Value: bson.D{{Key: "$lt", Value: to}}}, {Key: "end", Value: bson.D{{Key: "$gt", Value: from}}}}
	}, store.DefaultLimit))
	mux.HandleFunc("GET /busy", b.many("appointments", func(r *http.Request) bson.D {
		from, _ := time.Parse(time.RFC3339, r.URL.Query().Get("from"))
		to, _ := time.Parse(time.RFC3339, r.URL.Query().Get("to"))
		return bson.D{{Key: "start", Value: bson.D{{Key: "$lt", Value: to}}}, {Key: "end", Value: bson.D{{Key: "$gt", Value: from}}}}
	}, 0))
	// Its own collection: the bare documents are not appointments the
	// stack could read.
	mux.HandleFunc("POST /appointments", b.insert("bench_bare_writes"))
	b.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(l) }()
	return b, nil
}

// Close stops serving.
func (b *Bare) Close() { _ = b.srv.Close(); _ = b.db.Client().Disconnect(context.Background()) }

// scoped adds the tenant after the caller's keys (an _id first, as the
// stores' by-id reads put it).
func (b *Bare) scoped(f bson.D) bson.D {
	return append(f, bson.E{Key: "clinicId", Value: b.clinic})
}

func (b *Bare) one(coll string, filter func(*http.Request) bson.D) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		var doc bson.M
		if err := b.db.Collection(coll).FindOne(ctx, b.scoped(filter(r))).Decode(&doc); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, doc)
	}
}

func (b *Bare) many(coll string, filter func(*http.Request) bson.D, limit int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		opts := options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}})
		if limit > 0 {
			opts.SetLimit(limit + 1)
		}
		cur, err := b.db.Collection(coll).Find(ctx, b.scoped(filter(r)), opts)
		var docs []bson.M
		if err == nil {
			err = cur.All(ctx, &docs)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": docs})
	}
}

func (b *Bare) insert(coll string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		var doc bson.M
		if err := json.NewDecoder(r.Body).Decode(&doc); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		doc["_id"], doc["clinicId"] = ids.New(), b.clinic
		if _, err := b.db.Collection(coll).InsertOne(ctx, doc); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, doc)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
