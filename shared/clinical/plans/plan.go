package plans

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
)

// Plan statuses.
const (
	StatusDraft      = "draft"
	StatusPresented  = "presented"
	StatusAccepted   = "accepted"
	StatusRejected   = "rejected"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
)

// Item statuses.
const (
	ItemPlanned   = "planned"
	ItemCompleted = "completed"
)

// Why a plan was rejected.
const (
	// RejectedDeclined: the patient (or the practice) turned it down.
	RejectedDeclined = "declined"
	// RejectedAlternative: another option of its group was accepted.
	RejectedAlternative = "alternative_accepted"
)

// EstimateNotEstimated is the estimate status until billing estimates
// insurance: the estimate is then null, never 0.
const EstimateNotEstimated = "not_estimated"

// Limits of a plan.
const (
	maxTitleLen = 200
	maxNotesLen = 20000
	maxItems    = 100
	maxPhase    = 20
	// defaultPriority is an item's priority when none is given (1 highest).
	defaultPriority = 3
)

// accepted reports whether status is one an accepted plan moves through.
func accepted(status string) bool {
	return status == StatusAccepted || status == StatusInProgress || status == StatusCompleted
}

// Acceptance is the patient's signed acceptance of a plan, kept as it was
// taken: nothing writes it again.
type Acceptance struct {
	// Signature is the patient's full name as they typed it.
	Signature string    `bson:"signature" json:"signature"`
	At        time.Time `bson:"at" json:"at"`
	IP        string    `bson:"ip" json:"ip"`
	UserAgent string    `bson:"userAgent" json:"userAgent"`
	// By is the user who took it: the patient in the portal, or the staff
	// member in whose presence the patient signed.
	By   string `bson:"by" json:"by"`
	Role string `bson:"role" json:"role"`
}

// item is one stored plan item. Code, description, category, chart kind
// and fee are copied from the schedule when the item is made, so a later
// change of the schedule does not move the plan.
type item struct {
	ID          string     `bson:"id"`
	Code        string     `bson:"code"`
	Description string     `bson:"description"`
	Category    string     `bson:"category"`
	ChartKind   string     `bson:"chartKind"`
	Tooth       string     `bson:"tooth"`
	Surfaces    []string   `bson:"surfaces"`
	FeeCents    int64      `bson:"feeCents"`
	Priority    int        `bson:"priority"`
	Phase       int        `bson:"phase"`
	Status      string     `bson:"status"`
	CompletedAt *time.Time `bson:"completedAt"`
	CompletedBy string     `bson:"completedBy"`
}

// record is a stored plan. Every field is always written (no omitempty),
// so a versioned $set of the whole record leaves nothing stale behind.
type record struct {
	ID        string `bson:"_id"`
	ClinicID  string `bson:"clinicId"`
	PatientID string `bson:"patientId"`
	Title     string `bson:"title"`
	Status    string `bson:"status"`
	// GroupID is shared by the alternatives for one problem; a plan alone
	// is its own group.
	GroupID    string    `bson:"groupId"`
	Items      []item    `bson:"items"`
	TotalCents int64     `bson:"totalCents"`
	Notes      seal.Text `bson:"notes"`

	PresentedAt    *time.Time  `bson:"presentedAt"`
	PresentedBy    string      `bson:"presentedBy"`
	Acceptance     *Acceptance `bson:"acceptance"`
	RejectedAt     *time.Time  `bson:"rejectedAt"`
	RejectedBy     string      `bson:"rejectedBy"`
	RejectedReason string      `bson:"rejectedReason"`
	CompletedAt    *time.Time  `bson:"completedAt"`

	CreatedAt time.Time `bson:"createdAt"`
	CreatedBy string    `bson:"createdBy"`
	UpdatedAt time.Time `bson:"updatedAt"`
	Version   int       `bson:"version"`
}

