package scheduling

import "testing"

// A provider-kind refusal names the visit once, with the right article.
func TestVisitNameReadsAsEnglish(t *testing.T) {
	for name, want := range map[string]string{
		"Hygiene visit": "a Hygiene visit",
		"Cleaning":      "a Cleaning visit",
		"Emergency":     "an Emergency visit",
		" Exam ":        "an Exam visit",
		"New patient":   "a New patient visit",
	} {
		if got := visitName(name); got != want {
			t.Errorf("visitName(%q) = %q, want %q", name, got, want)
		}
	}
}
