package localstack_test

import (
	"strings"

	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
)

// clinicalTarget fills a clinical route's ids. (scaffold: ids no record has;
// the handler answers 404 for them, which is past the guard)
func (m *matrix) clinicalTarget(path string, _ identity.User, _ string) string {
	path = strings.Replace(path, "{id}", ids.New(), 1)
	return strings.Replace(path, "{itemId}", ids.New(), 1)
}