// notesWhere is where a plan's notes are sealed for: a ciphertext moved to
// another plan does not open.
func notesWhere(planID string) string { return "treatment_plans/" + planID + "/notes" }

func (r *record) total() {
	r.TotalCents = 0
	for _, it := range r.Items {
		r.TotalCents += it.FeeCents
	}
}

// Item is a plan item as answered.
type Item struct {
	ID          string  `json:"id"`
	Code        string  `json:"code"`
	Description string  `json:"description"`
	Category    string  `json:"category"`
	Tooth       *string `json:"tooth"`
	// FDI is the tooth's FDI name, for clinics that number that way.
	FDI         string     `json:"fdi,omitempty"`
	Surfaces    []string   `json:"surfaces"`
	FeeCents    int64      `json:"feeCents"`
	Priority    int        `json:"priority"`
	Phase       int        `json:"phase"`
	Status      string     `json:"status"`
	CompletedAt *time.Time `json:"completedAt"`
}

// Plan is a treatment plan as answered.
type Plan struct {
	ID         string `json:"id"`
	PatientID  string `json:"patientId"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	GroupID    string `json:"groupId"`
	Items      []Item `json:"items"`
	TotalCents int64  `json:"totalCents"`
	// Estimate is the insurance estimate, which billing makes; until it
	// does, null with EstimateStatus "not_estimated" (never a 0 that reads
	// as "insurance pays nothing").
	Estimate       *int64      `json:"estimate"`
	EstimateStatus string      `json:"estimateStatus"`
	Notes          string      `json:"notes"`
	PresentedAt    *time.Time  `json:"presentedAt"`
	Acceptance     *Acceptance `json:"acceptance"`
	RejectedAt     *time.Time  `json:"rejectedAt"`
	RejectedReason string      `json:"rejectedReason,omitempty"`
	CompletedAt    *time.Time  `json:"completedAt"`
	CreatedAt      time.Time   `json:"createdAt"`
	CreatedBy      string      `json:"createdBy"`
	Version        int         `json:"version"`
}

// view is r as answered, with its notes opened (notes given as they are).
func (r record) view(notes string) Plan {
	out := Plan{ID: r.ID, PatientID: r.PatientID, Title: r.Title, Status: r.Status, GroupID: r.GroupID,
		Items: make([]Item, 0, len(r.Items)), TotalCents: r.TotalCents, EstimateStatus: EstimateNotEstimated, Notes: notes,
		PresentedAt: r.PresentedAt, Acceptance: r.Acceptance, RejectedAt: r.RejectedAt, RejectedReason: r.RejectedReason,
		CompletedAt: r.CompletedAt, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, Version: r.Version}
	for _, it := range r.Items {
		v := Item{ID: it.ID, Code: it.Code, Description: it.Description, Category: it.Category, Surfaces: it.Surfaces,
			FeeCents: it.FeeCents, Priority: it.Priority, Phase: it.Phase, Status: it.Status, CompletedAt: it.CompletedAt}
		if it.Tooth != "" {
			v.Tooth, v.FDI = &it.Tooth, fdi(it.Tooth)
		}
		if v.Surfaces == nil {
			v.Surfaces = []string{}
		}
		out.Items = append(out.Items, v)
	}
	return out
}

// ItemInput is an item as a client sends it.
type ItemInput struct {
	// ID names an item of the plan being edited, which then keeps its id
	// and, when its code is unchanged, its fee.
	ID       string   `json:"id"`
	Code     string   `json:"code"`
	Tooth    string   `json:"tooth"`
	Surfaces []string `json:"surfaces"`
	Priority *int     `json:"priority"`
	Phase    *int     `json:"phase"`
}

// PlanInput is the body of a plan's creation.
type PlanInput struct {
	Title         string      `json:"title"`
	Items         []ItemInput `json:"items"`
	Notes         string      `json:"notes"`
	AlternativeTo string      `json:"alternativeTo"`
}

// PatchInput is the body of a plan's edit: what it names is replaced.
type PatchInput struct {
	Title *string      `json:"title"`
	Items *[]ItemInput `json:"items"`
	Notes *string      `json:"notes"`
	// Version, when given, must be the plan's: an edit made on a stale
	// copy is a Conflict rather than a silent overwrite.
	Version *int `json:"version"`
}

// fields names what p changes (for the trail: names only, never values).
func (p PatchInput) fields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"title", p.Title != nil}, {"items", p.Items != nil}, {"notes", p.Notes != nil}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

func checkTitle(v *errs.Validator, title string) {
	n := utf8.RuneCountInString(strings.TrimSpace(title))
	v.Check(n > 0 && n <= maxTitleLen && utf8.ValidString(title), "title", fmt.Sprintf("must be 1 to %d characters", maxTitleLen))
}

func checkNotes(v *errs.Validator, notes string) {
	v.Check(utf8.RuneCountInString(notes) <= maxNotesLen && utf8.ValidString(notes), "notes", fmt.Sprintf("must be at most %d characters", maxNotesLen))
}

// buildItems turns inputs into items priced from sc, reporting problems
// under their paths ("items[0].code"). prev are the plan's items before an
// edit: an input naming one of them keeps its id, and its fee when its code
// is unchanged; every other item gets a new id and today's fee.
func buildItems(v *errs.Validator, sc schedule, in []ItemInput, prev []item) []item {
	v.Check(len(in) <= maxItems, "items", fmt.Sprintf("a plan holds at most %d items", maxItems))
	old := map[string]item{}
	for _, it := range prev {
		old[it.ID] = it
	}
	used := map[string]bool{}
	out := make([]item, 0, len(in))
	for i, x := range in {
		path := func(f string) string { return fmt.Sprintf("items[%d].%s", i, f) }
		it := item{ID: ids.New(), Priority: defaultPriority, Phase: 1, Status: ItemPlanned, Surfaces: []string{}}
		if x.ID != "" {
			p, ok := old[x.ID]
			v.Check(ok && !used[x.ID], path("id"), "is not an item of this plan (leave it out for a new item)")
			used[x.ID] = true
			if ok {
				it.ID = p.ID
			}
		}
		c, ok := sc.find(key(strings.TrimSpace(x.Code)))
		switch {
		case strings.TrimSpace(x.Code) == "":
			v.Check(false, path("code"), "is required")
		case !ok:
			v.Check(false, path("code"), "is not a code of the fee schedule")
		case !c.Active:
			v.Check(false, path("code"), "is no longer an active code")
		default:
			it.Code, it.Description, it.Category, it.ChartKind, it.FeeCents = c.Code, c.Description, c.Category, c.ChartKind, c.FeeCents
			if p, kept := old[x.ID]; kept && key(p.Code) == key(c.Code) {
				it.FeeCents = p.FeeCents
			}
		}
		tooth := strings.ToUpper(strings.TrimSpace(x.Tooth))
		v.Check(tooth == "" || validTooth(tooth), path("tooth"), `must be a Universal tooth: "1" to "32", or "A" to "T"`)
		it.Tooth = tooth
		if len(x.Surfaces) > 0 {
			s, ok := normalizeSurfaces(x.Surfaces)
			v.Check(ok, path("surfaces"), "must be distinct surfaces of M, O, D, B, F, L, I")
			v.Check(tooth != "", path("surfaces"), "need a tooth")
			it.Surfaces = s
		}
		if x.Priority != nil {
			v.Check(*x.Priority >= 1 && *x.Priority <= 5, path("priority"), "must be from 1 (highest) to 5")
			it.Priority = *x.Priority
		}
		if x.Phase != nil {
			v.Check(*x.Phase >= 1 && *x.Phase <= maxPhase, path("phase"), fmt.Sprintf("must be from 1 to %d", maxPhase))
			it.Phase = *x.Phase
		}
		out = append(out, it)
	}
	return out
}
