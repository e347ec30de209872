// Package config reads a function's typed configuration from the environment
// once, at cold start. Each field names its variable in an `env` tag:
//
//	type Config struct {
//		MongoURI string        `env:"MONGODB_URI,required,secret"`
//		Timeout  time.Duration `env:"DB_TIMEOUT" default:"3s"`
//	}
//
// Load reports every missing or invalid variable in one error, and Redacted
// renders the struct for logs with secret fields masked.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Lookup finds an environment variable; os.LookupEnv in production, a map in tests.
type Lookup func(key string) (string, bool)

// Load fills dst (a pointer to a struct) from the process environment.
func Load(dst any) error { return LoadFrom(os.LookupEnv, dst) }

// LoadFrom fills dst from lookup.
func LoadFrom(lookup Lookup, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return errors.New("config: destination must be a pointer to a struct")
	}
	var problems []string
	walk(v.Elem(), func(f reflect.Value, tag fieldTag, def string, hasDef bool) {
		raw, ok := lookup(tag.name)
		if !ok || raw == "" {
			if !hasDef {
				if tag.required {
					problems = append(problems, tag.name+" is required")
				}
				return
			}
			raw = def
		}
		if err := set(f, raw); err != nil {
			problems = append(problems, fmt.Sprintf("%s is invalid: %v", tag.name, err))
		}
	})
	if len(problems) > 0 {
		return fmt.Errorf("config: %s", strings.Join(problems, "; "))
	}
	return nil
}

type fieldTag struct {
	name     string
	required bool
	secret   bool
}

func parseTag(s string) fieldTag {
	parts := strings.Split(s, ",")
	t := fieldTag{name: parts[0]}
	for _, p := range parts[1:] {
		switch p {
		case "required":
			t.required = true
		case "secret":
			t.secret = true
		}
	}
	return t
}

// walk visits every tagged field, descending into untagged nested structs so
// functions can compose shared pieces (store.MongoConfig, …).
func walk(v reflect.Value, visit func(f reflect.Value, tag fieldTag, def string, hasDef bool)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		raw, ok := sf.Tag.Lookup("env")
		if !ok {
			if sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeFor[time.Time]() {
				walk(v.Field(i), visit)
			}
			continue
		}
		def, hasDef := sf.Tag.Lookup("default")
		visit(v.Field(i), parseTag(raw), def, hasDef)
	}
}

func set(f reflect.Value, raw string) error {
	switch f.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		if d < 0 {
			return errors.New("must not be negative")
		}
		f.SetInt(int64(d))
		return nil
	case *url.URL:
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" {
			return errors.New("must be an absolute URL")
		}
		f.Set(reflect.ValueOf(u))
		return nil
	case []string:
		var out []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		f.Set(reflect.ValueOf(out))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return errors.New("must be an integer")
		}
		f.SetInt(n)
	case reflect.Uint64, reflect.Uint32, reflect.Uint:
		n, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return errors.New("must be a non-negative integer")
		}
		f.SetUint(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("must be true or false")
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported type %s", f.Type())
	}
	return nil
}

// Redacted returns cfg as a slog value with every secret field masked, so a
// function can log its configuration at start.
func Redacted(cfg any) slog.Value {
	v := reflect.Indirect(reflect.ValueOf(cfg))
	var attrs []slog.Attr
	walk(v, func(f reflect.Value, tag fieldTag, _ string, _ bool) {
		if tag.secret {
			masked := "(unset)"
			if !f.IsZero() {
				masked = "****"
			}
			attrs = append(attrs, slog.String(tag.name, masked))
			return
		}
		attrs = append(attrs, slog.Any(tag.name, f.Interface()))
	})
	return slog.GroupValue(attrs...)
}
