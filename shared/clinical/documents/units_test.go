package documents

import (
	"bytes"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	dicom := append(append(make([]byte, 128), "DICM"...), 0x02, 0x00)
	for _, tc := range []struct {
		name string
		head []byte
		want string
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xDB, 0x00}, typeJPEG},
		{"png", []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0}, typePNG},
		{"png missing its last byte", []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A}, "application/octet-stream"},
		{"pdf", []byte("%PDF-1.7\n%"), typePDF},
		{"dicom", dicom, typeDICOM},
		{"DICM too early", append([]byte("DICM"), make([]byte, 128)...), "application/octet-stream"},
		{"dicom cut short", dicom[:131], "application/octet-stream"},
		{"html", []byte("<!DOCTYPE html><html>"), "text/html"},
		{"two of jpeg's three bytes", []byte{0xFF, 0xD8, '<', 'h'}, ""},
		{"zip", []byte("PK\x03\x04rest"), "application/zip"},
		{"empty", nil, "an empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Sniff(tc.head)
			if tc.want == "" {
				// Anything but an accepted type.
				for _, accepted := range contentTypes {
					if got == accepted {
						t.Errorf("Sniff = %q", got)
					}
				}
				return
			}
			if got != tc.want {
				t.Errorf("Sniff = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSanitizeFileName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Bitewing 3.jpg", "Bitewing 3.jpg"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ana\scan.pdf`, "scan.pdf"},
		{"report\u202Efdp.exe", "reportfdp.exe"},
		{"line\r\nbreak.png", "linebreak.png"},
		{`say "cheese".jpg`, "say _cheese_.jpg"},
		{"what?*<>|:.pdf", "what______.pdf"},
		{"...hidden", "hidden"},
		{"  spaced \t  out  .jpg ", "spaced out .jpg"},
		{"Zahnärztin Müller.pdf", "Zahnärztin Müller.pdf"},
		{"\x00\x01", "document"},
		{"/", "document"},
		{strings.Repeat("é", 250), strings.Repeat("é", 200)},
	} {
		if got := SanitizeFileName(tc.in); got != tc.want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestObjectKeyIsTheServers(t *testing.T) {
	if k := objectKey("c1", "p1", "d1"); k != "clinics/c1/patients/p1/documents/d1" {
		t.Errorf("key %q", k)
	}
	if !bytes.HasPrefix([]byte(where("d1")), []byte("documents/d1/")) {
		t.Error("seal place")
	}
}
