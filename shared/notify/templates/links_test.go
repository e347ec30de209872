package templates_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The templates are plain Go. text/template and html/template look methods
// up by name (reflect's MethodByName), and a binary that may do that keeps
// every exported method of every type it reaches: linking them through this
// package doubled the notifications Lambda (9.5 MB to 20 MB). Neither this
// package nor anything it imports may bring them back.
func TestLinksNoTextOrHTMLTemplate(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "text/template" || dep == "html/template" || strings.HasPrefix(dep, "text/template/") {
			t.Errorf("shared/notify/templates links %s", dep)
		}
	}
}
