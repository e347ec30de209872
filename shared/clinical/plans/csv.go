package plans

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/topsmile/topsmile/shared/errs"
)

// maxImportRows bounds one import file.
const maxImportRows = 5000

// csvHeader is the import file's header; a fifth column chartKind may
// follow.
var csvHeader = []string{"code", "description", "category", "feeCents"}

// parseCSV reads an import file into rows. Any bad line fails the whole
// file, every bad line named ("line 3": the file's line numbers, the
// header being line 1) with all its problems, so a clinic fixes the file
// once and nothing is half-imported.
func parseCSV(body []byte) ([]CodeInput, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF")) // spreadsheets write a byte-order mark
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1 // counted here, so a short row is reported like any other
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errs.InvalidFields(errs.FieldError{Field: "line 1", Message: "the file is empty; its first line must be " + strings.Join(csvHeader, ",")})
	}
	if err != nil {
		return nil, errs.InvalidFields(lineError(err))
	}
	withKind, ok := checkHeader(header)
	if !ok {
		return nil, errs.InvalidFields(errs.FieldError{Field: "line 1",
			Message: "the header must be " + strings.Join(csvHeader, ",") + " (optionally followed by ,chartKind)"})
	}
	want := len(csvHeader)
	if withKind {
		want++
	}
	var rows []CodeInput
	var bad []errs.FieldError
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A broken quote leaves the reader unsure where rows start:
			// report it and what was found before, and read no further.
			bad = append(bad, lineError(err))
			break
		}
		line, _ := r.FieldPos(0)
		field := fmt.Sprintf("line %d", line)
		if len(rows)+len(bad) >= maxImportRows {
			return nil, errs.InvalidFields(errs.FieldError{Field: field, Message: fmt.Sprintf("a file holds at most %d rows", maxImportRows)})
		}
		if isBlank(rec) {
			continue
		}
		if len(rec) != want {
			bad = append(bad, errs.FieldError{Field: field, Message: fmt.Sprintf("has %d columns, want %d", len(rec), want)})
			continue
		}
		in, problems := rowInput(rec)
		if prev, dup := seen[key(in.Code)]; dup && in.Code != "" {
			problems = append(problems, fmt.Sprintf("code %s is also on line %d", in.Code, prev))
		}
		if len(problems) > 0 {
			bad = append(bad, errs.FieldError{Field: field, Message: strings.Join(problems, "; ")})
			continue
		}
		seen[key(in.Code)] = line
		rows = append(rows, in)
	}
	if len(bad) > 0 {
		return nil, errs.InvalidFields(bad...)
	}
	if len(rows) == 0 {
		return nil, errs.InvalidFields(errs.FieldError{Field: "line 2", Message: "the file has no rows under its header"})
	}
	return rows, nil
}

// checkHeader reports whether header is the import header, and whether it
// has the chartKind column.
func checkHeader(header []string) (withKind, ok bool) {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = strings.ToLower(strings.TrimSpace(h))
	}
	for i, h := range csvHeader {
		if i >= len(norm) || norm[i] != strings.ToLower(h) {
			return false, false
		}
	}
	switch len(norm) {
	case len(csvHeader):
		return false, true
	case len(csvHeader) + 1:
		return true, norm[len(csvHeader)] == "chartkind"
	}
	return false, false
}

// rowInput is one row as a code, with what is wrong with it.
func rowInput(rec []string) (CodeInput, []string) {
	in := CodeInput{Code: strings.TrimSpace(rec[0]), Description: rec[1], Category: strings.ToLower(strings.TrimSpace(rec[2]))}
	if len(rec) > len(csvHeader) {
		in.ChartKind = strings.TrimSpace(rec[4])
	}
	var problems []string
	fee, err := strconv.ParseInt(strings.TrimSpace(rec[3]), 10, 64)
	if err == nil {
		in.FeeCents = &fee
	}
	for _, f := range in.check() {
		problems = append(problems, f.Field+" "+f.Message)
	}
	return in, problems
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// lineError names the line of a CSV syntax error.
func lineError(err error) errs.FieldError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.FieldError{Field: fmt.Sprintf("line %d", pe.StartLine), Message: "is not valid CSV: " + pe.Err.Error()}
	}
	return errs.FieldError{Field: "line 1", Message: "is not valid CSV"}
}
