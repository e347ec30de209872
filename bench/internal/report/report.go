// Package report is the bench's one table: every row an absolute figure, a
// reference measured in the same run, their ratio, and the target.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Row is one line of the table. Ratio and Met are empty where a row has no
// reference or no target.
type Row struct {
	What, Figure, Reference, Ratio, Target string
	// Met: "yes", "!" (missed), or "" (no target).
	Met string
}

// Table collects rows in the order measured.
type Table struct{ Rows []Row }

// Add appends rows.
func (t *Table) Add(rows ...Row) { t.Rows = append(t.Rows, rows...) }

// Note adds a row that says what was not measured and why.
func (t *Table) Note(what, why string) {
	t.Add(Row{What: what, Figure: "not measured: " + why, Met: "!"})
}

// Header is the table's first two lines.
const Header = "| what | figure | reference | ratio | target | met? |\n|---|---|---|---|---|---|\n"

// Markdown writes the rows (without the header).
func (t *Table) Markdown(w io.Writer) {
	for _, r := range t.Rows {
		cells := []string{r.What, r.Figure, r.Reference, r.Ratio, r.Target, r.Met}
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", "/")
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// Met is "yes" when ok, else "!".
func Met(ok bool) string {
	if ok {
		return "yes"
	}
	return "!"
}

// Ms formats a duration in milliseconds.
func Ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1e3) }

// Ratio of a to b, formatted, and its value.
func Ratio(a, b float64) (string, float64) {
	if b == 0 {
		return "n/a", 0
	}
	return fmt.Sprintf("%.2f", a/b), a / b
}
