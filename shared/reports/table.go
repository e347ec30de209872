package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
)

// Field is one named value of a report's totals.
type Field struct {
	Key   string
	Value any
}

// Report is one report's result: Rows of values in Columns' order, and
// Totals. Values are strings, int64 (counts, minutes, cents), float64
// (rates, 4 decimals) or nil (a rate over nothing).
type Report struct {
	Name    string
	Columns []string
	Rows    [][]any
	Totals  []Field
	// PatientIDs are the patients the rows name (for the audit trail).
	PatientIDs []string
}

// MarshalJSON answers {"rows":[{column: value}...],"totals":{...}}, keys
// in the report's order.
func (r Report) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"rows":[`)
	for i, row := range r.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		fs := make([]Field, len(r.Columns))
		for j, c := range r.Columns {
			fs[j] = Field{c, row[j]}
		}
		if err := writeObject(&b, fs); err != nil {
			return nil, err
		}
	}
	b.WriteString(`],"totals":`)
	if err := writeObject(&b, r.Totals); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeObject(b *bytes.Buffer, fs []Field) error {
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.Value)
		if err != nil {
			return err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return nil
}

// WriteCSV writes the header row and the rows, RFC 4180 quoted
// (encoding/csv, CRLF line ends). Totals are not rows: a spreadsheet sums
// the columns itself.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(r.Columns); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for j, v := range row {
			rec[j] = cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// rate is n ÷ d to 4 decimals, nil (JSON null, an empty CSV cell) when d
// is 0: a rate over nothing is unknown, not 0.
func rate(n, d int64) any {
	if d == 0 {
		return nil
	}
	return math.Round(float64(n)/float64(d)*10000) / 10000
}
