package documents

import (
	"bytes"
	"net/http"
)

// Accepted content types: X-rays (DICOM, or JPEG/PNG exports), intraoral
// photos, referral letters and scanned forms.
const (
	typeJPEG  = "image/jpeg"
	typePNG   = "image/png"
	typePDF   = "application/pdf"
	typeDICOM = "application/dicom"
)

var contentTypes = []string{typeJPEG, typePNG, typePDF, typeDICOM}

// sniffLen is how much of an object Sniff needs: DICOM's magic sits after
// a 128-byte preamble.
const sniffLen = 132

var (
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}
	magicPDF  = []byte("%PDF-")
	magicDICM = []byte("DICM")
)

// Sniff is the content type head (an object's first bytes) really has, by
// its magic bytes: one of the accepted types, or what net/http's sniffer
// makes of it (text/html, application/zip, …) for the rejection's message.
// The declared type and the file name play no part.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, magicJPEG):
		return typeJPEG
	case bytes.HasPrefix(head, magicPNG):
		return typePNG
	case bytes.HasPrefix(head, magicPDF):
		return typePDF
	case len(head) >= 132 && bytes.Equal(head[128:132], magicDICM):
		return typeDICOM
	case len(head) == 0:
		return "an empty file"
	}
	found := http.DetectContentType(head)
	// Parameters (charset=utf-8) say nothing useful to the uploader.
	if i := bytes.IndexByte([]byte(found), ';'); i >= 0 {
		found = found[:i]
	}
	return found
}

// isImage reports whether a browser can preview contentType inline.
func isImage(contentType string) bool { return contentType == typeJPEG || contentType == typePNG }
