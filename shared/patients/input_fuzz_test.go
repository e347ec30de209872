package patients

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/phone"
)

// FuzzPatientInput drives a create body through what POST /api/patients
// does with it (the strict decoder, apply, validate): never a panic and
// never an error but a 400 naming its fields. What it accepts holds the
// record's rules, and is a fixed point: the stored record sent back as a
// body is accepted and stored the same.
func FuzzPatientInput(f *testing.F) {
	for _, s := range []string{
		`{"firstName":"Ana","lastName":"Silva","dateOfBirth":"1985-04-12","phone":"+351 912 345 678"}`,
		`{"firstName":" João ","lastName":"Silva","dateOfBirth":"2000-02-29","email":"JOAO@Example.COM","language":"pt-pt",` +
			`"preferredContactMethod":"email","address":{"line1":"1 Rua","country":"pt"},"communication":{"marketing":true}}`,
		`{"firstName":"Zoë","lastName":"Åberg","dateOfBirth":"1990-01-01","phone":"(555) 010-2030","sex":"female",` +
			`"allergies":[{"substance":"Latex","severity":"Severe"}],"medications":[{"name":"Warfarin","dose":"5 mg"}],` +
			`"conditions":[{"name":"Asthma","notes":"mild"}],"recall":{"intervalMonths":6,"lastHygieneVisit":"2026-01-31"}}`,
		`{"firstName":"A","lastName":"B","dateOfBirth":"1899-12-31","email":"a@b"}`,
		`{"firstName":"A","lastName":"B","dateOfBirth":"2026-02-30","phone":"1"}`,
		`{"firstName":"A","lastName":"B","dateOfBirth":"1980-01-01","email":"a@b.example","emergencyContact":{"name":"C","phone":"+1 202 555 0100"}}`,
		`{"firstName":"A","lastName":"B","dateOfBirth":"1980-01-01","email":"a@b.example","language":"x-klingon","guarantorId":"nope"}`,
		`{"firstName":"A","lastName":"B","dateOfBirth":"1980-01-01","email":"a@b.example","allergies":[{"substance":"x","severity":"mild"},{"substance":"X","severity":"mild"}]}`,
		`{"firstName":"A","lastName":"B","dateOfBirth":"1980-01-01","email":"a@b.example","recall":{"dueDate":"2026-13-01","intervalMonths":0}}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in Input
		if err := decodeBody(body, &in); err != nil {
			return
		}
		p := created()
		apply(&p, in, "US")
		err := validate(p, nil, true, now, "US")
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) == 0 {
				t.Fatalf("validate(%q) = %v, want 400 with fields", body, err)
			}
			for _, fe := range e.Fields {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("validate(%q): a field error without field or message: %+v", body, e.Fields)
				}
			}
			return
		}
		for _, n := range []string{p.FirstName, p.LastName} {
			if n == "" || utf8.RuneCountInString(n) > maxName {
				t.Fatalf("accepted name %q", n)
			}
		}
		if dob, ok := parseDate(p.DateOfBirth); !ok || dob.After(latestToday(now)) {
			t.Fatalf("accepted dateOfBirth %q", p.DateOfBirth)
		}
		if p.Phone == "" && p.Email == "" {
			t.Fatalf("accepted %q with neither phone nor email", body)
		}
		if p.Phone != "" {
			if n, err := phone.E164(p.Phone, ""); err != nil || n != p.Phone {
				t.Fatalf("stored phone %q is not E.164 (%q, %v)", p.Phone, n, err)
			}
		}

		again := created()
		apply(&again, inputOf(p), "US")
		if err := validate(again, nil, true, now, "US"); err != nil {
			t.Fatalf("the stored record %+v sent back is refused: %v", p, err)
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("the stored record sent back is stored differently:\n%+v\n%+v", p, again)
		}
	})
}

// created is a new record before its body is applied, as create makes it.
func created() Patient {
	return Patient{ID: "6b0f3cdfb458da042a33ec3c", Status: StatusActive, Source: "staff",
		Recall: Recall{IntervalMonths: DefaultRecallMonths}, Communication: &Communication{AppointmentReminders: true}}
}

func decodeBody(body []byte, dst any) error {
	req := httptest.NewRequest("POST", "/api/patients", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return httpapi.Decode(httptest.NewRecorder(), req, dst)
}

// inputOf is p as a create body: every field it holds.
func inputOf(p Patient) Input {
	s := func(v string) *string { return &v }
	in := Input{FirstName: s(p.FirstName), LastName: s(p.LastName), PreferredName: s(p.PreferredName),
		DateOfBirth: s(p.DateOfBirth), Sex: s(p.Sex), Phone: s(p.Phone), Email: s(p.Email),
		PreferredContactMethod: s(p.PreferredContactMethod), Language: s(p.Language), GuarantorID: s(p.GuarantorID),
		Address: p.Address, EmergencyContact: p.EmergencyContact,
		Allergies: &p.Allergies, Medications: &p.Medications, Conditions: &p.Conditions,
		Recall: &RecallInput{IntervalMonths: &p.Recall.IntervalMonths, LastHygieneVisit: s(p.Recall.LastHygieneVisit), DueDate: s(p.Recall.DueDate)}}
	if c := p.Communication; c != nil {
		in.Communication = &CommunicationInput{AppointmentReminders: &c.AppointmentReminders, Marketing: &c.Marketing}
	}
	return in
}
