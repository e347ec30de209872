package localstack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
)

// Route is one HttpApi event of one function in template.yaml.
type Route struct {
	Function string // logical id, e.g. HealthFunction
	Method   string // GET, POST, … or ANY
	Path     string // API Gateway syntax: /api/patients/{id}
}

// Pattern is the route as a Go 1.22 ServeMux pattern ("GET /api/patients/{id}").
// API Gateway's greedy {proxy+} becomes {proxy...}.
func (r Route) Pattern() string {
	path := r.Path
	if i := strings.Index(path, "+}"); i >= 0 {
		path = path[:i] + "...}" + path[i+2:]
	}
	if r.Method == "ANY" || r.Method == "" {
		return path
	}
	return r.Method + " " + path
}

// Template is what the local stack needs from template.yaml.
type Template struct {
	Routes []Route
	// QueueConsumers are the functions with an SQS event.
	QueueConsumers []string
	// Functions are all serverless functions by logical id.
	Functions map[string]cloudformation.Resource
	Raw       *cloudformation.Template
}

// FindTemplate looks for template.yaml in dir and its parents, so the local
// stack and tests work from any folder of the repo.
func FindTemplate(dir string) (string, error) {
	for {
		p := filepath.Join(dir, "template.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("template.yaml not found in this folder or any parent")
		}
		dir = parent
	}
}

// LoadTemplate reads the SAM template with goformation (which also refuses
// unknown properties: a typo check). References to other resources resolve
// to empty values; nothing local needs them.
func LoadTemplate(path string) (*Template, error) {
	tpl, err := goformation.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	out := &Template{Raw: tpl, Functions: map[string]cloudformation.Resource{}}
	for id, fn := range tpl.GetAllServerlessFunctionResources() {
		out.Functions[id] = fn
		// A WebSocket API's $connect is served locally as this path's
		// upgrade (GET), by the function the API integrates.
		if p, ok := fn.AWSCloudFormationMetadata["WebSocketPath"].(string); ok && p != "" {
			out.Routes = append(out.Routes, Route{Function: id, Method: "GET", Path: p})
		}
		for name, ev := range fn.Events {
			switch ev.Type {
			case "HttpApi":
				if ev.Properties == nil || ev.Properties.HttpApiEvent == nil || ev.Properties.HttpApiEvent.Path == nil {
					return nil, fmt.Errorf("%s event %s: HttpApi event without a Path", id, name)
				}
				e := ev.Properties.HttpApiEvent
				method := "ANY"
				if e.Method != nil {
					method = strings.ToUpper(*e.Method)
				}
				out.Routes = append(out.Routes, Route{Function: id, Method: method, Path: *e.Path})
			case "SQS":
				out.QueueConsumers = append(out.QueueConsumers, id)
			}
		}
	}
	sort.Slice(out.Routes, func(i, j int) bool { return out.Routes[i].Pattern() < out.Routes[j].Pattern() })
	sort.Strings(out.QueueConsumers)
	return out, nil
}
