package patients_test

import (
	"context"
	"testing"

	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/patients"
)

// Staff record a patient's messaging choices and the patient sets their
// own: the opt-out lands in the ledger every sender reads (under the
// number in E.164, as Twilio names it), and a STOP recorded by the
// webhook shows on the profile.
func TestCommunicationPreferences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Jordan", LastName: "Avery", DateOfBirth: "1990-04-12",
		Phone: "(212) 555-0147", Email: "jordan@example.com"})
	desk := e.staff(t, identity.RoleReceptionist)
	type view struct {
		PreferredContactMethod string
		AppointmentReminders   bool
		OptOuts                map[string]bool
	}
	var got view
	path := "/api/patients/" + p.ID + "/communication"
	desk.MustJSON(t, "GET", path, nil, 200, &got)
	if got.OptOuts["sms"] || got.OptOuts["email"] || !got.AppointmentReminders {
		t.Fatalf("fresh patient %+v", got)
	}
	ledger := prefs.NewLedger(e.fe.Mongo(t))
	// A STOP from Twilio is keyed by the E.164 number.
	if err := ledger.OptOut(ctx, e.clinic.ID, notify.SMS, "+12125550147", "sms-stop", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	desk.MustJSON(t, "GET", path, nil, 200, &got)
	if !got.OptOuts["sms"] {
		t.Fatal("the STOP does not show on the profile")
	}
	// The patient opts back in to texts and out of email, and prefers texts.
	pc, _ := e.signIn(t, e.clinic.ID, identity.RolePatient, p.ID)
	pc.MustJSON(t, "PUT", path, map[string]any{"preferredContactMethod": "sms", "optOuts": map[string]bool{"sms": false, "email": true}}, 200, &got)
	if got.PreferredContactMethod != "sms" || got.OptOuts["sms"] || !got.OptOuts["email"] {
		t.Fatalf("after the patient's change %+v", got)
	}
	for ch, addr := range map[notify.Channel]string{notify.SMS: "+1 212 555 0147", notify.Email: "Jordan@Example.com"} {
		out, err := ledger.OptedOut(ctx, e.clinic.ID, ch, addr)
		if err != nil || out != (ch == notify.Email) {
			t.Fatalf("ledger %s: %v %v", ch, out, err)
		}
	}
	// Bad input names its field; another patient and another clinic see nothing.
	desk.MustDo(t, "PUT", path, map[string]any{"preferredContactMethod": "pigeon"}, 400)
	desk.MustDo(t, "PUT", path, map[string]any{}, 400)
	other := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Sam", LastName: "Lee", DateOfBirth: "1985-01-01", Email: "sam@example.com"})
	desk.MustDo(t, "PUT", "/api/patients/"+other.ID+"/communication", map[string]any{"optOuts": map[string]bool{"sms": true}}, 400)
	pc.MustDo(t, "GET", "/api/patients/"+other.ID+"/communication", nil, 404)
	otherDesk, _ := e.signIn(t, e.other.ID, identity.RoleReceptionist, "")
	otherDesk.MustDo(t, "GET", path, nil, 404)
	assistant := e.staff(t, identity.RoleAssistant)
	assistant.MustDo(t, "GET", path, nil, 200)
	assistant.MustDo(t, "PUT", path, map[string]any{"appointmentReminders": false}, 403)
	desk.MustJSON(t, "PUT", path, map[string]any{"appointmentReminders": false}, 200, &got)
	if got.AppointmentReminders {
		t.Fatal("reminders still on")
	}
}
