package config_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/config"
)

type inner struct {
	URI string `env:"DB_URI,required,secret"`
}

type cfg struct {
	Port    int           `env:"PORT" default:"3000"`
	Debug   bool          `env:"DEBUG"`
	Timeout time.Duration `env:"TIMEOUT" default:"2s"`
	Origins []string      `env:"ORIGINS"`
	Key     string        `env:"KEY,required,secret"`
	Name    string        `env:"NAME,required"`
	DB      inner
}

func lookup(m map[string]string) config.Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad(t *testing.T) {
	var c cfg
	err := config.LoadFrom(lookup(map[string]string{
		"KEY": "s3cret", "NAME": "topsmile", "DB_URI": "mongodb://x", "ORIGINS": "a, b,,c", "DEBUG": "true",
	}), &c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 3000 || c.Timeout != 2*time.Second || !c.Debug || c.DB.URI != "mongodb://x" || fmt.Sprint(c.Origins) != "[a b c]" {
		t.Fatalf("loaded %+v", c)
	}
}

func TestLoadNamesEveryProblemAtOnce(t *testing.T) {
	var c cfg
	err := config.LoadFrom(lookup(map[string]string{"PORT": "eighty", "TIMEOUT": "-1s"}), &c)
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"PORT is invalid", "TIMEOUT is invalid", "KEY is required", "NAME is required", "DB_URI is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRedactedMasksSecrets(t *testing.T) {
	c := cfg{Key: "s3cret", Name: "topsmile", DB: inner{URI: "mongodb://user:pw@host"}}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("start", "config", config.Redacted(c))
	out := b.String()
	if strings.Contains(out, "s3cret") || strings.Contains(out, "pw@host") {
		t.Fatalf("secret logged: %s", out)
	}
	if !strings.Contains(out, `"NAME":"topsmile"`) || !strings.Contains(out, `"KEY":"****"`) {
		t.Fatalf("unexpected rendering: %s", out)
	}
}
