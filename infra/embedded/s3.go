package embedded

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// StartS3 is an S3-protocol server (gofakes3) whose objects are kept on
// disk under dir, one file per object and its metadata beside it, so
// documents survive a restart; bucket exists from the start. It serves
// path-style requests (/<bucket>/<key>) and checks no signatures: it is only
// ever the local stack's, reached through the local stack's own listener.
//
// The objects are held in memory too (gofakes3's in-memory backend, written
// through to disk and loaded from it at start): a local clinic's documents,
// not a production store.
func StartS3(dir, bucket string) (http.Handler, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	b := &diskS3{Backend: s3mem.New(), dir: abs}
	if err := b.load(bucket); err != nil {
		return nil, fmt.Errorf("embedded s3: %w", err)
	}
	return gofakes3.New(b, gofakes3.WithoutVersioning(), gofakes3.WithAutoBucket(false)).Server(), nil
}

// diskS3 writes gofakes3's in-memory backend through to disk.
type diskS3 struct {
	*s3mem.Backend
	dir string
}

type diskMeta struct {
	Key  string            `json:"key"`
	Meta map[string]string `json:"meta"`
}

// path is where bucket's key is kept: the key escaped into one file name,
// so no key (../, absolute) reaches outside the bucket's folder.
func (b *diskS3) path(bucket, key string) string {
	return filepath.Join(b.dir, url.PathEscape(bucket), url.PathEscape(key))
}

func (b *diskS3) load(bucket string) error {
	folder := filepath.Join(b.dir, url.PathEscape(bucket))
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return err
	}
	if err := b.Backend.CreateBucket(bucket); err != nil {
		return err
	}
	entries, err := os.ReadDir(folder)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".meta") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(folder, name))
		if err != nil {
			return err
		}
		var m diskMeta
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		data, err := os.ReadFile(filepath.Join(folder, strings.TrimSuffix(name, ".meta")))
		if err != nil {
			return err
		}
		if _, err := b.Backend.PutObject(bucket, m.Key, m.Meta, bytes.NewReader(data), int64(len(data)), nil); err != nil {
			return err
		}
	}
	return nil
}

// PutObject stores the object in memory (which judges the conditions) and
// then on disk.
func (b *diskS3) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	data, err := io.ReadAll(io.LimitReader(input, size))
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	res, err := b.Backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), conditions)
	if err != nil {
		return res, err
	}
	p := b.path(bucket, key)
	mj, err := json.Marshal(diskMeta{Key: key, Meta: meta})
	if err != nil {
		return res, err
	}
	if err := writeFile(p, data); err != nil {
		return res, err
	}
	return res, writeFile(p+".meta", mj)
}

// DeleteObject removes the object from memory and disk.
func (b *diskS3) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	res, err := b.Backend.DeleteObject(bucket, key)
	if err != nil {
		return res, err
	}
	return res, b.remove(bucket, key)
}

// DeleteMulti removes the objects from memory and disk.
func (b *diskS3) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	res, err := b.Backend.DeleteMulti(bucket, keys...)
	if err != nil {
		return res, err
	}
	for _, d := range res.Deleted {
		if err := b.remove(bucket, d.Key); err != nil {
			return res, err
		}
	}
	return res, nil
}

// CopyObject is not write-through; nothing of TopSmile copies objects.
func (b *diskS3) CopyObject(string, string, string, string, map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObjectResult{}, gofakes3.ErrNotImplemented
}

func (b *diskS3) remove(bucket, key string) error {
	p := b.path(bucket, key)
	for _, f := range []string{p + ".meta", p} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// writeFile writes data to p through a temporary file, so a crash leaves
// the old file or the new one, never half of one.
func writeFile(p string, data []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
