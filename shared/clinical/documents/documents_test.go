package documents_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

// created is POST patients/{id}/documents' answer.
type created struct {
	ID            string            `json:"id"`
	UploadURL     string            `json:"uploadUrl"`
	UploadHeaders map[string]string `json:"uploadHeaders"`
	ExpiresAt     string            `json:"expiresAt"`
	Document      map[string]any    `json:"document"`
}

// jpeg is a few bytes that sniff as a JPEG (SOI, APP0 JFIF).
var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0x42}, 300)...)

func mustCreate(t *testing.T, cl *apitest.Client, patientID string, body map[string]any) created {
	t.Helper()
	var out created
	cl.MustJSON(t, "POST", "/api/patients/"+patientID+"/documents", body, http.StatusCreated, &out)
	return out
}

func jpegBody(name string, size int) map[string]any {
	return map[string]any{"kind": "xray", "fileName": name, "contentType": "image/jpeg", "size": size}
}

// put uploads data to the presigned URL exactly as a browser's fetch would:
// a PUT with the answer's headers and the bytes as the body.
func put(t *testing.T, c created, data []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, c.UploadURL, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.UploadHeaders {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("PUT to the presigned URL: %d %s", res.StatusCode, b)
	}
}

// fetch GETs a presigned URL as the browser would follow it.
func fetch(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// The whole path a browser takes: presign, PUT the bytes, complete, get a
// download link, download the same bytes with the file's name.
func TestUploadCompleteDownload(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")

	c := mustCreate(t, dentist, p.ID, map[string]any{
		"kind": "xray", "fileName": "Bitewing right.jpg", "contentType": "image/jpeg", "size": len(jpeg),
		"tooth": "3", "takenOn": "2024-05-02", "description": "distal caries on 3",
	})
	if c.UploadHeaders["Content-Type"] != "image/jpeg" {
		t.Errorf("uploadHeaders %v: want the signed Content-Type", c.UploadHeaders)
	}
	if d := apitest.Diff(map[string]any{"id": c.ID, "patientId": p.ID, "kind": "xray", "fileName": "Bitewing right.jpg", "contentType": "image/jpeg",
		"size": len(jpeg), "tooth": "3", "takenOn": "2024-05-02", "description": "distal caries on 3", "status": "pending",
		"uploadedBy": e.User(t, "dentist").ID, "storedAt": nil, "archivedAt": nil, "createdAt": apitest.Present}, c.Document); d != "" {
		t.Errorf("document (-want +got):\n%s", d)
	}
	key := "clinics/" + e.Clinic.ID + "/patients/" + p.ID + "/documents/" + c.ID
	if u, err := url.Parse(c.UploadURL); err != nil || !strings.HasSuffix(u.Path, "/"+key) {
		t.Errorf("upload URL %s: want the server's key %s", c.UploadURL, key)
	}

	// Not uploaded yet: no link, and completing is premature.
	apitest.Case{Method: "GET", Path: "/api/documents/" + c.ID, Status: 409}.Send(t, dentist)
	apitest.Case{Method: "POST", Path: "/api/documents/" + c.ID + "/complete", Status: 409, Want: apitest.Error("conflict")}.Send(t, dentist)

	put(t, c, jpeg)
	apitest.Case{Method: "POST", Path: "/api/documents/" + c.ID + "/complete", Status: 200,
		Want: map[string]any{"id": c.ID, "status": "stored", "storedAt": apitest.Present}}.Send(t, dentist)
	// A retried completion is answered the same.
	apitest.Case{Method: "POST", Path: "/api/documents/" + c.ID + "/complete", Status: 200, Want: map[string]any{"status": "stored"}}.Send(t, dentist)

	for _, tc := range []struct {
		name, query, disposition string
	}{
		{"attachment by default", "", `attachment; filename="Bitewing right.jpg"`},
		{"inline for the viewer", "?disposition=inline", `inline; filename="Bitewing right.jpg"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Status      string `json:"status"`
				DownloadURL string `json:"downloadUrl"`
			}
			dentist.MustJSON(t, "GET", "/api/documents/"+c.ID+tc.query, nil, 200, &got)
			u, err := url.Parse(got.DownloadURL)
			if err != nil {
				t.Fatal(err)
			}
			if exp := u.Query().Get("X-Amz-Expires"); exp != "300" {
				t.Errorf("X-Amz-Expires %q: want 5 minutes", exp)
			}
			res, body := fetch(t, got.DownloadURL)
			if res.StatusCode != 200 || !bytes.Equal(body, jpeg) {
				t.Fatalf("download: %d, %d bytes; want the uploaded %d", res.StatusCode, len(body), len(jpeg))
			}
			if cd := res.Header.Get("Content-Disposition"); cd != tc.disposition {
				t.Errorf("Content-Disposition %q, want %q", cd, tc.disposition)
			}
			if ct := res.Header.Get("Content-Type"); ct != "image/jpeg" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	apitest.Case{Method: "GET", Path: "/api/documents/" + c.ID + "?disposition=evil", Status: 400, Want: apitest.Error("invalid", "disposition")}.Send(t, dentist)

	want := []string{"document.upload", "document.complete", "document.complete", "document.download", "document.view"}
	if got := e.Actions(t, e.Clinic.ID, p.ID); !slices.Equal(got, want) {
		t.Errorf("audit actions %v, want %v", got, want)
	}

	// The description is sealed at rest; the key is the server's.
	raw := e.RawDocs(t, "documents", bson.D{{Key: "_id", Value: c.ID}})
	if len(raw) != 1 {
		t.Fatalf("%d raw documents", len(raw))
	}
	if bytes.Contains(raw[0], []byte("distal caries")) {
		t.Error("description stored in plaintext")
	}
	if k, _ := raw[0].Lookup("key").StringValueOK(); k != key {
		t.Errorf("stored key %q, want %q", k, key)
	}
}

// An upload is judged by what was stored, not by what was declared: the
// wrong bytes or the wrong length are rejected and the object deleted.
func TestCompleteRejectsWhatWasNotDeclared(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	assistant := e.Staff(t, "assistant")
	html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100)...)
	dicom := append(append(make([]byte, 128), []byte("DICM")...), bytes.Repeat([]byte{1}, 64)...)
	for _, tc := range []struct {
		name     string
		declared string
		size     int
		data     []byte
		status   int
		found    string
	}{
		{"html declared as jpeg", "image/jpeg", len(html), html, 422, "text/html"},
		{"pdf declared as png", "image/png", len(pdf), pdf, 422, "application/pdf"},
		{"shorter than declared", "image/jpeg", len(jpeg) + 10, jpeg, 422, "bytes"},
		{"a real pdf", "application/pdf", len(pdf), pdf, 200, ""},
		{"a real dicom", "application/dicom", len(dicom), dicom, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCreate(t, assistant, p.ID, map[string]any{"kind": "other", "fileName": "scan", "contentType": tc.declared, "size": tc.size})
			// The forged PUT goes straight to the store, as an attacker's would.
			req, _ := http.NewRequest(http.MethodPut, c.UploadURL, bytes.NewReader(tc.data))
			for k, v := range c.UploadHeaders {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			r := apitest.Case{Method: "POST", Path: "/api/documents/" + c.ID + "/complete", Status: tc.status}.Send(t, assistant)
			if tc.status == 200 {
				return
			}
			if msg := r.Error(t).Message; r.Error(t).Code != "unprocessable" || !strings.Contains(msg, tc.found) {
				t.Errorf("error %+v: want unprocessable naming %q", r.Error(t), tc.found)
			}
			var doc map[string]any
			assistant.MustJSON(t, "GET", "/api/patients/"+p.ID+"/documents?status=all", nil, 200, &doc)
			if d := apitest.Diff(map[string]any{"id": c.ID, "status": "rejected"}, doc["items"].([]any)[0]); d != "" {
				t.Errorf("rejected document (-want +got):\n%s", d)
			}
			// The object is gone: the upload URL's object answers 404.
			if res, _ := fetch(t, strings.SplitN(c.UploadURL, "?", 2)[0]); res.StatusCode != 404 {
				t.Errorf("object after rejection: %d, want 404", res.StatusCode)
			}
			apitest.Case{Method: "POST", Path: "/api/documents/" + c.ID + "/complete", Status: 409}.Send(t, assistant)
			apitest.Case{Method: "GET", Path: "/api/documents/" + c.ID, Status: 409}.Send(t, assistant)
		})
	}
	if n := strings.Count(strings.Join(e.Actions(t, e.Clinic.ID, p.ID), ","), "document.rejected"); n != 3 {
		t.Errorf("%d document.rejected in the trail, want 3", n)
	}
}

func TestCreateValidates(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	path := "/api/patients/" + p.ID + "/documents"
	for _, tc := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"html", map[string]any{"kind": "photo", "fileName": "a.html", "contentType": "text/html", "size": 10}, []string{"contentType"}},
		{"oversize", jpegBody("a.jpg", 26214401), []string{"size"}},
		{"empty", jpegBody("a.jpg", 0), []string{"size"}},
		{"no name", jpegBody("", 10), []string{"fileName"}},
		{"long name", jpegBody(strings.Repeat("n", 201), 10), []string{"fileName"}},
		{"kind", map[string]any{"kind": "selfie", "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10}, []string{"kind"}},
		{"tooth", map[string]any{"kind": "xray", "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10, "tooth": "33"}, []string{"tooth"}},
		{"takenOn", map[string]any{"kind": "xray", "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10, "takenOn": "02/05/2024"}, []string{"takenOn"}},
		{"description", map[string]any{"kind": "xray", "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10, "description": strings.Repeat("d", 501)}, []string{"description"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: path, Body: tc.body, Status: 400, Want: apitest.Error("invalid", tc.fields...)}.Send(t, dentist)
		})
	}
	r := apitest.Case{Method: "POST", Path: path, Body: jpegBody("a.jpg", 26214401), Status: 400}.Send(t, dentist)
	if !strings.Contains(r.Error(t).Fields[0].Message, "25 MB") {
		t.Errorf("oversize message %q: want it to say 25 MB", r.Error(t).Fields[0].Message)
	}
	apitest.Case{Method: "POST", Path: path, Body: map[string]any{"kind": "xray", "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10, "key": "clinics/x"},
		Status: 400}.Send(t, dentist)
	// A name with directories and a bidi override is stored cleaned.
	c := mustCreate(t, dentist, p.ID, jpegBody("../../etc/\u202Egpj.exe", 10))
	if c.Document["fileName"] != "gpj.exe" {
		t.Errorf("fileName %q", c.Document["fileName"])
	}
	if got := e.Actions(t, e.Clinic.ID, p.ID); !slices.Equal(got, []string{"document.upload"}) {
		t.Errorf("audit actions %v: refused bodies are not uploads", got)
	}
}

// Who may see which document: staff of the clinic, not patients, not
// another clinic, and never through another patient's path.
func TestDocumentsAccess(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	receptionist := e.Staff(t, "receptionist")
	c := mustCreate(t, receptionist, p.ID, jpegBody("card.jpg", len(jpeg)))
	put(t, c, jpeg)
	apitest.Case{Method: "POST", Path: "/api/documents/" + c.ID + "/complete", Status: 200}.Send(t, receptionist)

	elsewhere := e.SignIn(t, e.Other.ID, identity.RoleDentist, "")
	portal := e.PortalOf(t, p)
	for _, tc := range []struct {
		name   string
		cl     *apitest.Client
		method string
		path   string
		status int
	}{
		{"receptionist lists", receptionist, "GET", "/api/patients/" + p.ID + "/documents", 200},
		{"other clinic gets", elsewhere, "GET", "/api/documents/" + c.ID, 404},
		{"other clinic completes", elsewhere, "POST", "/api/documents/" + c.ID + "/complete", 404},
		{"other clinic archives", elsewhere, "POST", "/api/documents/" + c.ID + "/archive", 404},
		{"other clinic lists", elsewhere, "GET", "/api/patients/" + p.ID + "/documents", 404},
		{"other clinic uploads", elsewhere, "POST", "/api/patients/" + p.ID + "/documents", 404},
		{"patient gets own", portal, "GET", "/api/documents/" + c.ID, 403},
		{"patient lists own", portal, "GET", "/api/patients/" + p.ID + "/documents", 403},
		{"patient uploads", portal, "POST", "/api/patients/" + p.ID + "/documents", 403},
		{"garbage id", receptionist, "GET", "/api/documents/not-an-id", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" && strings.HasSuffix(tc.path, "/documents") {
				body = jpegBody("x.jpg", 10)
			}
			apitest.Case{Method: tc.method, Path: tc.path, Body: body, Status: tc.status}.Send(t, tc.cl)
		})
	}
	// Another patient's list does not hold it.
	var list struct{ Items []map[string]any }
	receptionist.MustJSON(t, "GET", "/api/patients/"+other.ID+"/documents?status=all", nil, 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("another patient's list has %d documents", len(list.Items))
	}
}

func TestListFiltersArchiveAndPreviews(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	hygienist := e.Staff(t, "hygienist")
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("y"), 50)...)
	photo := mustCreate(t, hygienist, p.ID, map[string]any{"kind": "photo", "fileName": "smile.jpg", "contentType": "image/jpeg", "size": len(jpeg), "tooth": "8"})
	put(t, photo, jpeg)
	hygienist.MustDo(t, "POST", "/api/documents/"+photo.ID+"/complete", nil, 200)
	e.Clock.Advance(1e9)
	letter := mustCreate(t, hygienist, p.ID, map[string]any{"kind": "referral", "fileName": "Überweisung Müller.pdf", "contentType": "application/pdf", "size": len(pdf)})
	put(t, letter, pdf)
	hygienist.MustDo(t, "POST", "/api/documents/"+letter.ID+"/complete", nil, 200)
	e.Clock.Advance(1e9)
	mustCreate(t, hygienist, p.ID, jpegBody("never uploaded.jpg", 10))

	list := func(t *testing.T, query string) []map[string]any {
		t.Helper()
		var out struct{ Items []map[string]any }
		hygienist.MustJSON(t, "GET", "/api/patients/"+p.ID+"/documents"+query, nil, 200, &out)
		return out.Items
	}
	ids := func(items []map[string]any) []any {
		var out []any
		for _, it := range items {
			out = append(out, it["id"])
		}
		return out
	}
	t.Run("stored, newest first, previews for images only", func(t *testing.T) {
		items := list(t, "")
		if d := apitest.Diff([]any{letter.ID, photo.ID}, ids(items)); d != "" {
			t.Fatalf("ids (-want +got):\n%s", d)
		}
		if _, ok := items[0]["previewUrl"]; ok {
			t.Error("a PDF has a previewUrl")
		}
		res, body := fetch(t, items[1]["previewUrl"].(string))
		if !bytes.Equal(body, jpeg) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("preview: %d bytes, %q", len(body), res.Header.Get("Content-Disposition"))
		}
	})
	t.Run("filters", func(t *testing.T) {
		if d := apitest.Diff([]any{photo.ID}, ids(list(t, "?kind=photo&tooth=8"))); d != "" {
			t.Error(d)
		}
		if got := list(t, "?status=all"); len(got) != 3 {
			t.Errorf("all: %d", len(got))
		}
		apitest.Case{Method: "GET", Path: "/api/patients/" + p.ID + "/documents?kind=selfie&status=gone&tooth=99", Status: 400,
			Want: apitest.Error("invalid", "kind", "tooth", "status")}.Send(t, hygienist)
	})
	t.Run("non-ascii download name", func(t *testing.T) {
		var got struct{ DownloadURL string }
		hygienist.MustJSON(t, "GET", "/api/documents/"+letter.ID, nil, 200, &got)
		res, _ := fetch(t, got.DownloadURL)
		want := `attachment; filename="_berweisung M_ller.pdf"; filename*=UTF-8''%C3%9Cberweisung%20M%C3%BCller.pdf`
		if cd := res.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("Content-Disposition %q, want %q", cd, want)
		}
	})
	t.Run("archive keeps the object", func(t *testing.T) {
		apitest.Case{Method: "POST", Path: "/api/documents/" + photo.ID + "/archive", Status: 200,
			Want: map[string]any{"status": "archived", "archivedAt": apitest.Present, "storedAt": apitest.Present}}.Send(t, hygienist)
		apitest.Case{Method: "POST", Path: "/api/documents/" + photo.ID + "/archive", Status: 200}.Send(t, hygienist)
		if d := apitest.Diff([]any{letter.ID}, ids(list(t, ""))); d != "" {
			t.Error(d)
		}
		if d := apitest.Diff([]any{photo.ID}, ids(list(t, "?status=archived"))); d != "" {
			t.Error(d)
		}
		var got struct{ DownloadURL string }
		hygienist.MustJSON(t, "GET", "/api/documents/"+photo.ID, nil, 200, &got)
		if _, body := fetch(t, got.DownloadURL); !bytes.Equal(body, jpeg) {
			t.Error("archived document's object is gone")
		}
		apitest.Case{Method: "POST", Path: "/api/documents/" + photo.ID + "/complete", Status: 409}.Send(t, hygienist)
	})
	if got := e.Actions(t, e.Clinic.ID, p.ID); !slices.Contains(got, "document.list") || !slices.Contains(got, "document.archive") {
		t.Errorf("audit actions %v", got)
	}
}

// Racing completions of one upload store it once, and both answer stored.
func TestRacingCompletions(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	c := mustCreate(t, dentist, p.ID, jpegBody("a.jpg", len(jpeg)))
	put(t, c, jpeg)
	var wg sync.WaitGroup
	statuses := make([]int, 6)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = dentist.Clone().Do(t, "POST", "/api/documents/"+c.ID+"/complete", nil).Status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != 200 && s != 409 {
			t.Errorf("statuses %v", statuses)
		}
	}
	if !slices.Contains(statuses, 200) {
		t.Errorf("statuses %v: none stored it", statuses)
	}
	raw := e.RawDocs(t, "documents", bson.D{{Key: "_id", Value: c.ID}})
	if v, _ := raw[0].Lookup("version").AsInt64OK(); v != 1 {
		t.Errorf("version %d: want one move to stored", v)
	}
}
