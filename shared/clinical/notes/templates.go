package notes

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Template is a note template: prompts a new note starts from. Templates
// hold no patient's information, so they are stored as plain text and
// listing them is not audited.
type Template struct {
	ID         string `bson:"_id" json:"id"`
	Name       string `bson:"name" json:"name"`
	Type       string `bson:"type" json:"type"`
	Subjective string `bson:"subjective,omitempty" json:"subjective"`
	Objective  string `bson:"objective,omitempty" json:"objective"`
	Assessment string `bson:"assessment,omitempty" json:"assessment"`
	Plan       string `bson:"plan,omitempty" json:"plan"`
	Body       string `bson:"body,omitempty" json:"body"`
}

// builtinTemplates ship with the product, so a new practice writes its
// first note without setting anything up. Their ids are fixed (they are
// not records), and never collide with a stored template's ObjectID.
var builtinTemplates = []Template{
	{ID: "builtin-periodic-exam", Name: "Periodic exam (SOAP)", Type: TypeSOAP,
		Subjective: "Chief complaint: none / \nChanges to medical history or medications since last visit: \nSensitivity, pain or bleeding reported: ",
		Objective:  "Extraoral / intraoral soft tissue: WNL / \nOral cancer screening: negative / \nPerio: see charting; BOP: \nExisting restorations: \nRadiographs taken: none / BWX / PA / FMX / pano — findings: ",
		Assessment: "Caries risk: low / moderate / high\nPerio status: healthy / gingivitis / periodontitis stage  grade \nFindings: ",
		Plan:       "Treatment recommended: \nOHI given: \nRecall: 6 months / "},
	{ID: "builtin-emergency-visit", Name: "Emergency visit (SOAP)", Type: TypeSOAP,
		Subjective: "Chief complaint (patient's words): \nOnset / duration: \nPain (0–10), character, triggers (hot, cold, biting), spontaneous or lingering: \nSwelling, fever, difficulty swallowing or breathing: ",
		Objective:  "Tooth / area: \nPercussion:  Palpation:  Mobility: \nCold test:  (control tooth ) \nSwelling / sinus tract: \nRadiograph: ",
		Assessment: "Pulpal diagnosis: \nPeriapical diagnosis: \nOther: ",
		Plan:       "Treatment today: \nRx: \nReferral: \nFollow-up: "},
	{ID: "builtin-restorative", Name: "Restorative procedure", Type: TypeProcedure,
		Body: "Tooth / surfaces: \nProcedure: \nConsent reviewed: yes\nAnesthetic: (agent, concentration, epinephrine, carpules, injection site)\nIsolation: rubber dam / isolite / cotton rolls\nCaries removed, prep: \nLiner / base: \nMaterial and shade: \nOcclusion checked and adjusted: \nPost-op instructions given; patient tolerated procedure well.\nNext visit: "},
	{ID: "builtin-extraction", Name: "Extraction (procedure)", Type: TypeProcedure,
		Body: "Tooth: \nIndication: \nConsent signed; risks (pain, swelling, bleeding, dry socket, nerve injury) reviewed.\nBP: \nAnesthetic: (agent, carpules, block / infiltration)\nTechnique: simple / surgical (flap, bone removal, sectioning)\nTooth removed intact / in sections; socket curetted and irrigated.\nHemostasis: gauze / sutures (type, number)\nPost-op instructions given verbally and in writing; Rx: \nFollow-up: "},
	{ID: "builtin-hygiene-visit", Name: "Hygiene visit (progress)", Type: TypeProgress,
		Body: "Medical history reviewed; BP: \nPatient concerns: \nProphy / scaling and root planing (quadrants): \nCalculus: light / moderate / heavy; Plaque: \nBleeding on probing: \nPerio charting: updated / not due\nFluoride: varnish / none\nOHI: brushing, flossing, interdental aids\nDoctor exam: yes / no\nNext recall: "},
}

// templateStore keeps a clinic's own note templates (this issue creates
// none; a clinic's are listed after the built-in ones).
type templateStore struct{ c *store.Collection }

func newTemplateStore(m *store.Mongo) *templateStore {
	return &templateStore{c: m.Collection("note_templates",
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "name", Value: 1}}})}
}

// List is every template a clinic may start a note from: the built-in
// ones, then the clinic's by name.
func (s *templateStore) List(ctx context.Context, clinicID string) ([]Template, error) {
	var own []Template
	if err := s.c.Find(ctx, clinicID, bson.D{}, &own, options.Find().SetSort(bson.D{{Key: "name", Value: 1}})); err != nil {
		return nil, err
	}
	return append(append([]Template{}, builtinTemplates...), own...), nil
}

var errNoTemplate = errs.InvalidFields(errs.FieldError{Field: "templateId", Message: "is not a note template of this practice"})

// Get is the template id: built in, or the clinic's own.
func (s *templateStore) Get(ctx context.Context, clinicID, id string) (Template, error) {
	for _, t := range builtinTemplates {
		if t.ID == id {
			return t, nil
		}
	}
	if !ids.Valid(id) {
		return Template{}, errNoTemplate
	}
	return store.One[Template](ctx, s.c, clinicID, id, errNoTemplate)
}
